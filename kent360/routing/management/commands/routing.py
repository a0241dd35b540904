"""``kent360 routing train|evaluate|sweep|holidays``.

- ``train [--org SLUG]``: retrain from the organisation's history, print the held-out
  report; the new version becomes current only if it is not worse.
- ``evaluate --train TRAIN.csv --test TEST.csv``: the production pipeline trained on one
  labelled CSV (columns ``text``, ``category``) and judged on another.
- ``sweep``: run the SLA escalation sweep once.
- ``holidays [--country TR]``: load the shipped public holidays.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kent360.organizations.models import Organisation
from kent360.routing import escalation, services
from kent360.routing.calendar import shipped_countries
from kent360.routing.ml import TextClassifier, evaluate, format_report


def read_csv(path: str) -> tuple[list[str], list[str]]:
    file = Path(path)
    if not file.exists():
        raise CommandError(f"{path}: no such file")
    texts, labels = [], []
    with file.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not {"text", "category"} <= set(reader.fieldnames):
            raise CommandError(f"{path}: the columns 'text' and 'category' are needed")
        for row in reader:
            if row["text"].strip() and row["category"].strip():
                texts.append(row["text"])
                labels.append(row["category"].strip())
    return texts, labels


class Command(BaseCommand):
    help = "Routing: train, evaluate, escalation sweep, holidays."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train")
        train.add_argument("--org", help="organisation slug (default: every organisation)")
        ev = sub.add_parser("evaluate")
        ev.add_argument("--train", required=True)
        ev.add_argument("--test", required=True)
        sub.add_parser("sweep")
        hol = sub.add_parser("holidays")
        hol.add_argument("--country", action="append")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "evaluate":
            self._evaluate(options["train"], options["test"])
        elif action == "train":
            self._train(options.get("org"))
        elif action == "sweep":
            self.stdout.write(f"escalations {escalation.escalation_sweep()}")
        elif action == "holidays":
            for country in options.get("country") or shipped_countries():
                added = services.holidays_load(country=country)
                self.stdout.write(f"{country}: {added} holidays added")

    def _evaluate(self, train_path: str, test_path: str) -> None:
        x_train, y_train = read_csv(train_path)
        x_test, y_test = read_csv(test_path)
        started = time.perf_counter()
        model = TextClassifier.fit(x_train, y_train)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"trained on {len(x_train)} examples, {len(model.labels)} categories "
            f"in {seconds:.1f} s; model {len(model.dumps()) / 1e6:.1f} MB"
        )
        self.stdout.write(format_report(evaluate(model, x_test, y_test)))

    def _train(self, slug: str | None) -> None:
        orgs = Organisation.objects.filter(is_active=True)
        if slug:
            orgs = orgs.filter(slug=slug)
            if not orgs.exists():
                raise CommandError(f"no organisation {slug!r}")
        for org in orgs:
            result = services.routing_train(organisation=org, note="command")
            self.stdout.write(f"== {org.slug}: {result.reason}")
            if result.metrics:
                self.stdout.write(format_report(result.metrics))
            if result.current_metrics:
                cur = result.current_metrics
                self.stdout.write(
                    f"current model on the same set: accuracy {cur['accuracy']:.3f} "
                    f"macro_f1 {cur['macro_f1']:.3f}"
                )

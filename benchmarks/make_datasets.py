"""Build the labelled CSVs used by ``kent360 routing evaluate``.

- benchmarks/data/realistic_{train,test}.csv: the hand-written realistic set
  (benchmarks/data/realistic_tr.txt), split deterministically: every third line of each
  category goes to the test file.
- benchmarks/data/demo_{train,test}.csv: texts produced by the demo generator
  (kent360/core/demo/data.py) the way the demo loader fills them in, with different
  random seeds for train and test.
- benchmarks/data/combined_train.csv: demo train + realistic train (an organisation whose
  history holds both kinds of text).

Run: /work/main/.venv/bin/python benchmarks/make_datasets.py
"""

from __future__ import annotations

import csv
import random
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "benchmarks" / "data"


def write(path: Path, rows: list[tuple[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "category"])
        writer.writerows(rows)


def realistic() -> None:
    by_cat: dict[str, list[str]] = defaultdict(list)
    for line in (DATA / "realistic_tr.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cat, text = line.split("\t", 1)
        by_cat[cat].append(text.strip())
    train, test = [], []
    for cat, texts in sorted(by_cat.items()):
        for i, text in enumerate(texts):
            (test if i % 3 == 2 else train).append((text, cat))
    write(DATA / "realistic_train.csv", train)
    write(DATA / "realistic_test.csv", test)
    print(f"realistic: {len(train)} train, {len(test)} test, {len(by_cat)} categories")


def demo(n: int, seed: int) -> list[tuple[str, str]]:
    from kent360.core.demo import data
    from kent360.routing.ml import request_text

    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.03:
            cat, subject, text = rng.choice(data.ENGLISH)
        elif roll < 0.05:
            cat, subject, text = rng.choice(data.PERSIAN)
        else:
            cat = rng.choice(list(data.TEXTS))
            subject, text = rng.choice(data.TEXTS[cat])
        text = text.format(street=rng.choice(data.STREETS), n=rng.randint(1, 180))
        rows.append((request_text(subject, text), cat))
    return rows


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kent360.settings")
    import django

    django.setup()
    realistic()
    demo_train = demo(1000, 1)
    write(DATA / "demo_train.csv", demo_train)
    write(DATA / "demo_test.csv", demo(300, 2))
    print("demo: 1000 train, 300 test")
    with (DATA / "realistic_train.csv").open(encoding="utf-8") as handle:
        realistic_train = [(r["text"], r["category"]) for r in csv.DictReader(handle)]
    write(DATA / "combined_train.csv", demo_train + realistic_train)
    print(f"combined: {len(demo_train) + len(realistic_train)} train")

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from kent360.core import scheduling


class Command(BaseCommand):
    help = "Enqueue periodic jobs (SLA sweeps, retries, fetching) when they are due."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--interval", type=float, default=15.0)

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            fired = scheduling.run_due()
            if fired:
                self.stdout.write("enqueued: " + ", ".join(fired))
            if options["once"]:
                return
            time.sleep(options["interval"])

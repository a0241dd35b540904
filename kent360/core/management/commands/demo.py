from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kent360.core.demo.loader import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo municipalities (idempotent: running it twice adds nothing)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--requests", type=int, default=300, help="sample requests for Bornova (default 300)"
        )
        parser.add_argument(
            "--scale", type=int, default=0, help="also bulk-load N requests (PostgreSQL)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_demo(requests_per_org=options["requests"])
        for hook in _extra_hooks():
            hook()
        if options["scale"]:
            from kent360.reports.scale import generate

            self.stdout.write(str(generate(n=options["scale"], log=self.stdout.write)))
        self.stdout.write(
            f"demo: {result['organisations']} organisations, {result['requests']} requests "
            f"({result['new_requests']} new)"
        )
        self.stdout.write(
            f"sign in at /login/ as admin, pr, masa, fen.personel, tehran.admin … "
            f"password {DEMO_PASSWORD}"
        )


def _extra_hooks() -> list[Any]:
    """Other apps' demo data (media, press …): each app's ``demo.load_demo``."""
    from kent360.core.registry import demo_loaders

    return demo_loaders()

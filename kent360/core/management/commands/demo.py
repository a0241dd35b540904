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

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_demo(requests_per_org=options["requests"])
        for hook in _extra_hooks():
            hook()
        self.stdout.write(
            f"demo: {result['organisations']} organisations, {result['requests']} requests "
            f"({result['new_requests']} new)"
        )
        self.stdout.write(
            f"sign in at /login/ as admin, pr, masa, fen.personel, tehran.admin … "
            f"password {DEMO_PASSWORD}"
        )


def _extra_hooks() -> list[Any]:
    """Other apps' demo data (media, press …) when those apps are installed."""
    from django.apps import apps
    from django.utils.module_loading import import_string

    hooks = []
    for label, path in [("media", "kent360.media.demo.load_media_demo_all")]:
        if apps.is_installed(f"kent360.{label}"):
            try:
                hooks.append(import_string(path))
            except ImportError:
                continue
    return hooks

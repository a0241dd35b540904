"""``kent360 open311 key [--org SLUG] [--name NAME]``: create an Open311 API key."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kent360.intake.keys import api_key_create
from kent360.organizations.models import Organisation


class Command(BaseCommand):
    help = "Open311 administration: 'key' creates an API key and prints it as the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["key"])
        parser.add_argument("--org", default=settings.KENT360_DEMO_ORG)
        parser.add_argument("--name", default="Open311 client")

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organisation.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"No organisation {options['org']!r}.")
        key, raw = api_key_create(
            organisation=org, name=options["name"], scope="open311", actor=None
        )
        self.stdout.write(f"Open311 key {key.prefix}… for {org.slug} (keep it secret):")
        self.stdout.write(raw)

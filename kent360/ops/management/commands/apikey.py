"""``kent360 apikey create --user USERNAME [--name NAME]``: a staff API key.

The key is printed once, as the last line of the output; only its hash is stored.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kent360.core.errors import DomainError
from kent360.ops.services import api_key_create
from kent360.organizations.models import Staff


class Command(BaseCommand):
    help = "Create a staff API key acting as the given user; prints the key last."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("--user", required=True)
        create.add_argument("--name", default="command line")

    def handle(self, *args: Any, **options: Any) -> None:
        staff = (
            Staff.objects.select_related("organisation", "user")
            .filter(user__username=options["user"], user__is_active=True)
            .first()
        )
        if staff is None:
            raise CommandError(f"No active staff member with username {options['user']!r}.")
        try:
            created = api_key_create(staff=staff, name=options["name"])
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stderr.write(
            f"API key {created.key.name!r} for {staff.user.username} "
            f"({staff.organisation.slug}); it is shown only now:"
        )
        self.stdout.write(created.raw)

"""``kent360 backup PATH``: database and stored files to a directory or a .tar.gz."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kent360.ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database and stored files (PATH: a new directory or NAME.tar.gz)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_create(destination=options["path"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest.tables.values())
        self.stdout.write(
            f"Backed up {rows} rows in {len(manifest.tables)} tables and "
            f"{len(manifest.files)} files to {options['path']}"
        )

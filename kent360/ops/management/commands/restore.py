"""``kent360 restore PATH``: load a backup into an empty database and MEDIA_ROOT."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kent360.ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup made by 'kent360 backup' and verify counts and checksums."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_restore(source=options["path"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored and verified {result['tables']} tables and {result['files']} files."
        )

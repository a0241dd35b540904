"""Backup and restore of a kent360 installation: the database plus stored files.

A backup is a directory (or the same packed as ``.tar.gz``) holding

- ``database.dump`` (PostgreSQL, ``pg_dump --format=custom``) or ``database.sqlite3``
  (SQLite, written with the online backup API so the site can keep running);
- ``media/``, a copy of MEDIA_ROOT (attachments, scans, PDFs);
- ``manifest.json``: row counts per table and the SHA-256 of every file.

Restoring checks every checksum before touching anything, loads the database and the
files, then compares the restored row counts and file checksums with the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

FORMAT = 1


class BackupError(Exception):
    """The backup cannot be made or restored; the message says why."""


@dataclass
class Manifest:
    engine: str
    tables: dict[str, int]
    files: dict[str, str]
    database_file: str
    database_sha256: str
    created_at: str

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, **self.__dict__}, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        if data.pop("format", None) != FORMAT:
            raise BackupError("Unknown backup format.")
        return cls(**data)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def table_counts() -> dict[str, int]:
    """Rows per table of the current database (every table Django knows of)."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = int(cursor.fetchone()[0])
    return counts


def _pg_env() -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": str(db.get("HOST") or "127.0.0.1"),
            "PGPORT": str(db.get("PORT") or "5432"),
            "PGUSER": str(db.get("USER") or ""),
            "PGDATABASE": str(db["NAME"]),
        }
    )
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def backup_create(*, destination: Path) -> Manifest:
    """Writes a backup to ``destination`` (a new directory, or a file ending .tar.gz)."""
    engine = _engine()
    archive = destination.name.endswith(".tar.gz")
    if destination.exists() and (archive or any(destination.iterdir())):
        raise BackupError(f"{destination} exists and is not empty.")
    with tempfile.TemporaryDirectory(prefix="kent360-backup-") as tmp:
        work = Path(tmp) / "backup" if archive else destination
        work.mkdir(parents=True, exist_ok=True)
        counts = table_counts()
        if engine == "sqlite":
            db_file = "database.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(work / db_file)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        else:
            db_file = "database.dump"
            subprocess.run(
                ["pg_dump", "--format=custom", "--no-owner", "--file", str(work / db_file)],
                env=_pg_env(),
                check=True,
                capture_output=True,
            )
        files = _copy_media(_media_root(), work / "media")
        manifest = Manifest(
            engine=engine,
            tables=counts,
            files=files,
            database_file=db_file,
            database_sha256=sha256_file(work / db_file),
            created_at=timezone.now().isoformat(),
        )
        (work / "manifest.json").write_text(manifest.to_json())
        if archive:
            destination.parent.mkdir(parents=True, exist_ok=True)
            with tarfile.open(destination, "w:gz") as tar:
                tar.add(work, arcname="kent360-backup")
    return manifest


def _copy_media(source: Path, target: Path) -> dict[str, str]:
    files: dict[str, str] = {}
    target.mkdir(parents=True, exist_ok=True)
    if not source.exists():
        return files
    for path in sorted(source.rglob("*")):
        if path.is_file() and not path.is_symlink():
            rel = path.relative_to(source).as_posix()
            if rel.startswith(".ready/"):
                continue  # readiness probe leftovers
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / rel)
            files[rel] = sha256_file(target / rel)
    return files


def _unpack(source: Path, into: Path) -> Path:
    if source.is_dir():
        return source
    with tarfile.open(source, "r:gz") as tar:
        tar.extractall(into, filter="data")
    found = into / "kent360-backup"
    if not found.is_dir():
        raise BackupError("The archive holds no kent360 backup.")
    return found


def _verify_files(root: Path, manifest: Manifest) -> None:
    if sha256_file(root / manifest.database_file) != manifest.database_sha256:
        raise BackupError("The database file does not match its checksum.")
    for rel, digest in manifest.files.items():
        path = root / "media" / rel
        if not path.is_file() or sha256_file(path) != digest:
            raise BackupError(f"{rel} is missing or does not match its checksum.")


def backup_restore(*, source: Path) -> dict[str, Any]:
    """Restores a backup into the configured (empty) database and MEDIA_ROOT.

    Returns what was compared: ``{"tables": n, "files": n}``; raises BackupError when a
    checksum or a restored row count differs from the manifest.
    """
    engine = _engine()
    with tempfile.TemporaryDirectory(prefix="kent360-restore-") as tmp:
        root = _unpack(source, Path(tmp))
        manifest = Manifest.from_json((root / "manifest.json").read_text())
        if manifest.engine != engine:
            raise BackupError(
                f"This backup is of a {manifest.engine} database; this one is {engine}."
            )
        _verify_files(root, manifest)
        if engine == "sqlite":
            connection.ensure_connection()
            src = sqlite3.connect(root / manifest.database_file)
            try:
                src.backup(connection.connection)
            finally:
                src.close()
        else:
            connection.close()
            result = subprocess.run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--clean",
                    "--if-exists",
                    "--exit-on-error",
                    "--dbname",
                    str(connection.settings_dict["NAME"]),
                    str(root / manifest.database_file),
                ],
                env=_pg_env(),
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()[-500:]}")
        media = _media_root()
        media.mkdir(parents=True, exist_ok=True)
        for rel in manifest.files:
            (media / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / "media" / rel, media / rel)
    restored = table_counts()
    differing = {
        t: (n, restored.get(t)) for t, n in manifest.tables.items() if restored.get(t) != n
    }
    if differing:
        raise BackupError(f"Row counts differ after restoring: {differing}")
    for rel, digest in manifest.files.items():
        if sha256_file(media / rel) != digest:
            raise BackupError(f"{rel} differs after restoring.")
    return {"tables": len(manifest.tables), "files": len(manifest.files)}

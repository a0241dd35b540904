"""Backup and restore round trips on SQLite and PostgreSQL: counts and checksums match."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from kent360.ops.backup import BackupError, Manifest, backup_restore, sha256_file, table_counts
from kent360.organizations.models import Role
from kent360.requests.models import Request
from kent360.requests.services import request_attach

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.django_db(transaction=True)


def _fill(make_request, world) -> list[str]:
    names = []
    for i in range(3):
        r = make_request(subject=f"Çukur {i}")
        att = request_attach(
            request=r,
            actor=None,
            system=True,
            upload=SimpleUploadedFile(f"not-{i}.txt", f"İçerik {i} ğüş".encode()),
        )
        names.append(att.file.name)
    return names


@pytest.mark.parametrize("archive", [False, True])
def test_sqlite_round_trip(world, make_request, settings, tmp_path, archive):
    if connection.vendor != "sqlite":
        pytest.skip("this round trip uses SQLite's online backup API; PostgreSQL runs below")
    settings.MEDIA_ROOT = tmp_path / "media"
    files = _fill(make_request, world)
    target = tmp_path / ("backup.tar.gz" if archive else "backup")
    call_command("backup", str(target))
    before = table_counts()
    digests = {n: sha256_file(settings.MEDIA_ROOT / n) for n in files}

    # lose everything: rows and files
    Request.objects.all().delete()
    for name in files:
        (settings.MEDIA_ROOT / name).unlink()
    assert table_counts()["requests_request"] == 0

    call_command("restore", str(target))
    assert table_counts() == before
    assert Request.objects.count() == 3
    assert {n: sha256_file(settings.MEDIA_ROOT / n) for n in files} == digests


def test_a_tampered_backup_is_refused_before_anything_is_touched(
    world, make_request, settings, tmp_path
):
    if connection.vendor != "sqlite":
        pytest.skip("uses the SQLite backup; the PostgreSQL round trip is below")
    settings.MEDIA_ROOT = tmp_path / "media"
    files = _fill(make_request, world)
    call_command("backup", str(tmp_path / "b"))
    manifest = Manifest.from_json((tmp_path / "b" / "manifest.json").read_text())
    assert set(manifest.files) == set(files) and manifest.tables["requests_request"] == 3
    (tmp_path / "b" / "media" / files[0]).write_bytes(b"changed")
    Request.objects.filter(pk=Request.objects.first().pk).delete()
    with pytest.raises(BackupError, match="checksum"):
        backup_restore(source=tmp_path / "b")
    assert Request.objects.count() == 2  # nothing restored
    with pytest.raises(Exception, match="not empty"):
        call_command("backup", str(tmp_path / "b"))


def _pg_url(name: str) -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


def test_postgresql_round_trip_into_a_fresh_database(world, make_request, settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (run the suite with DATABASE_URL=postgres://…)")
    settings.MEDIA_ROOT = tmp_path / "media"
    files = _fill(make_request, world)
    call_command("backup", str(tmp_path / "pg.tar.gz"))
    before = table_counts()
    fresh = f"k360_restore_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{fresh}"')
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KENT360_")}
        env.update(
            DATABASE_URL=_pg_url(fresh),
            KENT360_MEDIA_ROOT=str(tmp_path / "restored-media"),
            KENT360_VAR_DIR=str(tmp_path / "var"),
            KENT360_TESTING="true",
        )
        result = subprocess.run(
            [sys.executable, "manage.py", "restore", str(tmp_path / "pg.tar.gz")],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert "Restored and verified" in result.stdout
        script = (
            "import django, json; django.setup();"
            "from kent360.ops.backup import table_counts; print(json.dumps(table_counts()))"
        )
        counts = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "kent360.settings"},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert json.loads(counts.stdout.strip().splitlines()[-1]) == before
        for name in files:
            assert sha256_file(tmp_path / "restored-media" / name) == sha256_file(
                settings.MEDIA_ROOT / name
            )
    finally:
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')


def test_backup_runs_as_the_cli_command(world, settings, tmp_path):
    assert world.staff[Role.AGENT].pk  # something to count
    settings.MEDIA_ROOT = tmp_path / "m"
    call_command("backup", str(tmp_path / "x"))
    manifest = json.loads((tmp_path / "x" / "manifest.json").read_text())
    assert manifest["tables"]["organizations_staff"] == 14
    assert manifest["database_sha256"] == sha256_file(tmp_path / "x" / manifest["database_file"])

"""``kent360 intake smtp`` end to end: the command in its own process, a real mail sent
with smtplib, stored raw by the listener, turned into a request by ``db_worker``.

The subprocesses must see the test's data: on PostgreSQL they use pytest's test
database; on SQLite the in-memory test database is copied to a file first.
"""

import os
import socket
import sqlite3
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.db import connection

from kent360.testing import free_port

WORKTREE = Path(__file__).resolve().parents[3]


def _database_url(tmp_path: Path) -> tuple[str, Path | None]:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        return f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}", None
    assert connection.vendor == "sqlite"
    path = tmp_path / "intake.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)  # the committed test data, schema included
    target.close()
    return f"sqlite:///{path}", path


def _wait_for_port(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stdout.read() if process.stdout else "exited")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"SMTP listener did not open port {port}")


@pytest.mark.django_db(transaction=True)
def test_smtp_command_receives_a_mail_that_becomes_a_request(world, tmp_path):
    url, sqlite_file = _database_url(tmp_path)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "KENT360_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
        "KENT360_MEDIA_ROOT": str(tmp_path / "media"),
        "KENT360_INTAKE_EMAIL_ORG": "no-default-municipality",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    port = free_port()
    cli = [sys.executable, "-m", "kent360.cli"]
    listener = subprocess.Popen(
        [*cli, "intake", "smtp", "--host", "127.0.0.1", "--port", str(port)],
        cwd=WORKTREE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for_port(port, listener)
        mail = EmailMessage()
        mail["From"] = "Hülya Şen <hulya@example.org>"
        mail["To"] = "bornova@kent360.test"
        mail["Subject"] = "Sokak lambası yanmıyor"
        mail["Message-ID"] = "<lamba-1@example.org>"
        mail.set_content("Erzene Mahallesi 94. Sokak'taki lamba üç gündür yanmıyor.")
        import smtplib

        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            refused = client.sendmail(
                "hulya@example.org", ["bornova@kent360.test"], mail.as_bytes()
            )
            assert refused == {}
            # an address no municipality receives mail at is refused at RCPT time
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                client.sendmail("hulya@example.org", ["nobody@kent360.test"], mail.as_bytes())
    finally:
        listener.terminate()
        output, _ = listener.communicate(timeout=30)
    assert f"SMTP listening on 127.0.0.1:{port}" in output
    worker = subprocess.run(
        [*cli, "db_worker", "--batch", "--queue-name", "intake,notifications"],
        cwd=WORKTREE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == 0, worker.stderr[-2000:]
    rows = _rows(sqlite_file)
    assert rows["inbound"] == [("email", "done")]
    [(subject, channel, email, org_slug)] = rows["requests"]
    assert subject == "Sokak lambası yanmıyor" and channel == "email"
    assert email == "hulya@example.org" and org_slug == "bornova"


def _rows(sqlite_file: Path | None) -> dict[str, list[tuple]]:
    queries = {
        "inbound": "SELECT source, status FROM intake_inboundmessage",
        "requests": "SELECT r.subject, r.channel, r.contact_email, o.slug FROM requests_request r"
        " JOIN organizations_organisation o ON o.id = r.organisation_id",
    }
    if sqlite_file is not None:
        with sqlite3.connect(sqlite_file) as db:
            return {k: db.execute(q).fetchall() for k, q in queries.items()}
    with connection.cursor() as cursor:
        out = {}
        for k, q in queries.items():
            cursor.execute(q)
            out[k] = cursor.fetchall()
        return out

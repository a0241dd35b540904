"""The IMAP poller against a real Dovecot started with a throwaway configuration."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.utils import translation

from kent360.intake.mail import ImapConfig, imap_poll
from kent360.intake.models import InboundMessage, Status
from kent360.requests.models import Request

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
NOBODY = 65534

CONFIG = """
protocols = imap
listen = 127.0.0.1
base_dir = {run}/base
state_dir = {run}/state
log_path = {run}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{run}/mail/%u
first_valid_uid = 1
default_internal_user = dovecot
default_login_user = dovenull
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {run}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={uid} home={run}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _deliver(maildir: Path, name: str, raw: bytes) -> None:
    for sub in ("new", "cur", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    (maildir / "new" / name).write_bytes(raw)


@pytest.fixture
def dovecot(tmp_path):
    if not os.path.exists(DOVECOT):
        pytest.skip("dovecot is not installed (Debian package dovecot-imapd)")
    if os.geteuid() != 0:
        pytest.skip("dovecot's master process must start as root to drop to its users")
    # Runtime files live where dovecot's unprivileged users can reach them (tmp_path's
    # parents are private to root); the configuration itself stays in tmp_path.
    run = Path(tempfile.mkdtemp(prefix="k360-dovecot-"))
    run.chmod(0o755)
    (run / "passwd").write_text("belediye:{PLAIN}gizli-şifre\n".encode().decode())
    (run / "passwd").chmod(0o644)
    port = _free_port()
    conf = tmp_path / "dovecot.conf"
    conf.write_text(CONFIG.format(run=run, port=port, uid=NOBODY))
    maildir = run / "mail" / "belediye"
    proc = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None:
                out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                pytest.fail(f"dovecot exited: {out}")
            time.sleep(0.1)
    else:
        proc.terminate()
        pytest.fail("dovecot did not start listening")
    yield {"port": port, "maildir": maildir, "run": run}
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    shutil.rmtree(run, ignore_errors=True)


def _mail(subject: str, body: str, msgid: str) -> bytes:
    m = EmailMessage()
    m["From"] = "Hüseyin Güneş <huseyin@example.org>"
    m["To"] = "basvuru@bornova.bel.tr"
    m["Subject"] = subject
    m["Message-ID"] = msgid
    m.set_content(body)
    return m.as_bytes()


def _own(path: Path) -> None:
    for root, _dirs, files in os.walk(path):
        os.chown(root, NOBODY, NOBODY)
        for f in files:
            os.chown(os.path.join(root, f), NOBODY, NOBODY)


@pytest.mark.django_db(transaction=True)
@translation.override("en")
def test_imap_poll_stores_each_message_once(world, dovecot):
    maildir = dovecot["maildir"]
    _deliver(
        maildir, "1.host", _mail("Ağaç devrildi", "Yol kapandı, ağaç devrildi.", "<a1@example.org>")
    )
    _deliver(maildir, "2.host", b"From: broken\r\nSubject: \r\n\r\n")
    _own(dovecot["run"] / "mail")
    config = ImapConfig(
        host="127.0.0.1",
        port=dovecot["port"],
        user="belediye",
        password="gizli-şifre",
        organisation="bornova",
    )
    first = imap_poll(config)
    assert len(first) == 2
    r = Request.objects.get()
    assert r.channel == "email" and r.subject == "Ağaç devrildi"
    failed = InboundMessage.objects.get(status=Status.FAILED)
    assert "neither text nor attachments" in failed.error
    # The messages are flagged seen: polling again fetches nothing new.
    assert imap_poll(config) == []
    # A message that reappears unseen (e.g. a crash before flagging) is not a new request.
    _deliver(
        maildir, "3.host", _mail("Ağaç devrildi", "Yol kapandı, ağaç devrildi.", "<a1@example.org>")
    )
    _own(dovecot["run"] / "mail")
    again = imap_poll(config)
    assert len(again) == 1 and again[0].created is False
    assert Request.objects.count() == 1

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest

from kent360.organizations.models import Role
from kent360.organizations.services import organisation_create, staff_create

SEEDS = Path(__file__).resolve().parents[3].parent / "shared" / "seeds"
PAGES = Path(__file__).parent / "data" / "seed_pages"


@pytest.fixture(autouse=True)
def english(settings):
    """Assertions name the English source strings; a test wanting Turkish or Persian asks
    for it (cookie / Accept-Language), as a user's browser does."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def local_sites_allowed(settings):
    """The news sites of these tests run on this machine; production refuses loopback
    addresses unless an administrator allows them (see test_private_addresses_*)."""
    settings.KENT360_MEDIA_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]


@pytest.fixture
def org(db):
    return organisation_create(name="Bornova Belediyesi", slug="bornova", code_prefix="BRN")


@pytest.fixture
def other_org(db):
    return organisation_create(name="Buca Belediyesi", slug="buca", code_prefix="BUC")


def _staff(organisation, username, role):
    return staff_create(
        organisation=organisation,
        username=username,
        password="pw-123456",
        role=role,
        email=f"{username}@example.test",
    )


@pytest.fixture
def officer(org):
    return _staff(org, "basin", Role.PRESS_OFFICER)


@pytest.fixture
def outsider(other_org):
    return _staff(other_org, "buca-basin", Role.PRESS_OFFICER)


@pytest.fixture
def agent(org):
    return _staff(org, "masa", Role.AGENT)


class Site:
    """A local HTTP server: ``routes[path] = (status, headers, body)``; requests are logged."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.log: list[tuple[str, dict[str, str]]] = []
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.log.append((self.path, dict(self.headers)))
                status, headers, body = site.routes.get(self.path, (404, {}, b"not found"))
                if headers.get("ETag") and self.headers.get("If-None-Match") == headers["ETag"]:
                    status, body = 304, b""
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                return

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add(
        self,
        path: str,
        body: bytes,
        ctype: str = "text/html; charset=utf-8",
        status: int = 200,
        **headers: str,
    ) -> str:
        self.routes[path] = (status, {"Content-Type": ctype, **headers}, body)
        return self.base + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site():
    s = Site()
    yield s
    s.close()


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) on localhost; Django's SMTP backend talks to it."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    class Collect(Message):
        def __init__(self) -> None:
            super().__init__()
            self.messages: list = []

        def handle_message(self, message) -> None:
            self.messages.append(message)

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def smtp_settings(settings, smtp):
    handler, port = smtp
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return handler

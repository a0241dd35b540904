"""Real local servers the notification tests talk to: an SMTP server (aiosmtpd) and HTTP
servers speaking Netgsm's SMS API, a generic JSON SMS gateway and a social webhook."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(msg)  # type: ignore[arg-type]
        return "250 OK"

    def bodies(self) -> list[str]:
        return [m.get_content() for m in self.messages]  # type: ignore[attr-defined]


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Mailbox]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield mailbox
    finally:
        controller.stop()


@dataclass
class HttpRecorder:
    """What the fake provider received, and what it should answer next."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    body: str = "00 1234567890"
    url: str = ""


def _serve(recorder: HttpRecorder) -> tuple[ThreadingHTTPServer, threading.Thread]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            parsed = urlparse(self.path)
            recorder.requests.append(
                {
                    "method": self.command,
                    "path": parsed.path,
                    "query": {k: v[0] for k, v in parse_qs(parsed.query).items()},
                    "headers": dict(self.headers),
                    "body": raw,
                    "json": json.loads(raw) if raw.startswith(b"{") else None,
                }
            )
            payload = recorder.body.encode()
            self.send_response(recorder.status)
            ctype = "application/json" if recorder.body.startswith("{") else "text/plain"
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = _answer
        do_POST = _answer

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}"
    return server, thread


@pytest.fixture
def netgsm(settings: Any) -> Iterator[HttpRecorder]:
    """A local server answering Netgsm's /sms/send/get/ like Netgsm does."""
    recorder = HttpRecorder()
    server, _thread = _serve(recorder)
    settings.KENT360_SMS_PROVIDER = "netgsm"
    settings.KENT360_SMS_URL = recorder.url
    settings.KENT360_SMS_USER = "8503091122"
    settings.KENT360_SMS_PASSWORD = "s3cret"
    settings.KENT360_SMS_SENDER = "BORNOVABLD"
    try:
        yield recorder
    finally:
        server.shutdown()


@pytest.fixture
def http_endpoint() -> Iterator[HttpRecorder]:
    recorder = HttpRecorder(body='{"id": "msg-42"}')
    server, _thread = _serve(recorder)
    try:
        yield recorder
    finally:
        server.shutdown()

"""Test helpers for the press office: a real in-process SMTP server (aiosmtpd)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from typing import Any

from aiosmtpd.controller import Controller

from kent360.organizations.models import Role
from kent360.press import services


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Recorder:
    """Accepts mail; refuses each address in ``refuse_once`` with a 451 the first time."""

    refuse_once: set[str] = field(default_factory=set)
    messages: list[tuple[list[str], Any]] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refuse_once:
            self.refuse_once.discard(address)
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            (list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 Message accepted"


@contextmanager
def smtp_server(settings: Any, recorder: Recorder) -> Iterator[Recorder]:
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield recorder
    finally:
        controller.stop()


def published_release(world: Any, *, title: str = "Bornova'da yeni park açıldı", **kw: Any) -> Any:
    officer = world.staff[Role.PRESS_OFFICER]
    release = services.release_create(
        organisation=world.org,
        actor=officer,
        title=title,
        body=kw.pop("body", "<p>Park <strong>yarın</strong> açılıyor.</p>"),
        **kw,
    )
    services.release_transition(release=release, actor=officer, action="submit")
    services.release_transition(
        release=release, actor=world.staff[Role.PR_MANAGER], action="approve"
    )
    return services.release_transition(release=release, actor=officer, action="publish")

"""E-mail intake: an SMTP listener (aiosmtpd) and an IMAP poller (imaplib).

Both only store the raw message (keyed by its Message-ID) and leave parsing to the
background task, so a message accepted with "250 OK" is already safe in the database.
"""

from __future__ import annotations

import contextlib
import hashlib
import imaplib
import logging
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils import timezone

from kent360.intake.models import Source
from kent360.intake.parsers.email import message_id_of
from kent360.intake.services import ReceiveResult, inbound_receive
from kent360.organizations.models import Organisation

log = logging.getLogger(__name__)


def organisation_for_address(address: str) -> Organisation | None:
    """The organisation an address is for: "bornova@…" or "basvuru+bornova@…", else the default."""
    local = address.split("@", 1)[0].lower()
    candidates = [local, *local.split("+")[1:]]
    for slug in reversed(candidates):
        org = Organisation.objects.filter(slug=slug, is_active=True).first()
        if org is not None:
            return org
    default = settings.KENT360_INTAKE_EMAIL_ORG
    return Organisation.objects.filter(slug=default, is_active=True).first() if default else None


def email_receive(*, organisation: Organisation, raw: bytes) -> ReceiveResult:
    """Store one raw e-mail; the Message-ID (or the content hash) makes it idempotent."""
    try:
        key = message_id_of(raw)
    except Exception:  # unreadable headers: the content hash still identifies it
        key = ""
    key = key or "sha256:" + hashlib.sha256(raw).hexdigest()
    return inbound_receive(
        organisation=organisation,
        source=Source.EMAIL,
        idempotency_key=key,
        raw=raw,
        raw_name="message.eml",
    )


class IntakeSMTPHandler:
    """aiosmtpd handler: accept mail for known organisations and store it raw."""

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        try:
            org = await sync_to_async(_organisation_for_rcpt, thread_sensitive=False)(address)
        except Exception:
            # A database outage is temporary: a 4xx makes the sender queue and retry,
            # where aiosmtpd's default 500 would make it bounce the citizen's mail.
            log.exception("could not look up the recipient %s", address)
            return "451 4.3.0 Temporarily unable to accept mail, try again later"
        if org is None:
            return "550 5.1.1 No municipality receives mail at this address"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="surrogateescape")
        try:
            tokens = await sync_to_async(_store_for_recipients, thread_sensitive=False)(
                envelope.rcpt_tos, raw
            )
        except Exception:
            log.exception("could not store an incoming e-mail")
            return "451 4.3.0 Could not store the message, try again later"
        return f"250 OK queued as {' '.join(tokens)}"


def _organisation_for_rcpt(address: str) -> Organisation | None:
    from django.db import connection

    try:
        return organisation_for_address(address)
    finally:
        connection.close()


def _store_for_recipients(recipients: list[str], raw: bytes) -> list[str]:
    from django.db import close_old_connections, connection

    close_old_connections()
    tokens = []
    seen: set[int] = set()
    try:
        for address in recipients:
            org = organisation_for_address(address)
            if org is None or org.pk in seen:
                continue
            seen.add(org.pk)
            tokens.append(email_receive(organisation=org, raw=raw).message.token)
    finally:
        # This runs in an executor thread; its connection must not outlive the call.
        connection.close()
    return tokens


def smtp_controller(host: str, port: int) -> Any:
    from aiosmtpd.controller import Controller

    return Controller(
        IntakeSMTPHandler(),
        hostname=host,
        port=port,
        data_size_limit=settings.KENT360_INTAKE_SMTP_MAX_BYTES,
        decode_data=False,
    )


@dataclass(frozen=True)
class ImapConfig:
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    ssl: bool = False
    organisation: str = ""

    @classmethod
    def from_settings(cls) -> ImapConfig | None:
        if not settings.KENT360_IMAP_HOST:
            return None
        return cls(
            host=settings.KENT360_IMAP_HOST,
            port=settings.KENT360_IMAP_PORT,
            user=settings.KENT360_IMAP_USER,
            password=settings.KENT360_IMAP_PASSWORD,
            folder=settings.KENT360_IMAP_FOLDER,
            ssl=settings.KENT360_IMAP_SSL,
            organisation=settings.KENT360_INTAKE_EMAIL_ORG,
        )


def _login(client: imaplib.IMAP4, user: str, password: str) -> None:
    """LOGIN takes ASCII only; a Turkish or Persian password goes through AUTHENTICATE PLAIN."""
    if (user + password).isascii():
        client.login(user, password)
    else:
        client.authenticate("PLAIN", lambda _challenge: f"\0{user}\0{password}".encode())


def imap_poll(config: ImapConfig) -> list[ReceiveResult]:
    """Fetch unseen messages, store each, then flag it seen.

    A crash after storing and before flagging only means the message is fetched again
    next time; its Message-ID makes the second store a no-op.
    """
    org = Organisation.objects.get(slug=config.organisation)
    client: imaplib.IMAP4 = (
        imaplib.IMAP4_SSL(config.host, config.port)
        if config.ssl
        else imaplib.IMAP4(config.host, config.port)
    )
    results = []
    try:
        _login(client, config.user, config.password)
        client.select(config.folder)
        status, data = client.uid("SEARCH", "UNSEEN")
        if status != "OK":
            raise imaplib.IMAP4.error(f"SEARCH failed: {data!r}")
        for uid_bytes in (data[0] or b"").split():
            uid = uid_bytes.decode()
            status, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple)), None)
            if status != "OK" or raw is None:
                continue
            results.append(email_receive(organisation=org, raw=raw))
            client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()
    log.info("imap poll at %s: %d messages", timezone.now().isoformat(), len(results))
    return results

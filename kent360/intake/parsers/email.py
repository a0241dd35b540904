"""E-mail: MIME parsed with the standard library; replies threaded to their request.

A reply belongs to an existing request when its subject carries the tracking code or
its In-Reply-To/References name a message we already received for that request.
"""

from __future__ import annotations

import html
import re
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser

import nh3
from django.conf import settings
from django.utils.translation import gettext as _

from kent360.intake.models import InboundMessage
from kent360.intake.parsers import Parsed, ParseError, first_line
from kent360.requests.models import TRACKING_ALPHABET

TRACKING_IN_TEXT = re.compile(
    rf"(?<![A-Z0-9])(?:[A-Z]{{2,5}}-)?([{TRACKING_ALPHABET}]{{4}}-[{TRACKING_ALPHABET}]{{4}})(?![A-Z0-9])"
)
FATAL_DEFECTS = (
    "NoBoundaryInMultipartDefect",
    "StartBoundaryNotFoundDefect",
    "MultipartInvariantViolationDefect",
    "CloseBoundaryNotFoundDefect",
)
_PERSIAN = re.compile("[\u0600-\u06ff]")
_BLANKS = re.compile(r"\n{3,}")


def unescape_8bit(value: str) -> str:
    """Raw UTF-8 in headers (sent without RFC 2047 encoding) arrives surrogate-escaped."""
    try:
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace").decode("utf-8")


def message_id_of(raw: bytes) -> str:
    """The Message-ID header (the e-mail's idempotency key), read without a full parse."""
    headers = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
    return str(headers.get("Message-ID", "") or "").strip()


def html_to_text(markup: str) -> str:
    """Sanitise with nh3 (no tags kept) and turn the rest into readable plain text."""
    markup = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>", "\n", markup)
    cleaned = nh3.clean(markup, tags=set())
    return _BLANKS.sub("\n\n", html.unescape(cleaned)).strip()


def _defects(msg: EmailMessage) -> list[str]:
    names: list[str] = []
    for part in msg.walk():
        names.extend(type(d).__name__ for d in part.defects)
    return names


def parse_mime(raw: bytes) -> EmailMessage:
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    fatal = [d for d in _defects(msg) if d in FATAL_DEFECTS]
    if fatal:
        raise ParseError(
            _("The e-mail's MIME structure is broken (%(defects)s); open the raw message.")
            % {"defects": ", ".join(sorted(set(fatal)))}
        )
    return msg


def _sender(msg: EmailMessage) -> tuple[str, str]:
    header = msg.get("From")
    addresses = getattr(header, "addresses", ()) if header is not None else ()
    if not addresses:
        raise ParseError(_("The e-mail has no valid sender (From) address."))
    address: Address = addresses[0]
    return unescape_8bit(address.display_name or ""), unescape_8bit(address.addr_spec)


def _decoded(part: EmailMessage) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _bodies(msg: EmailMessage) -> tuple[str, str, list[tuple[str, bytes]]]:
    text, markup = "", ""
    files: list[tuple[str, bytes]] = []
    limit = settings.KENT360_MAX_ATTACHMENT_BYTES
    for part in msg.walk():
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        ctype = part.get_content_type()
        if disposition == "attachment" or (
            disposition == "inline" and part.get_filename() and not ctype.startswith("text/")
        ):
            payload = _decoded(part)
            name = part.get_filename() or "attachment"
            if len(payload) > limit:
                raise ParseError(
                    _("The attachment %(name)s is %(size)d MB; at most %(mb)d MB is accepted.")
                    % {
                        "name": name,
                        "size": len(payload) // (1024 * 1024),
                        "mb": limit // (1024 * 1024),
                    }
                )
            files.append((name, payload))
            continue
        try:
            content = part.get_content()
        except (LookupError, UnicodeDecodeError):
            content = _decoded(part).decode("utf-8", errors="replace")
        if not isinstance(content, str):
            continue
        if ctype == "text/plain" and not text:
            text = content
        elif ctype == "text/html" and not markup:
            markup = content
    return text.strip(), markup, files


def _reply_target(msg: EmailMessage, message: InboundMessage, subject: str) -> str:
    found = TRACKING_IN_TEXT.search(subject.upper())
    if found:
        return found.group(1)
    refs = " ".join(str(msg.get(h, "")) for h in ("In-Reply-To", "References"))
    ids = re.findall(r"<[^>]+>", refs)
    if ids:
        previous = (
            InboundMessage.objects.filter(
                organisation_id=message.organisation_id,
                source="email",
                idempotency_key__in=ids,
                request__isnull=False,
            )
            .select_related("request")
            .first()
        )
        if previous is not None and previous.request is not None:
            return previous.request.tracking_code
    return ""


def parse_email(message: InboundMessage) -> Parsed:
    raw = message.read_raw()
    if not raw:
        raise ParseError(_("The raw e-mail is empty."))
    msg = parse_mime(raw)
    name, address = _sender(msg)
    subject = unescape_8bit(str(msg.get("Subject", "") or "").strip())
    text, markup, files = _bodies(msg)
    if not text and markup:
        text = html_to_text(markup)
    if not text and not files:
        raise ParseError(_("The e-mail has neither text nor attachments."))
    text = text or _("(see the attached files)")
    return Parsed(
        channel="email",
        subject=subject or first_line(text),
        text=text,
        contact_name=name,
        contact_email=address,
        language="fa" if _PERSIAN.search(text) else "tr",
        files=files,
        reply_to_code=_reply_target(msg, message, subject),
        actor_label=address,
        extra={"html": nh3.clean(markup) if markup else ""},
    )

"""Web form and field-team reports: the payload was validated when it was received."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kent360.intake.models import InboundMessage
from kent360.intake.parsers import Parsed, ParseError, as_float, first_line


def _files(message: InboundMessage) -> list[tuple[str, bytes]]:
    out = []
    for f in message.files.all():
        with f.file.open("rb") as fh:
            out.append((f.name, fh.read()))
    return out


def _common(message: InboundMessage, channel: str) -> Parsed:
    p = message.payload
    text = str(p.get("text") or "").strip()
    if not text:
        raise ParseError(_("The report has no text."))
    lat = as_float(p.get("latitude"), "latitude")
    lon = as_float(p.get("longitude"), "longitude")
    return Parsed(
        channel=channel,
        subject=str(p.get("subject") or "").strip() or first_line(text),
        text=text,
        kind=str(p.get("kind") or "request"),
        category_code=str(p.get("category") or ""),
        latitude=lat,
        longitude=lon,
        address=str(p.get("address") or ""),
        contact_name=str(p.get("name") or ""),
        contact_phone=str(p.get("phone") or ""),
        contact_email=str(p.get("email") or ""),
        language=str(p.get("language") or "tr"),
        files=_files(message),
    )


def parse_web(message: InboundMessage) -> Parsed:
    return _common(message, "web")


def parse_field(message: InboundMessage) -> Parsed:
    parsed = _common(message, "field")
    parsed.actor_id = message.created_by_id
    return parsed

"""Parsers turn one stored inbound item into the fields of a request.

Each parser takes an :class:`InboundMessage` and returns a :class:`Parsed` or raises
:class:`ParseError` with a message a member of staff can act on.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kent360.intake.models import InboundMessage


class ParseError(Exception):
    """The item cannot become a request automatically; the message says why."""


@dataclass
class Parsed:
    channel: str
    subject: str
    text: str
    kind: str = "request"
    category_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    national_id: str = ""
    external_ref: str = ""
    language: str = "tr"
    created_at: datetime | None = None
    legal_due_at: datetime | None = None
    files: list[tuple[str, bytes]] = field(default_factory=list)
    # A message about an existing request (an e-mail reply): threaded, not a new request.
    reply_to_code: str = ""
    actor_id: int | None = None
    actor_label: str = ""
    needs_review: bool = False
    handle: tuple[str, str] | None = None  # (platform, handle) of a social author
    media_url: str = ""  # a photo elsewhere (Open311), fetched in the background
    extra: dict[str, Any] = field(default_factory=dict)


PARSERS: dict[str, str] = {
    "web": "kent360.intake.parsers.web:parse_web",
    "field": "kent360.intake.parsers.web:parse_field",
    "email": "kent360.intake.parsers.email:parse_email",
    "open311": "kent360.intake.parsers.open311:parse_open311",
    "cimer": "kent360.intake.parsers.cimer:parse_cimer_row",
    "petition": "kent360.intake.parsers.petition:parse_petition",
    "mastodon": "kent360.intake.parsers.social:parse_social",
    "webhook": "kent360.intake.parsers.social:parse_social",
}


def parser_for(source: str) -> Callable[[InboundMessage], Parsed]:
    target = PARSERS.get(source)
    if target is None:
        raise ParseError(f"No parser for source {source!r}.")
    module, name = target.split(":")
    func: Callable[[InboundMessage], Parsed] = getattr(importlib.import_module(module), name)
    return func


def first_line(text: str, limit: int = 120) -> str:
    """A subject made from the text's first non-empty line."""
    for line in text.splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
    return ""


def as_float(value: Any, what: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(str(value).replace(",", "."))
    except ValueError as exc:
        raise ParseError(f"{what} is not a number: {value!r}.") from exc

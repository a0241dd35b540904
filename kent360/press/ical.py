"""iCalendar (RFC 5545) text for press events, written by hand: no extra dependency.

Lines are folded at 75 octets, text values escaped (backslash, semicolon, comma, newline),
times given in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from kent360.press.models import Event


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Split a content line into 75-octet pieces without breaking a UTF-8 character."""
    out: list[str] = []
    current = b""
    for ch in line:
        b = ch.encode("utf-8")
        limit = 75 if not out else 74
        if len(current) + len(b) > limit:
            out.append(current.decode("utf-8"))
            current = b""
        current += b
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def _utc(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(events: Iterable[Event], *, name: str, now: datetime) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//kent360//press calendar//TR",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name)}",
    ]
    for e in events:
        end = e.ends_at or e.starts_at + timedelta(hours=1)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{e.uid}@kent360",
            f"DTSTAMP:{_utc(now)}",
            f"LAST-MODIFIED:{_utc(e.updated_at)}",
            f"DTSTART:{_utc(e.starts_at)}",
            f"DTEND:{_utc(end)}",
            f"SUMMARY:{_escape(e.title)}",
            f"CATEGORIES:{_escape(e.get_kind_display())}",
        ]
        if e.location:
            lines.append(f"LOCATION:{_escape(e.location)}")
        if e.description:
            lines.append(f"DESCRIPTION:{_escape(e.description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"

"""Social-media items (Mastodon mentions and direct messages, webhook posts)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kent360.intake.models import InboundMessage
from kent360.intake.parsers import Parsed, ParseError, as_float, first_line
from kent360.intake.parsers.email import html_to_text


def parse_social(message: InboundMessage) -> Parsed:
    p = message.payload
    if not p:
        raise ParseError(_("The body is not a JSON object."))
    missing = [f for f in ("external_id", "text") if not p.get(f)]
    author = p.get("author") if isinstance(p.get("author"), dict) else {}
    if not author.get("handle"):
        missing.append("author.handle")
    if missing:
        raise ParseError(_("Missing fields: %(f)s.") % {"f": ", ".join(missing)})
    text = str(p["text"])
    if "<" in text and ">" in text:
        text = html_to_text(text)
    platform = str(p.get("platform") or message.source)
    handle = str(author["handle"]).lstrip("@")
    url = str(p.get("url") or "")
    return Parsed(
        channel="social",
        subject=first_line(text) or _("Message on %(p)s") % {"p": platform},
        text=text + (f"\n\n{url}" if url else ""),
        latitude=as_float(p.get("latitude"), "latitude"),
        longitude=as_float(p.get("longitude"), "longitude"),
        contact_name=str(author.get("name") or ""),
        contact_email=str(p.get("email") or ""),
        contact_phone=str(p.get("phone") or ""),
        external_ref=f"{platform}:{p['external_id']}"[:100],
        actor_label=f"{platform} @{handle}",
        handle=(platform, handle),
        language="fa" if any("\u0600" <= ch <= "\u06ff" for ch in text) else "tr",
    )

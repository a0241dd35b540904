"""Open311 POST service request → request fields (GeoReport v2 parameter names)."""

from __future__ import annotations

from typing import Any

from kent360.intake.models import InboundMessage, ServiceAttribute
from kent360.intake.parsers import Parsed, ParseError, as_float, first_line
from kent360.organizations.models import Category

LIST_TYPES = frozenset({"singlevaluelist", "multivaluelist"})
MAX_DESCRIPTION = 4000  # the spec's limit for description


def _attribute_values(p: dict[str, Any], code: str) -> list[str]:
    """attribute[code]=v, or attribute[code][]=v1&attribute[code][]=v2 (multivaluelist)."""
    raw = p.get(f"attribute[{code}][]")
    if raw is None:
        raw = p.get(f"attribute[{code}]")
    items = raw if isinstance(raw, list) else [raw]
    return [str(v).strip() for v in items if v is not None and str(v).strip()]


def parse_open311(message: InboundMessage) -> Parsed:
    p = message.payload
    code = (p.get("service_code") or "").strip()
    if not code:
        raise ParseError("service_code is required.")
    category = Category.objects.filter(
        organisation_id=message.organisation_id, code=code, is_active=True
    ).first()
    if category is None:
        raise ParseError(f"Unknown service_code {code!r}.")
    lat, lon = as_float(p.get("lat"), "lat"), as_float(p.get("long"), "long")
    if (lat is None) != (lon is None):
        raise ParseError("lat and long must be sent together.")
    address = (p.get("address_string") or "").strip()
    if (lat is None or lon is None) and not address and not p.get("address_id"):
        raise ParseError("A location is required: lat and long, address_string or address_id.")
    if (lat is not None and not -90 <= lat <= 90) or (lon is not None and not -180 <= lon <= 180):
        raise ParseError("lat/long are out of range.")
    lines = []
    for attribute in ServiceAttribute.objects.filter(category=category):
        values = _attribute_values(p, attribute.code)
        if attribute.required and not values:
            raise ParseError(f"attribute[{attribute.code}] is required.")
        choices = {str(v["key"]) for v in attribute.values}
        if attribute.datatype in LIST_TYPES and choices:
            for value in values:
                if value not in choices:
                    raise ParseError(f"attribute[{attribute.code}] has no value {value!r}.")
        if attribute.datatype == "singlevaluelist" and len(values) > 1:
            raise ParseError(f"attribute[{attribute.code}] takes one value.")
        if values:
            lines.append(f"{attribute.description}: {', '.join(values)}")
    description = (p.get("description") or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise ParseError(f"description is limited to {MAX_DESCRIPTION} characters.")
    text = description or category.name
    if lines:
        text += "\n\n" + "\n".join(lines)
    media_url = (p.get("media_url") or "").strip()
    if media_url:
        text += f"\n\n{media_url}"
    name = " ".join(x for x in (p.get("first_name"), p.get("last_name")) if x).strip()
    return Parsed(
        channel="open311",
        subject=first_line(description) or category.name,
        text=text,
        category_code=code,
        latitude=lat,
        longitude=lon,
        address=address or str(p.get("address_id") or ""),
        contact_name=name,
        contact_phone=p.get("phone") or "",
        contact_email=p.get("email") or "",
        external_ref=(p.get("device_id") or p.get("account_id") or "")[:100],
        actor_label="Open311",
        media_url=media_url,
    )

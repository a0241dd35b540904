"""Open311 POST service request → request fields (GeoReport v2 parameter names)."""

from __future__ import annotations

from kent360.intake.models import InboundMessage, ServiceAttribute
from kent360.intake.parsers import Parsed, ParseError, as_float, first_line
from kent360.organizations.models import Category


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
    address = (p.get("address_string") or "").strip()
    if (lat is None or lon is None) and not address and not p.get("address_id"):
        raise ParseError("A location is required: lat and long, address_string or address_id.")
    if (lat is not None and not -90 <= lat <= 90) or (lon is not None and not -180 <= lon <= 180):
        raise ParseError("lat/long are out of range.")
    lines = []
    for attribute in ServiceAttribute.objects.filter(category=category):
        value = (p.get(f"attribute[{attribute.code}]") or "").strip()
        if attribute.required and not value:
            raise ParseError(f"attribute[{attribute.code}] is required.")
        choices = {str(v["key"]) for v in attribute.values}
        if value and attribute.datatype == "singlevaluelist" and choices and value not in choices:
            raise ParseError(f"attribute[{attribute.code}] has no value {value!r}.")
        if value:
            lines.append(f"{attribute.description}: {value}")
    description = (p.get("description") or "").strip()
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

"""Writes of citizens: matching an incoming contact to a known person, or recording a new one."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import phonenumbers
from django.conf import settings
from django.db import transaction

from kent360.citizens.models import Citizen
from kent360.core.audit import audit
from kent360.organizations.models import Organisation


def normalise_phone(raw: str, *, region: str = "TR") -> str:
    """E.164 form of a Turkish or Iranian (or any international) number; "" when invalid."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    from kent360.core.text import to_ascii_digits

    raw = to_ascii_digits(raw)
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str:
    return (raw or "").strip().lower()


def national_id_hash(raw: str) -> str:
    digits = "".join(ch for ch in raw if ch.isdigit())
    if not digits:
        return ""
    return hmac.new(settings.KENT360_HASH_KEY.encode(), digits.encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def citizen_match_or_create(
    *,
    organisation: Organisation,
    name: str = "",
    phone: str = "",
    email: str = "",
    national_id: str = "",
    language: str = "tr",
    actor: Any = None,
) -> Citizen | None:
    """The organisation's citizen with this national id, phone or e-mail, or a new one.

    Returns None when there is nothing to identify a person by (an anonymous request).
    Missing contact details learnt from this contact are added to the matched citizen.
    """
    phone_e164 = normalise_phone(phone, region=organisation.country)
    email_n = normalise_email(email)
    id_hash = national_id_hash(national_id) if national_id else ""
    if not (phone_e164 or email_n or id_hash):
        return None
    qs = Citizen.objects.select_for_update().filter(organisation=organisation, anonymised_at=None)
    citizen = None
    for field, value in (("national_id_hash", id_hash), ("phone", phone_e164), ("email", email_n)):
        if value:
            citizen = qs.filter(**{field: value}).order_by("pk").first()
            if citizen:
                break
    if citizen is None:
        citizen = Citizen.objects.create(
            organisation=organisation,
            name=name.strip(),
            phone=phone_e164,
            email=email_n,
            national_id_hash=id_hash,
            preferred_language=language,
        )
        audit(action="citizen.create", target=citizen, actor=actor)
        return citizen
    changed = []
    for field, value in (
        ("name", name.strip()),
        ("phone", phone_e164),
        ("email", email_n),
        ("national_id_hash", id_hash),
    ):
        if value and not getattr(citizen, field):
            setattr(citizen, field, value)
            changed.append(field)
    if changed:
        citizen.save(update_fields=[*changed, "updated_at"])
        audit(action="citizen.update", target=citizen, actor=actor, data={"fields": changed})
    return citizen


def normalise_handle(platform: str, handle: str) -> tuple[str, str]:
    return platform.strip().lower(), handle.strip().lstrip("@").lower()


@transaction.atomic
def citizen_add_handle(*, citizen: Citizen, platform: str, handle: str) -> None:
    """Remember the citizen's social account so later messages from it are matched."""
    from kent360.citizens.models import CitizenHandle

    platform, handle = normalise_handle(platform, handle)
    if not handle:
        return
    CitizenHandle.objects.get_or_create(
        organisation_id=citizen.organisation_id,
        platform=platform,
        handle=handle,
        defaults={"citizen": citizen},
    )


def citizen_by_handle(*, organisation: Organisation, platform: str, handle: str) -> Citizen | None:
    from kent360.citizens.models import CitizenHandle

    platform, handle = normalise_handle(platform, handle)
    row = (
        CitizenHandle.objects.select_related("citizen")
        .filter(organisation=organisation, platform=platform, handle=handle)
        .first()
    )
    return row.citizen if row else None

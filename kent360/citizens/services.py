"""Writes of citizens: matching an incoming contact to a known person, or recording a new one."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from kent360.citizens.models import Citizen
from kent360.core.audit import audit, audit_created
from kent360.core.fastsql import Select
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


# A known citizen is locked while this contact's details are added to the record.
_MATCH = {
    field: Select(
        Citizen,
        # "<> ''" repeats the partial index's condition so that a prepared (generic)
        # plan, which cannot see the value, may still use that index.
        where=f"t.organisation_id = %s AND t.anonymised_at IS NULL AND t.{field} <> '' "
        f"AND t.{field} = %s",
        tail="ORDER BY t.id LIMIT 1 FOR UPDATE",
    )
    for field in ("national_id_hash", "phone", "email")
}


@transaction.atomic(savepoint=False)  # the caller's transaction rolls back as one; no savepoint
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
    citizen = None
    for field, value in (("national_id_hash", id_hash), ("phone", phone_e164), ("email", email_n)):
        if value:
            citizen = _MATCH[field].first([organisation.pk, value])
            if citizen:
                break
    if citizen is None:
        return audit_created(
            action="citizen.create",
            target=Citizen(
                organisation=organisation,
                name=name.strip(),
                phone=phone_e164,
                email=email_n,
                national_id_hash=id_hash,
                preferred_language=language,
            ),
            actor=actor,
        )
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


@transaction.atomic
def citizen_for_handle(
    *,
    organisation: Organisation,
    platform: str,
    handle: str,
    name: str = "",
    language: str = "tr",
    actor: Any = None,
) -> Citizen:
    """The citizen behind a social account; a new record (reachable there) the first time."""
    citizen = citizen_by_handle(organisation=organisation, platform=platform, handle=handle)
    if citizen is None:
        citizen = Citizen.objects.create(
            organisation=organisation,
            name=name.strip(),
            preferred_language=language,
            preferred_channel="social",
        )
        audit(action="citizen.create", target=citizen, actor=actor, data={"platform": platform})
    citizen_add_handle(citizen=citizen, platform=platform, handle=handle)
    return citizen


def citizen_by_handle(*, organisation: Organisation, platform: str, handle: str) -> Citizen | None:
    from kent360.citizens.models import CitizenHandle

    platform, handle = normalise_handle(platform, handle)
    row = (
        CitizenHandle.objects.select_related("citizen")
        .filter(organisation=organisation, platform=platform, handle=handle)
        .first()
    )
    return row.citizen if row else None


@transaction.atomic
def citizen_merge(*, keep: Citizen, remove: Citizen, actor: Any) -> Citizen:
    """One person recorded twice becomes one: requests, handles and follows move to ``keep``."""
    from kent360.citizens.models import CitizenHandle
    from kent360.core.errors import DomainError
    from kent360.requests.services import request_move_citizen

    if keep.pk == remove.pk:
        raise DomainError(_("A citizen cannot be merged with itself."))
    if keep.organisation_id != remove.organisation_id:
        raise DomainError(_("Citizens of different organisations cannot be merged."))
    if keep.anonymised_at or remove.anonymised_at:
        raise DomainError(_("An anonymised citizen cannot be merged."))
    moved = request_move_citizen(source=remove, target=keep, actor=actor)
    for handle in CitizenHandle.objects.filter(citizen=remove):
        if CitizenHandle.objects.filter(
            organisation_id=keep.organisation_id,
            platform=handle.platform,
            handle=handle.handle,
            citizen=keep,
        ).exists():
            handle.delete()
        else:
            handle.citizen = keep
            handle.save(update_fields=["citizen"])
    from kent360.intake.services import follower_move_citizen

    follower_move_citizen(source=remove, target=keep, actor=actor)
    from kent360.ops.services import personal_data_access_move_citizen

    personal_data_access_move_citizen(source=remove, target=keep)
    changed = []
    for field in ("name", "phone", "email", "national_id_hash"):
        if not getattr(keep, field) and getattr(remove, field):
            setattr(keep, field, getattr(remove, field))
            changed.append(field)
    if keep.consent_at is None and remove.consent_at is not None:
        keep.consent_at = remove.consent_at
        changed.append("consent_at")
    removed_id = remove.pk
    remove.delete()
    if changed:
        keep.save(update_fields=[*changed, "updated_at"])
    audit(
        action="citizen.merge",
        target=keep,
        actor=actor,
        data={"removed": removed_id, "requests_moved": moved, "fields": changed},
    )
    return keep


@transaction.atomic
def citizen_anonymise(*, citizen: Citizen, actor: Any, reason: str) -> Citizen:
    """Erase a person's data on request (KVKK art. 7 / GDPR art. 17).

    The person's identifiers, their contact details and free text on their requests are
    removed, and the raw inbound items behind them are emptied; the requests themselves
    stay with their category, directorate, neighbourhood, channel, dates and states, so
    every statistic stays true.
    """
    from kent360.citizens.models import CitizenHandle
    from kent360.core.errors import DomainError
    from kent360.intake.services import follower_erase_citizen, inbound_erase_for_request
    from kent360.requests.models import Request
    from kent360.requests.services import request_anonymise

    if not reason.strip():
        raise DomainError(_("Give the reason (e.g. the citizen's application date)."))
    if citizen.anonymised_at is not None:
        return citizen
    from django.utils import timezone

    requests = list(Request.objects.filter(citizen=citizen).order_by("pk"))
    for request in requests:
        inbound_erase_for_request(request=request, actor=actor)
        request_anonymise(request=request, actor=actor, reason=reason)
    CitizenHandle.objects.filter(citizen=citizen).delete()
    follower_erase_citizen(citizen=citizen, actor=actor)
    citizen.name = ""
    citizen.phone = ""
    citizen.email = ""
    citizen.national_id_hash = ""
    citizen.anonymised_at = timezone.now()
    citizen.save()
    audit(
        action="citizen.anonymise",
        target=citizen,
        actor=actor,
        data={"reason": reason, "requests": len(requests)},
    )
    return citizen


def citizen_export_data(*, citizen: Citizen) -> dict[str, Any]:
    """Everything kent360 holds about the person (KVKK art. 11 right of access)."""
    from kent360.requests.models import Request

    requests = Request.objects.filter(citizen=citizen).select_related("category", "organisation")
    return {
        "citizen": {
            "id": citizen.pk,
            "organisation": citizen.organisation.name,
            "name": citizen.name,
            "phone": citizen.phone,
            "email": citizen.email,
            "national_id": "stored only as a keyed hash" if citizen.national_id_hash else "",
            "preferred_language": citizen.preferred_language,
            "consent_at": citizen.consent_at.isoformat() if citizen.consent_at else None,
            "created_at": citizen.created_at.isoformat(),
            "social_accounts": [f"{h.platform}:{h.handle}" for h in citizen.handles.all()],
        },
        "requests": [
            {
                "tracking_code": r.tracking_code,
                "channel": r.channel,
                "kind": r.kind,
                "category": r.category.name if r.category else "",
                "state": r.state,
                "subject": r.subject,
                "text": r.text,
                "address": r.address,
                "created_at": r.created_at.isoformat(),
                "events": [
                    {"at": e.created_at.isoformat(), "type": e.type, "text": e.text}
                    for e in r.events.filter(is_public=True)
                ],
            }
            for r in requests
        ],
    }

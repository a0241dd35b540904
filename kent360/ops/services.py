"""Writes of the ops app: sign-in throttling, two-factor devices, API keys, the
personal-data access log and data retention. Each write is audited."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from kent360.core.audit import audit
from kent360.core.errors import DomainError, NotAllowed
from kent360.core.models import ApiKey, AuditEvent, hash_api_key
from kent360.core.text import casefold
from kent360.ops import totp
from kent360.ops.models import PersonalDataAccess, RecoveryCode, RetentionPolicy, TwoFactorDevice
from kent360.organizations.models import Organisation, Staff

# ---------------------------------------------------------------- sign-in throttling


def client_ip(request: HttpRequest) -> str:
    """The client address; behind the proxy (production) the proxy's X-Forwarded-For last hop."""
    if getattr(settings, "KENT360_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return str(request.META.get("REMOTE_ADDR", "") or "")


def _user_key(username: str) -> str:
    digest = hashlib.sha256(casefold(username.strip()).encode()).hexdigest()[:32]
    return f"ops:login:user:{digest}"


def _ip_key(ip: str) -> str:
    return f"ops:login:ip:{ip}"


def login_lockout_remaining(*, username: str, ip: str) -> int:
    """Seconds until sign-in is allowed again for this username or address (0: allowed).

    Rule: after KENT360_LOGIN_MAX_FAILURES failed attempts for one username, or
    KENT360_LOGIN_MAX_FAILURES_PER_IP from one address, further attempts are refused for
    KENT360_LOGIN_LOCKOUT_SECONDS, even with the right password.
    """
    now = timezone.now().timestamp()
    remaining = 0
    for key, limit in (
        (_user_key(username), settings.KENT360_LOGIN_MAX_FAILURES),
        (_ip_key(ip), settings.KENT360_LOGIN_MAX_FAILURES_PER_IP),
    ):
        entry = cache.get(key)
        if entry and entry["count"] >= limit:
            remaining = max(remaining, int(entry["until"] - now))
    return max(remaining, 0)


def _audit_login(action: str, username: str, ip: str, organisation: Any = None) -> None:
    AuditEvent.objects.create(
        organisation=organisation,
        action=action,
        target_type="auth.login",
        target_id=username[:64],
        data={"ip": ip},
    )


def _staff_org(username: str) -> Organisation | None:
    staff = Staff.objects.filter(user__username=username).select_related("organisation").first()
    return staff.organisation if staff else None


def login_failed(*, username: str, ip: str) -> bool:
    """Counts a failed attempt; returns True when this attempt started a lockout."""
    window = settings.KENT360_LOGIN_LOCKOUT_SECONDS
    until = timezone.now().timestamp() + window
    locked = False
    for key, limit in (
        (_user_key(username), settings.KENT360_LOGIN_MAX_FAILURES),
        (_ip_key(ip), settings.KENT360_LOGIN_MAX_FAILURES_PER_IP),
    ):
        entry = cache.get(key) or {"count": 0, "until": until}
        entry["count"] += 1
        entry["until"] = until
        cache.set(key, entry, timeout=window)
        if entry["count"] == limit:
            locked = True
    org = _staff_org(username)
    _audit_login("login.failed", username, ip, org)
    if locked:
        _audit_login("login.locked", username, ip, org)
    return locked


def login_refused_while_locked(*, username: str, ip: str) -> None:
    _audit_login("login.refused_locked", username, ip, _staff_org(username))


def login_succeeded(*, username: str, ip: str) -> None:
    """A successful sign-in clears the username's counter (not the address's)."""
    cache.delete(_user_key(username))
    _audit_login("login.succeeded", username, ip, _staff_org(username))


# ---------------------------------------------------------------- two-factor


def _recovery_hash(code: str) -> str:
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return hmac.new(
        settings.KENT360_HASH_KEY.encode(), b"recovery:" + normalised.encode(), hashlib.sha256
    ).hexdigest()


def two_factor_enabled(user: Any) -> bool:
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


@transaction.atomic
def two_factor_begin(*, user: Any) -> TwoFactorDevice:
    """A new, unconfirmed secret for the user (replacing an unconfirmed one)."""
    device = TwoFactorDevice.objects.filter(user=user).first()
    if device is not None and device.confirmed_at is not None:
        raise DomainError(_("Two-factor sign-in is already on. Turn it off first."))
    if device is None:
        device = TwoFactorDevice(user=user)
    device.secret = totp.new_secret()
    device.last_step = 0
    device.save()
    return device


@transaction.atomic
def two_factor_confirm(*, user: Any, code: str) -> list[str]:
    """Turns two-factor on once the first code matches; returns the recovery codes (shown once)."""
    device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
    if device is None:
        raise DomainError(_("Start the set-up again."))
    step = totp.match_step(device.secret, code)
    if step is None:
        raise DomainError(_("The code is not right. Check the time on your phone and try again."))
    device.confirmed_at = timezone.now()
    device.last_step = step
    device.save(update_fields=["confirmed_at", "last_step"])
    codes = _new_recovery_codes(user)
    audit(action="two_factor.enabled", target=device, actor=user, organisation=_org_of(user))
    return codes


def _new_recovery_codes(user: Any, n: int = 10) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    alphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
    codes = []
    for _i in range(n):
        raw = "".join(secrets.choice(alphabet) for _j in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, code_hash=_recovery_hash(c)) for c in codes]
    )
    return codes


def _org_of(user: Any) -> Organisation | None:
    staff = Staff.objects.filter(user=user).select_related("organisation").first()
    return staff.organisation if staff else None


@transaction.atomic
def two_factor_verify(*, user: Any, code: str) -> bool:
    """True for the current TOTP code (each code once) or an unused recovery code."""
    device = (
        TwoFactorDevice.objects.select_for_update()
        .filter(user=user, confirmed_at__isnull=False)
        .first()
    )
    if device is None:
        return False
    step = totp.match_step(device.secret, code)
    if step is not None and step > device.last_step:
        device.last_step = step
        device.save(update_fields=["last_step"])
        return True
    recovery = (
        RecoveryCode.objects.select_for_update()
        .filter(user=user, code_hash=_recovery_hash(code), used_at__isnull=True)
        .first()
    )
    if recovery is not None:
        recovery.used_at = timezone.now()
        recovery.save(update_fields=["used_at"])
        audit(
            action="two_factor.recovery_code_used",
            target=device,
            actor=user,
            organisation=_org_of(user),
        )
        return True
    return False


@transaction.atomic
def two_factor_disable(*, user: Any) -> None:
    device = TwoFactorDevice.objects.filter(user=user).first()
    if device is None:
        return
    audit(action="two_factor.disabled", target=device, actor=user, organisation=_org_of(user))
    RecoveryCode.objects.filter(user=user).delete()
    device.delete()


# ---------------------------------------------------------------- API keys


@dataclass(frozen=True)
class CreatedKey:
    key: ApiKey
    raw: str  # shown once, never stored


@transaction.atomic
def api_key_create(*, staff: Staff, name: str) -> CreatedKey:
    """A staff API key acting as this staff member; only its hash is stored."""
    name = name.strip()
    if not name:
        raise DomainError(_("Give the key a name."))
    raw = ApiKey.generate()
    key = ApiKey.objects.create(
        organisation=staff.organisation,
        user=staff.user,
        name=name[:100],
        scope=ApiKey.Scope.STAFF,
        prefix=raw[:12],
        key_hash=hash_api_key(raw),
    )
    audit(action="api_key.created", target=key, actor=staff, data={"name": key.name})
    return CreatedKey(key=key, raw=raw)


@transaction.atomic
def api_key_revoke(*, staff: Staff, key: ApiKey) -> ApiKey:
    if key.user_id != staff.user_id or key.organisation_id != staff.organisation_id:
        raise NotAllowed(_("You can revoke only your own keys."))
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit(action="api_key.revoked", target=key, actor=staff)
    return key


# ---------------------------------------------------------------- personal data access


def personal_data_access_log(
    *, staff: Staff, obj: Any, what: str, http_request: HttpRequest | None = None
) -> PersonalDataAccess:
    """Records that ``staff`` saw the personal data carried by ``obj`` (a request or citizen).

    The one writer of the personal-data access log: request pages and the API, the
    citizen's 360° file, its exports, merges, erasures and the desk's caller lookup all
    come through here. ``what`` names the screen (``request.detail``, ``citizen.view``,
    ``citizen.export`` ...). Written outside any transaction of the caller's: a view that
    fails later still leaves the record of what was shown.
    """
    from kent360.citizens.models import Citizen
    from kent360.requests.models import Request

    request_obj = obj if isinstance(obj, Request) else None
    citizen = obj if isinstance(obj, Citizen) else getattr(request_obj, "citizen", None)
    ip = client_ip(http_request) if http_request is not None else ""
    return PersonalDataAccess.objects.create(
        organisation_id=obj.organisation_id,
        staff=staff,
        staff_label=staff.user.get_username(),
        citizen=citizen,
        request=request_obj,
        what=what[:100],
        ip=ip or None,
    )


def personal_data_access_move_citizen(*, source: Any, target: Any) -> int:
    """When two citizen records are merged, the removed one's access history follows the
    person to the record that is kept (otherwise deleting it would orphan the entries)."""
    return PersonalDataAccess.objects.filter(
        organisation_id=target.organisation_id, citizen_id=source.pk
    ).update(citizen_id=target.pk)


# ---------------------------------------------------------------- retention

REDACTED = "[…]"


@transaction.atomic
def retention_policy_set(
    *,
    organisation: Organisation,
    actor: Any,
    anonymise_after_days: int,
    redact_text: bool = False,
    is_active: bool = True,
) -> RetentionPolicy:
    if anonymise_after_days < 30:
        raise DomainError(_("Keep personal data at least 30 days after closing."))
    policy, _created = RetentionPolicy.objects.update_or_create(
        organisation=organisation,
        defaults={
            "anonymise_after_days": anonymise_after_days,
            "redact_text": redact_text,
            "is_active": is_active,
        },
    )
    audit(
        action="retention.policy_set",
        target=policy,
        actor=actor,
        organisation=organisation,
        data={"days": anonymise_after_days, "redact_text": redact_text, "active": is_active},
    )
    return policy


@transaction.atomic
def retention_apply(*, organisation: Organisation, now: Any = None) -> int:
    """Anonymises the organisation's requests finished longer ago than its policy allows.

    Contact fields are blanked and the citizen link removed (with ``redact_text`` also
    subject, text and the timeline's texts); a citizen left without any request is
    anonymised too. Counted fields stay, so statistics do not change. Returns how many
    requests were anonymised; running it again changes nothing.
    """
    from kent360.citizens.models import Citizen
    from kent360.requests.models import FINISHED_STATES, Request, RequestEvent

    policy = RetentionPolicy.objects.filter(organisation=organisation, is_active=True).first()
    if policy is None:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=policy.anonymise_after_days)
    finished = Request.objects.filter(organisation=organisation, state__in=FINISHED_STATES).filter(
        # A request answered but never formally closed counts from its last change.
        Q(closed_at__lt=cutoff) | Q(closed_at__isnull=True, updated_at__lt=cutoff)
    )
    pending = finished.exclude(
        contact_name="", contact_phone="", contact_email="", citizen__isnull=True
    )
    if policy.redact_text:
        pending = pending | finished.exclude(text=REDACTED)
    ids = list(pending.values_list("pk", flat=True).distinct())
    if not ids:
        return 0
    citizen_ids = set(
        Request.objects.filter(pk__in=ids, citizen__isnull=False).values_list(
            "citizen_id", flat=True
        )
    )
    changes: dict[str, Any] = {
        "contact_name": "",
        "contact_phone": "",
        "contact_email": "",
        "citizen": None,
        "address": "",
    }
    if policy.redact_text:
        changes.update(subject=REDACTED, text=REDACTED, search_text="")
        RequestEvent.objects.filter(request_id__in=ids).exclude(text="").update(text=REDACTED)
    Request.objects.filter(pk__in=ids).update(**changes)
    orphans = Citizen.objects.filter(pk__in=citizen_ids, anonymised_at__isnull=True).exclude(
        requests__isnull=False
    )
    n_citizens = orphans.update(
        name="", phone="", email="", national_id_hash="", anonymised_at=timezone.now()
    )
    audit(
        action="retention.applied",
        target=policy,
        organisation=organisation,
        data={"requests": len(ids), "citizens": n_citizens, "cutoff": cutoff.isoformat()},
    )
    return len(ids)

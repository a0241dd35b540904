"""Service API keys of the intake (Open311 clients, field devices, webhooks)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from kent360.core.audit import audit
from kent360.core.errors import DomainError
from kent360.core.models import ApiKey, hash_api_key
from kent360.organizations.models import Organisation


@transaction.atomic
def api_key_create(
    *, organisation: Organisation, name: str, scope: str, actor: Any, user: Any = None
) -> tuple[ApiKey, str]:
    """A new key; the raw secret is returned once and only its hash is stored."""
    if scope not in ApiKey.Scope.values:
        raise DomainError("Unknown scope.")
    raw = ApiKey.generate()
    key = ApiKey.objects.create(
        organisation=organisation,
        user=user,
        name=name.strip() or scope,
        scope=scope,
        prefix=raw[:12],
        key_hash=hash_api_key(raw),
    )
    audit(action="apikey.create", target=key, actor=actor, data={"scope": scope})
    return key, raw


@transaction.atomic
def api_key_revoke(*, key: ApiKey, actor: Any) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit(action="apikey.revoke", target=key, actor=actor)
    return key

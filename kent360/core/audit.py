"""Writing audit events; called by service functions inside their transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from kent360.core.fastsql import insert
from kent360.core.models import AuditEvent


def audit(
    *,
    action: str,
    target: models.Model,
    actor: Any = None,
    organisation: Any = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    if organisation is None:
        organisation = getattr(target, "organisation", None)
    user = actor if actor is None or not hasattr(actor, "user") else actor.user
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return insert(
        AuditEvent(
            organisation=organisation,
            actor=user,
            action=action,
            target_type=target._meta.label_lower,
            target_id=str(target.pk),
            data=data or {},
        )
    )

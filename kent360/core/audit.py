"""Writing audit events; called by service functions inside their transaction."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

from kent360.core.fastsql import insert, insert_pair
from kent360.core.models import AuditEvent

M = TypeVar("M", bound=models.Model)


def audit(
    *,
    action: str,
    target: models.Model,
    actor: Any = None,
    organisation: Any = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    return insert(_event(action, target, actor, organisation, data))


def audit_created(
    *,
    action: str,
    target: M,
    actor: Any = None,
    organisation: Any = None,
    data: dict[str, Any] | None = None,
) -> M:
    """Insert ``target`` (a new row) and its audit event together (one statement on
    PostgreSQL); returns ``target`` with its primary key."""
    return insert_pair(target, _event(action, target, actor, organisation, data), link="target_id")


def _event(
    action: str,
    target: models.Model,
    actor: Any,
    organisation: Any,
    data: dict[str, Any] | None,
) -> AuditEvent:
    if organisation is None:
        organisation = getattr(target, "organisation", None)
    user = actor if actor is None or not hasattr(actor, "user") else actor.user
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return AuditEvent(
        organisation=organisation,
        actor=user,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        data=data or {},
    )

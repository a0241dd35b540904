"""The answer deadline (SLA clock) of a request.

Rule: a request is due ``sla_hours`` after it was received, where the hours come from its
category, else the organisation's default, else 48. Business-hour calendars refine this
(see kent360.routing when present); calendar hours are the default.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from kent360.organizations.models import Category, Organisation


def sla_hours_for(*, organisation: Organisation, category: Category | None) -> int:
    if category is not None and category.sla_hours:
        return int(category.sla_hours)
    return int(organisation.default_sla_hours or settings.KENT360_DEFAULT_SLA_HOURS)


def compute_due_at(
    *, organisation: Organisation, category: Category | None, start: datetime
) -> datetime:
    return start + timedelta(hours=sla_hours_for(organisation=organisation, category=category))


def time_left(due_at: datetime | None, now: datetime | None = None) -> timedelta | None:
    if due_at is None:
        return None
    return due_at - (now or timezone.now())

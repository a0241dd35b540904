"""The answer deadline (SLA clock) of a request.

Rule: a request is due ``sla_hours`` after it was received, where the hours come from its
category, else the organisation's default, else 48. For a category counted in working
hours the organisation's business calendar (kent360.routing.calendar: working hours,
weekends, public holidays) decides which hours count. The clock stops while the request
waits for the citizen: on resume the deadline moves by the (working) time spent waiting.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.utils import timezone

from kent360.organizations.models import Category, Organisation

if TYPE_CHECKING:
    from kent360.requests.models import Request


def sla_hours_for(*, organisation: Organisation, category: Category | None) -> int:
    if category is not None and category.sla_hours:
        return int(category.sla_hours)
    return int(organisation.default_sla_hours or settings.KENT360_DEFAULT_SLA_HOURS)


def _work_calendar(organisation: Organisation, category: Category | None) -> Any:
    """The business calendar when the category counts working hours (and routing is on)."""
    if category is None or category.sla_mode != Category.SlaMode.BUSINESS:
        return None
    if not apps.is_installed("kent360.routing"):
        return None
    from kent360.routing.calendar import calendar_for

    return calendar_for(organisation)


def compute_due_at(
    *, organisation: Organisation, category: Category | None, start: datetime
) -> datetime:
    hours = sla_hours_for(organisation=organisation, category=category)
    calendar = _work_calendar(organisation, category)
    if calendar is not None:
        result: datetime = calendar.add(start, hours * 3600)
        return result
    return start + timedelta(hours=hours)


def sla_pause(request: Request, now: datetime) -> None:
    """Stop the clock (the request now waits for the citizen)."""
    if request.sla_paused_at is None:
        request.sla_paused_at = now


def sla_resume(request: Request, now: datetime) -> None:
    """Restart the clock; the deadline moves by the time spent waiting."""
    paused_at = request.sla_paused_at
    if paused_at is None:
        return
    waited = max(now - paused_at, timedelta(0))
    request.sla_paused_seconds = (request.sla_paused_seconds or 0) + int(waited.total_seconds())
    request.sla_paused_at = None
    if request.due_at is None:
        return
    calendar = _work_calendar(request.organisation, request.category)
    if calendar is None:
        request.due_at = request.due_at + waited
    else:
        request.due_at = calendar.add(request.due_at, calendar.between(paused_at, now))


def time_left(due_at: datetime | None, now: datetime | None = None) -> timedelta | None:
    if due_at is None:
        return None
    return due_at - (now or timezone.now())

"""The SLA escalation sweep.

Rule: for each open request that is not waiting for the citizen, the share of its answer
time already used (in working hours for business-hour categories) decides the rung:
75 % → a reminder to the assignee (or the directorate's managers when nobody is
assigned), 100 % → the directorate manager, 150 % → the PR manager. A statutory deadline
(``legal_due_at``, e.g. CİMER / information requests: 30 days) alerts the PR manager
when fewer than LEGAL_WARNING_DAYS remain. Each rung is reached once per deadline:
a unique (request, level, due_at) row is inserted before anything is sent, so repeated
sweeps and concurrent workers never notify twice. A new deadline (reopen, change of
category, resume after waiting) starts a new ladder.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kent360.notifications.models import Kind
from kent360.notifications.services import notification_queue_staff
from kent360.organizations.models import Category, Organisation, Role, Staff
from kent360.requests.models import OPEN_STATES, EventType, Request, RequestEvent, State
from kent360.requests.sla import sla_hours_for
from kent360.routing.calendar import WorkCalendar, calendar_for
from kent360.routing.models import Escalation

log = logging.getLogger(__name__)
L = Escalation.Level
LADDER: list[tuple[str, float]] = [(L.REMINDER, 0.75), (L.MANAGER, 1.0), (L.PR_MANAGER, 1.5)]
LEGAL_WARNING_DAYS = 5
ACTIVE = [s for s in OPEN_STATES if s != State.WAITING]
LOCK_RETRIES = 50
T = TypeVar("T")


@dataclass(frozen=True)
class Clock:
    """How much of a request's answer time is used at ``now`` (1.0 = the deadline)."""

    total_seconds: float
    remaining_seconds: float

    @property
    def used(self) -> float:
        if self.total_seconds <= 0:
            return 0.0
        return 1.0 - self.remaining_seconds / self.total_seconds


def clock_for(request: Request, now: datetime, calendar: WorkCalendar | None) -> Clock | None:
    if request.due_at is None:
        return None
    total = sla_hours_for(organisation=request.organisation, category=request.category) * 3600
    business = (
        request.category is not None and request.category.sla_mode == Category.SlaMode.BUSINESS
    )
    if business and calendar is not None:
        remaining = calendar.between(now, request.due_at)
    else:
        remaining = (request.due_at - now).total_seconds()
    return Clock(float(total), remaining)


def levels_due(request: Request, now: datetime, calendar: WorkCalendar | None) -> list[str]:
    clock = clock_for(request, now, calendar)
    if clock is None:
        return []
    return [level for level, share in LADDER if clock.used >= share]


def _recipients(request: Request, level: str) -> list[Staff]:
    staff = Staff.objects.filter(organisation_id=request.organisation_id, is_active=True)
    if level == L.REMINDER:
        if request.assignee_id is not None and request.assignee is not None:
            return [request.assignee]
        level = L.MANAGER
    if level == L.MANAGER and request.directorate_id is not None:
        managers = list(
            staff.filter(role=Role.DIRECTORATE_MANAGER, directorate_id=request.directorate_id)
        )
        if managers:
            return managers
    return list(staff.filter(role=Role.PR_MANAGER)) or list(staff.filter(role=Role.ORG_ADMIN))


def _retrying(func: Callable[[], T]) -> T:
    """Run ``func``, again when SQLite reports a table locked by another connection
    (PostgreSQL waits on row locks instead and never raises this)."""
    for attempt in range(LOCK_RETRIES):
        try:
            return func()
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == LOCK_RETRIES - 1:
                raise
            time.sleep(0.02 * (attempt + 1) + random.random() * 0.02)
    raise AssertionError("unreachable")


def escalate_request(request_id: int, now: datetime, calendar: WorkCalendar | None) -> int:
    """Reach every rung now due for one request; returns how many were reached.

    The request row is locked for the whole ladder (PostgreSQL: ``FOR UPDATE SKIP LOCKED``),
    so a second worker skips a request the first is escalating, and the first does all of
    its rungs; the unique (request, level, due_at) row makes any overlap a no-op.
    """
    return _retrying(lambda: _escalate_request(request_id, now, calendar))


def _escalate_request(request_id: int, now: datetime, calendar: WorkCalendar | None) -> int:
    with transaction.atomic():
        locked = (
            Request.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("organisation", "category", "directorate", "assignee__user")
            .filter(pk=request_id, state__in=ACTIVE)
            .first()
        )
        if locked is None:
            return 0  # finished meanwhile, or another worker is escalating it right now
        rungs: list[tuple[str, datetime]] = []
        if locked.due_at is not None:
            rungs += [(level, locked.due_at) for level in levels_due(locked, now, calendar)]
        legal_due: datetime | None = getattr(locked, "legal_due_at", None)
        if legal_due is not None and now >= legal_due - timedelta(days=LEGAL_WARNING_DAYS):
            rungs.append((L.LEGAL, legal_due))
        done = set(Escalation.objects.filter(request=locked).values_list("level", "due_at"))
        made = 0
        for level, due_at in rungs:
            if (level, due_at) not in done and escalate(locked, level, due_at) is not None:
                made += 1
        return made


def escalate(request: Request, level: str, due_at: datetime) -> Escalation | None:
    """Reach one rung: insert the unique row, then the timeline event and the e-mails.

    Returns None when the rung was already reached (by this or another worker).
    """
    try:
        with transaction.atomic():
            escalation = Escalation.objects.create(
                organisation_id=request.organisation_id,
                request=request,
                level=level,
                due_at=due_at,
            )
    except IntegrityError:
        return None
    recipients = _recipients(request, level)
    escalation.recipients = [s.pk for s in recipients]
    escalation.save(update_fields=["recipients"])
    label = str(L(level).label)
    RequestEvent.objects.create(
        request=request,
        organisation_id=request.organisation_id,
        type=EventType.ESCALATION,
        actor_label=_("SLA"),
        text=_("Escalated: %(level)s → %(who)s")
        % {"level": label, "who": ", ".join(s.display_name for s in recipients) or "—"},
        data={"level": level, "due_at": due_at.isoformat(), "recipients": escalation.recipients},
    )
    for person in recipients:
        notification_queue_staff(
            request=request,
            staff=person,
            key=f"escalation:{escalation.pk}:{person.pk}",
            kind=Kind.ESCALATION,
            context=_staff_context(request, label, due_at),
        )
    return escalation


def _staff_context(request: Request, level: str, due_at: datetime) -> dict[str, Any]:
    local = timezone.localtime(due_at)
    return {
        "code": request.tracking_code,
        "subject": request.subject,
        "org": request.organisation.name,
        "level": level,
        "due": local.strftime("%d.%m.%Y %H:%M"),
        "name": "",
        "text": "",
    }


def escalation_sweep(*, now: datetime | None = None) -> int:
    """Escalate every request that reached a new rung; returns the escalations made."""
    now = now or timezone.now()
    made = 0
    for organisation in Organisation.objects.filter(is_active=True):
        made += _sweep_organisation(organisation, now)
    return made


def _sweep_organisation(organisation: Organisation, now: datetime) -> int:
    calendar = calendar_for(organisation)
    made = 0
    candidates = Request.objects.filter(
        organisation=organisation, state__in=ACTIVE, due_at__isnull=False
    ).order_by("due_at")
    for request_id in _retrying(lambda: list(candidates.values_list("pk", flat=True))):
        made += escalate_request(request_id, now, calendar)
    return made

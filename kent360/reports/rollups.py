"""Daily rollups: every dashboard figure is a sum over these rows.

Rule: a local day of an organisation is always recomputed whole from the Request table
(delete + insert in one transaction), so a rollup row can never drift from the requests
it counts. Which days to redo is learnt from RequestEvent rows newer than a watermark:
every change to a request (state, directorate, category, reopen) writes an event.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from kent360.organizations.models import Organisation
from kent360.reports.models import DailyRollup, RollupWatermark
from kent360.requests.models import FINISHED_STATES, OPEN_STATES, Request, RequestEvent, State

DIMENSIONS = ("directorate_id", "category_id", "channel", "kind", "neighbourhood")
BATCH_EVENTS = 50_000


def local_bounds(tz: ZoneInfo, first: date, last: date) -> tuple[datetime, datetime]:
    """UTC instants of the start of ``first`` and the end of ``last`` in local time."""
    start = datetime.combine(first, time.min, tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def _aggregate(organisation: Organisation, first: date, last: date) -> list[DailyRollup]:
    tz = ZoneInfo(organisation.time_zone)
    start, end = local_bounds(tz, first, last)
    reopened = RequestEvent.objects.filter(request_id=OuterRef("pk"), to_state=State.REOPENED)
    rows = (
        Request.objects.filter(organisation=organisation, created_at__gte=start, created_at__lt=end)
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day", *DIMENSIONS)
        .annotate(
            n_created=Count("id"),
            n_with_due=Count("id", filter=Q(due_at__isnull=False)),
            n_answered=Count("id", filter=Q(first_answered_at__isnull=False)),
            n_in_sla=Count(
                "id",
                filter=Q(first_answered_at__isnull=False, due_at__isnull=False)
                & Q(first_answered_at__lte=F("due_at")),
            ),
            n_finished=Count("id", filter=Q(state__in=FINISHED_STATES)),
            n_open=Count("id", filter=Q(state__in=OPEN_STATES)),
            n_reopened=Count("id", filter=Q(Exists(reopened))),
        )
        .order_by()
    )
    return [
        DailyRollup(
            organisation=organisation,
            day=row["day"],
            directorate_id=row["directorate_id"],
            category_id=row["category_id"],
            channel=row["channel"],
            kind=row["kind"],
            neighbourhood=row["neighbourhood"],
            created=row["n_created"],
            with_due=row["n_with_due"],
            answered=row["n_answered"],
            answered_in_sla=row["n_in_sla"],
            finished=row["n_finished"],
            open_now=row["n_open"],
            reopened=row["n_reopened"],
        )
        for row in rows
    ]


@transaction.atomic
def rollup_days(*, organisation: Organisation, days: Iterable[date]) -> int:
    """Recompute the given local days of an organisation; returns the rows written."""
    written = 0
    for first, last in _runs(sorted(set(days))):
        DailyRollup.objects.filter(
            organisation=organisation, day__gte=first, day__lte=last
        ).delete()
        rows = _aggregate(organisation, first, last)
        DailyRollup.objects.bulk_create(rows, batch_size=5000)
        written += len(rows)
    return written


def _runs(days: list[date], longest: int = 31) -> Iterable[tuple[date, date]]:
    """Consecutive days grouped into runs (at most ``longest`` days each)."""
    run: list[date] = []
    for day in days:
        if run and (day - run[-1] != timedelta(days=1) or len(run) >= longest):
            yield run[0], run[-1]
            run = []
        run.append(day)
    if run:
        yield run[0], run[-1]


def rollup_rebuild(*, organisation: Organisation) -> int:
    """Recompute every day on which the organisation received requests."""
    tz = ZoneInfo(organisation.time_zone)
    bounds = Request.objects.filter(organisation=organisation).aggregate(
        first=Min("created_at"), last=Max("created_at")
    )
    if bounds["first"] is None:
        DailyRollup.objects.filter(organisation=organisation).delete()
        return 0
    first = timezone.localtime(bounds["first"], tz).date()
    last = timezone.localtime(bounds["last"], tz).date()
    DailyRollup.objects.filter(organisation=organisation).exclude(
        day__gte=first, day__lte=last
    ).delete()
    written = 0
    day = first
    while day <= last:
        run_end = min(day + timedelta(days=30), last)
        span = (run_end - day).days + 1
        written += rollup_days(
            organisation=organisation, days=[day + timedelta(days=i) for i in range(span)]
        )
        day = run_end + timedelta(days=1)
    return written


def rollup_refresh(*, max_events: int = BATCH_EVENTS) -> int:
    """Fold request changes since the watermark into the rollups; returns days redone.

    Safe to run from several workers: the watermark row is locked for the duration, and
    recomputing a day twice gives the same rows.
    """
    with transaction.atomic():
        mark, _created = RollupWatermark.objects.select_for_update().get_or_create(name="default")
        events = RequestEvent.objects.filter(id__gt=mark.last_event_id).order_by("id")[:max_events]
        touched: dict[int, set[datetime]] = defaultdict(set)
        last_id = mark.last_event_id
        for event_id, org_id, created_at in events.values_list(
            "id", "organisation_id", "request__created_at"
        ):
            touched[org_id].add(created_at)
            last_id = event_id
        redone = 0
        for org in Organisation.objects.filter(pk__in=touched):
            tz = ZoneInfo(org.time_zone)
            days = {timezone.localtime(at, tz).date() for at in touched[org.pk]}
            rollup_days(organisation=org, days=days)
            redone += len(days)
        mark.last_event_id = last_id
        mark.updated_at = timezone.now()
        mark.save()
    return redone


def rollup_mark_all_done() -> None:
    """After a full rebuild: nothing older than the newest event needs redoing."""
    last = RequestEvent.objects.aggregate(m=Max("id"))["m"] or 0
    RollupWatermark.objects.update_or_create(
        name="default", defaults={"last_event_id": last, "updated_at": timezone.now()}
    )

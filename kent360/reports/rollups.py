"""Rollups: every dashboard figure is a sum over these rows.

Rule: a local day of an organisation is always recomputed whole from the Request table
(delete + insert in one transaction), so a rollup row can never drift from the requests
it counts. Which days to redo is learnt from RequestEvent rows newer than a watermark:
every change to a request (state, directorate, category, reopen) writes an event.

Coarser tables are recomputed in the same transaction from the finer ones: DayRollup
(no neighbourhood) and DayHoodChannel from DailyRollup, MonthRollup from DayRollup,
MonthHoodRollup from DailyRollup, MonthHoodChannel from DayHoodChannel, DayResolution
from the requests of the day, DayResolutionChannel and MonthResolution from
DayResolution, MonthResolutionChannel from DayResolutionChannel; each yearly table
from its monthly one. The "Channel" tables drop directorate and category: the dashboard
reads them when neither is chosen. The Margin tables hold each dimension on its own, for
the dashboard with no filter at all. Rows are computed by the
database (INSERT … SELECT), never materialised in Python.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, models, transaction
from django.db.models import (
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone

from kent360.notifications.models import SurveyInvitation
from kent360.organizations.models import Organisation
from kent360.reports.models import (
    DailyRollup,
    DayHoodChannel,
    DayMargin,
    DayResolution,
    DayResolutionChannel,
    DayRollup,
    MonthHoodChannel,
    MonthHoodRollup,
    MonthMargin,
    MonthResolution,
    MonthResolutionChannel,
    MonthRollup,
    RollupWatermark,
    YearHoodChannel,
    YearHoodRollup,
    YearMargin,
    YearResolution,
    YearResolutionChannel,
    YearRollup,
)
from kent360.requests.models import FINISHED_STATES, OPEN_STATES, Request, RequestEvent, State

DIMENSIONS = ("directorate_id", "category_id", "channel", "kind", "neighbourhood")
COUNTS = (
    "created",
    "with_due",
    "answered",
    "answered_in_sla",
    "finished",
    "open_now",
    "reopened",
    "rated",
    "rating_sum",
)
BATCH_EVENTS = 50_000
# Upper edges (hours) of MonthResolution's buckets: bucket i holds answers that took more
# than RESOLUTION_EDGES_H[i-1] and at most RESOLUTION_EDGES_H[i]; the last bucket
# (index len(RESOLUTION_EDGES_H)) holds everything slower.
RESOLUTION_EDGES_H = (1, 2, 4, 8, 12, 24, 36, 48, 72, 96, 120, 168, 240, 336, 504, 720, 1440)


def local_bounds(tz: ZoneInfo, first: date, last: date) -> tuple[datetime, datetime]:
    """UTC instants of the start of ``first`` and the end of ``last`` in local time."""
    start = datetime.combine(first, time.min, tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def _insert_select(model: type[models.Model], qs: QuerySet[Any], columns: dict[str, str]) -> int:
    """INSERT INTO model's table the rows of ``qs`` (a values() query); ``columns`` maps
    each table column to the name it has in the query's SELECT list."""
    sql, params = qs.query.sql_with_params()
    quote = connection.ops.quote_name
    target = ", ".join(quote(c) for c in columns)
    source = ", ".join(f"q.{quote(name)}" for name in columns.values())
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {quote(model._meta.db_table)} ({target}) "  # noqa: S608
            f"SELECT {source} FROM ({sql}) q",
            params,
        )
        return max(cur.rowcount, 0)


def _count_columns(prefix: str = "n_") -> dict[str, str]:
    return {name: f"{prefix}{name}" for name in COUNTS}


def _sums() -> dict[str, Sum]:
    return {f"n_{name}": Sum(name) for name in COUNTS}


def _aggregate(organisation: Organisation, first: date, last: date) -> int:
    """Insert the DailyRollup rows of [first, last], computed from the requests."""
    tz = ZoneInfo(organisation.time_zone)
    start, end = local_bounds(tz, first, last)
    reopened = RequestEvent.objects.filter(request_id=OuterRef("pk"), to_state=State.REOPENED)
    rows = (
        Request.objects.filter(organisation=organisation, created_at__gte=start, created_at__lt=end)
        .annotate(rollup_day=TruncDate("created_at", tzinfo=tz))
        .values("organisation_id", "rollup_day", *DIMENSIONS)
        .annotate(
            n_created=Count("id"),
            n_with_due=Count("id", filter=Q(due_at__isnull=False)),
            n_answered=Count("id", filter=Q(first_answered_at__isnull=False)),
            n_answered_in_sla=Count(
                "id",
                filter=Q(first_answered_at__isnull=False, due_at__isnull=False)
                & Q(first_answered_at__lte=F("due_at")),
            ),
            n_finished=Count("id", filter=Q(state__in=FINISHED_STATES)),
            n_open_now=Count("id", filter=Q(state__in=OPEN_STATES)),
            n_reopened=Count("id", filter=Q(Exists(reopened))),
            n_rated=Value(0),
            n_rating_sum=Value(0),
        )
        .order_by()
    )
    columns = {"organisation_id": "organisation_id", "day": "rollup_day"}
    columns |= {d: d for d in DIMENSIONS} | _count_columns()
    written = _insert_select(DailyRollup, rows, columns)
    _add_ratings(organisation, tz, start, end)
    return written


def _add_ratings(organisation: Organisation, tz: ZoneInfo, start: datetime, end: datetime) -> None:
    """Set ``rated`` and ``rating_sum`` of the DailyRollup rows of requests created in
    [start, end) from their answered satisfaction surveys.

    A request's ratings count on the day (and in the dimensions) of the request, as its
    other figures do. Done as a second pass over the rated surveys alone rather than as
    two subqueries per request in the main aggregation (rebuilding ten million requests'
    rollups: 755 s with those, 696 s with this pass, which costs nothing where nobody
    has rated)."""
    rated = (
        SurveyInvitation.objects.filter(
            rating__isnull=False,
            request__organisation=organisation,
            request__created_at__gte=start,
            request__created_at__lt=end,
        )
        .annotate(
            rollup_day=TruncDate("request__created_at", tzinfo=tz),
            **{f"r_{d}": F(f"request__{d}") for d in DIMENSIONS},
        )
        .values("rollup_day", *(f"r_{d}" for d in DIMENSIONS))
        .annotate(n_rated=Count("id"), n_rating_sum=Sum("rating"))
        .order_by()
    )
    sql, params = rated.query.sql_with_params()
    quote = connection.ops.quote_name
    # directorate and category may be NULL: NULL matches NULL, as in the GROUP BY
    pairs = [(f"d.{quote(c)}", f"q.{quote('r_' + c)}") for c in DIMENSIONS]
    same = " AND ".join(f"({a} = {b} OR ({a} IS NULL AND {b} IS NULL))" for a, b in pairs)
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {quote(DailyRollup._meta.db_table)} AS d "  # noqa: S608
            f"SET {quote('rated')} = q.n_rated, {quote('rating_sum')} = q.n_rating_sum "
            f"FROM ({sql}) q WHERE d.organisation_id = %s AND d.day = q.rollup_day AND {same}",
            (*params, organisation.pk),
        )


def _aggregate_days(organisation: Organisation, first: date, last: date) -> None:
    """DayRollup rows of [first, last]: the DailyRollup rows summed over neighbourhoods."""
    dims = ("organisation_id", "day", "directorate_id", "category_id", "channel", "kind")
    rows = (
        DailyRollup.objects.filter(organisation=organisation, day__gte=first, day__lte=last)
        .values(*dims)
        .annotate(**_sums())
        .order_by()
    )
    _insert_select(DayRollup, rows, {d: d for d in dims} | _count_columns())


def _month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _aggregate_year(organisation: Organisation, year: date) -> None:
    """The year's YearRollup, YearHoodRollup and YearResolution rows, summed from its
    monthly rows."""
    for model in YEAR_MODELS:
        model.objects.filter(organisation=organisation, year=year).delete()  # type: ignore[attr-defined]
    in_year = {
        "organisation": organisation,
        "month__gte": year,
        "month__lte": year.replace(month=12),
    }
    as_year = Value(year, output_field=models.DateField())
    dims: tuple[str, ...] = ("organisation_id", "directorate_id", "category_id", "channel", "kind")
    rows = (
        MonthRollup.objects.filter(**in_year)
        .annotate(rollup_year=as_year)
        .values(*dims, "rollup_year")
        .annotate(**_sums())
        .order_by()
    )
    _insert_select(
        YearRollup, rows, {d: d for d in dims} | {"year": "rollup_year"} | _count_columns()
    )
    dims = ("organisation_id", "directorate_id", "category_id", "neighbourhood")
    rows = (
        MonthHoodRollup.objects.filter(**in_year)
        .annotate(rollup_year=as_year)
        .values(*dims, "rollup_year")
        .annotate(**_sums())
        .order_by()
    )
    _insert_select(
        YearHoodRollup, rows, {d: d for d in dims} | {"year": "rollup_year"} | _count_columns()
    )
    dims = ("organisation_id", "neighbourhood", "channel")
    rows = (
        MonthHoodChannel.objects.filter(**in_year)
        .annotate(rollup_year=as_year)
        .values(*dims, "rollup_year")
        .annotate(**_sums())
        .order_by()
    )
    _insert_select(
        YearHoodChannel, rows, {d: d for d in dims} | {"year": "rollup_year"} | _count_columns()
    )
    dims = ("organisation_id", "directorate_id", "category_id", "channel", "bucket")
    rows = (
        MonthResolution.objects.filter(**in_year)
        .annotate(rollup_year=as_year)
        .values(*dims, "rollup_year")
        .annotate(n_answered=Sum("answered"))
        .order_by()
    )
    columns = {d: d for d in dims} | {"year": "rollup_year", "answered": "n_answered"}
    _insert_select(YearResolution, rows, columns)
    dims = ("organisation_id", "channel", "bucket")
    rows = (
        MonthResolutionChannel.objects.filter(**in_year)
        .annotate(rollup_year=as_year)
        .values(*dims, "rollup_year")
        .annotate(n_answered=Sum("answered"))
        .order_by()
    )
    columns = {d: d for d in dims} | {"year": "rollup_year", "answered": "n_answered"}
    _insert_select(YearResolutionChannel, rows, columns)
    _sum_margins(YearMargin, MonthMargin.objects.filter(**in_year), "year", year)


def _resolution_bucket() -> Case:
    whens = [
        When(Q(took__lte=timedelta(hours=edge)), then=Value(i))
        for i, edge in enumerate(RESOLUTION_EDGES_H)
    ]
    return Case(*whens, default=Value(len(RESOLUTION_EDGES_H)))


def _aggregate_month(organisation: Organisation, month: date) -> None:
    """The month's MonthRollup, MonthHoodRollup and MonthResolution rows."""
    last = _month_end(month)
    for model in MONTH_MODELS:
        model.objects.filter(organisation=organisation, month=month).delete()  # type: ignore[attr-defined]
    base = ("organisation_id", "directorate_id", "category_id", "channel")
    rows = (
        DayRollup.objects.filter(organisation=organisation, day__gte=month, day__lte=last)
        .annotate(rollup_month=Value(month, output_field=models.DateField()))
        .values(*base, "kind", "rollup_month")
        .annotate(**_sums())
        .order_by()
    )
    dims = {d: d for d in (*base, "kind")} | {"month": "rollup_month"}
    _insert_select(MonthRollup, rows, dims | _count_columns())
    rows = (
        DailyRollup.objects.filter(organisation=organisation, day__gte=month, day__lte=last)
        .annotate(rollup_month=Value(month, output_field=models.DateField()))
        .values(*base[:3], "neighbourhood", "rollup_month")
        .annotate(**_sums())
        .order_by()
    )
    dims = {d: d for d in (*base[:3], "neighbourhood")} | {"month": "rollup_month"}
    _insert_select(MonthHoodRollup, rows, dims | _count_columns())
    rows = (
        DayHoodChannel.objects.filter(organisation=organisation, day__gte=month, day__lte=last)
        .annotate(rollup_month=Value(month, output_field=models.DateField()))
        .values("organisation_id", "neighbourhood", "channel", "rollup_month")
        .annotate(**_sums())
        .order_by()
    )
    dims = {d: d for d in ("organisation_id", "neighbourhood", "channel")}
    _insert_select(MonthHoodChannel, rows, dims | {"month": "rollup_month"} | _count_columns())
    rows = (
        DayResolution.objects.filter(organisation=organisation, day__gte=month, day__lte=last)
        .annotate(rollup_month=Value(month, output_field=models.DateField()))
        .values(*base, "bucket", "rollup_month")
        .annotate(n_answered=Sum("answered"))
        .order_by()
    )
    columns = {d: d for d in (*base, "bucket")} | {
        "month": "rollup_month",
        "answered": "n_answered",
    }
    _insert_select(MonthResolution, rows, columns)
    narrow = ("organisation_id", "channel", "bucket")
    rows = (
        DayResolutionChannel.objects.filter(
            organisation=organisation, day__gte=month, day__lte=last
        )
        .annotate(rollup_month=Value(month, output_field=models.DateField()))
        .values(*narrow, "rollup_month")
        .annotate(n_answered=Sum("answered"))
        .order_by()
    )
    columns = {d: d for d in narrow} | {"month": "rollup_month", "answered": "n_answered"}
    _insert_select(MonthResolutionChannel, rows, columns)
    days = DayMargin.objects.filter(organisation=organisation, day__gte=month, day__lte=last)
    _sum_margins(MonthMargin, days, "month", month)


MARGIN_DIMS = {
    "directorate": "directorate_id",
    "category": "category_id",
    "channel": "channel",
    "kind": "kind",
}


def _aggregate_margins(organisation: Organisation, first: date, last: date) -> None:
    """DayMargin rows of [first, last]: the DayRollup rows summed by each dimension."""
    for dim, column in MARGIN_DIMS.items():
        rows = (
            DayRollup.objects.filter(organisation=organisation, day__gte=first, day__lte=last)
            .annotate(
                margin_dim=Value(dim, output_field=models.CharField()),
                margin_key=Coalesce(Cast(column, models.CharField()), Value("")),
            )
            .values("organisation_id", "day", "margin_dim", "margin_key")
            .annotate(**_sums())
            .order_by()
        )
        columns = {"organisation_id": "organisation_id", "day": "day"}
        columns |= {"dim": "margin_dim", "key": "margin_key"} | _count_columns()
        _insert_select(DayMargin, rows, columns)


def _sum_margins(model: Any, source: QuerySet[Any], period: str, value: date) -> None:
    """``model`` rows for one period: the finer margin rows of ``source`` summed."""
    rows = (
        source.annotate(margin_period=Value(value, output_field=models.DateField()))
        .values("organisation_id", "dim", "key", "margin_period")
        .annotate(**_sums())
        .order_by()
    )
    columns = {d: d for d in ("organisation_id", "dim", "key")} | {period: "margin_period"}
    _insert_select(model, rows, columns | _count_columns())


def _aggregate_narrow_days(organisation: Organisation, first: date, last: date) -> None:
    """DayHoodChannel and DayResolutionChannel rows of [first, last]."""
    dims = ("organisation_id", "day", "neighbourhood", "channel")
    rows = (
        DailyRollup.objects.filter(organisation=organisation, day__gte=first, day__lte=last)
        .values(*dims)
        .annotate(**_sums())
        .order_by()
    )
    _insert_select(DayHoodChannel, rows, {d: d for d in dims} | _count_columns())
    dims = ("organisation_id", "day", "channel", "bucket")
    rows = (
        DayResolution.objects.filter(organisation=organisation, day__gte=first, day__lte=last)
        .values(*dims)
        .annotate(n_answered=Sum("answered"))
        .order_by()
    )
    _insert_select(DayResolutionChannel, rows, {d: d for d in dims} | {"answered": "n_answered"})


def _aggregate_resolution(organisation: Organisation, first: date, last: date) -> None:
    """DayResolution rows of [first, last]: answered requests bucketed by hours taken."""
    tz = ZoneInfo(organisation.time_zone)
    start, end = local_bounds(tz, first, last)
    base = ("organisation_id", "directorate_id", "category_id", "channel")
    rows = (
        Request.objects.filter(
            organisation=organisation,
            created_at__gte=start,
            created_at__lt=end,
            first_answered_at__isnull=False,
        )
        .annotate(
            took=ExpressionWrapper(
                F("first_answered_at") - F("created_at"), output_field=DurationField()
            ),
            rollup_day=TruncDate("created_at", tzinfo=tz),
        )
        .annotate(rollup_bucket=_resolution_bucket())
        .values(*base, "rollup_day", "rollup_bucket")
        .annotate(n_answered=Count("id"))
        .order_by()
    )
    columns = {d: d for d in base} | {
        "day": "rollup_day",
        "bucket": "rollup_bucket",
        "answered": "n_answered",
    }
    _insert_select(DayResolution, rows, columns)


@transaction.atomic
def rollup_days(
    *, organisation: Organisation, days: Iterable[date], with_years: bool = True
) -> int:
    """Recompute the given local days of an organisation, and the months (and unless
    ``with_years`` is False, the years) they fall in; returns the DailyRollup rows
    written. A full rebuild passes False and builds each year once at its end."""
    written = 0
    chosen = sorted(set(days))
    for first, last in _runs(chosen):
        for model in DAY_MODELS:
            model.objects.filter(  # type: ignore[attr-defined]
                organisation=organisation, day__gte=first, day__lte=last
            ).delete()
        written += _aggregate(organisation, first, last)
        _aggregate_days(organisation, first, last)
        _aggregate_resolution(organisation, first, last)
        _aggregate_narrow_days(organisation, first, last)
        _aggregate_margins(organisation, first, last)
    for month in sorted({day.replace(day=1) for day in chosen}):
        _aggregate_month(organisation, month)
    if with_years:
        for year in sorted({day.replace(month=1, day=1) for day in chosen}):
            _aggregate_year(organisation, year)
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


DAY_MODELS = (
    DailyRollup,
    DayRollup,
    DayResolution,
    DayHoodChannel,
    DayResolutionChannel,
    DayMargin,
)
MONTH_MODELS = (
    MonthMargin,
    MonthRollup,
    MonthHoodRollup,
    MonthHoodChannel,
    MonthResolution,
    MonthResolutionChannel,
)
YEAR_MODELS = (
    YearMargin,
    YearRollup,
    YearHoodRollup,
    YearHoodChannel,
    YearResolution,
    YearResolutionChannel,
)
ROLLUP_MODELS = (*DAY_MODELS, *MONTH_MODELS, *YEAR_MODELS)


def rollup_rebuild(*, organisation: Organisation) -> int:
    """Recompute every day (and month) on which the organisation received requests."""
    tz = ZoneInfo(organisation.time_zone)
    bounds = Request.objects.filter(organisation=organisation).aggregate(
        first=Min("created_at"), last=Max("created_at")
    )
    if bounds["first"] is None:
        for model in ROLLUP_MODELS:
            model.objects.filter(organisation=organisation).delete()  # type: ignore[attr-defined]
        return 0
    first = timezone.localtime(bounds["first"], tz).date()
    last = timezone.localtime(bounds["last"], tz).date()
    for model in DAY_MODELS:
        model.objects.filter(organisation=organisation).exclude(  # type: ignore[attr-defined]
            day__gte=first, day__lte=last
        ).delete()
    for model in MONTH_MODELS:
        model.objects.filter(organisation=organisation).exclude(  # type: ignore[attr-defined]
            month__gte=first.replace(day=1), month__lte=last
        ).delete()
    for model in YEAR_MODELS:
        model.objects.filter(organisation=organisation).exclude(  # type: ignore[attr-defined]
            year__gte=first.replace(month=1, day=1), year__lte=last
        ).delete()
    written = 0
    month = first.replace(day=1)
    while month <= last:
        # one calendar month per transaction, so each month's tables are built once
        lo, hi = max(month, first), min(_month_end(month), last)
        span = (hi - lo).days + 1
        written += rollup_days(
            organisation=organisation,
            days=[lo + timedelta(days=i) for i in range(span)],
            with_years=False,
        )
        if month.month == 12 or _month_end(month) >= last:
            with transaction.atomic():
                _aggregate_year(organisation, month.replace(month=1))
        month = _month_end(month) + timedelta(days=1)
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

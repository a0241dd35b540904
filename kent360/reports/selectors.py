"""Reads for reports: the KPI dashboard, map data, exports and the transparency page.

Who sees what: PR managers, organisation admins and directorate managers see reports;
directorate staff (and every other role) do not. A metropolitan's staff see the aggregate
of the metropolitan and its member districts; a district never sees another district.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import F, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from kent360.core.errors import NotAllowed
from kent360.organizations.models import Category, Directorate, Organisation, Role, Staff
from kent360.reports.models import (
    BoundarySet,
    DailyRollup,
    DayHoodChannel,
    DayMargin,
    DayResolution,
    DayResolutionChannel,
    DayRollup,
    ExportJob,
    MonthHoodChannel,
    MonthHoodRollup,
    MonthMargin,
    MonthResolution,
    MonthResolutionChannel,
    MonthRollup,
    ReportSettings,
    YearHoodChannel,
    YearHoodRollup,
    YearMargin,
    YearResolution,
    YearResolutionChannel,
    YearRollup,
)
from kent360.reports.rollups import (
    COUNTS,
    MARGIN_DIMS,
    RESOLUTION_EDGES_H,
    _month_end,
    local_bounds,
)
from kent360.requests import forms as inbox_forms
from kent360.requests import selectors as inbox
from kent360.requests.models import Channel, Kind, Request

Span = tuple[date, date]
REPORT_ROLES = frozenset({Role.PR_MANAGER, Role.ORG_ADMIN, Role.DIRECTORATE_MANAGER})
BACKLOG_BUCKETS = [(0, 2), (3, 7), (8, 30), (31, 90), (91, None)]
COUNT_FIELDS = COUNTS  # every count a rollup row carries


def can_see_reports(staff: Staff | None) -> bool:
    return staff is not None and staff.role in REPORT_ROLES


def require_reports(staff: Staff | None) -> Staff:
    if staff is None or not can_see_reports(staff):
        raise NotAllowed("reports")
    return staff


def report_organisations(*, staff: Staff) -> list[Organisation]:
    """The asker's organisation, plus its member districts if it is a metropolitan."""
    org = staff.organisation
    members = list(Organisation.objects.filter(parent=org, is_active=True))
    return [org, *members]


@dataclass
class KpiFilters:
    date_from: date
    date_to: date  # inclusive
    directorate: int | None = None
    channel: str = ""
    category: int | None = None
    organisation: int | None = None

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def previous(self) -> KpiFilters:
        return KpiFilters(
            date_from=self.date_from - timedelta(days=self.days),
            date_to=self.date_from - timedelta(days=1),
            directorate=self.directorate,
            channel=self.channel,
            category=self.category,
            organisation=self.organisation,
        )


def default_filters(*, staff: Staff, today: date | None = None) -> KpiFilters:
    """Last 30 days; a directorate manager starts on their own directorate."""
    today = today or timezone.localdate()
    directorate = staff.directorate_id if staff.role == Role.DIRECTORATE_MANAGER else None
    return KpiFilters(date_from=today - timedelta(days=29), date_to=today, directorate=directorate)


def filter_choices(*, staff: Staff) -> dict[str, Any]:
    orgs = report_organisations(staff=staff)
    ids = [o.pk for o in orgs]
    return {
        "organisations": orgs,
        "directorates": Directorate.objects.filter(organisation_id__in=ids).order_by("name"),
        "categories": Category.objects.filter(organisation_id__in=ids).order_by("name"),
        "channels": Channel.choices,
    }


def _org_ids(staff: Staff, f: KpiFilters) -> list[int]:
    ids = [o.pk for o in report_organisations(staff=staff)]
    if f.organisation:
        if f.organisation not in ids:
            raise Http404
        return [f.organisation]
    return ids


def rollup_rows(*, org_ids: list[int], f: KpiFilters) -> QuerySet[DailyRollup]:
    qs = DailyRollup.objects.filter(
        organisation_id__in=org_ids, day__gte=f.date_from, day__lte=f.date_to
    )
    if f.directorate:
        qs = qs.filter(directorate_id=f.directorate)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.category:
        qs = qs.filter(category_id=f.category)
    return qs


def request_rows(*, org_ids: list[int], f: KpiFilters) -> QuerySet[Request]:
    """Requests received in the period (local days of the first organisation's zone)."""
    tz = ZoneInfo(Organisation.objects.get(pk=org_ids[0]).time_zone)
    start, end = local_bounds(tz, f.date_from, f.date_to)
    qs = Request.objects.filter(
        organisation_id__in=org_ids, created_at__gte=start, created_at__lt=end
    )
    if f.directorate:
        qs = qs.filter(directorate_id=f.directorate)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.category:
        qs = qs.filter(category_id=f.category)
    return qs


def split_range(
    first: date, last: date
) -> tuple[list[tuple[date, date]], tuple[date, date] | None]:
    """[first, last] as (edge day runs, (first month, last month) of the whole months).

    Whole calendar months are read from the monthly tables, the days around them from the
    daily ones; the two never overlap, so their sums are the exact figures of the range.
    """
    m0 = first if first.day == 1 else _month_end(first) + timedelta(days=1)
    m1 = (
        last.replace(day=1)
        if last == _month_end(last)
        else (last.replace(day=1) - timedelta(days=1)).replace(day=1)
    )
    if m0 > m1:
        return [(first, last)], None
    edges = []
    if first < m0:
        edges.append((first, m0 - timedelta(days=1)))
    if last > _month_end(m1):
        edges.append((_month_end(m1) + timedelta(days=1), last))
    return edges, (m0, m1)


def _dim_filter(qs: QuerySet[Any], org_ids: list[int], f: KpiFilters) -> QuerySet[Any]:
    qs = qs.filter(organisation_id__in=org_ids)
    if f.directorate:
        qs = qs.filter(directorate_id=f.directorate)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.category:
        qs = qs.filter(category_id=f.category)
    return qs


def rollup_sources(
    *, org_ids: list[int], f: KpiFilters, neighbourhood: bool = False
) -> list[QuerySet[Any]]:
    """The coarsest rollup rows that together cover exactly the filtered range: yearly
    rows for whole years, monthly rows for whole months, daily rows for the days around
    them. With ``neighbourhood`` the tables that keep that dimension: by directorate and
    category (YearHoodRollup, MonthHoodRollup), by channel alone (YearHoodChannel,
    MonthHoodChannel), and DailyRollup for the edge days."""
    if neighbourhood and not (f.directorate or f.category):
        # by channel alone: a few hundred rows a month, whether or not a channel is chosen
        return _covering(
            org_ids,
            f,
            year_model=YearHoodChannel,
            month_model=MonthHoodChannel,
            day_model=DayHoodChannel,
        )
    if neighbourhood and f.channel:
        # a channel with a directorate or category: only the daily rows have all three
        return [
            _dim_filter(
                DailyRollup.objects.filter(day__gte=f.date_from, day__lte=f.date_to), org_ids, f
            )
        ]
    return _covering(
        org_ids,
        f,
        year_model=YearHoodRollup if neighbourhood else YearRollup,
        month_model=MonthHoodRollup if neighbourhood else MonthRollup,
        day_model=DailyRollup if neighbourhood else DayRollup,
    )


def _covering(
    org_ids: list[int], f: KpiFilters, *, year_model: Any, month_model: Any, day_model: Any
) -> list[QuerySet[Any]]:
    """Querysets over whole years, whole months and edge days that together hold each
    day of the filtered range exactly once."""
    parts, years = split_years(f.date_from, f.date_to)
    out: list[QuerySet[Any]] = []
    if years:
        qs = year_model.objects.filter(year__gte=years[0], year__lte=years[1])
        out.append(_dim_filter(qs, org_ids, f))
    for first, last in parts:
        edges, months = split_range(first, last)
        out += [
            _dim_filter(day_model.objects.filter(day__gte=lo, day__lte=hi), org_ids, f)
            for lo, hi in edges
        ]
        if months:
            qs = month_model.objects.filter(month__gte=months[0], month__lte=months[1])
            out.append(_dim_filter(qs, org_ids, f))
    return out


def split_years(first: date, last: date) -> tuple[list[Span], Span | None]:
    """[first, last] as (the parts outside whole years, (first, last) 1 January of the
    whole calendar years inside it, or None)."""
    y0 = first.year if (first.month, first.day) == (1, 1) else first.year + 1
    y1 = last.year if (last.month, last.day) == (12, 31) else last.year - 1
    if y0 > y1:
        return [(first, last)], None
    parts = []
    if first < date(y0, 1, 1):
        parts.append((first, date(y0 - 1, 12, 31)))
    if last > date(y1, 12, 31):
        parts.append((date(y1 + 1, 1, 1), last))
    return parts, (date(y0, 1, 1), date(y1, 1, 1))


def _grouped(sources: list[QuerySet[Any]], dims: tuple[str, ...]) -> dict[tuple, dict[str, int]]:
    """Sum of every count over the sources, grouped by ``dims``."""
    out: dict[tuple, dict[str, int]] = {}
    for qs in sources:
        for row in qs.values(*dims).annotate(**{f"s_{n}": Sum(n) for n in COUNT_FIELDS}).order_by():
            key = tuple(row[d] for d in dims)
            acc = out.setdefault(key, dict.fromkeys(COUNT_FIELDS, 0))
            for n in COUNT_FIELDS:
                acc[n] += int(row[f"s_{n}"] or 0)
    return out


def _sum_counts(groups: dict[Any, dict[str, int]]) -> dict[str, int]:
    totals = dict.fromkeys(COUNT_FIELDS, 0)
    for counts in groups.values():
        for n in COUNT_FIELDS:
            totals[n] += counts[n]
    return totals


def marginals_for(*, org_ids: list[int], f: KpiFilters) -> dict[str, dict[Any, dict[str, int]]]:
    """The counts of the filtered range by each dimension (see ``marginals``); with no
    filter at all they come from the Margin tables, a few dozen rows per period."""
    if f.directorate or f.channel or f.category:
        return marginals(rollup_sources(org_ids=org_ids, f=f))
    sources = _covering(
        org_ids, f, year_model=YearMargin, month_model=MonthMargin, day_model=DayMargin
    )
    out: dict[str, dict[Any, dict[str, int]]] = {d: {} for d in DIM_KEYS}
    ids = {"directorate_id", "category_id"}

    def add(acc: dict[str, int], row: dict[str, Any]) -> None:
        for n in COUNT_FIELDS:
            acc[n] += int(row[f"s_{n}"] or 0)

    sums = {f"s_{n}": Sum(n) for n in COUNT_FIELDS}
    for qs in sources:
        for row in qs.values("organisation_id", "dim", "key").annotate(**sums).order_by():
            dim = MARGIN_DIMS[row["dim"]]
            key: Any = row["key"]
            if dim in ids:
                key = int(key) if key else None
            add(out[dim].setdefault(key, dict.fromkeys(COUNT_FIELDS, 0)), row)
            if row["dim"] == "kind":  # every request has exactly one kind
                org = row["organisation_id"]
                add(out["organisation_id"].setdefault(org, dict.fromkeys(COUNT_FIELDS, 0)), row)
    return out


def marginals(sources: list[QuerySet[Any]]) -> dict[str, dict[Any, dict[str, int]]]:
    """Sum of every count over the sources by each dimension of DIM_KEYS on its own:
    {"channel": {"web": {...counts}, ...}, "kind": {...}, ...}.

    On PostgreSQL one query does it (UNION ALL of the sources, GROUPING SETS), so a
    five-year range returns a few dozen rows instead of every (directorate, category,
    channel, kind) combination; elsewhere the combinations are summed here.
    """
    if connection.vendor == "postgresql":
        return _marginals_sql(sources)
    out: dict[str, dict[Any, dict[str, int]]] = {d: {} for d in DIM_KEYS}
    for key, counts in _grouped(sources, DIM_KEYS).items():
        for i, dim in enumerate(DIM_KEYS):
            acc = out[dim].setdefault(key[i], dict.fromkeys(COUNT_FIELDS, 0))
            for n in COUNT_FIELDS:
                acc[n] += counts[n]
    return out


def _marginals_sql(sources: list[QuerySet[Any]]) -> dict[str, dict[Any, dict[str, int]]]:
    out: dict[str, dict[Any, dict[str, int]]] = {d: {} for d in DIM_KEYS}
    if not sources:
        return out
    parts = [qs.values(*DIM_KEYS, *COUNT_FIELDS).order_by() for qs in sources]
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    sql, params = union.query.sql_with_params()
    dims = ", ".join(DIM_KEYS)
    sums = ", ".join(f"SUM({n})" for n in COUNT_FIELDS)
    sets = ", ".join(f"({d})" for d in DIM_KEYS)
    last = len(DIM_KEYS) - 1
    with connection.cursor() as cur:
        # names are this module's constants; every value is a parameter of the inner SQL
        cur.execute(
            f"SELECT GROUPING({dims}), {dims}, {sums} FROM ({sql}) AS rows "  # noqa: S608
            f"GROUP BY GROUPING SETS ({sets})",
            params,
        )
        for mask, *row in cur.fetchall():
            # GROUPING() sets a bit for each column left out of the row's set; the last
            # column is the lowest bit, so the one grouped column is the single 0 bit
            index = next(i for i in range(len(DIM_KEYS)) if not mask >> (last - i) & 1)
            counts = row[len(DIM_KEYS) :]
            out[DIM_KEYS[index]][row[index]] = {
                n: int(v or 0) for n, v in zip(COUNT_FIELDS, counts, strict=True)
            }
    return out


def _breakdown_from(by_value: dict[Any, dict[str, int]], labels: dict[Any, str]) -> list[dict]:
    rows = sorted(by_value.items(), key=lambda kv: -kv[1]["created"])
    return [
        {
            "key": k,
            "label": labels.get(k, k or "—"),
            "count": c["created"],
            "sla": _share(c["answered_in_sla"], c["with_due"]),
        }
        for k, c in rows
    ]


def _breakdown_of(
    groups: dict[tuple, dict[str, int]], index: int, labels: dict[Any, str]
) -> list[dict]:
    by: dict[Any, list[int]] = defaultdict(lambda: [0, 0, 0])
    for key, counts in groups.items():
        acc = by[key[index]]
        acc[0] += counts["created"]
        acc[1] += counts["answered_in_sla"]
        acc[2] += counts["with_due"]
    rows = sorted(by.items(), key=lambda kv: -kv[1][0])
    return [
        {
            "key": k,
            "label": labels.get(k, k or "—"),
            "count": n,
            "sla": _share(sla, due),
        }
        for k, (n, sla, due) in rows
    ]


DIM_KEYS = ("organisation_id", "directorate_id", "category_id", "channel", "kind")
# Median and p90 are exact (sorted from the requests) for a range of at most this many
# days holding at most this many answers; beyond, they are read to the bucket from the
# resolution tables: sorting 165,000 answers (30 days at 10M requests) took ~200 ms.
EXACT_PERCENTILE_DAYS = 92
EXACT_PERCENTILE_ROWS = 50_000


def resolution_percentiles(
    *, org_ids: list[int], f: KpiFilters, ps: tuple[float, ...]
) -> list[tuple[float, float | None] | None]:
    """Nearest-rank percentiles of hours to first answer, as the (low, high] bucket of
    RESOLUTION_EDGES_H holding them (high None: slower than the last edge).

    Whole years, whole months and edge days come from YearResolution, MonthResolution
    and DayResolution.
    """
    counts: dict[int, int] = defaultdict(int)
    narrow = not (f.directorate or f.category)
    sources = _covering(
        org_ids,
        f,
        year_model=YearResolutionChannel if narrow else YearResolution,
        month_model=MonthResolutionChannel if narrow else MonthResolution,
        day_model=DayResolutionChannel if narrow else DayResolution,
    )
    for qs in sources:
        for bucket, n in qs.values_list("bucket").annotate(n=Sum("answered")).order_by():
            counts[bucket] += int(n)
    total = sum(counts.values())
    out: list[tuple[float, float | None] | None] = []
    for p in ps:
        if total == 0:
            out.append(None)
            continue
        rank, seen = max(1, math.ceil(p * total)), 0
        for bucket in sorted(counts):
            seen += counts[bucket]
            if seen >= rank:
                low = 0.0 if bucket == 0 else float(RESOLUTION_EDGES_H[bucket - 1])
                high = (
                    float(RESOLUTION_EDGES_H[bucket]) if bucket < len(RESOLUTION_EDGES_H) else None
                )
                out.append((low, high))
                break
    return out


def _totals(qs: QuerySet[DailyRollup]) -> dict[str, int]:
    sums = qs.aggregate(**{name: Sum(name) for name in COUNT_FIELDS})
    return {k: int(v or 0) for k, v in sums.items()}


def _share(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _breakdown(qs: QuerySet[DailyRollup], dim: str, labels: dict[Any, str]) -> list[dict]:
    rows = (
        qs.values(dim)
        .annotate(n=Sum("created"), sla=Sum("answered_in_sla"), due=Sum("with_due"))
        .order_by("-n")
    )
    return [
        {
            "key": r[dim],
            "label": labels.get(r[dim], r[dim] or "—"),
            "count": int(r["n"]),
            "sla": _share(int(r["sla"]), int(r["due"])),
        }
        for r in rows
    ]


def percentile_hours(qs: QuerySet[Request], p: float) -> float | None:
    """Nearest-rank percentile of hours from receipt to the first answer."""
    return percentiles_hours(qs, (p,))[0]


def percentiles_hours(qs: QuerySet[Request], ps: tuple[float, ...]) -> list[float | None]:
    """Nearest-rank percentiles (the value at rank ceil(p·n)) of hours to first answer.

    PostgreSQL computes them in one pass (percentile_disc is nearest-rank); elsewhere the
    value at each rank is fetched with an ordered offset query.
    """
    answered = qs.filter(first_answered_at__isnull=False).annotate(
        took=F("first_answered_at") - F("created_at")
    )
    if connection.vendor == "postgresql":
        sql, params = answered.order_by().values("took").query.sql_with_params()
        with connection.cursor() as cur:
            # the inner SQL is compiled by the ORM, with its own parameters
            query = "SELECT percentile_disc(%s::float8[]) WITHIN GROUP (ORDER BY took) FROM "
            query += f"({sql}) AS answered"
            cur.execute(
                query,
                [list(ps), *params],
            )
            values = cur.fetchone()[0] or [None] * len(ps)
        return [None if v is None else round(v.total_seconds() / 3600, 1) for v in values]
    n = answered.count()
    out: list[float | None] = []
    for p in ps:
        if n == 0:
            out.append(None)
            continue
        rank = max(1, math.ceil(p * n))
        took = answered.order_by("took").values_list("took", flat=True)[rank - 1]
        out.append(round(took.total_seconds() / 3600, 1))
    return out


def satisfaction(counts: dict[str, int]) -> float | None:
    """Mean 1–5 rating of the answered satisfaction surveys of the counted requests."""
    if not counts.get("rated"):
        return None
    return round(counts["rating_sum"] / counts["rated"], 2)


def _count_sources(org_ids: list[int], f: KpiFilters) -> tuple[QuerySet[Any], QuerySet[Any]]:
    """Daily and monthly rows whose sums are the filtered range's counts: without a
    directorate or category one Margin row per kind (or the chosen channel's row) a day,
    otherwise the full DayRollup and MonthRollup rows."""
    if f.directorate or f.category:
        return (
            _dim_filter(DayRollup.objects.all(), org_ids, f),
            _dim_filter(MonthRollup.objects.all(), org_ids, f),
        )
    pick = {"dim": "channel", "key": f.channel} if f.channel else {"dim": "kind"}
    return (
        DayMargin.objects.filter(organisation_id__in=org_ids, **pick),
        MonthMargin.objects.filter(organisation_id__in=org_ids, **pick),
    )


def _totals_for(org_ids: list[int], f: KpiFilters, *, open_only: bool = False) -> dict[str, int]:
    """Every count of the filtered range summed (of rows with open requests only, if
    ``open_only``); from the Margin tables when no directorate or category is chosen."""
    if f.directorate or f.category:
        sources = rollup_sources(org_ids=org_ids, f=f)
    else:
        pick = {"dim": "channel", "key": f.channel} if f.channel else {"dim": "kind"}
        unfiltered = KpiFilters(date_from=f.date_from, date_to=f.date_to)
        sources = [
            qs.filter(**pick)
            for qs in _covering(
                org_ids,
                unfiltered,
                year_model=YearMargin,
                month_model=MonthMargin,
                day_model=DayMargin,
            )
        ]
    if open_only:
        sources = [qs.filter(open_now__gt=0) for qs in sources]
    return _sum_counts(_grouped(sources, ("organisation_id",)))


def _series(org_ids: list[int], f: KpiFilters) -> list[dict]:
    """Requests received per day, week or month of the range (by its length); monthly
    points come from MonthRollup for whole months."""
    step = "day" if f.days <= 62 else ("week" if f.days <= 366 else "month")
    spans, months = split_range(f.date_from, f.date_to)
    if step != "month" or months is None:
        spans, months = [(f.date_from, f.date_to)], None
    by_day: dict[date, int] = defaultdict(int)
    day_qs, month_qs = _count_sources(org_ids, f)
    for lo, hi in spans:
        days = day_qs.filter(day__gte=lo, day__lte=hi)
        for r in days.values("day").annotate(n=Sum("created")).order_by():
            by_day[r["day"]] += int(r["n"])
    if months:
        qs = month_qs.filter(month__gte=months[0], month__lte=months[1])
        for r in qs.values("month").annotate(n=Sum("created")).order_by():
            by_day[r["month"]] += int(r["n"])
    buckets: dict[date, int] = defaultdict(int)
    day = f.date_from
    while day <= f.date_to:
        if step == "day":
            key = day
        elif step == "week":
            key = day - timedelta(days=day.weekday())
        else:
            key = day.replace(day=1)
        buckets[key] += by_day.get(day, 0)
        day += timedelta(days=1)
    return [{"period": k, "count": v, "step": step} for k, v in sorted(buckets.items())]


def _backlog(org_ids: list[int], f: KpiFilters) -> list[dict]:
    """Requests open now, by age in days at the end of the range. Days older than the
    last bucket's start are summed from the monthly rows (only their total matters)."""
    today = f.date_to
    oldest = BACKLOG_BUCKETS[-1][0]
    cutoff = today - timedelta(days=oldest)
    recent = _count_sources(org_ids, f)[0].filter(day__gt=cutoff, day__lte=today, open_now__gt=0)
    by_day = {
        r["day"]: int(r["n"]) for r in recent.values("day").annotate(n=Sum("open_now")).order_by()
    }
    old = KpiFilters(
        date_from=date(1970, 1, 1),
        date_to=cutoff,
        directorate=f.directorate,
        channel=f.channel,
        category=f.category,
    )
    by_day[cutoff] = by_day.get(cutoff, 0) + _totals_for(org_ids, old, open_only=True)["open_now"]
    out = []
    for low, high in BACKLOG_BUCKETS:
        total = sum(
            n
            for day, n in by_day.items()
            if (today - day).days >= low and (high is None or (today - day).days <= high)
        )
        out.append({"low": low, "high": high, "count": total})
    return out


@dataclass
class Dashboard:
    filters: KpiFilters
    totals: dict[str, int]
    previous: dict[str, int]
    sla_compliance: float | None
    previous_sla: float | None
    reopen_rate: float | None
    median_hours: float | None
    p90_hours: float | None
    satisfaction: float | None
    backlog: list[dict]
    by: dict[str, list[dict]] = field(default_factory=dict)
    # long ranges: median/p90 as (low, high] hour buckets instead of exact values
    median_bucket: tuple[float, float | None] | None = None
    p90_bucket: tuple[float, float | None] | None = None
    series: list[dict] = field(default_factory=list)

    @property
    def bucket_edges(self) -> str:
        return ", ".join(str(edge) for edge in RESOLUTION_EDGES_H)

    @property
    def change(self) -> float | None:
        return _share(self.totals["created"] - self.previous["created"], self.previous["created"])


def kpi_dashboard(*, staff: Staff, filters: KpiFilters) -> Dashboard:
    """Every figure of the dashboard for the filters, from the daily rollups.

    Volume counts requests received in the period; SLA compliance is the share of them with
    a deadline whose first answer came no later than the deadline; the reopen rate is the
    share of answered ones that were reopened; median and p90 are hours to first answer.
    Backlog counts requests open now across all time, bucketed by age in days.
    """
    require_reports(staff)
    org_ids = _org_ids(staff, filters)
    by_dim = marginals_for(org_ids=org_ids, f=filters)
    totals = _sum_counts(by_dim["organisation_id"])
    previous = _totals_for(org_ids, filters.previous())
    requests = request_rows(org_ids=org_ids, f=filters)
    median = p90 = None
    median_bucket = p90_bucket = None
    if filters.days <= EXACT_PERCENTILE_DAYS and totals["answered"] <= EXACT_PERCENTILE_ROWS:
        median, p90 = percentiles_hours(requests, (0.5, 0.9))
    else:
        median_bucket, p90_bucket = resolution_percentiles(
            org_ids=org_ids, f=filters, ps=(0.5, 0.9)
        )
    by = _breakdowns(by_dim, org_ids)
    by["neighbourhood"] = _breakdown_of(
        _grouped(
            rollup_sources(org_ids=org_ids, f=filters, neighbourhood=True), ("neighbourhood",)
        ),
        0,
        {},
    )
    return Dashboard(
        filters=filters,
        totals=totals,
        previous=previous,
        sla_compliance=_share(totals["answered_in_sla"], totals["with_due"]),
        previous_sla=_share(previous["answered_in_sla"], previous["with_due"]),
        reopen_rate=_share(totals["reopened"], totals["answered"]),
        median_hours=median,
        p90_hours=p90,
        satisfaction=satisfaction(totals),
        backlog=_backlog(org_ids, filters),
        by=by,
        series=_series(org_ids, filters),
        median_bucket=median_bucket,
        p90_bucket=p90_bucket,
    )


def _breakdowns(
    by_dim: dict[str, dict[Any, dict[str, int]]], org_ids: list[int]
) -> dict[str, list[dict]]:
    dirs = dict(Directorate.objects.filter(organisation_id__in=org_ids).values_list("pk", "name"))
    cats = dict(Category.objects.filter(organisation_id__in=org_ids).values_list("pk", "name"))
    orgs = dict(Organisation.objects.filter(pk__in=org_ids).values_list("pk", "name"))
    by = {
        "kind": _breakdown_from(by_dim["kind"], {k: str(v) for k, v in Kind.choices}),
        "channel": _breakdown_from(by_dim["channel"], {k: str(v) for k, v in Channel.choices}),
        "category": _breakdown_from(by_dim["category_id"], cats),
        "directorate": _breakdown_from(by_dim["directorate_id"], dirs),
    }
    if len(org_ids) > 1:
        by["organisation"] = _breakdown_from(by_dim["organisation_id"], orgs)
    return by


def map_points(*, staff: Staff, filters: KpiFilters, limit: int = 20_000) -> list[list[Any]]:
    """[lat, lon, kind, state] of located requests in the period, newest first."""
    require_reports(staff)
    qs = request_rows(org_ids=_org_ids(staff, filters), f=filters).filter(latitude__isnull=False)
    return [
        [round(lat or 0.0, 5), round(lon or 0.0, 5), kind, state]
        for lat, lon, kind, state in qs.order_by("-created_at").values_list(
            "latitude", "longitude", "kind", "state"
        )[:limit]
    ]


def neighbourhood_counts(*, org_ids: list[int], filters: KpiFilters) -> dict[str, int]:
    groups = _grouped(
        rollup_sources(org_ids=org_ids, f=filters, neighbourhood=True), ("neighbourhood",)
    )
    return {key[0]: c["created"] for key, c in groups.items() if key[0] and c["created"]}


def boundaries_for(*, organisation: Organisation) -> dict | None:
    found = BoundarySet.objects.filter(organisation=organisation).first()
    return found.geojson if found else None


def report_settings(*, organisation: Organisation) -> ReportSettings:
    found = ReportSettings.objects.filter(organisation=organisation).first()
    return found or ReportSettings(organisation=organisation)


def transparency_organisation(*, slug: str) -> Organisation:
    """The organisation whose public page this is; 404 unless it chose to publish."""
    org = Organisation.objects.filter(slug=slug, is_active=True).first()
    if org is None or not report_settings(organisation=org).transparency_public:
        raise Http404
    return org


def transparency_figures(*, organisation: Organisation, filters: KpiFilters) -> dict[str, Any]:
    """Aggregates only: no request text, no names, no coordinates of single requests."""
    by_dim = marginals_for(org_ids=[organisation.pk], f=filters)
    totals = _sum_counts(by_dim["organisation_id"])
    cats = dict(Category.objects.filter(organisation=organisation).values_list("pk", "name"))
    return {
        "totals": totals,
        "sla_compliance": _share(totals["answered_in_sla"], totals["with_due"]),
        "by_category": _breakdown_from(by_dim["category_id"], cats)[:15],
        "by_kind": _breakdown_from(by_dim["kind"], {k: str(v) for k, v in Kind.choices}),
        "neighbourhoods": neighbourhood_counts(org_ids=[organisation.pk], filters=filters),
    }


def export_job_get(*, staff: Staff, pk: int) -> ExportJob:
    """An export of the asker's organisation (any reporting role of it may fetch it)."""
    require_reports(staff)
    job = ExportJob.objects.filter(pk=pk, organisation_id=staff.organisation_id).first()
    if job is None:
        raise Http404
    return job


def achievement_figures(
    *, organisation: Organisation, date_from: date, date_to: date
) -> dict[str, Any]:
    """End-of-term figures: totals, resolved, and the neighbourhoods that improved most.

    Improvement is the rise in SLA compliance from the first year of the term to the
    last; neighbourhoods with fewer than 10 requests with a deadline in either year are
    left out (a handful of requests says nothing).
    """
    f = KpiFilters(date_from=date_from, date_to=date_to)
    qs = rollup_rows(org_ids=[organisation.pk], f=f)
    totals = _totals(qs)
    first = KpiFilters(date_from=date_from, date_to=min(date_to, date_from + timedelta(days=364)))
    last = KpiFilters(date_from=max(date_from, date_to - timedelta(days=364)), date_to=date_to)

    def by_hood(period: KpiFilters) -> dict[str, tuple[int, int]]:
        rows = (
            rollup_rows(org_ids=[organisation.pk], f=period)
            .exclude(neighbourhood="")
            .values("neighbourhood")
            .annotate(sla=Sum("answered_in_sla"), due=Sum("with_due"))
            .order_by()
        )
        return {r["neighbourhood"]: (int(r["sla"]), int(r["due"])) for r in rows}

    before, after = by_hood(first), by_hood(last)
    improvements: list[dict[str, Any]] = []
    for hood, (sla_a, due_a) in after.items():
        sla_b, due_b = before.get(hood, (0, 0))
        if due_a >= 10 and due_b >= 10:
            was, now = 100.0 * sla_b / due_b, 100.0 * sla_a / due_a
            improvements.append(
                {
                    "neighbourhood": hood,
                    "before": round(was, 1),
                    "after": round(now, 1),
                    "change": round(now - was, 1),
                }
            )
    improvements.sort(key=lambda r: -r["change"])
    return {
        "totals": totals,
        "resolved": totals["answered"],
        "sla_compliance": _share(totals["answered_in_sla"], totals["with_due"]),
        "improvements": improvements[:10],
        "by_category": _breakdown(
            qs,
            "category_id",
            dict(Category.objects.filter(organisation=organisation).values_list("pk", "name")),
        )[:10],
    }


def export_requests(*, staff: Staff, params: dict[str, Any]) -> QuerySet[Request]:
    """The inbox's filtered list (read exactly as the inbox reads it) limited to a
    received-between range. Without a state the export holds every state: the
    dashboard's links export all requests received in its period, and the inbox's links
    name the state the inbox shows."""
    form = inbox_forms.InboxFilterForm(params or None, staff=staff)
    filters = inbox_forms.inbox_filters(form, default_state="")
    qs = inbox.request_list(staff=staff, filters=filters)
    for key, lookup in (
        ("created_from", "created_at__date__gte"),
        ("created_to", "created_at__date__lte"),
    ):
        if params.get(key):
            try:
                qs = qs.filter(**{lookup: date.fromisoformat(str(params[key]))})
            except ValueError:
                continue
    return qs

"""The monthly and neighbourhood rollups: exact against independent SQL, whatever mix of
whole months and edge days a range needs, and still exact after an incremental refresh."""

from __future__ import annotations

import math
from datetime import date

import pytest
import time_machine

from kent360.organizations.models import Role
from kent360.reports import rollups, selectors
from kent360.reports.models import (
    DayResolution,
    DayResolutionChannel,
    MonthHoodChannel,
    MonthHoodRollup,
    MonthRollup,
    YearHoodChannel,
    YearHoodRollup,
    YearResolution,
    YearResolutionChannel,
    YearRollup,
)
from kent360.reports.tests.conftest import NOW
from kent360.reports.tests.test_dashboard import board, bounds, hours_expr, sql
from kent360.requests import services as req

RANGES = [
    (date(2026, 3, 1), date(2026, 3, 31)),  # one whole month
    (date(2026, 3, 5), date(2026, 3, 20)),  # edge days only
    (date(2026, 2, 15), date(2026, 4, 15)),  # whole March between edge days
    (date(2025, 12, 10), date(2026, 3, 17)),  # three whole months, edges both sides
    (date(2026, 1, 1), date(2026, 12, 31)),  # one whole year
    (date(2024, 11, 20), date(2027, 2, 3)),  # whole years 2025–2026, months and days around
]


def test_split_range_covers_each_day_once():
    for first, last in [*RANGES, (date(2024, 2, 29), date(2026, 1, 1))]:
        edges, months = selectors.split_range(first, last)
        covered = [d for lo, hi in edges for d in _days(lo, hi)]
        if months:
            covered += _days(months[0], rollups._month_end(months[1]))
        assert sorted(covered) == _days(first, last)
        assert len(covered) == len(set(covered))
    assert selectors.split_range(date(2026, 3, 1), date(2026, 3, 31)) == (
        [],
        (date(2026, 3, 1), date(2026, 3, 1)),
    )


def test_split_years_then_months_covers_each_day_once():
    first, last = date(2024, 11, 20), date(2027, 2, 3)
    parts, years = selectors.split_years(first, last)
    assert years == (date(2025, 1, 1), date(2026, 1, 1))
    assert parts == [(first, date(2024, 12, 31)), (date(2027, 1, 1), last)]
    assert selectors.split_years(date(2026, 1, 2), date(2026, 12, 31)) == (
        [(date(2026, 1, 2), date(2026, 12, 31))],
        None,
    )


def _days(first, last):  # type: ignore[no-untyped-def]
    return [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]


def _expected(world, first, last, dim):  # type: ignore[no-untyped-def]
    start, end = bounds(first, last)
    return {
        k: n
        for k, n in sql(
            f"SELECT {dim}, COUNT(*) FROM requests_request WHERE organisation_id = %s "  # noqa: S608
            f"AND created_at >= %s AND created_at < %s GROUP BY {dim}",
            [world.org.pk, start, end],
        )
    }


@pytest.mark.parametrize("first,last", RANGES)
def test_every_range_matches_sql(world, month, first, last):
    assert MonthRollup.objects.filter(month=date(2026, 3, 1)).exists()
    assert YearRollup.objects.filter(year=date(2026, 1, 1)).exists()
    assert MonthHoodRollup.objects.filter(month=date(2026, 3, 1)).exists()
    assert YearHoodRollup.objects.filter(year=date(2026, 1, 1)).exists()
    f = selectors.KpiFilters(date_from=first, date_to=last)
    b = board(world, f)
    for dim in ("channel", "kind", "neighbourhood", "category_id", "directorate_id"):
        key = dim.removesuffix("_id")
        got = {row["key"]: row["count"] for row in b.by[key]}
        assert got == _expected(world, first, last, dim), dim
    start, end = bounds(first, last)
    in_sla, with_due = sql(
        "SELECT SUM(CASE WHEN first_answered_at <= due_at THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN due_at IS NOT NULL THEN 1 ELSE 0 END) FROM requests_request "
        "WHERE organisation_id = %s AND created_at >= %s AND created_at < %s",
        [world.org.pk, start, end],
    )[0]
    assert b.totals["answered_in_sla"] == (in_sla or 0)
    assert b.totals["with_due"] == (with_due or 0)
    assert sum(s["count"] for s in b.series) == b.totals["created"]


def test_filtered_long_range_matches_sql(world, month):
    f = selectors.KpiFilters(
        date_from=date(2025, 12, 10), date_to=date(2026, 3, 17), channel="phone"
    )
    start, end = bounds(f.date_from, f.date_to)
    expected = sql(
        "SELECT COUNT(*) FROM requests_request WHERE organisation_id = %s AND created_at >= %s "
        "AND created_at < %s AND channel = 'phone'",
        [world.org.pk, start, end],
    )[0][0]
    assert board(world, f).totals["created"] == expected > 0


def _exact_hours(world, first, last):  # type: ignore[no-untyped-def]
    start, end = bounds(first, last)
    return sorted(
        float(h)
        for (h,) in sql(
            f"SELECT {hours_expr()} FROM requests_request WHERE organisation_id = %s "  # noqa: S608
            "AND created_at >= %s AND created_at < %s AND first_answered_at IS NOT NULL",
            [world.org.pk, start, end],
        )
    )


def _assert_buckets_hold_percentiles(world, first, last):  # type: ignore[no-untyped-def]
    f = selectors.KpiFilters(date_from=first, date_to=last)
    b = board(world, f)
    assert b.median_hours is None and b.median_bucket is not None
    hours = _exact_hours(world, first, last)
    for p, (low, high) in ((0.5, b.median_bucket), (0.9, b.p90_bucket)):
        exact = hours[math.ceil(p * len(hours)) - 1]
        assert low < exact and (high is None or exact <= high), (p, exact, low, high)


def test_long_range_percentiles_are_exact_to_the_bucket(world, month):
    # > 92 days: whole years, whole months and edge days from the resolution tables
    assert YearResolution.objects.filter(year=date(2026, 1, 1)).exists()
    assert DayResolution.objects.filter(day__month=3, answered__gt=0).exists()
    _assert_buckets_hold_percentiles(world, date(2025, 12, 1), date(2026, 3, 31))
    _assert_buckets_hold_percentiles(world, date(2025, 12, 10), date(2026, 3, 17))
    _assert_buckets_hold_percentiles(world, date(2024, 11, 20), date(2027, 2, 3))


def _snapshot():  # type: ignore[no-untyped-def]
    out = {}
    for model in rollups.ROLLUP_MODELS:
        fields = [f.attname for f in model._meta.concrete_fields if f.name != "id"]
        out[model.__name__] = sorted(
            model.objects.values_list(*fields), key=lambda row: tuple(map(str, row))
        )
    return out


def test_incremental_refresh_equals_a_full_rebuild(world, month):
    mgr = world.staff[Role.PR_MANAGER]
    with time_machine.travel(NOW, tick=False):
        req.request_assign(request=month[2], actor=mgr)
        req.request_answer(request=month[2], actor=mgr, answer="Tamam.")
        moved = month[6]
        target = world.fen if moved.directorate_id != world.fen.pk else world.temizlik
        req.request_transfer(request=moved, actor=mgr, directorate=target, reason="Yanlış birim.")
        assert rollups.rollup_refresh() == 2
    refreshed = _snapshot()
    rollups.rollup_rebuild(organisation=world.org)
    assert _snapshot() == refreshed
    _assert_buckets_hold_percentiles(world, date(2025, 12, 1), date(2026, 3, 31))
    march = MonthRollup.objects.filter(organisation=world.org, month=date(2026, 3, 1))
    assert sum(march.values_list("answered", flat=True)) == 13


def test_backlog_over_old_months_matches_sql(world, month):
    # at the end of July every open March request is 91+ days old: read from MonthRollup
    f = selectors.KpiFilters(date_from=date(2026, 7, 1), date_to=date(2026, 7, 31))
    open_now = sql(
        "SELECT COUNT(*) FROM requests_request WHERE organisation_id = %s AND state IN "
        "('received','triaged','assigned','in_progress','waiting','reopened','transferred')",
        [world.org.pk],
    )[0][0]
    got = {(b["low"], b["high"]): b["count"] for b in board(world, f).backlog}
    assert got[(91, None)] == open_now == 14
    assert sum(got.values()) == open_now
    # mid-June: requests of 2–17 March are 91+ days old, the rest 31–90 (edge days of March)
    f = selectors.KpiFilters(date_from=date(2026, 6, 1), date_to=date(2026, 6, 16))
    got = {(b["low"], b["high"]): b["count"] for b in board(world, f).backlog}
    assert sum(got.values()) == 14 and got[(91, None)] > 0 and got[(31, 90)] > 0


@pytest.mark.parametrize(
    "first,last,category",
    [
        (date(2026, 2, 1), date(2026, 4, 30), False),  # whole months: MonthHoodChannel
        (date(2024, 11, 20), date(2027, 2, 3), False),  # whole years: YearHoodChannel
        (date(2026, 2, 1), date(2026, 4, 30), True),  # channel + category: daily rows
    ],
)
def test_neighbourhood_breakdown_with_a_channel_matches_sql(world, month, first, last, category):
    assert MonthHoodChannel.objects.filter(month=date(2026, 3, 1), channel="web").exists()
    assert YearHoodChannel.objects.filter(year=date(2026, 1, 1), channel="web").exists()
    cat = world.cat_cop.pk if category else None
    f = selectors.KpiFilters(date_from=first, date_to=last, channel="web", category=cat)
    start, end = bounds(first, last)
    expected = dict(
        sql(
            "SELECT neighbourhood, COUNT(*) FROM requests_request WHERE organisation_id = %s "
            "AND created_at >= %s AND created_at < %s AND channel = 'web' "
            "AND (category_id = %s OR %s = 0) GROUP BY neighbourhood",
            [world.org.pk, start, end, cat or 0, cat or 0],
        )
    )
    got = {row["key"]: row["count"] for row in board(world, f).by["neighbourhood"]}
    assert got == expected and sum(got.values()) == 6  # every web request is a cop one


def test_percentiles_with_a_category_read_the_full_resolution_tables(world, month):
    # without directorate or category the narrow by-channel tables answer; with one, the
    # full (directorate, category, channel) tables must give the same exactness
    first, last = date(2024, 11, 20), date(2027, 2, 3)
    assert DayResolutionChannel.objects.filter(day__month=3).exists()
    assert YearResolutionChannel.objects.filter(year=date(2026, 1, 1)).exists()
    f = selectors.KpiFilters(date_from=first, date_to=last, category=world.cat_asfalt.pk)
    b = board(world, f)
    start, end = bounds(first, last)
    hours = sorted(
        float(h)
        for (h,) in sql(
            f"SELECT {hours_expr()} FROM requests_request WHERE organisation_id = %s "  # noqa: S608
            "AND created_at >= %s AND created_at < %s AND first_answered_at IS NOT NULL "
            "AND category_id = %s",
            [world.org.pk, start, end, world.cat_asfalt.pk],
        )
    )
    assert hours
    for p, (low, high) in ((0.5, b.median_bucket), (0.9, b.p90_bucket)):
        exact = hours[math.ceil(p * len(hours)) - 1]
        assert low < exact and (high is None or exact <= high), (p, exact, low, high)


@pytest.mark.parametrize("first,last", [RANGES[3], RANGES[5]])
@pytest.mark.parametrize("choose", ["channel", "category", "directorate"])
def test_filtered_breakdowns_match_sql(world, month, first, last, choose):
    # a filter leaves the Margin tables for the full (directorate, category, channel,
    # kind) rows; every breakdown must still equal SQL over the requests
    value = {"channel": "web", "category": world.cat_cop.pk, "directorate": world.fen.pk}[choose]
    column = {"channel": "channel", "category": "category_id", "directorate": "directorate_id"}
    f = selectors.KpiFilters(date_from=first, date_to=last, **{choose: value})
    b = board(world, f)
    start, end = bounds(first, last)
    for dim in ("channel", "kind", "category_id", "directorate_id", "neighbourhood"):
        expected = dict(
            sql(
                f"SELECT {dim}, COUNT(*) FROM requests_request WHERE organisation_id = %s "  # noqa: S608
                f"AND created_at >= %s AND created_at < %s AND {column[choose]} = %s "
                f"GROUP BY {dim}",
                [world.org.pk, start, end, value],
            )
        )
        got = {row["key"]: row["count"] for row in b.by[dim.removesuffix("_id")]}
        assert got == expected, (choose, dim)
    assert b.totals["created"] == sum(expected.values()) > 0
    assert sum(point["count"] for point in b.series) == b.totals["created"]
    open_now = sql(
        f"SELECT COUNT(*) FROM requests_request WHERE organisation_id = %s "  # noqa: S608
        f"AND {column[choose]} = %s AND created_at < %s AND state IN ('received','triaged',"
        "'assigned','in_progress','waiting','reopened','transferred')",
        [world.org.pk, value, end],
    )[0][0]
    assert sum(bucket["count"] for bucket in b.backlog) == open_now


def test_many_answers_switch_exact_percentiles_to_buckets(world, month, monkeypatch):
    first, last = date(2026, 3, 1), date(2026, 3, 31)
    assert board(world, selectors.KpiFilters(date_from=first, date_to=last)).median_hours
    monkeypatch.setattr(selectors, "EXACT_PERCENTILE_ROWS", 5)
    b = board(world, selectors.KpiFilters(date_from=first, date_to=last))
    assert b.median_hours is None and b.median_bucket is not None
    _assert_buckets_hold_percentiles(world, first, last)

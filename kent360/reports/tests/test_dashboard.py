"""The dashboard's figures against SQL written independently of the rollups."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from kent360.organizations.models import Role
from kent360.reports import rollups, selectors
from kent360.reports.models import DailyRollup
from kent360.reports.tests.conftest import NOW, TZ
from kent360.requests import services as req

MARCH = selectors.KpiFilters(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))


def bounds(first: date, last: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(first, time.min, tzinfo=TZ),
        datetime.combine(last + timedelta(days=1), time.min, tzinfo=TZ),
    )


def sql(query: str, params: list) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def hours_expr() -> str:
    if connection.vendor == "postgresql":
        return "EXTRACT(EPOCH FROM (first_answered_at - created_at)) / 3600.0"
    return "(julianday(first_answered_at) - julianday(created_at)) * 24.0"


def board(world, f=MARCH):
    with time_machine.travel(NOW, tick=False):
        return selectors.kpi_dashboard(staff=world.staff[Role.PR_MANAGER], filters=f)


def test_volume_by_channel_and_kind_match_sql(world, month):
    start, end = bounds(MARCH.date_from, MARCH.date_to)
    for dim in ("channel", "kind"):
        expected = dict(
            sql(
                f"SELECT {dim}, COUNT(*) FROM requests_request WHERE organisation_id = %s "  # noqa: S608
                f"AND created_at >= %s AND created_at < %s GROUP BY {dim}",
                [world.org.pk, start, end],
            )
        )
        got = {row["key"]: row["count"] for row in board(world).by[dim]}
        assert got == expected and sum(got.values()) == 24


def test_sla_reopen_and_percentiles_match_sql(world, month):
    start, end = bounds(MARCH.date_from, MARCH.date_to)
    in_sla, with_due, answered = sql(
        "SELECT SUM(CASE WHEN first_answered_at <= due_at THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN due_at IS NOT NULL THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN first_answered_at IS NOT NULL THEN 1 ELSE 0 END) "
        "FROM requests_request WHERE organisation_id = %s AND created_at >= %s AND created_at < %s",
        [world.org.pk, start, end],
    )[0]
    reopened = sql(
        "SELECT COUNT(DISTINCT e.request_id) FROM requests_requestevent e "
        "JOIN requests_request r ON r.id = e.request_id WHERE r.organisation_id = %s "
        "AND r.created_at >= %s AND r.created_at < %s AND e.to_state = 'reopened'",
        [world.org.pk, start, end],
    )[0][0]
    hours = sorted(
        float(h)
        for (h,) in sql(
            f"SELECT {hours_expr()} FROM requests_request WHERE organisation_id = %s "  # noqa: S608
            "AND created_at >= %s AND created_at < %s AND first_answered_at IS NOT NULL",
            [world.org.pk, start, end],
        )
    )
    b = board(world)
    assert (in_sla, with_due, answered, reopened) == (5, 24, 12, 2)
    assert b.sla_compliance == round(100 * in_sla / with_due, 1) == 20.8
    assert b.reopen_rate == round(100 * reopened / answered, 1)
    assert b.median_hours == round(hours[math.ceil(0.5 * len(hours)) - 1], 1)
    assert b.p90_hours == round(hours[math.ceil(0.9 * len(hours)) - 1], 1)
    assert b.satisfaction is None  # no survey answered yet


def test_filters_and_backlog_match_sql(world, month):
    f = selectors.KpiFilters(
        date_from=date(2026, 3, 1),
        date_to=date(2026, 3, 31),
        channel="phone",
        category=world.cat_asfalt.pk,
    )
    start, end = bounds(f.date_from, f.date_to)
    expected = sql(
        "SELECT COUNT(*) FROM requests_request WHERE organisation_id = %s AND created_at >= %s "
        "AND created_at < %s AND channel = 'phone' AND category_id = %s",
        [world.org.pk, start, end, world.cat_asfalt.pk],
    )[0][0]
    assert board(world, f).totals["created"] == expected > 0
    open_rows = sql(
        "SELECT created_at FROM requests_request WHERE organisation_id = %s AND state IN "
        "('received','triaged','assigned','in_progress','waiting','reopened','transferred')",
        [world.org.pk],
    )
    ages = []
    for (at,) in open_rows:
        at = at if isinstance(at, datetime) else datetime.fromisoformat(at)
        if at.tzinfo is None:  # SQLite hands back naive UTC
            at = at.replace(tzinfo=UTC)
        ages.append((MARCH.date_to - at.astimezone(TZ).date()).days)
    got = {(b["low"], b["high"]): b["count"] for b in board(world).backlog}
    for (low, high), n in got.items():
        assert n == sum(1 for a in ages if a >= low and (high is None or a <= high))
    assert sum(got.values()) == len(open_rows) == 14


def test_trend_compares_with_the_previous_period(world, month):
    f = selectors.KpiFilters(date_from=date(2026, 3, 14), date_to=date(2026, 3, 25))
    b = board(world, f)
    assert b.totals["created"] == 12 and b.previous["created"] == 12
    assert b.change == 0.0


def test_refresh_redoes_only_days_touched_and_stays_exact(world, month):
    r = month[2]  # never answered
    before = DailyRollup.objects.count()
    with time_machine.travel(NOW, tick=False):
        req.request_assign(request=r, actor=world.staff[Role.PR_MANAGER])
        req.request_answer(request=r, actor=world.staff[Role.PR_MANAGER], answer="Tamam.")
        assert rollups.rollup_refresh() == 1
        assert rollups.rollup_refresh() == 0  # nothing new since the watermark
    assert DailyRollup.objects.count() == before
    assert board(world).totals["answered"] == 13


def test_directorate_manager_starts_on_own_directorate(world):
    f = selectors.default_filters(staff=world.staff[Role.DIRECTORATE_MANAGER])
    assert f.directorate == world.fen.pk
    assert selectors.default_filters(staff=world.staff[Role.PR_MANAGER]).directorate is None


@pytest.mark.parametrize("role", [Role.DIRECTORATE_STAFF, Role.AGENT, Role.PRESS_OFFICER])
def test_other_roles_cannot_read_the_dashboard(world, role):
    from kent360.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        selectors.kpi_dashboard(staff=world.staff[role], filters=MARCH)


def test_metropolitan_sees_its_members_aggregate(world, month):
    from kent360.organizations import services as org_services

    metro = org_services.organisation_create(name="İzmir BB", slug="izmir", code_prefix="IZM")
    world.org.parent = metro
    world.org.save()
    admin = org_services.staff_create(
        organisation=metro, username="izmir-pr", password="x-Y-z-123456", role=Role.PR_MANAGER
    )
    with time_machine.travel(NOW, tick=False):
        b = selectors.kpi_dashboard(staff=admin, filters=MARCH)
        district = selectors.kpi_dashboard(staff=world.staff[Role.PR_MANAGER], filters=MARCH)
        other = selectors.kpi_dashboard(staff=world.other_staff[Role.PR_MANAGER], filters=MARCH)
    assert b.totals["created"] == 24 and {r["key"] for r in b.by["organisation"]} == {world.org.pk}
    assert "organisation" not in district.by
    assert other.totals["created"] == 0


def _rate(requests, ratings) -> None:
    """Answer a satisfaction survey for each request, at the time it was answered."""
    from kent360.notifications import services as notes
    from kent360.notifications.models import SurveyInvitation

    for r, rating in zip(requests, ratings, strict=True):
        r.refresh_from_db()
        with time_machine.travel(r.first_answered_at or r.created_at, tick=False):
            notes.survey_invite(request=r, event=None)
            invitation = SurveyInvitation.objects.filter(request=r, rating__isnull=True).last()
            notes.survey_answer(invitation=invitation, rating=rating, comment="Teşekkürler, iyi")


def test_satisfaction_is_the_mean_rating_of_the_periods_requests(world, month):
    # two surveys for the first request (answered, reopened, answered again is possible)
    _rate([month[0], month[0], month[1], month[4], month[9], month[13]], [5, 3, 4, 2, 5, 1])
    with time_machine.travel(NOW, tick=False):
        rollups.rollup_refresh()
    start, end = bounds(MARCH.date_from, MARCH.date_to)

    def expected(extra: str = "", params: tuple = ()) -> float | None:
        (avg,) = sql(
            "SELECT AVG(1.0 * s.rating) FROM notifications_surveyinvitation s "  # noqa: S608
            "JOIN requests_request r ON r.id = s.request_id WHERE r.organisation_id = %s "
            "AND r.created_at >= %s AND r.created_at < %s AND s.rating IS NOT NULL" + extra,
            [world.org.pk, start, end, *params],
        )[0]
        return None if avg is None else round(float(avg), 2)

    assert board(world).satisfaction == expected() == round(20 / 6, 2)
    for f, extra, params in (
        (
            selectors.KpiFilters(
                date_from=MARCH.date_from, date_to=MARCH.date_to, category=world.cat_asfalt.pk
            ),
            " AND r.category_id = %s",
            (world.cat_asfalt.pk,),
        ),
        (
            selectors.KpiFilters(date_from=MARCH.date_from, date_to=MARCH.date_to, channel="desk"),
            " AND r.channel = %s",
            ("desk",),
        ),
    ):
        assert board(world, f).satisfaction == expected(extra, params)
    # a month without ratings shows none, and a rebuild gives the same figure as the sweep
    april = selectors.KpiFilters(date_from=date(2026, 4, 1), date_to=date(2026, 4, 30))
    assert board(world, april).satisfaction is None
    with time_machine.travel(NOW, tick=False):
        rollups.rollup_rebuild(organisation=world.org)
    assert board(world).satisfaction == expected()
    other = board(world).totals
    assert (other["rated"], other["rating_sum"]) == (6, 20)


def test_ratings_land_on_the_rollup_row_of_their_request(world, month):
    """Every DailyRollup row's ratings are those of the requests it counts, including a
    request still in triage (no directorate, no category: NULL dimensions)."""
    from kent360.requests.models import Request

    Request.objects.filter(pk=month[13].pk).update(directorate=None, category=None)
    _rate([month[0], month[0], month[7], month[13]], [5, 3, 4, 1])
    with time_machine.travel(NOW, tick=False):
        rollups.rollup_rebuild(organisation=world.org)
    got = {
        (str(r.day), r.directorate_id, r.category_id, r.channel, r.kind, r.neighbourhood): (
            r.rated,
            r.rating_sum,
        )
        for r in DailyRollup.objects.filter(organisation=world.org, rated__gt=0)
    }
    tz = world.org.time_zone
    want = {}
    for r in Request.objects.filter(
        organisation=world.org, survey_invitations__rating__isnull=False
    ).distinct():
        ratings = list(
            r.survey_invitations.filter(rating__isnull=False).values_list("rating", flat=True)
        )
        day = str(r.created_at.astimezone(ZoneInfo(tz)).date())
        key = (day, r.directorate_id, r.category_id, r.channel, r.kind, r.neighbourhood)
        want[key] = (len(ratings), sum(ratings))
    assert got == want
    assert any(k[1] is None and k[2] is None for k in got)
    assert sum(n for n, _s in got.values()) == 4


def test_upgrading_recounts_the_days_of_requests_rated_before_the_upgrade(world, month):
    """Rollups built before ratings were counted: the migration moves the watermark back
    to the first event of a rated request, and the next sweep counts the ratings."""
    import importlib

    from django.apps import apps

    from kent360.reports.models import RollupWatermark

    migration = importlib.import_module(
        "kent360.reports.migrations.0008_satisfaction_in_rollups_export_language"
    )
    _rate([month[4], month[8]], [4, 2])
    with time_machine.travel(NOW, tick=False):
        rollups.rollup_refresh()
    # as an old installation would be: ratings not in the rollups, watermark at the end
    for model in rollups.ROLLUP_MODELS:
        if any(f.name == "rated" for f in model._meta.get_fields()):
            model.objects.update(rated=0, rating_sum=0)
    assert board(world).satisfaction is None
    mark = RollupWatermark.objects.get()
    migration.redo_days_with_ratings(apps, None)
    first = min(month[4].events.values_list("id", flat=True))
    assert RollupWatermark.objects.get().last_event_id == first - 1 < mark.last_event_id
    with time_machine.travel(NOW, tick=False):
        rollups.rollup_refresh()
    assert board(world).satisfaction == 3.0

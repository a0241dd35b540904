"""The SLA escalation ladder under a frozen clock (with a public holiday), the pause while
waiting for the citizen, the at-risk view, and exactly-once under concurrent sweeps."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from kent360.notifications.models import Notification
from kent360.organizations.models import Category, Role
from kent360.requests import selectors as req_selectors
from kent360.requests import services as req_services
from kent360.routing.escalation import escalation_sweep
from kent360.routing.models import Escalation
from kent360.routing.services import holidays_load

IST = ZoneInfo("Europe/Istanbul")


def _emails(world):
    for _key, staff in {**world.staff}.items():
        staff.user.email = f"{staff.user.username}@bornova.bel.tr"
        staff.user.save()


@pytest.fixture
def business_asfalt(world):
    holidays_load(country="TR")
    world.cat_asfalt.sla_hours = 8
    world.cat_asfalt.sla_mode = Category.SlaMode.BUSINESS
    world.cat_asfalt.save()
    _emails(world)
    return world.cat_asfalt


def test_escalation_ladder_over_a_holiday(
    world, make_request, business_asfalt, smtp_server, django_capture_on_commit_callbacks
):
    worker = world.staff[Role.DIRECTORATE_STAFF]
    # Friday 16 May 2025, 15:30. Monday 19 May is a public holiday.
    with time_machine.travel(datetime(2025, 5, 16, 15, 30, tzinfo=IST), tick=False):
        r = make_request(contact_email="", contact_phone="")
        req_services.request_assign(request=r, actor=world.staff[Role.PR_MANAGER], assignee=worker)
    r.refresh_from_db()
    # 2 h on Friday, weekend, holiday, then 6 h on Tuesday: due Tuesday 14:30.
    assert r.due_at == datetime(2025, 5, 20, 14, 30, tzinfo=IST)

    def sweep_at(moment):
        with (
            time_machine.travel(moment, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return escalation_sweep()

    assert sweep_at(datetime(2025, 5, 19, 16, 0, tzinfo=IST)) == 0  # holiday: 25 % used
    assert sweep_at(datetime(2025, 5, 20, 12, 29, tzinfo=IST)) == 0
    assert sweep_at(datetime(2025, 5, 20, 12, 31, tzinfo=IST)) == 1  # 75 %
    assert sweep_at(datetime(2025, 5, 20, 12, 45, tzinfo=IST)) == 0  # never twice
    assert sweep_at(datetime(2025, 5, 20, 14, 31, tzinfo=IST)) == 1  # 100 %
    assert sweep_at(datetime(2025, 5, 21, 9, 29, tzinfo=IST)) == 0
    assert sweep_at(datetime(2025, 5, 21, 9, 31, tzinfo=IST)) == 1  # 150 %: 17:30 + 1 h
    assert sweep_at(datetime(2025, 5, 22, 9, 0, tzinfo=IST)) == 0

    levels = list(Escalation.objects.filter(request=r).values_list("level", "recipients"))
    assert levels == [
        ("reminder", [worker.pk]),
        ("manager", [world.staff[Role.DIRECTORATE_MANAGER].pk]),
        ("pr_manager", [world.staff[Role.PR_MANAGER].pk]),
    ]
    assert r.events.filter(type="escalation").count() == 3
    sent = Notification.objects.filter(request=r, kind="escalation").order_by("id")
    assert [n.recipient for n in sent] == [
        "bornova-fen@bornova.bel.tr",
        "bornova-fen-mudur@bornova.bel.tr",
        "bornova-pr@bornova.bel.tr",
    ]
    assert all(n.status == "sent" for n in sent)
    assert [m["To"] for m in smtp_server.messages] == [n.recipient for n in sent]
    assert r.tracking_code in smtp_server.messages[0]["Subject"]
    assert f"/requests/{r.tracking_code}/" in smtp_server.bodies()[0]


def test_waiting_for_the_citizen_pauses_the_clock(world, make_request):
    worker = world.staff[Role.DIRECTORATE_STAFF]
    start = datetime(2025, 6, 2, 9, 0, tzinfo=IST)
    with time_machine.travel(start, tick=False):
        r = make_request(category=world.cat_cop)  # 24 calendar hours
        req_services.request_assign(
            request=r, actor=world.staff[Role.PR_MANAGER], assignee=world.staff["temizlik_staff"]
        )
    r.refresh_from_db()
    assert r.due_at == start + timedelta(hours=24)
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        req_services.request_wait(request=r, actor=world.staff["temizlik_staff"], question="Adres?")
    with time_machine.travel(start + timedelta(hours=40), tick=False):
        assert escalation_sweep() == 0  # waiting: no escalation even past the deadline
    with time_machine.travel(start + timedelta(hours=42), tick=False):
        req_services.request_start(request=r, actor=world.staff["temizlik_staff"])
    r.refresh_from_db()
    assert r.sla_paused_seconds == 40 * 3600 and r.sla_paused_at is None
    assert r.due_at == start + timedelta(hours=64)
    assert worker.organisation == r.organisation


def test_at_risk_and_overdue_views(world, make_request, client):
    from kent360.testing import login

    start = datetime(2025, 6, 2, 9, 0, tzinfo=IST)
    with time_machine.travel(start, tick=False):
        risky = make_request(category=world.cat_cop)
        late = make_request(category=world.cat_cop, subject="Geç kalan")
        fine = make_request(category=world.cat_asfalt)
    late.due_at = start + timedelta(hours=1)
    late.save()
    with time_machine.travel(start + timedelta(hours=19), tick=False):
        escalation_sweep()
        pr = world.staff[Role.PR_MANAGER]
        at_risk = req_selectors.request_list(
            staff=pr, filters=req_selectors.InboxFilters(at_risk=True)
        )
        assert list(at_risk) == [risky]
        overdue = req_selectors.request_list(
            staff=pr, filters=req_selectors.InboxFilters(overdue=True)
        )
        assert list(overdue) == [late]
        counts = req_selectors.request_counts(staff=pr)
        assert counts["at_risk"] == 1 and counts["overdue"] == 1
        login(client, pr)
        page = client.get("/requests/?at_risk=on").content.decode()
        assert risky.tracking_code in page and fine.tracking_code not in page


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_notify_exactly_once(world, make_request, business_asfalt):
    start = datetime(2025, 6, 2, 9, 0, tzinfo=IST)  # Monday
    with time_machine.travel(start, tick=False):
        requests = [make_request(notify=False) for _ in range(6)]
    later = datetime(2025, 6, 5, 9, 0, tzinfo=IST)  # far past 150 % of 8 working hours
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(escalation_sweep(now=later))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(results) == 6 * 3
    assert Escalation.objects.count() == 6 * 3
    for r in requests:
        assert r.events.filter(type="escalation").count() == 3
    keys = list(Notification.objects.filter(kind="escalation").values_list("key", flat=True))
    assert len(keys) == len(set(keys)) == 6 * 3
    # a third sweep afterwards adds nothing
    assert escalation_sweep(now=later) == 0

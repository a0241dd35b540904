from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kent360.core.errors import DomainError
from kent360.organizations.models import Role
from kent360.press import services
from kent360.press.tests.helpers import published_release
from kent360.testing import login

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Europe/Istanbul")


def _unfold(text: str) -> str:
    return text.replace("\r\n ", "")


def test_public_event_is_in_the_ical_feed_and_private_one_is_not(world, client):
    officer = world.staff[Role.PRESS_OFFICER]
    release = published_release(world)
    start = datetime(2026, 12, 3, 10, 30, tzinfo=IST)
    event = services.event_create(
        organisation=world.org,
        actor=officer,
        title="Basın toplantısı; park, bahçe ve yeşil alanlar üzerine uzun bir başlık örneği",
        kind="press_conference",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        location="Bornova Belediyesi, Meclis Salonu",
        description="Satır 1\nSatır 2",
        releases=[release],
    )
    services.event_create(
        organisation=world.org,
        actor=officer,
        title="İç toplantı",
        kind="other",
        starts_at=start,
        is_public=False,
    )
    response = client.get("/newsroom/bornova/events.ics")
    assert response["Content-Type"].startswith("text/calendar")
    raw = response.content.decode()
    assert raw.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and raw.endswith(
        "END:VCALENDAR\r\n"
    )
    assert all(len(line.encode()) <= 75 for line in raw.split("\r\n"))
    text = _unfold(raw)
    assert f"UID:{event.uid}@kent360" in text
    assert "DTSTART:20261203T073000Z" in text and "DTEND:20261203T083000Z" in text
    assert (
        "SUMMARY:Basın toplantısı\\; park\\, bahçe ve yeşil alanlar üzerine uzun bir başlık örneği"
        in text
    )
    assert "LOCATION:Bornova Belediyesi\\, Meclis Salonu" in text
    assert "DESCRIPTION:Satır 1\\nSatır 2" in text
    assert "İç toplantı" not in text and text.count("BEGIN:VEVENT") == 1
    assert "BEGIN:VEVENT" not in client.get("/newsroom/karsiyaka/events.ics").content.decode()
    # the staff export has both
    login(client, officer)
    assert client.get("/press/calendar/export.ics").content.decode().count("BEGIN:VEVENT") == 2


def test_calendar_month_week_and_list_views(world, client):
    officer = world.staff[Role.PRESS_OFFICER]
    login(client, officer)
    response = client.post(
        "/press/calendar/new/",
        {
            "title": "Kütüphane açılışı",
            "kind": "opening",
            "starts_at": "2026-12-10T14:00",
            "location": "Evka 3",
            "is_public": "on",
        },
    )
    assert response.status_code == 302
    for view in ("month", "week", "list"):
        page = client.get(f"/press/calendar/?view={view}&date=2026-12-10").content.decode()
        assert "Kütüphane açılışı" in page, view
    assert (
        "Kütüphane açılışı"
        not in client.get("/press/calendar/?view=month&date=2027-02-10").content.decode()
    )
    login(client, world.other_staff[Role.PRESS_OFFICER])
    assert (
        "Kütüphane açılışı"
        not in client.get("/press/calendar/?view=list&date=2026-12-01").content.decode()
    )


def test_event_rules(world):
    officer = world.staff[Role.PRESS_OFFICER]
    start = datetime(2026, 12, 3, 10, 30, tzinfo=IST)
    with pytest.raises(DomainError):
        services.event_create(
            organisation=world.org,
            actor=officer,
            title="x",
            kind="other",
            starts_at=start,
            ends_at=start - timedelta(hours=1),
        )
    with pytest.raises(DomainError):
        services.event_create(
            organisation=world.org,
            actor=officer,
            title="x",
            kind="other",
            starts_at=start,
            owner=world.other_staff[Role.PRESS_OFFICER],
        )

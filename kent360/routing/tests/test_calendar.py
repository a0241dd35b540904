"""Working-time arithmetic with weekends, Turkish and Iranian public holidays and half days."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from kent360.organizations import services as org_services
from kent360.routing.calendar import calendar_for
from kent360.routing.models import BusinessCalendar, Holiday
from kent360.routing.services import holidays_load

IST = ZoneInfo("Europe/Istanbul")
TEH = ZoneInfo("Asia/Tehran")


def test_shipped_holidays_load_once(db):
    first = holidays_load(country="TR")
    assert first == Holiday.objects.filter(country="TR").count() >= 45
    assert holidays_load(country="TR") == 0
    assert Holiday.objects.get(country="TR", date=date(2026, 10, 29)).name == "Cumhuriyet Bayramı"
    assert Holiday.objects.get(country="TR", date=date(2025, 10, 28)).half_day
    assert Holiday.objects.filter(country="TR", date=date(2027, 3, 9), kind="religious").exists()
    holidays_load(country="IR")
    nowruz = Holiday.objects.filter(country="IR", date=date(2026, 3, 21)).get()
    assert nowruz.name == "نوروز"


def test_business_hours_skip_half_day_holiday_and_weekend(world):
    holidays_load(country="TR")
    cal = calendar_for(world.org)
    start = datetime(2025, 10, 27, 16, 30, tzinfo=IST)  # Monday
    # Mon 16:30–17:30 (1 h) + Tue 28th (eve, half day) 08:30–13:00 (4.5 h), Wed 29th holiday,
    # Thu 30th 08:30 + 2.5 h.
    assert cal.add(start, 8 * 3600) == datetime(2025, 10, 30, 11, 0, tzinfo=IST)
    assert cal.between(start, datetime(2025, 10, 30, 11, 0, tzinfo=IST)) == 8 * 3600
    friday = datetime(2025, 10, 31, 17, 0, tzinfo=IST)
    assert cal.add(friday, 3600) == datetime(2025, 11, 3, 9, 0, tzinfo=IST)
    assert cal.between(datetime(2025, 11, 3, 9, 0, tzinfo=IST), friday) == -3600


def test_iranian_week_and_nowruz(db):
    holidays_load(country="IR")
    org = org_services.organisation_create(name="Tehran 6", slug="t6", code_prefix="THR")
    org.time_zone, org.country = "Asia/Tehran", "IR"
    org.save()
    cal = calendar_for(org)
    assert cal.weekdays == frozenset({5, 6, 0, 1, 2})  # Saturday to Wednesday
    # Wednesday 18 March 2026 16:00, 2 working hours: Thursday/Friday off, Nowruz from
    # 21 March (Saturday) to 24 March, so work resumes on Wednesday 25 March.
    BusinessCalendar.objects.create(organisation=org, country="IR", work_days="5,6,0,1,2")
    cal = calendar_for(org)
    start = datetime(2026, 3, 18, 16, 30, tzinfo=TEH)
    result = cal.add(start, 2 * 3600)
    assert result.astimezone(TEH).date() > date(2026, 3, 24)
    assert result.astimezone(TEH).weekday() in cal.weekdays
    assert cal.between(start, result) == 2 * 3600


def test_organisation_local_holiday_counts(world):
    Holiday.objects.create(
        country="TR", organisation=world.org, date=date(2026, 9, 9), name="İzmir'in kurtuluşu"
    )
    cal = calendar_for(world.org)
    start = datetime(2026, 9, 8, 17, 0, tzinfo=IST)  # Tuesday
    assert cal.add(start, 3600) == datetime(2026, 9, 10, 9, 0, tzinfo=IST)
    other = calendar_for(world.other_org)
    assert other.add(start, 3600) == datetime(2026, 9, 9, 9, 0, tzinfo=IST)
    assert (other.add(start, 3600) - start) < timedelta(days=1)

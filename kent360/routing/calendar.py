"""Working time: how many working seconds lie between two moments, and which moment is
N working hours after another, for one organisation.

Rule: time counts only on working days (the organisation's weekdays that are not public
holidays of its country or its own local holidays) between the start and end of the
working day, in the organisation's time zone. A half-day holiday (an arife, an eve) ends
the working day at 13:00.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from kent360.organizations.models import Organisation
from kent360.routing.models import BusinessCalendar, Holiday

HALF_DAY_END = time(13, 0)
MAX_DAYS = 3 * 366  # a deadline further away than this is a configuration error
DATA_DIR = Path(__file__).resolve().parent / "data" / "holidays"
# Iranian public offices work Saturday to Wednesday.
DEFAULT_WORK_DAYS = {"IR": "5,6,0,1,2"}


@dataclass(frozen=True)
class WorkCalendar:
    tz: ZoneInfo
    start: time
    end: time
    weekdays: frozenset[int]
    holidays: dict[date, bool]  # date → is a half day

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The working hours of ``day`` as aware datetimes, or None on a day off."""
        if day.weekday() not in self.weekdays:
            return None
        end = self.end
        if day in self.holidays:
            if not self.holidays[day]:
                return None
            end = min(end, HALF_DAY_END)
        if end <= self.start:
            return None
        return (
            datetime.combine(day, self.start, tzinfo=self.tz),
            datetime.combine(day, end, tzinfo=self.tz),
        )

    def add(self, start: datetime, seconds: float) -> datetime:
        """The moment when ``seconds`` of working time have passed after ``start``."""
        local = start.astimezone(self.tz)
        day = local.date()
        remaining = seconds
        for _ in range(MAX_DAYS):
            win = self.window(day)
            if win is not None:
                begin = max(win[0], local)
                if begin < win[1]:
                    available = (win[1] - begin).total_seconds()
                    if remaining <= available:
                        return (begin + timedelta(seconds=remaining)).astimezone(start.tzinfo)
                    remaining -= available
            day += timedelta(days=1)
        raise ValueError("no working time within three years: check the business calendar")

    def between(self, a: datetime, b: datetime) -> float:
        """Working seconds from ``a`` to ``b`` (negative when ``b`` is before ``a``)."""
        if b < a:
            return -self.between(b, a)
        la, lb = a.astimezone(self.tz), b.astimezone(self.tz)
        total = 0.0
        day = la.date()
        for _ in range(MAX_DAYS):
            if day > lb.date():
                break
            win = self.window(day)
            if win is not None:
                begin, end = max(win[0], la), min(win[1], lb)
                if end > begin:
                    total += (end - begin).total_seconds()
            day += timedelta(days=1)
        return total


def calendar_for(organisation: Organisation) -> WorkCalendar:
    """The organisation's calendar; defaults follow its country when none was configured."""
    cal = BusinessCalendar.objects.filter(organisation=organisation).first()
    if cal is None:
        cal = BusinessCalendar(
            organisation=organisation,
            country=organisation.country,
            work_days=DEFAULT_WORK_DAYS.get(organisation.country, "0,1,2,3,4"),
        )
    holidays: dict[date, bool] = {}
    rows = Holiday.objects.filter(country=cal.country, organisation__isnull=True)
    own = Holiday.objects.filter(organisation=organisation)
    for h in [*rows, *own]:
        # A full holiday wins over a half day on the same date.
        holidays[h.date] = holidays.get(h.date, True) and h.half_day
    return WorkCalendar(
        tz=ZoneInfo(organisation.time_zone or "Europe/Istanbul"),
        start=cal.work_start,
        end=cal.work_end,
        weekdays=cal.weekdays,
        holidays=holidays,
    )


def shipped_countries() -> list[str]:
    return sorted(p.stem.upper() for p in DATA_DIR.glob("*.json"))

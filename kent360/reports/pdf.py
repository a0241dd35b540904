"""PDF reports rendered with WeasyPrint: the periodic KPI report and the end-of-term
achievement report, in tr/en/fa (fa right-to-left, Jalali dates, Persian digits).

Fonts are the system's Noto Sans and Noto Naskh Arabic (Debian fonts-noto-core); nothing
is fetched from the network while rendering.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import jdatetime
from django.template.loader import render_to_string
from django.utils import translation

from kent360.core.templatetags.kent360 import JALALI_MONTHS
from kent360.core.text import to_persian_digits
from kent360.organizations.models import Organisation, Role, Staff
from kent360.reports import selectors
from kent360.reports.models import Frequency

TR_MONTHS = [
    "Ocak",
    "Şubat",
    "Mart",
    "Nisan",
    "Mayıs",
    "Haziran",
    "Temmuz",
    "Ağustos",
    "Eylül",
    "Ekim",
    "Kasım",
    "Aralık",
]
EN_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def format_day(day: date, language: str) -> str:
    """A date the reader's way: Jalali with Persian digits in fa, day-month-year otherwise."""
    if language == "fa":
        j = jdatetime.date.fromgregorian(date=day)
        return to_persian_digits(f"{j.day} {JALALI_MONTHS[j.month - 1]} {j.year}")
    months = TR_MONTHS if language == "tr" else EN_MONTHS
    return f"{day.day} {months[day.month - 1]} {day.year}"


def format_number(value: Any, language: str) -> str:
    if value is None:
        return "—"
    text = (
        f"{value:,}".replace(",", "." if language == "tr" else ",")
        if isinstance(value, int)
        else str(value)
    )
    if language == "tr" and isinstance(value, float):
        text = text.replace(".", ",")
    if language == "fa":
        # Persian separators: ٬ for thousands, ٫ for the decimal point
        return to_persian_digits(text.replace(",", "٬").replace(".", "٫"))
    return text


def _render(template: str, context: dict[str, Any], language: str) -> bytes:
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string(
            template,
            {**context, "lang": language, "dir": "rtl" if language == "fa" else "ltr"},
        )
    return HTML(string=html).write_pdf()


def period_for(frequency: str, today: date) -> tuple[date, date, str]:
    """The last complete week (Mon–Sun) or month before ``today``, and its key."""
    if frequency == Frequency.MONTHLY:
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last, f"{last:%Y-%m}"
    last = today - timedelta(days=today.weekday() + 1)
    first = last - timedelta(days=6)
    iso = first.isocalendar()
    return first, last, f"{iso.year}-W{iso.week:02d}"


def _report_staff(organisation: Organisation) -> Staff:
    """A read-only stand-in for the organisation's PR office when no person is asking."""
    return Staff(organisation=organisation, role=Role.PR_MANAGER)


def periodic_report_pdf(
    *,
    organisation: Organisation,
    date_from: date,
    date_to: date,
    language: str,
    directorate_id: int | None = None,
) -> bytes:
    filters = selectors.KpiFilters(date_from=date_from, date_to=date_to, directorate=directorate_id)
    board = selectors.kpi_dashboard(staff=_report_staff(organisation), filters=filters)
    with translation.override(language):
        rows = {k: v[:10] for k, v in board.by.items()}
    return _render(
        "reports/pdf/periodic.html",
        {
            "organisation": organisation,
            "board": board,
            "by": rows,
            "period": f"{format_day(date_from, language)} – {format_day(date_to, language)}",
        },
        language,
    )


def achievement_report_pdf(
    *, organisation: Organisation, date_from: date, date_to: date, language: str
) -> bytes:
    figures = selectors.achievement_figures(
        organisation=organisation, date_from=date_from, date_to=date_to
    )
    return _render(
        "reports/pdf/achievement.html",
        {
            "organisation": organisation,
            "f": figures,
            "period": f"{format_day(date_from, language)} – {format_day(date_to, language)}",
        },
        language,
    )

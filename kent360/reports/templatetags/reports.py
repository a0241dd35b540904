"""Numbers and dates in reports, in the reader's language (Persian digits in fa)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template
from django.utils import translation

from kent360.reports.pdf import format_day, format_number

register = template.Library()


@register.filter
def num(value: Any) -> str:
    return format_number(value, translation.get_language() or "tr")


@register.filter
def hours_bucket(value: tuple[float, float | None] | None) -> str:
    """A percentile known to its bucket: "24–36 h" (or "> 1440 h" past the last edge)."""
    if value is None:
        return "—"
    low, high = value
    lang = translation.get_language() or "tr"
    unit = translation.gettext("h")
    if high is None:
        return f"> {format_number(low, lang)} {unit}"
    return f"{format_number(low, lang)}–{format_number(high, lang)} {unit}"


@register.filter
def day(value: date | None) -> str:
    return format_day(value, translation.get_language() or "tr") if value else ""


@register.filter
def pct(value: Any) -> str:
    return (
        "—"
        if value is None
        else f"%{num(value)}"
        if translation.get_language() == "tr"
        else (f"{num(value)}%" if translation.get_language() != "fa" else f"٪{num(value)}")
    )

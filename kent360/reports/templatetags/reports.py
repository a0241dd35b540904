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

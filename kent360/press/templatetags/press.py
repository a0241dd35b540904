"""Calendar helpers: a plain date in the reader's calendar (Jalali with Persian digits in fa)."""

from __future__ import annotations

from datetime import date

import jdatetime
from django import template
from django.utils import translation

from kent360.core.templatetags.kent360 import JALALI_MONTHS
from kent360.core.text import to_persian_digits

register = template.Library()


@register.filter
def caldate(value: date | None, short: str = "") -> str:
    if value is None:
        return ""
    if translation.get_language() == "fa":
        j = jdatetime.date.fromgregorian(date=value)
        text = str(j.day) if short else f"{j.day} {JALALI_MONTHS[j.month - 1]} {j.year}"
        return to_persian_digits(text)
    return str(value.day) if short else value.strftime("%d.%m.%Y")

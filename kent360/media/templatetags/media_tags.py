"""Template helpers of the media desk: calendar days, deadlines and tone badges."""

from __future__ import annotations

from datetime import date

import jdatetime
from django import template
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kent360.core.templatetags.kent360 import JALALI_MONTHS
from kent360.core.text import to_persian_digits

register = template.Library()

TONE_CSS = {"positive": "success", "negative": "danger", "neutral": "secondary"}


@register.filter
def mdate(value: date | None) -> str:
    """A calendar day: dd.mm.yyyy, or the Jalali date with Persian digits in fa."""
    if value is None:
        return ""
    if translation.get_language() == "fa":
        j = jdatetime.date.fromgregorian(date=value)
        return to_persian_digits(f"{j.day} {JALALI_MONTHS[j.month - 1]} {j.year}")
    return value.strftime("%d.%m.%Y")


@register.simple_tag
def tone_badge(tone: str, corrected: bool = False) -> SafeString:
    labels = {"positive": _("Positive"), "negative": _("Negative"), "neutral": _("Neutral")}
    return format_html(
        '<span class="badge text-bg-{} tone-badge" data-tone="{}">{}{}</span>',
        TONE_CSS.get(tone, "secondary"),
        tone,
        labels.get(tone, tone),
        " ✎" if corrected else "",
    )


@register.simple_tag
def deadline_badge(day: date | None) -> SafeString:
    """Days left until a legal deadline: red when past or due within two days."""
    if day is None:
        return format_html("")
    left = (day - timezone.localdate()).days
    if left < 0:
        text = ngettext("%(n)d day overdue", "%(n)d days overdue", -left) % {"n": -left}
        css = "danger"
    elif left == 0:
        text, css = _("due today"), "danger"
    else:
        text = ngettext("%(n)d day left", "%(n)d days left", left) % {"n": left}
        css = "warning" if left <= 2 else "success"
    if translation.get_language() == "fa":
        text = to_persian_digits(text)
    return format_html('<span class="badge text-bg-{}">{}</span>', css, text)


@register.filter
def event_label(kind: str) -> str:
    """A tekzip event kind in the reader's language."""
    labels = {
        "open": _("Case opened"),
        "edit": _("Text edited"),
        "sent": _("Sent to the outlet"),
        "published": _("Published"),
        "refused": _("Not published"),
        "court": _("Applied to the judge of peace"),
        "close": _("Closed"),
        "reminder:request": _("Reminder: request deadline"),
        "reminder:publish": _("Reminder: publication deadline"),
        "reminder:court": _("Reminder: court deadline"),
    }
    return str(labels.get(kind, kind))

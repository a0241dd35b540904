"""Template helpers: dates in the reader's calendar, digits in the reader's script, SLA."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import jdatetime
from django import template
from django.forms import BoundField
from django.forms.utils import flatatt
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kent360.core.text import to_persian_digits

register = template.Library()

JALALI_MONTHS = [
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
]


def format_datetime(value: datetime | None, with_time: bool = True) -> str:
    """Day-month-year (never US order); Jalali calendar with Persian digits in fa."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    if translation.get_language() == "fa":
        j = jdatetime.datetime.fromgregorian(datetime=local)
        text = f"{j.day} {JALALI_MONTHS[j.month - 1]} {j.year}"
        if with_time:
            text += f"، {local:%H:%M}"
        return to_persian_digits(text)
    return local.strftime("%d.%m.%Y %H:%M" if with_time else "%d.%m.%Y")


@register.filter
def localdt(value: datetime | None) -> str:
    return format_datetime(value)


@register.filter
def localdate(value: datetime | None) -> str:
    return format_datetime(value, with_time=False)


@register.filter
def digits(value: Any) -> str:
    text = str(value)
    return to_persian_digits(text) if translation.get_language() == "fa" else text


def _duration(delta: timedelta) -> str:
    hours = int(abs(delta).total_seconds() // 3600)
    if hours >= 48:
        days = hours // 24
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if hours >= 1:
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    minutes = max(1, int(abs(delta).total_seconds() // 60))
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


@register.simple_tag
def sla_badge(obj: Any) -> str:
    """Time left (green / amber under 25%) or time overdue (red) for an open request."""
    if not getattr(obj, "is_open", False) or obj.due_at is None:
        return ""
    now = timezone.now()
    left = obj.due_at - now
    text = _duration(left)
    if translation.get_language() == "fa":
        text = to_persian_digits(text)
    if left.total_seconds() < 0:
        return format_html(
            '<span class="badge text-bg-danger sla" title="{}">{}</span>',
            format_datetime(obj.due_at),
            _("%(t)s overdue") % {"t": text},
        )
    total = (obj.due_at - obj.created_at).total_seconds() or 1
    css = "text-bg-warning" if left.total_seconds() / total < 0.25 else "text-bg-success"
    return format_html(
        '<span class="badge {} sla" title="{}">{}</span>',
        css,
        format_datetime(obj.due_at),
        _("%(t)s left") % {"t": text},
    )


STATE_CSS = {
    "received": "secondary",
    "triaged": "info",
    "assigned": "primary",
    "in_progress": "primary",
    "waiting": "warning",
    "answered": "success",
    "closed": "dark",
    "reopened": "warning",
    "transferred": "info",
    "merged": "light",
    "rejected": "danger",
}


@register.filter
def state_label(state: str) -> str:
    from kent360.requests.models import State

    try:
        return str(State(state).label)
    except ValueError:
        return state


@register.filter
def state_css(state: str) -> str:
    return STATE_CSS.get(state, "secondary")


@register.simple_tag(takes_context=True)
def sort_link(context: Any, key: str, label: str) -> str:
    current = context.get("sort", "-created")
    new = key if current != key else f"-{key}" if not key.startswith("-") else key[1:]
    query = context["request"].GET.copy()
    query["sort"] = new
    query.pop("page", None)
    query.pop("cursor", None)  # a keyset cursor belongs to the old order
    arrow = " ↑" if current == key else " ↓" if current == f"-{key}" else ""
    return format_html(
        '<a href="?{}" class="link-body-emphasis">{}{}</a>', query.urlencode(), label, arrow
    )


@register.simple_tag
def select(field: BoundField) -> str:
    """The <select> of a single-choice form field, built directly.

    The same markup as ``field.as_widget`` (tested equal), without rendering each
    <option> through a template: the inbox's four filter selects cost 25 ms a page
    that way, more than its database queries."""
    widget = field.field.widget
    attrs = field.build_widget_attrs(dict(widget.attrs))
    if field.auto_id and "id" not in attrs:
        attrs["id"] = field.auto_id
    value = field.value()
    chosen = {"" if v is None else str(v) for v in (value if isinstance(value, list) else [value])}
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (str(key), mark_safe(" selected") if str(key) in chosen else "", label)
            for key, label in field.field.choices  # type: ignore[attr-defined]
        ),
    )
    return format_html('<select name="{}"{}>{}</select>', field.html_name, flatatt(attrs), options)

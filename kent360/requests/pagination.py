"""Keyset ("seek") pagination of request lists, with a capped count.

Rule: a page is the ``size`` rows that follow (or precede) the last row the reader saw in
the list's order (sort field, then id as the tie-break), so page 1 and page 10,000 cost the
same index range scan; an OFFSET or an exact COUNT over a million rows would read them all.
The total is counted exactly up to ``COUNT_CAP`` rows and shown as "1,000+" beyond.

NULLs (only ``due_at`` has them) sort last ascending and first descending, as PostgreSQL's
B-tree indexes do, and the same order is asked of SQLite.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.db import models
from django.db.models import F, Q, QuerySet

COUNT_CAP = 1000
M = TypeVar("M", bound=models.Model)


@dataclass
class KeysetPage(Generic[M]):
    items: list[M]
    next_cursor: str | None
    previous_cursor: str | None
    count: int  # exact when ``count_capped`` is False, else COUNT_CAP
    count_capped: bool

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


def parse_sort(sort: str) -> tuple[str, bool]:
    """``"-created_at"`` → ("created_at", descending=True)."""
    return sort.lstrip("-"), sort.startswith("-")


def ordering(field: str, desc: bool) -> list[Any]:
    if desc:
        return [F(field).desc(nulls_first=True), F("id").desc()]
    return [F(field).asc(nulls_last=True), F("id").asc()]


def after(field: str, desc: bool, value: Any, pk: int, nullable: bool) -> Q:
    """Rows strictly after (value, pk) in the order ``ordering(field, desc)``.

    The redundant ``field >= value`` (or ``<=``) lets the index range start at the cursor
    instead of filtering from the top of the list.
    """
    if desc:
        if value is None:
            return Q(**{f"{field}__isnull": True, "id__lt": pk}) | Q(**{f"{field}__isnull": False})
        return Q(**{f"{field}__lte": value}) & (Q(**{f"{field}__lt": value}) | Q(id__lt=pk))
    if value is None:
        return Q(**{f"{field}__isnull": True, "id__gt": pk})
    q = Q(**{f"{field}__gte": value}) & (Q(**{f"{field}__gt": value}) | Q(id__gt=pk))
    return q | Q(**{f"{field}__isnull": True}) if nullable else q


def encode_cursor(direction: str, value: Any, pk: int) -> str:
    if isinstance(value, datetime):
        value = {"t": value.isoformat()}
    raw = json.dumps([direction, value, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, Any, int] | None:
    """(direction, value, pk) or None for a malformed cursor (the reader gets page 1)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        direction, value, pk = json.loads(raw)
        if isinstance(value, dict):
            value = datetime.fromisoformat(value["t"])
        if direction not in ("n", "p") or not isinstance(pk, int):
            return None
        if value is not None and not isinstance(value, (str, int, datetime)):
            return None
    except (ValueError, TypeError, KeyError):
        return None
    return direction, value, pk


def capped_count(
    qs: QuerySet[Any], cap: int | None = None, *, order: Sequence[Any] = ()
) -> tuple[int, bool]:
    """COUNT over at most cap + 1 rows: (count, True) means "more than cap".

    ``order`` keeps an ORDER BY in the limited subquery, which lets the planner walk an
    index in that order and stop early instead of collecting every match first."""
    cap = COUNT_CAP if cap is None else cap
    n = qs.order_by(*order)[: cap + 1].count()
    return (cap, True) if n > cap else (n, False)


def keyset_page(
    qs: QuerySet[M], *, sort: str, cursor: str | None, size: int, ordered_count: bool = False
) -> KeysetPage[M]:
    """The page of ``qs`` (in ``sort`` order, then id) that ``cursor`` points at; with
    ``ordered_count`` the capped total is counted in that order (see capped_count)."""
    field, desc = parse_sort(sort)
    nullable = qs.model._meta.get_field(field).null
    decoded = decode_cursor(cursor) if cursor else None
    if decoded is None:
        rows = list(qs.order_by(*ordering(field, desc))[: size + 1])
        items, more_before, more_after = rows[:size], False, len(rows) > size
    elif decoded[0] == "n":
        _d, value, pk = decoded
        rows = list(
            qs.filter(after(field, desc, value, pk, nullable)).order_by(*ordering(field, desc))[
                : size + 1
            ]
        )
        items, more_before, more_after = rows[:size], True, len(rows) > size
    else:
        _d, value, pk = decoded
        rows = list(
            qs.filter(after(field, not desc, value, pk, nullable)).order_by(
                *ordering(field, not desc)
            )[: size + 1]
        )
        items, more_before, more_after = rows[:size][::-1], len(rows) > size, True
    count, capped = capped_count(qs, order=ordering(field, desc) if ordered_count else ())
    first, last = (items[0], items[-1]) if items else (None, None)
    return KeysetPage(
        items=items,
        next_cursor=encode_cursor("n", getattr(last, field), last.pk)
        if last is not None and more_after
        else None,
        previous_cursor=encode_cursor("p", getattr(first, field), first.pk)
        if first is not None and more_before
        else None,
        count=count,
        count_capped=capped,
    )

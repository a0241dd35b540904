"""Keyset ("seek") pagination of request lists, with a capped count.

Rule: a page is the ``size`` rows that follow (or precede) the last row the reader saw in
the list's order (sort field, then id as the tie-break), so page 1 and page 10,000 cost the
same index range scan; an OFFSET or an exact COUNT over a million rows would read them all.
The total is counted exactly up to ``COUNT_CAP`` rows and shown as "1,000+" beyond.

A text search (``TextMatch``) reads the first ``SCAN_ROWS`` rows of the list in its order
and tests each; only the rows beyond them are looked up through the text index. A common
word is so found near the top of the list, a rare one through the index, and neither
depends on the planner's guess of how common the word is.

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
from django.db.models import F, OrderBy, Q, QuerySet
from django.db.models.functions import Coalesce

COUNT_CAP = 1000
# Rows of a list read in order, each tested, before a text search turns to its index.
SCAN_ROWS = 20_000
# A word found fewer times than this in those rows is counted beyond them too (see
# match_count); a page holds 25, so a rarer word's page came from the index as well.
RARE_HITS = 26
M = TypeVar("M", bound=models.Model)


@dataclass
class KeysetPage(Generic[M]):
    items: list[M]
    next_cursor: str | None
    previous_cursor: str | None
    count: int  # exact when ``count_capped`` and ``count_partial`` are False
    count_capped: bool  # more than ``count`` (COUNT_CAP) rows
    # a text search's count of the newest SCAN_ROWS rows only: at least ``count`` rows
    count_partial: bool = False

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


@dataclass(frozen=True)
class TextMatch:
    """One text condition in two forms that select the same rows.

    ``indexed`` is the form a text index serves (``LIKE '%key%'`` under a trigram index);
    ``scanned`` is one no index serves (``strpos(...) > 0``), so a query using it can only
    walk the list's own order and stop when the page is full. At ten million requests
    PostgreSQL chose between the two plans by its estimate of how common the word is, and
    that estimate flipped between two loads of the same data (1 ms ↔ 1.8 s for a page).
    """

    indexed: Q
    scanned: Q


def parse_sort(sort: str) -> tuple[str, bool]:
    """``"-created_at"`` → ("created_at", descending=True)."""
    return sort.lstrip("-"), sort.startswith("-")


def ordering(field: str, desc: bool) -> list[Any]:
    if desc:
        return [F(field).desc(nulls_first=True), F("id").desc()]
    return [F(field).asc(nulls_last=True), F("id").asc()]


def unindexed_ordering(field: str, desc: bool) -> list[OrderBy]:
    """``ordering(field, desc)`` through an expression no index provides: the planner
    must collect the matching rows and sort them rather than walk an index in order."""
    same = Coalesce(F(field), F(field))
    if desc:
        return [same.desc(nulls_first=True), F("id").desc()]
    return [same.asc(nulls_last=True), F("id").asc()]


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


def through(field: str, desc: bool, value: Any, pk: int, nullable: bool) -> Q:
    """Rows up to and including (value, pk) in the order ``ordering(field, desc)``: those
    strictly after the id next to it in the opposite order (ids are whole numbers)."""
    return after(field, not desc, value, pk - 1 if desc else pk + 1, nullable)


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


Edge = tuple[Any, int]


def scan_edge(qs: QuerySet[Any], field: str, desc: bool) -> Edge | None:
    """(sort value, id) of the SCAN_ROWS-th row of ``qs`` in its order, None if fewer."""
    rows = list(
        qs.order_by(*ordering(field, desc)).values_list(field, "pk")[SCAN_ROWS - 1 : SCAN_ROWS]
    )
    return (rows[0][0], rows[0][1]) if rows else None


def _rows(
    qs: QuerySet[M],
    *,
    field: str,
    desc: bool,
    limit: int,
    nullable: bool,
    match: TextMatch | None,
    edge: Edge | None = None,
) -> list[M]:
    """The first ``limit`` rows of ``qs`` in order; with ``match``, those that match:
    first among the SCAN_ROWS rows up to ``edge`` (tested row by row), then, if the page
    is not full, beyond the edge through the text index."""
    order = ordering(field, desc)
    if match is None:
        return list(qs.order_by(*order)[:limit])
    near = qs if edge is None else qs.filter(through(field, desc, *edge, nullable))
    rows = list(near.filter(match.scanned).order_by(*order)[:limit])
    if edge is None or len(rows) == limit:
        return rows
    beyond = qs.filter(after(field, desc, *edge, nullable)).filter(match.indexed)
    return rows + list(beyond.order_by(*unindexed_ordering(field, desc))[: limit - len(rows)])


def match_count(
    qs: QuerySet[Any],
    match: TextMatch,
    *,
    field: str,
    desc: bool,
    edge: Edge | None,
    cap: int | None = None,
) -> tuple[int, bool, bool]:
    """(count, capped, partial) of the rows of ``qs`` that match.

    Counted row by row among the SCAN_ROWS rows up to ``edge``: exact if the list ends
    there, capped if they hold more than the cap. Beyond the edge only a word rare in
    those rows (fewer than RARE_HITS) is counted, through the text index. A word between
    the two is reported as partial ("at least n"): counting it to the cap costs its
    whole posting list in the index (140–520 ms at ten million requests) or a walk of
    100,000s of rows, for a figure the reader would narrow the search to use anyway.
    """
    cap = COUNT_CAP if cap is None else cap
    nullable = qs.model._meta.get_field(field).null
    near = qs if edge is None else qs.filter(through(field, desc, *edge, nullable))
    n = near.filter(match.scanned).order_by()[: cap + 1].count()
    if n > cap:
        return cap, True, False
    if edge is None:
        return n, False, False
    if n >= RARE_HITS:
        return n, False, True
    beyond = qs.filter(after(field, desc, *edge, nullable)).filter(match.indexed)
    n += beyond.order_by()[: cap + 1 - n].count()
    return (cap, True, False) if n > cap else (n, False, False)


def keyset_page(
    qs: QuerySet[M],
    *,
    sort: str,
    cursor: str | None,
    size: int,
    match: TextMatch | None = None,
) -> KeysetPage[M]:
    """The page of ``qs`` (in ``sort`` order, then id) that ``cursor`` points at.

    ``match`` narrows the list to the rows a text search finds (``qs`` is then the list
    without it) by the scan-then-index way of ``TextMatch``, for the page and the count.
    """
    field, desc = parse_sort(sort)
    nullable = qs.model._meta.get_field(field).null
    decoded = decode_cursor(cursor) if cursor else None
    top = scan_edge(qs, field, desc) if match is not None else None
    if decoded is None:
        rows = _rows(
            qs, field=field, desc=desc, limit=size + 1, nullable=nullable, match=match, edge=top
        )
        items, more_before, more_after = rows[:size], False, len(rows) > size
    else:
        direction, value, pk = decoded
        forward = direction == "n"
        way = desc if forward else not desc
        rest = qs.filter(after(field, way, value, pk, nullable))
        edge = scan_edge(rest, field, way) if match is not None else None
        rows = _rows(
            rest, field=field, desc=way, limit=size + 1, nullable=nullable, match=match, edge=edge
        )
        if forward:
            items, more_before, more_after = rows[:size], True, len(rows) > size
        else:
            items, more_before, more_after = rows[:size][::-1], len(rows) > size, True
    partial = False
    if match is not None:
        count, capped, partial = match_count(qs, match, field=field, desc=desc, edge=top)
    else:
        count, capped = capped_count(qs)
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
        count_partial=partial,
    )

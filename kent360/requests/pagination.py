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

from django.db import connections, models
from django.db.models import BooleanField, ExpressionWrapper, F, OrderBy, Q, QuerySet, Window
from django.db.models.functions import Coalesce, RowNumber

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
    # a condition whose rows, if it finds any, are the whole answer (a tracking code)
    exact: Q | None = None


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


Count = tuple[int, bool, bool]  # (count, capped, partial), as on KeysetPage


def encode_cursor(direction: str, value: Any, pk: int, count: Count | None = None) -> str:
    """A page link's position; a text search's links also carry the count of page 1,
    so the next page does not count again (it is a figure shown to the reader only)."""
    if isinstance(value, datetime):
        value = {"t": value.isoformat()}
    payload = [direction, value, pk] if count is None else [direction, value, pk, list(count)]
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _payload(cursor: str) -> list[Any] | None:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        return None
    return raw if isinstance(raw, list) and len(raw) in (3, 4) else None


def decode_cursor(cursor: str) -> tuple[str, Any, int] | None:
    """(direction, value, pk) or None for a malformed cursor (the reader gets page 1)."""
    raw = _payload(cursor)
    if raw is None:
        return None
    direction, value, pk = raw[:3]
    try:
        if isinstance(value, dict):
            value = datetime.fromisoformat(value["t"])
    except (ValueError, TypeError, KeyError):
        return None
    if direction not in ("n", "p") or not isinstance(pk, int) or isinstance(pk, bool):
        return None
    if value is not None and not isinstance(value, (str, int, datetime)):
        return None
    return direction, value, pk


def cursor_count(cursor: str | None) -> Count | None:
    """The count a text search's page link carries, or None."""
    raw = _payload(cursor) if cursor else None
    if raw is None or len(raw) != 4 or not isinstance(raw[3], list) or len(raw[3]) != 3:
        return None
    n, capped, partial = raw[3]
    if not isinstance(n, int) or not isinstance(capped, bool) or not isinstance(partial, bool):
        return None
    return max(0, min(n, COUNT_CAP)), capped, partial


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


@dataclass
class Scan:
    """What one pass over the first SCAN_ROWS rows of a list found."""

    hits: list[int]  # ids of the matching rows, in the list's order (at most the limit)
    edge: int | None  # id of the SCAN_ROWS-th row; None when the list ends before it


def scan(qs: QuerySet[Any], match: TextMatch, *, field: str, desc: bool, limit: int) -> Scan:
    """Read the first SCAN_ROWS rows of ``qs`` in order, testing each with the scanned
    form of ``match``, in one statement: the matching ids (up to ``limit``) and the
    last row read, which is where a lookup beyond must start."""
    order = ordering(field, desc)
    inner = (
        qs.order_by(*order)
        .annotate(
            k_pk=F("pk"),
            k_rn=Window(RowNumber(), order_by=order),
            k_hit=ExpressionWrapper(match.scanned, output_field=BooleanField()),
        )
        .values("k_pk", "k_rn", "k_hit")[:SCAN_ROWS]
    )
    sql, params = inner.query.sql_with_params()
    with connections[qs.db].cursor() as cur:
        cur.execute(
            f"SELECT k_pk, k_rn, k_hit FROM ({sql}) w "  # noqa: S608
            "WHERE k_hit OR k_rn = %s ORDER BY k_rn LIMIT %s",
            (*params, SCAN_ROWS, limit + 1),
        )
        rows = cur.fetchall()
    hits = [pk for pk, _rn, hit in rows if hit][:limit]
    edge = next((pk for pk, rn, _hit in rows if rn == SCAN_ROWS), None)
    return Scan(hits=hits, edge=edge)


def _edge_key(qs: QuerySet[Any], field: str, pk: int) -> Edge:
    value = qs.model._default_manager.filter(pk=pk).values_list(field, flat=True).get()
    return value, pk


def _in_order(qs: QuerySet[M], ids: list[int]) -> list[M]:
    by_id = {row.pk: row for row in qs.filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


def _rows(
    qs: QuerySet[M],
    *,
    field: str,
    desc: bool,
    limit: int,
    nullable: bool,
    match: TextMatch | None,
    found: Scan | None = None,
) -> list[M]:
    """The first ``limit`` rows of ``qs`` in order; with ``match``, those that match:
    first among the SCAN_ROWS rows read by ``scan`` (``found``, if already done), then,
    if the page is not full, beyond them through the text index."""
    order = ordering(field, desc)
    if match is None:
        return list(qs.order_by(*order)[:limit])
    found = found or scan(qs, match, field=field, desc=desc, limit=limit)
    rows = _in_order(qs, found.hits[:limit])
    if found.edge is None or len(rows) == limit:
        return rows
    edge = _edge_key(qs, field, found.edge)
    beyond = qs.filter(after(field, desc, *edge, nullable)).filter(match.indexed)
    return rows + list(beyond.order_by(*unindexed_ordering(field, desc))[: limit - len(rows)])


def match_count(
    qs: QuerySet[Any],
    match: TextMatch,
    *,
    field: str,
    desc: bool,
    found: Scan | None = None,
    cap: int | None = None,
) -> tuple[int, bool, bool]:
    """(count, capped, partial) of the rows of ``qs`` that match.

    Counted row by row among the first SCAN_ROWS rows (``found``: a ``scan`` with a limit
    of at least cap + 1): exact if the list ends there, capped if they hold more than the
    cap. Beyond them only a word rare in them (fewer than RARE_HITS) is counted, through
    the text index. A word between the two is reported as partial ("at least n"):
    counting it to the cap costs its whole posting list in the index (140–520 ms at ten
    million requests) or a walk of 100,000s of rows, for a figure the reader would
    narrow the search to use anyway.
    """
    cap = COUNT_CAP if cap is None else cap
    found = found or scan(qs, match, field=field, desc=desc, limit=cap + 1)
    n = len(found.hits)
    if n > cap:
        return cap, True, False
    if found.edge is None:
        return n, False, False
    if n >= RARE_HITS:
        return n, False, True
    nullable = qs.model._meta.get_field(field).null
    edge = _edge_key(qs, field, found.edge)
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
    without it) by the scan-then-index way of ``TextMatch``, for the page and the count;
    a tracking code typed whole is answered by its request alone.
    """
    field, desc = parse_sort(sort)
    nullable = qs.model._meta.get_field(field).null
    if match is not None and match.exact is not None:
        exact = list(qs.filter(match.exact)[:2])
        if exact:
            return KeysetPage(exact, None, None, len(exact), False)
    decoded = decode_cursor(cursor) if cursor else None
    carried = cursor_count(cursor) if match is not None and decoded is not None else None
    top = None
    if match is not None and (decoded is None or carried is None):
        top = scan(qs, match, field=field, desc=desc, limit=COUNT_CAP + 1)
    if decoded is None:
        rows = _rows(
            qs, field=field, desc=desc, limit=size + 1, nullable=nullable, match=match, found=top
        )
        items, more_before, more_after = rows[:size], False, len(rows) > size
    else:
        direction, value, pk = decoded
        forward = direction == "n"
        way = desc if forward else not desc
        rest = qs.filter(after(field, way, value, pk, nullable))
        rows = _rows(rest, field=field, desc=way, limit=size + 1, nullable=nullable, match=match)
        if forward:
            items, more_before, more_after = rows[:size], True, len(rows) > size
        else:
            items, more_before, more_after = rows[:size][::-1], len(rows) > size, True
    partial = False
    if carried is not None:
        count, capped, partial = carried
    elif match is not None:
        count, capped, partial = match_count(qs, match, field=field, desc=desc, found=top)
    else:
        count, capped = capped_count(qs)
    kept = (count, capped, partial) if match is not None else None
    first, last = (items[0], items[-1]) if items else (None, None)
    return KeysetPage(
        items=items,
        next_cursor=encode_cursor("n", getattr(last, field), last.pk, kept)
        if last is not None and more_after
        else None,
        previous_cursor=encode_cursor("p", getattr(first, field), first.pk, kept)
        if first is not None and more_before
        else None,
        count=count,
        count_capped=capped,
        count_partial=partial,
    )

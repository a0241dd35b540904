"""CSV and XLSX exports of filtered request lists, in constant memory.

Rows come from a server-side cursor (``iterator``) and are written as they arrive, so a
million-row export holds one chunk in memory at a time. Every text cell that a
spreadsheet would read as a formula (starting with = + - @, a tab or a carriage return)
gets a leading apostrophe: an export must never run code on the reader's machine.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kent360.requests.models import Channel, Kind, Request, State

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 5000

COLUMNS: list[tuple[str, Any]] = [
    ("tracking_code", gettext_lazy("Tracking code")),
    ("created_at", gettext_lazy("Received at")),
    ("kind", gettext_lazy("Kind")),
    ("channel", gettext_lazy("Channel")),
    ("state", gettext_lazy("State")),
    ("category__name", gettext_lazy("Category")),
    ("directorate__name", gettext_lazy("Directorate")),
    ("neighbourhood", gettext_lazy("Neighbourhood")),
    ("subject", gettext_lazy("Subject")),
    ("due_at", gettext_lazy("Due at")),
    ("first_answered_at", gettext_lazy("First answered at")),
    ("closed_at", gettext_lazy("Closed at")),
]


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text; numbers and dates pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def headers() -> list[str]:
    return [str(label) for _field, label in COLUMNS]


def _labels() -> dict[str, dict[str, str]]:
    return {
        "kind": {k: str(v) for k, v in Kind.choices},
        "channel": {k: str(v) for k, v in Channel.choices},
        "state": {k: str(v) for k, v in State.choices},
    }


def rows(qs: QuerySet[Request]) -> Iterator[list[Any]]:
    """Export rows, read in chunks through a server-side cursor."""
    labels = _labels()
    fields = [f for f, _label in COLUMNS]
    for values in qs.order_by().values_list(*fields).iterator(chunk_size=CHUNK):
        out = []
        for name, value in zip(fields, values, strict=True):
            if name in labels:
                value = labels[name].get(value, value)
            elif isinstance(value, datetime):
                value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
            out.append(safe_cell("" if value is None else value))
        yield out


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(qs: QuerySet[Request]) -> Iterator[str]:
    """CSV text piece by piece, with a BOM so spreadsheet programs read UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([safe_cell(h) for h in headers()])
    for row in rows(qs):
        yield writer.writerow(row)


def write_csv(
    qs: QuerySet[Request], out: IO[str], progress: Callable[[int], None] | None = None
) -> int:
    n = 0
    for piece in csv_stream(qs):
        out.write(piece)
        n += 1
        if progress and n % CHUNK == 0:
            progress(n - 1)
    return max(n - 1, 0)


def write_xlsx(
    qs: QuerySet[Request], path: str, progress: Callable[[int], None] | None = None
) -> int:
    """XLSX through openpyxl's write-only mode (rows go straight to a temporary file)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Requests")[:31])
    ws.append(headers())
    n = 0
    for row in rows(qs):
        ws.append(row)
        n += 1
        if progress and n % CHUNK == 0:
            progress(n)
    wb.save(path)
    return n


def iter_file(path: str, block: int = 64 * 1024) -> Iterable[bytes]:
    with open(path, "rb") as fh:
        while chunk := fh.read(block):
            yield chunk

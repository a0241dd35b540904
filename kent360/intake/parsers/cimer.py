"""Rows of national-channel exports (CİMER, Açık Kapı): CSV, XLSX or XML.

Each row is its own inbound item keyed by the channel's reference number, so importing
the same export twice changes nothing. The statutory answer deadline (30 days from the
application, Law no. 3071 and the CİMER regulation) is kept beside the internal target.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from kent360.core.text import search_key
from kent360.intake.models import InboundMessage
from kent360.intake.parsers import Parsed, ParseError, first_line

LEGAL_DAYS = 30
# Normalised header → field; headers are compared through core.text.search_key.
HEADERS = {
    "basvuru no": "ref",
    "basvuru numarasi": "ref",
    "referans no": "ref",
    "basvuruno": "ref",
    "application no": "ref",
    "basvuru tarihi": "date",
    "basvurutarihi": "date",
    "tarih": "date",
    "ad soyad": "name",
    "adsoyad": "name",
    "adi soyadi": "name",
    "tc kimlik no": "national_id",
    "t.c. kimlik no": "national_id",
    "tckimlikno": "national_id",
    "telefon": "phone",
    "e-posta": "email",
    "eposta": "email",
    "konu": "subject",
    "basvuru metni": "text",
    "basvurumetni": "text",
    "metin": "text",
    "aciklama": "text",
    "adres": "address",
}
DATE_FORMATS = ("%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


class ImportFileError(Exception):
    """The whole file cannot be read (not CSV/XLSX/XML, dangerous XML, no header)."""


def field_of(header: str) -> str:
    key = search_key(str(header or "").strip(), "tr").replace("_", " ")
    return HEADERS.get(key, HEADERS.get(key.replace(" ", ""), ""))


def _rows_from_table(table: list[list[Any]]) -> list[dict[str, str]]:
    if not table:
        raise ImportFileError(_("The file is empty."))
    fields = [field_of(h) for h in table[0]]
    if "ref" not in fields or "text" not in fields:
        raise ImportFileError(
            _("The header must name at least the reference number and the text columns.")
        )
    rows = []
    for values in table[1:]:
        if not any(str(v or "").strip() for v in values):
            continue
        row = {}
        for name, value in zip(fields, values, strict=False):
            if name:
                row[name] = _cell(value)
        rows.append(row)
    return rows


def _cell(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value if value is not None else "").strip()


def read_rows(name: str, data: bytes) -> list[dict[str, str]]:
    """Rows of an export file, by content: XLSX (zip), XML, else CSV (; or ,)."""
    if data.startswith(b"PK\x03\x04"):
        return _xlsx(data)
    stripped = data.lstrip(b"\xef\xbb\xbf \r\n\t")
    if stripped.startswith(b"<"):
        return _xml(data)
    return _csv(data)


def _csv(data: bytes) -> list[dict[str, str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1254")  # Windows Turkish, what older exports use
        except UnicodeDecodeError as exc:
            # A few bytes (0x81, 0x8D, 0x8E, …) are not Windows-1254 either (found by atheris).
            raise ImportFileError(
                _("The CSV file is neither UTF-8 nor Windows-1254 (Turkish) text.")
            ) from exc
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    try:
        # newline="" lets the csv module see quoted line breaks as data, not row ends
        table = [list(r) for r in csv.reader(io.StringIO(text, newline=""), dialect)]
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc
    return _rows_from_table(table)


def _xlsx(data: bytes) -> list[dict[str, str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ImportFileError(_("The XLSX file cannot be read: %(e)s") % {"e": exc}) from exc
    sheet = book.worksheets[0]
    return _rows_from_table([list(r) for r in sheet.iter_rows(values_only=True)])


def _xml(data: bytes) -> list[dict[str, str]]:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError as XmlParseError
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise ImportFileError(
            _("The XML file was refused: it declares entities or a DTD (%(e)s).")
            % {"e": type(exc).__name__}
        ) from exc
    except XmlParseError as exc:
        raise ImportFileError(_("The XML file is not well-formed: %(e)s") % {"e": exc}) from exc
    items = list(root)
    if not items:
        raise ImportFileError(_("The XML file has no applications."))
    header = []
    for item in items:
        for child in item:
            if child.tag not in header:
                header.append(child.tag)
    table = [header] + [[(item.findtext(tag) or "") for tag in header] for item in items]
    return _rows_from_table(table)


def parse_date(value: str, tz: str) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=ZoneInfo(tz))
        except ValueError:
            continue
    raise ParseError(_("The application date %(v)s is not a date (DD.MM.YYYY).") % {"v": value})


def parse_cimer_row(message: InboundMessage) -> Parsed:
    row = message.payload.get("row") or {}
    missing = [
        label
        for key, label in (("ref", "Başvuru No"), ("text", "Başvuru Metni"))
        if not row.get(key)
    ]
    if missing:
        raise ParseError(
            _("Row %(n)s: missing %(f)s.")
            % {"n": message.payload.get("line", "?"), "f": ", ".join(missing)}
        )
    applied = parse_date(row.get("date", ""), message.organisation.time_zone)
    legal_due = (applied or message.received_at) + timedelta(days=LEGAL_DAYS)
    channel_name = message.payload.get("channel_name") or "CİMER"
    return Parsed(
        channel="cimer",
        subject=row.get("subject") or first_line(row["text"]),
        text=row["text"],
        contact_name=row.get("name", ""),
        contact_phone=row.get("phone", ""),
        contact_email=row.get("email", ""),
        national_id=row.get("national_id", ""),
        address=row.get("address", ""),
        external_ref=row["ref"][:100],
        legal_due_at=legal_due,
        actor_label=channel_name,
    )

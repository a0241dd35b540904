"""Media contacts: import and export as CSV or XLSX.

Exported cells that a spreadsheet would run as a formula (starting with = + - @, tab or
carriage return) are prefixed with an apostrophe: a journalist's name must never become code
on a colleague's computer.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from kent360.core.audit import audit
from kent360.core.errors import DomainError, NotAllowed
from kent360.organizations.models import Organisation, Staff
from kent360.press import permissions
from kent360.press.models import ContactList, Journalist, Outlet, OutletKind, OutletScope

COLUMNS = ["name", "email", "phone", "outlet", "outlet_kind", "outlet_scope", "beats", "languages"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _rows(organisation: Organisation) -> list[list[str]]:
    rows = []
    for j in Journalist.objects.filter(organisation=organisation).select_related("outlet"):
        o = j.outlet
        rows.append(
            [
                safe_cell(v)
                for v in [
                    j.name,
                    j.email,
                    j.phone,
                    o.name if o else "",
                    o.kind if o else "",
                    o.scope if o else "",
                    j.beats,
                    j.languages,
                ]
            ]
        )
    return rows


def contacts_export_csv(*, staff: Staff) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(_rows(staff.organisation))
    return out.getvalue()


def contacts_export_xlsx(*, staff: Staff) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "contacts"
    ws.append(COLUMNS)
    for row in _rows(staff.organisation):
        ws.append(row)
        for cell in ws[ws.max_row]:
            cell.data_type = "s"  # never let openpyxl turn a leading "=" into a formula
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@dataclass
class ImportResult:
    created: int
    updated: int
    errors: list[str]


def _read(filename: str, data: bytes) -> list[dict[str, str]]:
    if filename.lower().endswith(".xlsx"):
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = list(wb.active.iter_rows(values_only=True))
        if not rows:
            return []
        header = [str(h or "").strip().lower() for h in rows[0]]
        return [
            {h: ("" if v is None else str(v)).strip() for h, v in zip(header, r, strict=False)}
            for r in rows[1:]
        ]
    text = data.decode("utf-8-sig")
    return [
        {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        for row in csv.DictReader(io.StringIO(text))
    ]


@transaction.atomic
def contacts_import(*, staff: Staff, filename: str, data: bytes) -> ImportResult:
    """Upsert journalists by e-mail (by name when there is none); bad rows are reported."""
    if not permissions.can_write(staff):
        raise NotAllowed(_("Your role cannot change media contacts."))
    try:
        rows = _read(filename, data)
    except (UnicodeDecodeError, csv.Error, OSError, KeyError, ValueError) as exc:
        raise DomainError(_("The file could not be read.")) from exc
    org = staff.organisation
    created = updated = 0
    errors: list[str] = []
    for n, row in enumerate(rows, start=2):
        name = row.get("name", "").lstrip("'")
        if not name:
            errors.append(_("Row %(n)s: a name is required.") % {"n": n})
            continue
        outlet = None
        if row.get("outlet"):
            kind = row.get("outlet_kind") or OutletKind.WEB
            scope = row.get("outlet_scope") or OutletScope.LOCAL
            if kind not in OutletKind.values or scope not in OutletScope.values:
                errors.append(_("Row %(n)s: unknown outlet kind or scope.") % {"n": n})
                continue
            outlet, _c = Outlet.objects.get_or_create(
                organisation=org, name=row["outlet"], defaults={"kind": kind, "scope": scope}
            )
        email = row.get("email", "").lower()
        lookup: dict[str, Any] = {"email": email} if email else {"name": name, "email": ""}
        fields: dict[str, Any] = {
            "name": name,
            "phone": row.get("phone", ""),
            "beats": row.get("beats", ""),
            "languages": row.get("languages", "") or "tr",
            "outlet": outlet,
        }
        _j, was_created = Journalist.objects.update_or_create(
            organisation=org, **lookup, defaults=fields
        )
        created += was_created
        updated += not was_created
    audit(
        action="press.contacts.import",
        target=org,
        actor=staff,
        organisation=org,
        data={"created": created, "updated": updated, "errors": len(errors)},
    )
    return ImportResult(created, updated, errors)


@transaction.atomic
def journalist_create(
    *,
    staff: Staff,
    name: str,
    email: str = "",
    phone: str = "",
    outlet: Outlet | None = None,
    beats: str = "",
    languages: str = "tr",
) -> Journalist:
    """A media contact of the writer's organisation; one contact per e-mail address."""
    if not permissions.can_write(staff):
        raise NotAllowed(_("Your role cannot change media contacts."))
    if not name.strip():
        raise DomainError(_("A name is required."))
    if outlet is not None and outlet.organisation_id != staff.organisation_id:
        raise DomainError(_("The outlet belongs to another organisation."))
    email = email.strip().lower()
    if email and Journalist.objects.filter(organisation=staff.organisation, email=email).exists():
        raise DomainError(_("A contact with this e-mail address exists already."))
    journalist = Journalist.objects.create(
        organisation=staff.organisation,
        name=name.strip(),
        email=email,
        phone=phone.strip(),
        outlet=outlet,
        beats=beats.strip(),
        languages=languages.strip() or "tr",
    )
    audit(action="press.contact.create", target=journalist, actor=staff)
    return journalist


@transaction.atomic
def contact_list_create(
    *,
    staff: Staff,
    name: str,
    members: list[Journalist] | None = None,
    is_segment: bool = False,
    outlet_kind: str = "",
    outlet_scope: str = "",
    beat: str = "",
    language: str = "",
) -> ContactList:
    """A hand-picked list (members of our organisation only) or a segment by filters."""
    if not permissions.can_write(staff):
        raise NotAllowed(_("Your role cannot change media contacts."))
    if not name.strip():
        raise DomainError(_("A name is required."))
    members = members or []
    if any(j.organisation_id != staff.organisation_id for j in members):
        raise DomainError(_("A member belongs to another organisation."))
    contact_list = ContactList.objects.create(
        organisation=staff.organisation,
        name=name.strip(),
        is_segment=is_segment,
        outlet_kind=outlet_kind,
        outlet_scope=outlet_scope,
        beat=beat.strip(),
        language=language,
    )
    if not is_segment:
        contact_list.members.set(members)
    audit(action="press.list.create", target=contact_list, actor=staff)
    return contact_list

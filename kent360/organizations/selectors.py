"""Reads of organisations and their reference data, always scoped to the person asking."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kent360.core import refcache
from kent360.core.fastsql import Select
from kent360.organizations.models import Category, Directorate, Organisation, Staff

# Looked up on every request registered with a code (API, intake): written once.
_CATEGORY_BY_CODE = Select(
    Category,
    where="t.organisation_id = %s AND t.code = %s",
    joins=[
        (
            "default_directorate",
            Directorate,
            "d",
            "JOIN {table} d ON d.id = t.default_directorate_id",
        )
    ],
)
_DIRECTORATE_BY_CODE = Select(Directorate, where="t.organisation_id = %s AND t.code = %s")


def staff_for_user(*, user: Any) -> Staff | None:
    if user is None or not user.is_authenticated:
        return None
    try:
        staff: Staff = user.staff
    except Staff.DoesNotExist:
        return None
    if not staff.is_active or not staff.organisation.is_active:
        return None
    return staff


def directorate_list(*, staff: Staff, active_only: bool = True) -> QuerySet[Directorate]:
    qs = Directorate.objects.filter(organisation_id=staff.organisation_id)
    return qs.filter(is_active=True) if active_only else qs


def category_list(*, staff: Staff, active_only: bool = True) -> QuerySet[Category]:
    qs = Category.objects.filter(organisation_id=staff.organisation_id).select_related(
        "default_directorate"
    )
    return qs.filter(is_active=True) if active_only else qs


def category_by_code(*, staff: Staff, code: str) -> Category | None:
    """The staff member's organisation's category with this code (active or not), with
    its default directorate."""
    return _by_code(_CATEGORY_BY_CODE, staff.organisation_id, code)  # type: ignore[no-any-return]


def directorate_by_code(*, staff: Staff, code: str) -> Directorate | None:
    return _by_code(_DIRECTORATE_BY_CODE, staff.organisation_id, code)  # type: ignore[no-any-return]


def _by_code(statement: Select, organisation_id: int, code: str) -> Any:
    # Kept per process while no reference table changes (kent360.core.refcache).
    row = refcache.cached(
        (statement.model._meta.label, organisation_id, code),
        lambda: statement.first_row([organisation_id, code]),
    )
    return None if row is None else statement.build(row)


def public_category_list(*, organisation: Organisation) -> QuerySet[Category]:
    return Category.objects.filter(organisation=organisation, is_active=True)


def staff_list(*, staff: Staff, directorate: Directorate | None = None) -> QuerySet[Staff]:
    qs = Staff.objects.filter(organisation_id=staff.organisation_id, is_active=True).select_related(
        "user", "directorate"
    )
    if directorate is not None:
        qs = qs.filter(directorate=directorate)
    return qs


def organisation_by_slug(*, slug: str) -> Organisation | None:
    return Organisation.objects.filter(slug=slug, is_active=True).first()


def organisation_members(*, organisation: Organisation) -> QuerySet[Organisation]:
    """A metropolitan's district members (an empty list for a district)."""
    return Organisation.objects.filter(parent=organisation, is_active=True)

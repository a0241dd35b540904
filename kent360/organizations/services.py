"""Writes of organisations, directorates, categories and staff."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from kent360.core.audit import audit
from kent360.organizations.models import Category, Directorate, Organisation, Role, Staff


@transaction.atomic
def organisation_create(
    *,
    name: str,
    slug: str,
    kind: str = Organisation.Kind.MUNICIPALITY,
    parent: Organisation | None = None,
    code_prefix: str = "",
    default_language: str = "tr",
    actor: Any = None,
    **extra: Any,
) -> Organisation:
    org = Organisation.objects.create(
        name=name,
        slug=slug,
        kind=kind,
        parent=parent,
        code_prefix=code_prefix.upper(),
        default_language=default_language,
        **extra,
    )
    org.full_clean()
    audit(action="organisation.create", target=org, organisation=org, actor=actor)
    return org


@transaction.atomic
def directorate_create(
    *, organisation: Organisation, name: str, code: str, actor: Any = None, email: str = ""
) -> Directorate:
    directorate = Directorate.objects.create(
        organisation=organisation, name=name, code=code, email=email
    )
    audit(action="directorate.create", target=directorate, actor=actor)
    return directorate


@transaction.atomic
def category_create(
    *,
    organisation: Organisation,
    name: str,
    code: str,
    default_directorate: Directorate,
    sla_hours: int = 48,
    keywords: str = "",
    actor: Any = None,
) -> Category:
    if default_directorate.organisation_id != organisation.pk:
        raise ValueError("The default directorate belongs to another organisation.")
    category = Category.objects.create(
        organisation=organisation,
        name=name,
        code=code,
        default_directorate=default_directorate,
        sla_hours=sla_hours,
        keywords=keywords,
    )
    audit(action="category.create", target=category, actor=actor)
    return category


@transaction.atomic
def staff_create(
    *,
    organisation: Organisation,
    username: str,
    password: str | None,
    role: str,
    directorate: Directorate | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    language: str = "tr",
    actor: Any = None,
) -> Staff:
    """Create a user bound to one organisation with one role.

    Directorate staff and managers must name their directorate, and it must be the
    organisation's own.
    """
    if role not in Role.values:
        raise ValueError(f"Unknown role {role!r}")
    if role in (Role.DIRECTORATE_STAFF, Role.DIRECTORATE_MANAGER) and directorate is None:
        raise ValueError("Directorate staff and managers need a directorate.")
    if directorate is not None and directorate.organisation_id != organisation.pk:
        raise ValueError("The directorate belongs to another organisation.")
    user = get_user_model().objects.create_user(
        username=username,
        password=password,
        email=email,
        first_name=first_name,
        last_name=last_name,
    )
    staff = Staff.objects.create(
        user=user, organisation=organisation, role=role, directorate=directorate, language=language
    )
    audit(action="staff.create", target=staff, actor=actor, data={"role": role})
    return staff

"""Small helpers every app's views share: the signed-in staff member and error messages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from kent360.core.errors import DomainError
from kent360.organizations.models import Staff


def staff_of(request: HttpRequest) -> Staff:
    """The staff member set by StaffContextMiddleware (views call it behind a staff check)."""
    staff: Staff = request.staff  # type: ignore[attr-defined]
    return staff


def error_text(exc: Exception) -> str:
    """The user-facing text of a refused operation: a domain rule or a validation error."""
    if isinstance(exc, DomainError):
        return str(exc.message)
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def first_form_error(form: Any) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return _("Please check the form.")

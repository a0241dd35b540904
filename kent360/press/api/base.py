"""Shared pieces of the press office, social media and network APIs.

Only press roles (press officer, PR manager, organisation admin) use these endpoints: any
other staff member gets 403, another organisation's rows are 404. A service refusing a step
for the caller's role (NotAllowed) is a 403 as well, other refusals stay 400/409.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request as ApiRequest

from kent360.core.errors import NotAllowed
from kent360.organizations.models import Staff
from kent360.press import permissions
from kent360.requests.api.views import api_staff

T = TypeVar("T")


def press_staff(request: ApiRequest, *, write: bool = False) -> Staff:
    """The calling press staff member; other roles are refused with 403."""
    staff = api_staff(request)
    allowed = permissions.can_write(staff) if write else permissions.can_view(staff)
    if not allowed:
        raise PermissionDenied(_("Your role cannot use the press office."))
    return staff


@contextmanager
def refused_as_403() -> Iterator[None]:
    try:
        yield
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc


def call(fn: Callable[..., T], **kwargs: Any) -> T:
    with refused_as_403():
        return fn(**kwargs)


def is_schema_view(view: Any) -> bool:
    """drf-spectacular builds the schema without a signed-in user."""
    return bool(getattr(view, "swagger_fake_view", False))


class ApiKeyScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """Documents kent360's API keys (``Authorization: Token <key>``) in the schema."""

    target_class = "kent360.core.api_auth.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token <key>",
        }

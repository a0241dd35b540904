"""Attach the signed-in user's Staff membership to the request as ``request.staff``."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class StaffContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.staff = None  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from kent360.organizations.selectors import staff_for_user

            request.staff = staff_for_user(user=user)  # type: ignore[attr-defined]
        return self.get_response(request)

"""The database is briefly unreachable (restart, failover): answer 503, never a bare 500.

Rule: while PostgreSQL restarts, a client must be told clearly that its call did not
happen and should be retried (HTTP 503 + Retry-After), with the API's error shape. The
request itself rolled back with its transaction, so nothing was half-written; a retry
with the same Idempotency-Key or the same Message-ID is safe.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5
DATABASE_ERRORS = (OperationalError, InterfaceError)


def is_database_outage(exc: BaseException | None) -> bool:
    """True for connection-level database failures (not for constraint or SQL errors)."""
    return isinstance(exc, DATABASE_ERRORS)


def _wants_html(request: HttpRequest) -> bool:
    path = request.path
    if path.startswith("/api/") or path.startswith("/open311/"):
        return False
    accept = request.headers.get("Accept", "")
    return "text/html" in accept and "application/json" not in accept


def unavailable_response(request: HttpRequest) -> HttpResponse:
    message = _("The service is briefly unavailable (database unreachable). Please try again.")
    response: HttpResponse
    if _wants_html(request):
        # No template: rendering one may itself need the database (context processors).
        body = f"<!doctype html><title>503</title><h1>503</h1><p>{escape(message)}</p>"
        response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    else:
        response = JsonResponse(
            {"error": {"code": "unavailable", "message": message, "fields": {}}}, status=503
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turn a database outage raised by a view into a retryable 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_outage(exception):
            return None
        log.warning(
            "database unavailable during %s %s: %s", request.method, request.path, exception
        )
        return unavailable_response(request)

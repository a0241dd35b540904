from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def health(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness: the process answers and the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        db = "ok"
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": db})


def server_error(request: HttpRequest) -> HttpResponse:
    """500 handler; an outage raised outside a view (session, auth middleware) becomes 503."""
    import sys

    from kent360.core.unavailable import is_database_outage, unavailable_response

    if is_database_outage(sys.exc_info()[1]):
        return unavailable_response(request)
    from django.views.defaults import server_error as default_server_error

    return default_server_error(request)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)

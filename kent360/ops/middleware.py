"""Middleware of the ops app: request ids, security headers (CSP with a per-request
nonce, Permissions-Policy) and HTTP metrics."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from kent360.core.logging import request_id_var

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(self), geolocation=(self), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)


class RequestIdMiddleware:
    """Takes a proxy's X-Request-ID when it looks sane, else makes one; echoes it back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else secrets.token_hex(8)
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


def _extra_img_sources() -> str:
    """The map tile server, if one is configured, may serve images."""
    url = getattr(settings, "KENT360_MAP_TILE_URL", "")
    if not url:
        return ""
    parts = urlsplit(url.replace("{s}", "a"))
    if not parts.scheme or not parts.hostname:
        return ""
    host = parts.hostname
    if "{s}" in url:
        host = "*." + host.split(".", 1)[1] if "." in host else host
    return f" {parts.scheme}://{host}"


def content_security_policy(nonce: str, frame_ancestors: str = "'none'") -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            # Bootstrap and htmx set inline styles; style injection cannot run code.
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data: blob:{_extra_img_sources()}",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


class SecurityHeadersMiddleware:
    """Content-Security-Policy with a fresh nonce per response, Permissions-Policy.

    Templates put ``nonce="{{ csp_nonce }}"`` on their inline ``<script>`` tags; any other
    inline script (an injected one) is refused by the browser.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(18)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        # A view that may be framed by our own pages (xframe_options_sameorigin) says so.
        same_origin = response.get("X-Frame-Options", "").upper() == "SAMEORIGIN"
        response.setdefault(
            "Content-Security-Policy",
            content_security_policy(nonce, "'self'" if same_origin else "'none'"),
        )
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


class MetricsMiddleware:
    """Times every request by view name and counts responses by status class."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from kent360.ops import metrics

        start = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match is not None and match.view_name else "unresolved"
        metrics.observe_request(view, response.status_code, time.perf_counter() - start)
        return response

from __future__ import annotations

from django.http import HttpRequest


def security(request: HttpRequest) -> dict[str, object]:
    """``csp_nonce`` for the inline ``<script>`` tags a template needs."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}

"""API key authentication: ``Authorization: Token <key>`` or ``X-Api-Key: <key>``."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from kent360.core.models import ApiKey, hash_api_key


def raw_key_from(request: Request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.lower().startswith("token ") or header.lower().startswith("bearer "):
        return header.split(" ", 1)[1].strip()
    return request.META.get("HTTP_X_API_KEY") or None


def find_api_key(raw: str) -> ApiKey | None:
    key = (
        ApiKey.objects.select_related("organisation", "user", "user__staff__organisation")
        .filter(key_hash=hash_api_key(raw), revoked_at__isnull=True)
        .first()
    )
    if key is not None:
        # Recording use is best-effort and must not turn a read into a write per request.
        now = timezone.now()
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 300:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[Any, ApiKey] | None:
        raw = raw_key_from(request)
        if not raw:
            return None
        key = find_api_key(raw)
        if key is None:
            raise exceptions.AuthenticationFailed(_("Unknown or revoked API key."))
        if key.user is None or not key.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("This API key is not a staff key; use it only where its scope allows.")
            )
        return (key.user, key)

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class ApiKeySchema(OpenApiAuthenticationExtension):
    """Describes the API key in the OpenAPI schema (header ``Authorization: Token <key>``)."""

    target_class = ApiKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token <key> (or the header X-Api-Key: <key>)",
        }

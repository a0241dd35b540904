"""API key authentication: ``Authorization: Token <key>`` or ``X-Api-Key: <key>``."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from kent360.core import refcache
from kent360.core.fastsql import Reader, prepared_cursor
from kent360.core.models import ApiKey, hash_api_key


def raw_key_from(request: Request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.lower().startswith("token ") or header.lower().startswith("bearer "):
        return header.split(" ", 1)[1].strip()
    return request.META.get("HTTP_X_API_KEY") or None


# The key, its organisation, its user, the user's staff membership and that membership's
# organisation: what every API call needs before it can start, in one statement.
_KEY_JOIN = (
    ("k", "ApiKey", ""),
    ("ko", "Organisation", "JOIN {t} ko ON ko.id = k.organisation_id"),
    ("u", "User", "LEFT JOIN {t} u ON u.id = k.user_id"),
    ("s", "Staff", "LEFT JOIN {t} s ON s.user_id = u.id"),
    ("so", "Organisation", "LEFT JOIN {t} so ON so.id = s.organisation_id"),
)


def _key_models() -> dict[str, type[Model]]:
    from kent360.organizations.models import Organisation, Staff

    user = get_user_model()
    return {"ApiKey": ApiKey, "Organisation": Organisation, "User": user, "Staff": Staff}


@functools.cache
def _key_statement(vendor: str) -> tuple[str, list[Reader]]:
    """The lookup's SQL and a reader per table; written once per process.

    The same query through the ORM (``select_related`` over four relations) spent more
    time compiling its SQL on every call than the database spent answering it; the key
    lookup runs before every API request, so it is written out here once.
    """
    models = _key_models()
    quote = connection.ops.quote_name
    columns: list[str] = []
    readers: list[Reader] = []
    joins: list[str] = []
    for alias, name, join in _KEY_JOIN:
        reader = Reader(models[name])
        columns += reader.columns(alias, connection)
        readers.append(reader)
        if join:
            joins.append(join.format(t=quote(models[name]._meta.db_table)))
    # Only quoted table and column names from the models go into the text; the key's hash
    # is a parameter.
    sql = (
        f"SELECT {', '.join(columns)} FROM {quote(ApiKey._meta.db_table)} k "  # noqa: S608
        f"{' '.join(joins)} WHERE k.key_hash = %s AND k.revoked_at IS NULL"
    )
    return sql, readers


def _key_row(key_hash: str) -> tuple[Any, ...] | None:
    sql, _readers = _key_statement(connection.vendor)
    with prepared_cursor(connections[connection.alias]) as cursor:
        cursor.execute(sql, [key_hash])
        row: tuple[Any, ...] | None = cursor.fetchone()
    return row


def _key_lookup(key_hash: str) -> ApiKey | None:
    # The row is kept per process while the reference generation holds (a revocation, a
    # deactivated user or staff member changes it); instances are new on every call.
    row = refcache.cached(("api_key", key_hash), lambda: _key_row(key_hash))
    if row is None:
        return None
    _sql, readers = _key_statement(connection.vendor)
    db = connections[connection.alias]  # the thread's connection, looked up once
    objects: list[Any] = []
    start = 0
    for reader in readers:
        objects.append(reader.read(row[start : start + reader.width], db))
        start += reader.width
    key, key_org, user, staff, staff_org = objects
    assert isinstance(key, ApiKey)
    key.organisation = key_org
    key.user = user
    if user is not None:
        if staff is None:
            # Remembered as missing, like select_related does, so no query asks again.
            user._state.fields_cache["staff"] = None
        else:
            staff.organisation = staff_org
            user._state.fields_cache["staff"] = staff
            staff._state.fields_cache["user"] = user
    return key


def find_api_key(raw: str) -> ApiKey | None:
    """The unrevoked key with this secret, with its organisation, user and staff loaded."""
    key = _key_lookup(hash_api_key(raw))
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

"""Pagination of the request list API: keyset cursors, a capped count.

Rule: ``?cursor=`` pages (from the ``next``/``previous`` links) cost the same at any depth;
``count`` is exact up to 1,000 and ``count_capped`` says when there are more. ``offset``
still works for existing clients, up to MAX_OFFSET (deeper offsets read every skipped row).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request as ApiRequest
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from kent360.requests import pagination

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_OFFSET = 10_000


def _int_param(request: ApiRequest, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValidationError({name: [_("A whole number is required.")]}) from exc
    if value < 0:
        raise ValidationError({name: [_("A whole number is required.")]})
    return value


class RequestListPagination(BasePagination):
    """Newest first by (created_at, id); ``limit`` (≤ 200) rows a page."""

    def paginate_queryset(  # type: ignore[override]  # a QuerySet only: keyset needs SQL
        self, queryset: QuerySet[Any], request: ApiRequest, view: Any = None
    ) -> list[Any]:
        self.request = request
        limit = min(_int_param(request, "limit", DEFAULT_LIMIT) or DEFAULT_LIMIT, MAX_LIMIT)
        self.count, self.capped = pagination.capped_count(queryset)
        url = request.build_absolute_uri()
        if request.query_params.get("offset") not in (None, ""):
            offset = _int_param(request, "offset", 0)
            if offset > MAX_OFFSET:
                raise ValidationError(
                    {"offset": [_("Offsets stop at 10,000; follow the next links (cursor).")]}
                )
            rows = list(queryset[offset : offset + limit + 1])
            self.next = (
                replace_query_param(url, "offset", offset + limit) if len(rows) > limit else None
            )
            self.previous = (
                replace_query_param(url, "offset", max(0, offset - limit)) if offset else None
            )
            return rows[:limit]
        page = pagination.keyset_page(
            queryset,
            sort="-created_at",
            cursor=request.query_params.get("cursor") or None,
            size=limit,
        )
        self.next = (
            replace_query_param(url, "cursor", page.next_cursor) if page.next_cursor else None
        )
        self.previous = (
            replace_query_param(url, "cursor", page.previous_cursor)
            if page.previous_cursor
            else None
        )
        return page.items

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "count": self.count,
                "count_capped": self.capped,
                "next": self.next,
                "previous": self.previous,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["count", "count_capped", "results"],
            "properties": {
                "count": {"type": "integer", "description": "exact up to 1000"},
                "count_capped": {"type": "boolean", "description": "more than 1000 rows"},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        def param(name: str, kind: str, text: str) -> dict[str, Any]:
            return {
                "name": name,
                "required": False,
                "in": "query",
                "description": text,
                "schema": {"type": kind},
            }

        return [
            param("limit", "integer", "rows per page (at most 200)"),
            param("cursor", "string", "opaque position from a next/previous link"),
            param("offset", "integer", "rows to skip (at most 10,000; prefer cursor)"),
        ]

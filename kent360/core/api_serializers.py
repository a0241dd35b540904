"""Serializer helpers shared by the apps' APIs."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from rest_framework import serializers

_FIELDS: dict[type, dict[str, serializers.Field]] = {}


class CachedFieldsMixin:
    """Builds a ModelSerializer's fields from the model once per class, not per instance.

    DRF introspects the model for every serializer it creates; on a hot path (one create
    per API call) that was a measurable share of the CPU. The cached fields are unbound
    and deep-copied for each instance, exactly as DRF copies declared fields.
    """

    _fields_cache: ClassVar[dict[type, dict[str, serializers.Field]]] = _FIELDS

    def get_fields(self) -> dict[str, Any]:
        cls = type(self)
        fields = self._fields_cache.get(cls)
        if fields is None:
            fields = self._fields_cache[cls] = super().get_fields()  # type: ignore[misc]
        return copy.deepcopy(fields)

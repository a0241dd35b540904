"""Serializer helpers shared by the apps' APIs."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from rest_framework import serializers

_FIELDS: dict[type, dict[str, serializers.Field]] = {}


class CachedFieldsMixin:
    """Builds a ModelSerializer's fields from the model once per class, not per instance.

    DRF introspects the model for every serializer it creates and deep-copies each field
    (re-running its constructor); on a hot path (one create per API call) that was about
    a tenth of the CPU. The cached fields are unbound; each instance gets shallow copies,
    which ``bind`` then gives their own name and parent. Only for read-only serializers:
    a shallow copy shares validators and choices, which reading never changes.
    """

    _fields_cache: ClassVar[dict[type, dict[str, serializers.Field]]] = _FIELDS

    def get_fields(self) -> dict[str, Any]:
        cls = type(self)
        fields = self._fields_cache.get(cls)
        if fields is None:
            fields = self._fields_cache[cls] = super().get_fields()  # type: ignore[misc]
        return {name: copy.copy(f) for name, f in fields.items()}

"""Serializer helpers shared by the apps' APIs."""

from __future__ import annotations

from typing import Any, ClassVar

from rest_framework import serializers

_FIELDS: dict[type, dict[str, serializers.Field]] = {}


class CachedFieldsMixin:
    """Builds a serializer's fields once per class, not per instance.

    DRF introspects the model for every serializer it creates and deep-copies each field
    (re-running its constructor); on a hot path (one create per API call) that was about
    a tenth of the CPU. The cached fields are unbound; each instance gets shallow copies
    (made directly: ``copy.copy`` goes through ``__reduce_ex__`` and cost ~10 us a field),
    which ``bind`` then gives their own name and parent. A shallow copy shares validators,
    choices and error messages, which reading and validating only read; a nested
    serializer keeps state of its own while it validates, so it is refused here.
    """

    _fields_cache: ClassVar[dict[type, dict[str, serializers.Field]]] = _FIELDS

    def get_fields(self) -> dict[str, Any]:
        cls = type(self)
        fields = self._fields_cache.get(cls)
        if fields is None:
            fields = super().get_fields()  # type: ignore[misc]
            nested = [n for n, f in fields.items() if isinstance(f, serializers.BaseSerializer)]
            if nested:
                raise TypeError(f"{cls.__name__}: nested serializers cannot be shared: {nested}")
            self._fields_cache[cls] = fields
        return {name: _shallow(f) for name, f in fields.items()}


def _shallow(field: serializers.Field) -> serializers.Field:
    clone = object.__new__(type(field))
    clone.__dict__.update(field.__dict__)
    return clone

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


# Field classes whose get_attribute and to_representation read nothing but the field's
# own settings and the instance: not the serializer's context, data or instance. (Their
# get_attribute consults ``root.partial`` when an attribute is missing; partial
# serializers take DRF's own path.)
_REPRESENTED_ALIKE = frozenset(
    {
        serializers.BooleanField,
        serializers.CharField,
        serializers.ChoiceField,
        serializers.DateField,
        serializers.DateTimeField,
        serializers.DecimalField,
        serializers.EmailField,
        serializers.FloatField,
        serializers.IntegerField,
        serializers.JSONField,
        serializers.ReadOnlyField,
        serializers.SlugField,
        serializers.SlugRelatedField,
        serializers.URLField,
        serializers.UUIDField,
    }
)
_PLANS: dict[type, list[tuple[str, serializers.Field]] | None] = {}


class FastRepresentationMixin(CachedFieldsMixin):
    """Writes out instances with fields bound once per class instead of once per
    instance.

    DRF binds a copy of every field to each serializer it creates, for every object it
    writes out; for a 26-field request that was ~3/4 of the time spent writing it out.
    Here the fields are bound once, to a prototype instance of the serializer, and
    ``to_representation`` asks each of them for its attribute and its representation
    exactly as DRF's own loop does. Only serializers whose every readable field is of a
    kind in ``_REPRESENTED_ALIKE`` (nothing reading the context or the serializer) take
    this path; any other, and a partial serializer, takes DRF's.
    """

    def to_representation(self, instance: Any) -> Any:
        cls = type(self)
        if cls not in _PLANS:
            _PLANS[cls] = _plan(cls)
        plan = _PLANS[cls]
        if plan is None or getattr(self, "partial", False):
            return super().to_representation(instance)  # type: ignore[misc]
        out: dict[str, Any] = {}
        for name, field in plan:
            try:
                value = field.get_attribute(instance)
            except serializers.SkipField:
                continue
            out[name] = None if value is None else field.to_representation(value)
        return out


def _plan(cls: type) -> list[tuple[str, serializers.Field]] | None:
    if getattr(cls, "to_representation", None) is not FastRepresentationMixin.to_representation:
        return None  # the class writes out its instances its own way
    prototype = cls()
    fields = list(prototype._readable_fields)
    if any(type(f) not in _REPRESENTED_ALIKE for f in fields):
        return None
    return [(f.field_name, f) for f in fields]

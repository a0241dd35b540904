"""Serializers that write out instances with fields bound once per class must write
exactly what DRF's own loop writes, and leave everything else to DRF."""

from __future__ import annotations

import json

from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from kent360.core.api_serializers import FastRepresentationMixin, _plan
from kent360.organizations.models import Role
from kent360.requests import services
from kent360.requests.api.serializers import EventSerializer, RequestSerializer
from kent360.requests.models import Request, RequestEvent


def _drf(serializer_class, instance):
    """What DRF's generic Serializer.to_representation gives for the same instance."""
    return serializers.Serializer.to_representation(serializer_class(instance), instance)


def _requests_of_every_shape(world, make_request) -> list[Request]:
    manager = world.staff[Role.DIRECTORATE_MANAGER]
    plain = make_request()
    persian = make_request(
        subject="درخواست تعمیر کوچه",
        text="چاله‌ای بزرگ در کوچهٔ ۱۲ — ي و ك عربی",
        language="fa",
        latitude=35.6892,
        longitude=51.389,
        contact_email="",
        contact_phone="",
    )
    uncategorised = make_request(category=None, neighbourhood="Kazımdirik")
    assigned = services.request_assign(
        request=make_request(),
        actor=manager,
        assignee=world.staff[Role.DIRECTORATE_STAFF],
    )
    answered = services.request_answer(
        request=services.request_assign(request=make_request(), actor=manager),
        actor=manager,
        answer="Onarıldı.",
    )
    original = make_request()
    merged = services.request_merge(request=make_request(), actor=manager, into=original)
    shapes = [plain, persian, uncategorised, assigned, answered, original, merged]
    # as the API reads them: with their relations loaded
    return list(
        Request.objects.filter(pk__in=[r.pk for r in shapes])
        .select_related("category", "directorate", "assignee__user", "merged_into")
        .order_by("id")
    )


def test_requests_are_written_out_as_drf_writes_them(world, make_request):
    requests = _requests_of_every_shape(world, make_request)
    assert _plan(RequestSerializer) is not None  # the class takes the short path
    for request in requests:
        ours = RequestSerializer(request).data
        assert dict(ours) == _drf(RequestSerializer, request)
        assert JSONRenderer().render(ours) == JSONRenderer().render(
            _drf(RequestSerializer, request)
        )
    listed = RequestSerializer(requests, many=True).data
    assert [dict(x) for x in listed] == [_drf(RequestSerializer, r) for r in requests]
    shown = {r["tracking_code"]: r for r in listed}
    merged = next(r for r in requests if r.merged_into_id)
    assert shown[merged.tracking_code]["merged_into"] == merged.merged_into.tracking_code
    assigned = next(r for r in requests if r.assignee_id)
    assert shown[assigned.tracking_code]["assignee"] == assigned.assignee.user.username


def test_events_are_written_out_as_drf_writes_them(world, make_request):
    _requests_of_every_shape(world, make_request)
    events = list(RequestEvent.objects.order_by("id"))
    assert len(events) > 10
    for event in events:
        assert dict(EventSerializer(event).data) == _drf(EventSerializer, event)
    assert json.loads(JSONRenderer().render(EventSerializer(events, many=True).data)) == [
        json.loads(JSONRenderer().render(_drf(EventSerializer, e))) for e in events
    ]


class _WithMethodField(FastRepresentationMixin, serializers.ModelSerializer):
    shouted = serializers.SerializerMethodField()

    class Meta:
        model = Request
        fields = ["tracking_code", "shouted"]

    def get_shouted(self, obj):
        return self.context.get("prefix", "") + obj.subject.upper()


def test_a_serializer_with_a_field_that_reads_the_context_takes_drfs_path(world, make_request):
    request = make_request(subject="çukur")
    assert _plan(_WithMethodField) is None
    data = _WithMethodField(request, context={"prefix": "» "}).data
    assert data == {"tracking_code": request.tracking_code, "shouted": "» ÇUKUR"}


def test_a_partial_serializer_takes_drfs_path(world, make_request):
    """DRF leaves out a missing attribute's default when the serializer is partial."""
    request = make_request()
    assert request.assignee_id is None
    full = RequestSerializer(request).data
    partial = RequestSerializer(request, partial=True).data
    assert full["assignee"] is None and "assignee" not in partial
    assert "merged_into" not in partial and partial["tracking_code"] == request.tracking_code

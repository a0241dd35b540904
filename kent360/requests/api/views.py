"""REST API for staff clients: list, create, get, transition requests."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request as ApiRequest
from rest_framework.response import Response

from kent360.ops.services import personal_data_access_log
from kent360.organizations.models import Category, Directorate, Staff
from kent360.requests import permissions, selectors, services
from kent360.requests.api.pagination import RequestListPagination
from kent360.requests.api.serializers import (
    EventSerializer,
    NoteSerializer,
    RequestCreateSerializer,
    RequestSerializer,
    TransitionSerializer,
)
from kent360.requests.models import OPEN_STATES, Request, State


def api_staff(request: ApiRequest) -> Staff:
    from kent360.organizations.selectors import staff_for_user

    staff = staff_for_user(user=request.user)
    if staff is None:
        raise PermissionDenied(_("This account is not a member of any organisation."))
    return staff


class RequestFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=State.choices)
    open = django_filters.BooleanFilter(method="filter_open")
    category = django_filters.CharFilter(field_name="category__code")
    directorate = django_filters.CharFilter(field_name="directorate__code")
    channel = django_filters.CharFilter()
    kind = django_filters.CharFilter()
    neighbourhood = django_filters.CharFilter(lookup_expr="iexact")
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Request
        fields = ["state", "category", "directorate", "channel", "kind", "neighbourhood"]

    def filter_open(self, qs: QuerySet[Request], name: str, value: bool) -> QuerySet[Request]:
        if value is None:
            return qs
        return qs.filter(state__in=OPEN_STATES) if value else qs.exclude(state__in=OPEN_STATES)


def _org_object(model: Any, staff: Staff, code: str | None, field: str) -> Any:
    if not code:
        return None
    from kent360.organizations.selectors import category_by_code, directorate_by_code

    lookup = category_by_code if model is Category else directorate_by_code
    obj = lookup(staff=staff, code=code)
    if obj is None:
        raise ValidationError({field: [_("Unknown code %(code)s.") % {"code": code}]})
    return obj


class RequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RequestSerializer
    queryset = Request.objects.none()  # the schema generator has no signed-in staff
    lookup_field = "tracking_code"
    filterset_class = RequestFilter
    pagination_class = RequestListPagination

    def get_queryset(self) -> QuerySet[Request]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Request.objects.none()
        staff = api_staff(self.request)
        return (
            selectors.request_visible(staff=staff)
            .select_related("category", "directorate", "assignee__user", "merged_into")
            .order_by("-created_at", "-id")
        )

    def get_object(self) -> Request:
        return selectors.request_get(
            staff=api_staff(self.request), tracking_code=self.kwargs["tracking_code"]
        )

    def retrieve(self, request: ApiRequest, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        personal_data_access_log(
            staff=api_staff(request),
            obj=obj,
            what="api.request.retrieve",
            http_request=request._request,
        )
        return Response(self.get_serializer(obj).data)

    @extend_schema(
        request=RequestCreateSerializer,
        responses={201: RequestSerializer, 200: RequestSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Retries with the same key return the "
                "request first created (200) instead of a new one.",
            )
        ],
    )
    def create(self, request: ApiRequest) -> Response:
        staff = api_staff(request)
        if not permissions.can_create(staff):
            raise PermissionDenied(_("Your role cannot register requests."))
        serializer = RequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        category = _org_object(Category, staff, data.pop("category", None), "category")
        directorate = _org_object(Directorate, staff, data.pop("directorate", None), "directorate")
        result = services.request_create(
            organisation=staff.organisation,
            actor=staff,
            category=category,
            directorate=directorate,
            idempotency_key=request.headers.get("Idempotency-Key") or None,
            **data,
        )
        return Response(
            RequestSerializer(result.request).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )

    @extend_schema(request=TransitionSerializer, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: ApiRequest, tracking_code: str) -> Response:
        staff = api_staff(request)
        obj = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        name = data["action"]
        text = data.get("text", "")
        params: dict[str, Any] = {}
        if name in ("triage", "assign"):
            params["directorate"] = _org_object(
                Directorate, staff, data.get("directorate"), "directorate"
            )
            if name == "triage":
                params["category"] = _org_object(Category, staff, data.get("category"), "category")
            if name == "assign" and data.get("assignee"):
                assignee = Staff.objects.filter(
                    organisation_id=staff.organisation_id, user__username=data["assignee"]
                ).first()
                if assignee is None:
                    raise ValidationError({"assignee": [_("Unknown staff member.")]})
                params["assignee"] = assignee
            params["note"] = text
        elif name == "transfer":
            params["directorate"] = _org_object(
                Directorate, staff, data.get("directorate"), "directorate"
            )
            if params["directorate"] is None:
                raise ValidationError({"directorate": [_("Name the directorate.")]})
            params["reason"] = text
        elif name == "merge":
            try:
                params["into"] = selectors.request_get(
                    staff=staff, tracking_code=data.get("into", "")
                )
            except Http404 as exc:
                raise ValidationError({"into": [_("Unknown tracking code.")]}) from exc
            params["note"] = text
        elif name == "reject":
            params["reason"] = text
            params["competent_body"] = data.get("competent_body", "")
        elif name == "answer":
            params["answer"] = text
        elif name == "wait":
            params["question"] = text
        elif name == "reopen":
            params["reason"] = text
        else:
            params["note"] = text
        obj = services.request_apply_action(request=obj, actor=staff, action=name, **params)
        obj.refresh_from_db()
        return Response(RequestSerializer(obj).data)

    @extend_schema(request=NoteSerializer, responses={201: EventSerializer})
    @action(detail=True, methods=["post"])
    def notes(self, request: ApiRequest, tracking_code: str) -> Response:
        staff = api_staff(request)
        obj = self.get_object()
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        func = (
            services.request_reply
            if serializer.validated_data["public"]
            else (services.request_add_note)
        )
        event = func(request=obj, actor=staff, text=serializer.validated_data["text"])
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=EventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request: ApiRequest, tracking_code: str) -> Response:
        staff = api_staff(request)
        obj = self.get_object()
        events = selectors.request_timeline(staff=staff, request=obj)
        return Response(EventSerializer(events, many=True).data)

"""REST API of the press office: releases and their workflow, media contacts, events."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request as ApiRequest
from rest_framework.response import Response

from kent360.organizations.models import Directorate
from kent360.press import contacts, selectors, services
from kent360.press.api.base import call, is_schema_view, press_staff
from kent360.press.api.serializers import (
    ContactListCreateSerializer,
    ContactListSerializer,
    JournalistCreateSerializer,
    JournalistSerializer,
    PressEventCreateSerializer,
    PressEventSerializer,
    ReleaseCreateSerializer,
    ReleaseSerializer,
    ReleaseTransitionSerializer,
)
from kent360.press.models import ContactList, Event, Journalist, Outlet, Release


class ReleaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = "[0-9]+"  # ids only: anything else is a 404, not a 500
    serializer_class = ReleaseSerializer
    queryset = Release.objects.none()
    filterset_fields = ["state", "kind"]

    def get_queryset(self) -> QuerySet[Release]:
        if is_schema_view(self):
            return Release.objects.none()
        staff = press_staff(self.request)
        q = self.request.query_params.get("q", "")
        return selectors.release_list(staff=staff, q=q).select_related("directorate")

    def get_object(self) -> Release:
        return selectors.release_get(staff=press_staff(self.request), pk=int(self.kwargs["pk"]))

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Words of the title or text")]
    )
    def list(self, request: ApiRequest, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ReleaseCreateSerializer, responses={201: ReleaseSerializer})
    def create(self, request: ApiRequest) -> Response:
        """Create a draft in one language; it then goes through the approval chain."""
        staff = press_staff(request, write=True)
        serializer = ReleaseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        code = data.pop("directorate")
        directorate = None
        if code:
            directorate = Directorate.objects.filter(
                organisation_id=staff.organisation_id, code=code
            ).first()
            if directorate is None:
                raise ValidationError({"directorate": [_("Unknown directorate.")]})
        release = call(
            services.release_create,
            organisation=staff.organisation,
            actor=staff,
            directorate=directorate,
            **data,
        )
        return Response(ReleaseSerializer(release).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReleaseTransitionSerializer, responses=ReleaseSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: ApiRequest, pk: str) -> Response:
        """Take one workflow step: submit, approve, send_back, schedule, unschedule,
        publish or archive. Approval follows the organisation's chain of roles."""
        staff = press_staff(request)
        release = self.get_object()
        serializer = ReleaseTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        release = call(
            services.release_transition, release=release, actor=staff, **serializer.validated_data
        )
        release = selectors.release_get(staff=staff, pk=release.pk)
        return Response(ReleaseSerializer(release).data)


class JournalistViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = "[0-9]+"  # ids only: anything else is a 404, not a 500
    serializer_class = JournalistSerializer
    queryset = Journalist.objects.none()

    def get_queryset(self) -> QuerySet[Journalist]:
        if is_schema_view(self):
            return Journalist.objects.none()
        return selectors.journalist_list(staff=press_staff(self.request))

    @extend_schema(request=JournalistCreateSerializer, responses={201: JournalistSerializer})
    def create(self, request: ApiRequest, *args: Any, **kwargs: Any) -> Response:
        staff = press_staff(request, write=True)
        serializer = JournalistCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        outlet_name = data.pop("outlet").strip()
        kind, scope = data.pop("outlet_kind"), data.pop("outlet_scope")
        outlet = None
        if outlet_name:
            outlet, _created = Outlet.objects.get_or_create(
                organisation=staff.organisation,
                name=outlet_name,
                defaults={"kind": kind, "scope": scope},
            )
        journalist = call(contacts.journalist_create, staff=staff, outlet=outlet, **data)
        return Response(JournalistSerializer(journalist).data, status=status.HTTP_201_CREATED)


class ContactListViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = "[0-9]+"  # ids only: anything else is a 404, not a 500
    serializer_class = ContactListSerializer
    queryset = ContactList.objects.none()

    def get_queryset(self) -> QuerySet[ContactList]:
        if is_schema_view(self):
            return ContactList.objects.none()
        return selectors.contact_lists(staff=press_staff(self.request)).prefetch_related("members")

    @extend_schema(request=ContactListCreateSerializer, responses={201: ContactListSerializer})
    def create(self, request: ApiRequest, *args: Any, **kwargs: Any) -> Response:
        staff = press_staff(request, write=True)
        serializer = ContactListCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        ids = set(data.pop("members"))
        members = list(selectors.journalist_list(staff=staff).filter(pk__in=ids))
        if len(members) != len(ids):
            raise ValidationError({"members": [_("Unknown contact.")]})
        created = call(contacts.contact_list_create, staff=staff, members=members, **data)
        return Response(ContactListSerializer(created).data, status=status.HTTP_201_CREATED)


class EventViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = "[0-9]+"  # ids only: anything else is a 404, not a 500
    serializer_class = PressEventSerializer
    queryset = Event.objects.none()

    def get_queryset(self) -> QuerySet[Event]:
        if is_schema_view(self):
            return Event.objects.none()
        return selectors.event_list(staff=press_staff(self.request)).prefetch_related("releases")

    @extend_schema(request=PressEventCreateSerializer, responses={201: PressEventSerializer})
    def create(self, request: ApiRequest, *args: Any, **kwargs: Any) -> Response:
        staff = press_staff(request, write=True)
        serializer = PressEventCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        ids = set(data.pop("releases"))
        releases = list(selectors.release_list(staff=staff).filter(pk__in=ids))
        if len(releases) != len(ids):
            raise ValidationError({"releases": [_("Unknown release.")]})
        event = call(
            services.event_create,
            organisation=staff.organisation,
            actor=staff,
            releases=releases,
            **data,
        )
        return Response(PressEventSerializer(event).data, status=status.HTTP_201_CREATED)

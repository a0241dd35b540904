"""REST API of media monitoring for the press office's own tools.

Same rules as the desk: press officers, the PR manager and the organisation's administrator
only (403 for other roles); every row comes from the caller's organisation (404 otherwise).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request as ApiRequest
from rest_framework.response import Response

from kent360.media import selectors, services
from kent360.media.api import serializers as s
from kent360.media.models import Article, RebuttalCase, Source, Story, Tone
from kent360.media.permissions import can_use_media
from kent360.organizations.models import Staff
from kent360.requests.api.views import api_staff


def media_staff(request: ApiRequest) -> Staff:
    staff = api_staff(request)
    if not can_use_media(staff):
        raise PermissionDenied(_("The media desk is for the press office."))
    return staff


MAX_ID = 2**53  # ids beyond this are not ids; refuse them instead of overflowing SQL


class ArticleFilter(django_filters.FilterSet):
    source = django_filters.NumberFilter(field_name="source_id", min_value=0, max_value=MAX_ID)
    story = django_filters.NumberFilter(field_name="story_id", min_value=0, max_value=MAX_ID)
    tone = django_filters.ChoiceFilter(choices=Tone.choices)
    entity = django_filters.NumberFilter(
        field_name="mentions__entity_id", distinct=True, min_value=0, max_value=MAX_ID
    )
    published_after = django_filters.IsoDateTimeFilter(field_name="published_at", lookup_expr="gte")
    published_before = django_filters.IsoDateTimeFilter(field_name="published_at", lookup_expr="lt")
    language = django_filters.CharFilter()

    class Meta:
        model = Article
        fields = ["source", "story", "tone", "entity", "language"]


class ArticleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = "[0-9]+"  # ids only: anything else is a 404, not a 500
    filterset_class = ArticleFilter
    queryset = Article.objects.none()  # the schema's model; requests use get_queryset
    lookup_url_kwarg = "article_id"

    def get_serializer_class(self) -> Any:
        return s.ArticleDetailSerializer if self.action == "retrieve" else s.ArticleSerializer

    def get_queryset(self) -> QuerySet[Article]:
        return selectors.article_list(staff=media_staff(self.request))

    def get_object(self) -> Article:
        return selectors.article_get(
            staff=media_staff(self.request), article_id=self.kwargs["article_id"]
        )


class StoryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = "[0-9]+"  # ids only: anything else is a 404, not a 500
    queryset = Story.objects.none()
    lookup_url_kwarg = "story_id"

    def get_serializer_class(self) -> Any:
        return s.StoryDetailSerializer if self.action == "retrieve" else s.StorySerializer

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.story_list(staff=media_staff(self.request))

    def get_object(self) -> Any:
        return selectors.story_get(
            staff=media_staff(self.request), story_id=self.kwargs["story_id"]
        )


class SourceViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = "[0-9]+"  # ids only: anything else is a 404, not a 500
    serializer_class = s.SourceSerializer
    queryset = Source.objects.none()
    pagination_class = None

    def get_queryset(self) -> Any:
        return selectors.source_list(staff=media_staff(self.request))

    def create(self, request: ApiRequest, *args: Any, **kwargs: Any) -> Response:
        staff = media_staff(request)
        serializer = s.SourceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = {"kind": Source.Kind.FEED, **serializer.validated_data}
        source = services.source_create(organisation=staff.organisation, actor=staff, **data)
        return Response(s.SourceSerializer(source).data, status=status.HTTP_201_CREATED)


class RebuttalCaseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    lookup_value_regex = "[0-9]+"  # ids only: anything else is a 404, not a 500
    queryset = RebuttalCase.objects.none()
    lookup_url_kwarg = "case_id"

    def get_serializer_class(self) -> Any:
        if self.action == "retrieve":
            return s.RebuttalCaseDetailSerializer
        return s.RebuttalCaseSerializer

    def get_queryset(self) -> QuerySet[RebuttalCase]:
        state = self.request.query_params.get("state", "")
        return selectors.rebuttal_list(staff=media_staff(self.request), state=state)

    def get_object(self) -> RebuttalCase:
        return selectors.rebuttal_get(
            staff=media_staff(self.request), case_id=self.kwargs["case_id"]
        )

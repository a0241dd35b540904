"""REST API of the social media desk: posts, their approval and scheduling."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request as ApiRequest
from rest_framework.response import Response

from kent360.press.api.base import call, is_schema_view, press_staff
from kent360.social import selectors, services
from kent360.social.api.serializers import (
    PostCreateSerializer,
    PostScheduleSerializer,
    PostSerializer,
    PostStepSerializer,
)
from kent360.social.models import SocialPost


class PostViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    lookup_value_regex = "[0-9]+"  # ids only: anything else is a 404, not a 500
    serializer_class = PostSerializer
    queryset = SocialPost.objects.none()
    filterset_fields = ["state"]

    def get_queryset(self) -> QuerySet[SocialPost]:
        if is_schema_view(self):
            return SocialPost.objects.none()
        return selectors.post_list(staff=press_staff(self.request))

    def get_object(self) -> SocialPost:
        return selectors.post_get(staff=press_staff(self.request), pk=int(self.kwargs["pk"]))

    @extend_schema(request=PostCreateSerializer, responses={201: PostSerializer})
    def create(self, request: ApiRequest, *args: Any, **kwargs: Any) -> Response:
        """A draft for the chosen accounts; ``submit`` sends it for approval at once."""
        staff = press_staff(request, write=True)
        serializer = PostCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        ids = set(data["accounts"])
        accounts = list(selectors.accounts(staff=staff).filter(pk__in=ids))
        if len(accounts) != len(ids):
            raise ValidationError({"accounts": [_("Unknown account.")]})
        post = call(
            services.post_create,
            organisation=staff.organisation,
            actor=staff,
            text=data["text"],
            accounts=accounts,
            image_url=data["image_url"],
        )
        if data["submit"]:
            post = call(services.post_transition, post=post, actor=staff, action="submit")
        return Response(self._out(post), status=status.HTTP_201_CREATED)

    def _step(self, request: ApiRequest, name: str, **kwargs: Any) -> Response:
        staff = press_staff(request)
        post = call(
            services.post_transition, post=self.get_object(), actor=staff, action=name, **kwargs
        )
        return Response(self._out(post))

    def _out(self, post: SocialPost) -> Any:
        return PostSerializer(
            SocialPost.objects.prefetch_related("targets__account").get(pk=post.pk)
        ).data

    @extend_schema(request=None, responses=PostSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: ApiRequest, pk: str) -> Response:
        return self._step(request, "submit")

    @extend_schema(request=None, responses=PostSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: ApiRequest, pk: str) -> Response:
        """One approval step; the post is approved when the whole chain has approved."""
        return self._step(request, "approve")

    @extend_schema(request=PostStepSerializer, responses=PostSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request: ApiRequest, pk: str) -> Response:
        serializer = PostStepSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._step(request, "send_back", text=serializer.validated_data["text"])

    @extend_schema(request=PostScheduleSerializer, responses=PostSerializer)
    @action(detail=True, methods=["post"])
    def schedule(self, request: ApiRequest, pk: str) -> Response:
        """Publish an approved post at the given time (the sweep sends it then)."""
        serializer = PostScheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._step(
            request, "schedule", scheduled_at=serializer.validated_data["scheduled_at"]
        )

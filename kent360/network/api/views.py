"""REST API of the network: campaigns (read and confirm) and crises (read)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request as ApiRequest
from rest_framework.response import Response

from kent360.network import selectors, services
from kent360.network.api.serializers import (
    CampaignSerializer,
    ConfirmSerializer,
    CrisisSerializer,
)
from kent360.network.models import Campaign, Crisis
from kent360.press.api.base import call, is_schema_view, press_staff


class _NetworkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = "[0-9]+"  # ids only: anything else is a 404, not a 500

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if not is_schema_view(self):
            context["staff"] = press_staff(self.request)
        return context


class CampaignViewSet(_NetworkViewSet):
    """Campaigns we started or take part in; a member sees only its own participation."""

    serializer_class = CampaignSerializer
    queryset = Campaign.objects.none()

    def get_queryset(self) -> QuerySet[Campaign]:
        if is_schema_view(self):
            return Campaign.objects.none()
        return selectors.campaign_list(staff=press_staff(self.request))

    def get_object(self) -> Campaign:
        return selectors.campaign_get(staff=press_staff(self.request), pk=int(self.kwargs["pk"]))

    @extend_schema(request=ConfirmSerializer, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: ApiRequest, pk: str) -> Response:
        """Confirm our participation, optionally with our own version of the message."""
        staff = press_staff(request)
        campaign = self.get_object()
        serializer = ConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        text = serializer.validated_data["text"]
        if text.strip():
            call(services.participation_adapt, actor=staff, campaign=campaign, text=text)
        call(services.participation_confirm, actor=staff, campaign=campaign)
        return Response(CampaignSerializer(campaign, context={"staff": staff}).data)


class CrisisViewSet(_NetworkViewSet):
    """Crises of the network, with request counts (never request contents)."""

    serializer_class = CrisisSerializer
    queryset = Crisis.objects.none()

    def get_queryset(self) -> QuerySet[Crisis]:
        if is_schema_view(self):
            return Crisis.objects.none()
        return selectors.crisis_list(staff=press_staff(self.request)).select_related("organisation")

    def get_object(self) -> Crisis:
        return selectors.crisis_get(staff=press_staff(self.request), pk=int(self.kwargs["pk"]))

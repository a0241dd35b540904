from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kent360.network import selectors
from kent360.network.models import Campaign, Crisis


class ParticipationSerializer(serializers.Serializer):
    organisation = serializers.CharField(help_text=_("Organisation slug"))
    state = serializers.CharField()
    text = serializers.CharField(
        allow_null=True, help_text=_("Shown only once confirmed, or to the member itself")
    )
    confirmed_at = serializers.DateTimeField(allow_null=True)


class CampaignSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.slug", read_only=True)
    participations = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [
            "id",
            "organisation",
            "title",
            "message",
            "starts_on",
            "ends_on",
            "created_at",
            "participations",
        ]
        read_only_fields = fields

    @extend_schema_field(ParticipationSerializer(many=True))
    def get_participations(self, obj: Campaign) -> list[dict[str, Any]]:
        rows = selectors.participations(staff=self.context["staff"], campaign=obj)
        return [
            {
                "organisation": r["p"].organisation.slug,
                "state": r["p"].state,
                "text": r["text"],
                "confirmed_at": r["p"].confirmed_at,
            }
            for r in rows
        ]


class ConfirmSerializer(serializers.Serializer):
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Our version of the message; empty keeps the current one"),
    )


class RequestCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_organisation = serializers.DictField(child=serializers.IntegerField())


class CrisisSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.slug", read_only=True)
    requests = serializers.SerializerMethodField()

    class Meta:
        model = Crisis
        fields = [
            "id",
            "organisation",
            "title",
            "kind",
            "code",
            "is_open",
            "opened_at",
            "closed_at",
            "requests",
        ]
        read_only_fields = fields

    @extend_schema_field(RequestCountsSerializer)
    def get_requests(self, obj: Crisis) -> dict[str, Any]:
        counts = selectors.crisis_request_counts(crisis=obj)
        return {"total": counts["total"], "by_organisation": dict(counts["by_org"])}

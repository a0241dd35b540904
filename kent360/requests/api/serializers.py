from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kent360.core.api_serializers import CachedFieldsMixin, FastRepresentationMixin
from kent360.requests.models import Channel, Kind, Priority, Request, RequestEvent, State
from kent360.requests.workflow import ACTIONS


class RequestSerializer(FastRepresentationMixin, serializers.ModelSerializer):
    category: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    directorate: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    # Blank when the citizen gave none: a plain string, not format "email".
    contact_email = serializers.CharField(read_only=True, help_text=_("E-mail address or empty"))
    assignee = serializers.CharField(
        source="assignee.user.username", read_only=True, default=None, allow_null=True
    )
    is_overdue = serializers.BooleanField(read_only=True)
    merged_into = serializers.CharField(
        source="merged_into.tracking_code", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Request
        fields = [
            "tracking_code",
            "kind",
            "state",
            "category",
            "directorate",
            "assignee",
            "channel",
            "priority",
            "subject",
            "text",
            "language",
            "latitude",
            "longitude",
            "address",
            "neighbourhood",
            "contact_name",
            "contact_phone",
            "contact_email",
            "external_ref",
            "created_at",
            "updated_at",
            "due_at",
            "first_answered_at",
            "closed_at",
            "is_overdue",
            "merged_into",
        ]
        read_only_fields = fields


class RequestCreateSerializer(CachedFieldsMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.REQUEST)
    category = serializers.SlugField(required=False, allow_blank=True, help_text=_("Category code"))
    directorate = serializers.SlugField(
        required=False, allow_blank=True, help_text=_("Directorate code")
    )
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    subject = serializers.CharField(max_length=300)
    text = serializers.CharField(max_length=20000)
    language = serializers.ChoiceField(
        choices=[("tr", "tr"), ("en", "en"), ("fa", "fa")], default="tr"
    )
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    longitude = serializers.FloatField(
        required=False, allow_null=True, min_value=-180, max_value=180
    )
    address = serializers.CharField(required=False, allow_blank=True, max_length=500)
    neighbourhood = serializers.CharField(required=False, allow_blank=True, max_length=120)
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    external_ref = serializers.CharField(required=False, allow_blank=True, max_length=100)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs.get("latitude") is None) != (attrs.get("longitude") is None):
            raise serializers.ValidationError(
                {"latitude": _("Give both latitude and longitude, or neither.")}
            )
        return attrs


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[(a, a) for a in ACTIONS])
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20000,
        help_text=_("Answer, note, reason or question, by action"),
    )
    directorate = serializers.SlugField(required=False, allow_blank=True)
    category = serializers.SlugField(required=False, allow_blank=True)
    assignee = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Username of the staff member")
    )
    into = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Tracking code of the original (merge)")
    )
    competent_body = serializers.CharField(required=False, allow_blank=True, max_length=300)


class NoteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=20000)
    public = serializers.BooleanField(
        default=False, help_text=_("True sends it to the citizen as a reply")
    )


class EventSerializer(FastRepresentationMixin, serializers.ModelSerializer):
    class Meta:
        model = RequestEvent
        fields = [
            "id",
            "type",
            "actor_label",
            "from_state",
            "to_state",
            "text",
            "data",
            "is_public",
            "created_at",
        ]
        read_only_fields = fields


STATE_CHOICES = State.choices

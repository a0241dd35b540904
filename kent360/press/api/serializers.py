from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kent360.press.models import (
    ContactList,
    Event,
    EventKind,
    Journalist,
    OutletKind,
    OutletScope,
    Release,
    ReleaseKind,
    ReleaseTranslation,
)
from kent360.press.workflow import ACTIONS

LANGUAGE_CHOICES = settings.LANGUAGES


class ReleaseTranslationSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReleaseTranslation
        fields = ["language", "title", "summary", "body"]
        read_only_fields = fields


class ReleaseSerializer(serializers.ModelSerializer):
    directorate: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    translations = ReleaseTranslationSerializer(many=True, read_only=True)
    image = serializers.ImageField(read_only=True, use_url=True)

    class Meta:
        model = Release
        fields = [
            "id",
            "kind",
            "state",
            "slug",
            "default_language",
            "tags",
            "directorate",
            "project",
            "image",
            "approval_step",
            "shared_with_network",
            "scheduled_at",
            "published_at",
            "created_at",
            "updated_at",
            "translations",
        ]
        read_only_fields = fields


class ReleaseCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReleaseKind.choices, default=ReleaseKind.RELEASE)
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, default="tr")
    title = serializers.CharField(max_length=300)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    body = serializers.CharField(max_length=200000, help_text=_("HTML; sanitised on save"))
    tags = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    directorate = serializers.SlugField(
        required=False, allow_blank=True, default="", help_text=_("Directorate code")
    )
    project = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    shared_with_network = serializers.BooleanField(default=False)


class ReleaseTransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(ACTIONS))
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Comment; required when sending back to draft"),
    )
    scheduled_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text=_("For the schedule action")
    )


class JournalistSerializer(serializers.ModelSerializer):
    outlet = serializers.CharField(
        source="outlet.name", read_only=True, default=None, allow_null=True
    )
    # Blank when unknown: a plain string, not format "email".
    email = serializers.CharField(read_only=True, help_text=_("E-mail address or empty"))
    unsubscribed = serializers.SerializerMethodField()

    class Meta:
        model = Journalist
        fields = ["id", "name", "email", "phone", "outlet", "beats", "languages", "unsubscribed"]
        read_only_fields = fields

    def get_unsubscribed(self, obj: Journalist) -> bool:
        return obj.unsubscribed_at is not None


class JournalistCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=32)
    outlet = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    outlet_kind = serializers.ChoiceField(choices=OutletKind.choices, default=OutletKind.WEB)
    outlet_scope = serializers.ChoiceField(choices=OutletScope.choices, default=OutletScope.LOCAL)
    beats = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    languages = serializers.CharField(required=False, allow_blank=True, default="tr", max_length=50)


class ContactListSerializer(serializers.ModelSerializer):
    members: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    # A segment's criteria may be empty, meaning "any"; the choices' enum has no "".
    outlet_kind = serializers.CharField(read_only=True, help_text=_("Empty: any kind"))
    outlet_scope = serializers.CharField(read_only=True, help_text=_("Empty: any scope"))
    language = serializers.CharField(read_only=True, help_text=_("Empty: any language"))

    class Meta:
        model = ContactList
        fields = [
            "id",
            "name",
            "is_segment",
            "outlet_kind",
            "outlet_scope",
            "beat",
            "language",
            "members",
        ]
        read_only_fields = fields


class ContactListCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    is_segment = serializers.BooleanField(default=False)
    outlet_kind = serializers.ChoiceField(
        choices=[("", "—"), *OutletKind.choices], required=False, default=""
    )
    outlet_scope = serializers.ChoiceField(
        choices=[("", "—"), *OutletScope.choices], required=False, default=""
    )
    beat = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    language = serializers.RegexField(
        r"^(tr|en|fa)?$", required=False, allow_blank=True, default="", help_text="tr, en or fa"
    )
    members = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, help_text=_("Contact ids")
    )


class PressEventSerializer(serializers.ModelSerializer):
    releases: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = Event
        fields = [
            "id",
            "uid",
            "title",
            "kind",
            "starts_at",
            "ends_at",
            "location",
            "description",
            "is_public",
            "shared_with_network",
            "releases",
        ]
        read_only_fields = fields


class PressEventCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    kind = serializers.ChoiceField(choices=EventKind.choices)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    location = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    is_public = serializers.BooleanField(default=True)
    shared_with_network = serializers.BooleanField(default=False)
    releases = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, help_text=_("Release ids")
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """An event happens in this era (1900-2200) and does not end before it starts."""
        for field in ("starts_at", "ends_at"):
            value = attrs.get(field)
            if value is not None and not 1900 <= value.year <= 2200:
                raise serializers.ValidationError({field: _("Give a date between 1900 and 2200.")})
        if attrs.get("ends_at") and attrs["ends_at"] < attrs["starts_at"]:
            raise serializers.ValidationError({"ends_at": _("The event ends before it starts.")})
        return attrs

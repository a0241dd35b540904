from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kent360.social.models import PostTarget, SocialPost


class PostTargetSerializer(serializers.ModelSerializer):
    account = serializers.IntegerField(source="account_id", read_only=True)
    network = serializers.CharField(source="account.network", read_only=True)

    class Meta:
        model = PostTarget
        fields = ["account", "network", "state", "external_id", "url", "last_error", "sent_at"]
        read_only_fields = fields


class PostSerializer(serializers.ModelSerializer):
    targets = PostTargetSerializer(many=True, read_only=True)

    class Meta:
        model = SocialPost
        fields = [
            "id",
            "text",
            "image_url",
            "state",
            "approval_step",
            "scheduled_at",
            "published_at",
            "origin",
            "created_at",
            "targets",
        ]
        read_only_fields = fields


class PostCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)
    accounts = serializers.ListField(
        child=serializers.IntegerField(), min_length=1, help_text=_("Social account ids")
    )
    image_url = serializers.URLField(required=False, allow_blank=True, default="")
    submit = serializers.BooleanField(default=False, help_text=_("Send for approval at once"))


class PostScheduleSerializer(serializers.Serializer):
    scheduled_at = serializers.DateTimeField()


class PostStepSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, default="")

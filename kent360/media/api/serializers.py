from __future__ import annotations

from rest_framework import serializers

from kent360.media.models import Article, Mention, RebuttalCase, RebuttalEvent, Source, Story


class MentionSerializer(serializers.ModelSerializer):
    entity = serializers.CharField(source="entity.name", read_only=True)
    entity_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = Mention
        fields = ["entity_id", "entity", "text", "sentence", "start", "end", "tone"]
        read_only_fields = fields


class ArticleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Article
        fields = [
            "id",
            "source",
            "story",
            "url",
            "canonical_url",
            "outlet",
            "title",
            "author",
            "published_at",
            "fetched_at",
            "language",
            "tone",
            "tone_corrected",
        ]
        read_only_fields = fields


class ArticleDetailSerializer(ArticleSerializer):
    mentions = MentionSerializer(many=True, read_only=True)

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "text", "mentions"]
        read_only_fields = fields


class StorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Story
        fields = ["id", "title", "first_seen_at", "last_seen_at", "article_count", "outlet_count"]
        read_only_fields = fields


class StoryDetailSerializer(StorySerializer):
    articles = ArticleSerializer(many=True, read_only=True)

    class Meta(StorySerializer.Meta):
        fields = [*StorySerializer.Meta.fields, "articles"]
        read_only_fields = fields


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = [
            "id",
            "name",
            "kind",
            "url",
            "language",
            "reach",
            "fetch_interval_minutes",
            "is_active",
            "last_fetch_at",
            "last_success_at",
            "last_error",
            "error_count",
        ]
        read_only_fields = [
            "id",
            "is_active",
            "last_fetch_at",
            "last_success_at",
            "last_error",
            "error_count",
        ]
        extra_kwargs = {"fetch_interval_minutes": {"min_value": 5}}


class RebuttalEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = RebuttalEvent
        fields = ["kind", "text", "created_at"]
        read_only_fields = fields


class RebuttalCaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = RebuttalCase
        fields = [
            "id",
            "article",
            "state",
            "is_daily",
            "published_on",
            "request_deadline",
            "sent_on",
            "publish_deadline",
            "court_deadline",
            "created_at",
        ]
        read_only_fields = fields


class RebuttalCaseDetailSerializer(RebuttalCaseSerializer):
    events = RebuttalEventSerializer(many=True, read_only=True)

    class Meta(RebuttalCaseSerializer.Meta):
        fields = [*RebuttalCaseSerializer.Meta.fields, "text", "outcome", "events"]
        read_only_fields = fields

"""Media monitoring records. Every row belongs to one organisation (tenant isolation).

Sources are fetched on their interval; each fetched page becomes an Article (raw HTML kept
zlib-compressed so it can be re-extracted after an upgrade); watched entities produce
Mentions; reprints of one story share a Story; rules raise Alerts; the daily Digest goes to
the mayor's office; a RebuttalCase follows the Press Law 5187 art. 14 deadlines.
"""

from __future__ import annotations

import zlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kent360.organizations.models import Organisation


class Tone(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEGATIVE = "negative", _("Negative")
    NEUTRAL = "neutral", _("Neutral")


class Source(models.Model):
    class Kind(models.TextChoices):
        FEED = "feed", _("RSS/Atom feed")
        SITEMAP = "sitemap", _("Sitemap / news sitemap")
        LISTING = "listing", _("Listing page")
        MANUAL = "manual", _("Manual URLs and uploads")

    class Reach(models.IntegerChoices):
        LOCAL = 1, _("Local")
        REGIONAL = 2, _("Regional")
        NATIONAL = 3, _("National")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="media_sources"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FEED)
    url = models.URLField(_("URL"), max_length=1000, blank=True)
    language = models.CharField(_("language"), max_length=5, blank=True)
    reach = models.PositiveSmallIntegerField(_("reach"), choices=Reach.choices, default=Reach.LOCAL)
    fetch_interval_minutes = models.PositiveIntegerField(_("fetch every (minutes)"), default=30)
    is_active = models.BooleanField(_("active"), default=True)
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_fetch_at = models.DateTimeField(_("last fetch"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    error_count = models.PositiveIntegerField(_("consecutive errors"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("media source")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WatchEntity(models.Model):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        MAYOR = "mayor", _("Mayor")
        DEPUTY = "deputy", _("Deputy mayor")
        DIRECTORATE = "directorate", _("Directorate")
        PROJECT = "project", _("Project")
        NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood")
        COMPETITOR = "competitor", _("Other municipality")
        PERSON = "person", _("Person")
        OTHER = "other", _("Other")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="media_watch"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    aliases = models.TextField(_("aliases"), blank=True, help_text=_("Other names, one per line."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("watched name")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="media_watch_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def alias_list(self) -> list[str]:
        return [a.strip() for a in self.aliases.splitlines() if a.strip()]


class Story(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="media_stories"
    )
    title = models.CharField(_("title"), max_length=500)
    first_seen_at = models.DateTimeField(_("first seen"))
    last_seen_at = models.DateTimeField(_("last seen"))
    article_count = models.PositiveIntegerField(default=0)
    outlet_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return self.title


class Article(models.Model):
    class Status(models.TextChoices):
        OK = "ok", _("Processed")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="media_articles"
    )
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    story = models.ForeignKey(
        Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    url = models.URLField(_("URL"), max_length=2000, blank=True)
    url_key = models.CharField(max_length=64)
    canonical_url = models.URLField(_("canonical URL"), max_length=2000, blank=True)
    outlet = models.CharField(_("outlet"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    text = models.TextField(_("text"), blank=True)
    author = models.CharField(_("author"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    date_text = models.CharField(max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=5, blank=True)
    image_url = models.URLField(max_length=2000, blank=True)
    raw = models.BinaryField(_("raw page (zlib)"), blank=True, default=b"")
    raw_kind = models.CharField(max_length=10, default="html")
    signature = models.BinaryField(blank=True, default=b"")
    tone = models.CharField(_("tone"), max_length=10, choices=Tone.choices, default=Tone.NEUTRAL)
    tone_score = models.FloatField(default=0.0)
    tone_corrected = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OK)
    error = models.TextField(blank=True)
    fetched_at = models.DateTimeField(_("fetched"), db_index=True)

    class Meta:
        verbose_name = _("article")
        ordering = ["-fetched_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "url_key"], name="media_article_url")
        ]

    def __str__(self) -> str:
        return self.title or self.url

    @property
    def raw_text(self) -> str:
        from kent360.media.pipeline.fetch import decode_bytes

        return decode_bytes(zlib.decompress(bytes(self.raw))) if self.raw else ""

    @property
    def raw_bytes(self) -> bytes:
        return zlib.decompress(bytes(self.raw)) if self.raw else b""

    @property
    def when(self):
        return self.published_at or self.fetched_at


class Mention(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="mentions")
    entity = models.ForeignKey(WatchEntity, on_delete=models.CASCADE, related_name="mentions")
    text = models.CharField(max_length=300)
    sentence = models.TextField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    tone = models.CharField(max_length=10, choices=Tone.choices, default=Tone.NEUTRAL)

    class Meta:
        ordering = ["article", "start"]

    def __str__(self) -> str:
        return self.text


class ToneLabel(models.Model):
    """A staff correction of a computed tone, kept as a training label."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="tone_labels")
    mention = models.ForeignKey(
        Mention, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField()
    computed = models.CharField(max_length=10, choices=Tone.choices)
    label = models.CharField(max_length=10, choices=Tone.choices)
    staff = models.ForeignKey(
        "organizations.Staff", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.computed} → {self.label}"


class IngestError(models.Model):
    """A page, feed or upload that failed; the rest of its batch went on."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.CASCADE, related_name="errors"
    )
    url = models.CharField(max_length=2000, blank=True)
    stage = models.CharField(max_length=20)
    reason = models.CharField(max_length=40, blank=True)
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.stage}: {self.url or self.message[:80]}"


class AlertRule(models.Model):
    class Kind(models.TextChoices):
        NEGATIVE_MENTION = "negative_mention", _("Negative article mentioning a watched kind")
        PICKUP = "pickup", _("Story picked up by many outlets")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="media_alert_rules"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    entity_kind = models.CharField(
        _("watched kind"), max_length=20, blank=True, choices=WatchEntity.Kind.choices
    )
    min_outlets = models.PositiveIntegerField(_("minimum outlets"), default=3)
    window_minutes = models.PositiveIntegerField(_("within (minutes)"), default=60)
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class Alert(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="alerts")
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    story = models.ForeignKey(
        Story, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    subject = models.CharField(max_length=300)
    recipients = models.JSONField(default=list)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "article"], name="media_alert_once_article"),
            models.UniqueConstraint(fields=["rule", "story"], name="media_alert_once_story"),
        ]

    def __str__(self) -> str:
        return self.subject


class Digest(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="media_digests"
    )
    date = models.DateField()
    html = models.TextField()
    pdf = models.BinaryField(default=b"")
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "date"], name="media_digest_day")
        ]

    def __str__(self) -> str:
        return self.date.isoformat()


class RebuttalCase(models.Model):
    """A tekzip (Press Law 5187 art. 14) against one article."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent to the outlet")
        PUBLISHED = "published", _("Published")
        REFUSED = "refused", _("Not published")
        COURT = "court", _("Applied to the criminal judge of peace")
        CLOSED = "closed", _("Closed")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="media_rebuttals"
    )
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="rebuttals")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    text = models.TextField(_("rebuttal text"), blank=True)
    is_daily = models.BooleanField(_("daily periodical"), default=True)
    published_on = models.DateField(_("article published on"))
    request_deadline = models.DateField(_("request deadline"))
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    publish_deadline = models.DateField(_("publication deadline"), null=True, blank=True)
    court_deadline = models.DateField(_("court deadline"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    created_by = models.ForeignKey(
        "organizations.Staff", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.article}"


class RebuttalEvent(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(RebuttalCase, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    text = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=models.Q(kind__startswith="reminder:"),
                name="media_rebuttal_reminder_once",
            )
        ]

    def __str__(self) -> str:
        return self.kind

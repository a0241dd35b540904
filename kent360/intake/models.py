"""Raw inbound items of every channel, kept before (and regardless of) parsing."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    """Where an inbound item came from; several sources feed one request channel."""

    WEB = "web", _("Web form")
    EMAIL = "email", _("E-mail")
    FIELD = "field", _("Mobile field team")
    MASTODON = "mastodon", _("Mastodon")
    WEBHOOK = "webhook", _("Social media webhook")
    PETITION = "petition", _("Paper petition")
    CIMER = "cimer", _("CİMER / national channel import")
    OPEN311 = "open311", _("Open311")


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting to be processed")
    PROCESSING = "processing", _("Being processed")
    REVIEW = "review", _("Waiting for staff confirmation")
    DONE = "done", _("Request created")
    FAILED = "failed", _("Could not be processed")
    DISCARDED = "discarded", _("Discarded by staff")


def raw_path(instance: InboundMessage, filename: str) -> str:
    return f"inbound/{instance.organisation_id}/{secrets.token_hex(16)}"


def file_path(instance: InboundFile, filename: str) -> str:
    return f"inbound/{instance.message.organisation_id}/files/{secrets.token_hex(16)}"


def new_token() -> str:
    return secrets.token_urlsafe(12)


class InboundMessage(models.Model):
    """One item exactly as it arrived (form post, MIME message, JSON, scan, import row).

    It is written before any parsing; a parse failure leaves it in the "could not
    process" queue with the error, so nothing a citizen sends is ever lost. The
    idempotency key (Message-ID, external id, client key) makes a re-sent item land on
    the same row and therefore on the same request.
    """

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="inbound_messages"
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    idempotency_key = models.CharField(max_length=300)
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    raw_file = models.FileField(upload_to=raw_path, max_length=300, blank=True)
    raw_name = models.CharField(max_length=255, blank=True)
    raw_size = models.PositiveBigIntegerField(default=0)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    parsed = models.JSONField(default=dict, blank=True)
    request = models.ForeignKey(
        "requests.Request",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_messages",
    )
    processed_at = models.DateTimeField(null=True, blank=True)
    # When the photo at media_url is due for another download after a temporary failure;
    # null otherwise, so the sweep reads a small partial index instead of every item.
    media_retry_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "organizations.Staff", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_by = models.ForeignKey(
        "organizations.Staff", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "source", "idempotency_key"], name="inbound_once"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "status"], name="inbound_org_status_idx"),
            # The sweep looks only at unfinished items; done ones are nearly all rows.
            models.Index(
                fields=["received_at"],
                condition=models.Q(status__in=["pending", "processing"]),
                name="inbound_unfinished_idx",
            ),
            models.Index(
                fields=["media_retry_at"],
                condition=models.Q(media_retry_at__isnull=False),
                name="inbound_media_retry_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.idempotency_key[:40]}"

    def read_raw(self) -> bytes:
        if not self.raw_file:
            return b""
        with self.raw_file.open("rb") as fh:
            data: bytes = fh.read()
        return data


class InboundFile(models.Model):
    """A file that came with an inbound item (photo of a web report, field photo)."""

    message = models.ForeignKey(InboundMessage, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=file_path, max_length=300)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()

    def __str__(self) -> str:
        return self.name


class ServiceAttribute(models.Model):
    """An extra question of a category, published as an Open311 service definition."""

    class Datatype(models.TextChoices):
        STRING = "string", "string"
        NUMBER = "number", "number"
        DATETIME = "datetime", "datetime"
        TEXT = "text", "text"
        SINGLEVALUELIST = "singlevaluelist", "singlevaluelist"
        MULTIVALUELIST = "multivaluelist", "multivaluelist"

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    category = models.ForeignKey(
        "organizations.Category", on_delete=models.CASCADE, related_name="service_attributes"
    )
    code = models.SlugField(max_length=50)
    description = models.CharField(max_length=300)
    datatype = models.CharField(max_length=20, choices=Datatype.choices, default=Datatype.STRING)
    datatype_description = models.CharField(max_length=300, blank=True)
    required = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=1)
    values = models.JSONField(default=list, blank=True)  # [{"key": ..., "name": ...}]

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="service_attribute_once")
        ]

    def __str__(self) -> str:
        return self.code


class SocialSource(models.TextChoices):
    MASTODON = "mastodon", "Mastodon"


class SocialAccount(models.Model):
    """An account of the municipality on a social network that is polled for mentions."""

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    platform = models.CharField(max_length=20, choices=SocialSource.choices)
    base_url = models.URLField()
    access_token = models.CharField(max_length=300)
    cursor = models.CharField(max_length=100, blank=True)
    is_active = models.BooleanField(default=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.platform} {self.base_url}"


class RequestFollower(models.Model):
    """A citizen who is told of a request's progress without being its author.

    Created when a caller reports "the same issue as #code" or when a duplicate is
    merged into an original.
    """

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    request = models.ForeignKey(
        "requests.Request", on_delete=models.CASCADE, related_name="followers"
    )
    citizen = models.ForeignKey(
        "citizens.Citizen", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField(blank=True)
    reason = models.CharField(max_length=30)
    source_request = models.ForeignKey(
        "requests.Request", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "citizen"], name="follower_once")]

    def __str__(self) -> str:
        return f"{self.request_id}←{self.citizen_id}"

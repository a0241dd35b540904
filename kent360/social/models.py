"""Social media: accounts, posts with their per-account publishing targets, inbound items.

A post is approved like a press release (the organisation's approval chain) and then
published to each chosen account through an adapter (kent360.social.adapters). Each
PostTarget is published at most once: it carries its own idempotency key and the external
id the network returned.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kent360.social.fields import EncryptedTextField


class Network(models.TextChoices):
    MASTODON = "mastodon", "Mastodon"
    X = "x", "X"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"


class SocialAccount(models.Model):
    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="social_accounts"
    )
    network = models.CharField(_("network"), max_length=20, choices=Network.choices)
    name = models.CharField(_("name"), max_length=200)
    handle = models.CharField(_("handle"), max_length=200, blank=True)
    api_base = models.URLField(
        _("API address"),
        help_text=_(
            "Mastodon: the instance, e.g. https://mastodon.social; X: https://api.x.com; "
            "Meta: https://graph.facebook.com/v21.0"
        ),
    )
    external_id = models.CharField(
        _("page or user id"),
        max_length=100,
        blank=True,
        help_text=_("Facebook page id or Instagram user id."),
    )
    access_token = EncryptedTextField(_("access token"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["network", "name"]

    def __str__(self) -> str:
        return f"{self.get_network_display()} · {self.name}"


class PostState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHING = "publishing", _("Publishing")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")
    ARCHIVED = "archived", _("Archived")


class SocialPost(models.Model):
    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="social_posts"
    )
    text = models.TextField(_("text"))
    image = models.ImageField(_("image"), upload_to="social/%Y/%m/", blank=True)
    image_url = models.URLField(
        _("public image address"), blank=True, help_text=_("Instagram fetches the image from here.")
    )
    state = models.CharField(max_length=20, choices=PostState.choices, default=PostState.DRAFT)
    approval_step = models.PositiveSmallIntegerField(default=0)
    scheduled_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    author = models.ForeignKey(
        "organizations.Staff", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    origin = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class TargetState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Published")
    FAILED = "failed", _("Failed")


class PostTarget(models.Model):
    post = models.ForeignKey(SocialPost, on_delete=models.CASCADE, related_name="targets")
    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="+")
    idempotency_key = models.UUIDField(default=uuid.uuid4, editable=False)
    state = models.CharField(
        max_length=10, choices=TargetState.choices, default=TargetState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    external_id = models.CharField(max_length=200, blank=True)
    url = models.URLField(blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "account"], name="post_target_unique"),
        ]

    def __str__(self) -> str:
        return str(f"{self._meta.model_name} {self.pk}")


class PostEvent(models.Model):
    post = models.ForeignKey(SocialPost, on_delete=models.CASCADE, related_name="events")
    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    type = models.CharField(max_length=30)
    actor = models.ForeignKey(
        "organizations.Staff", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return str(self.type)


class SocialItem(models.Model):
    """A mention or direct message as received, stored before anything is made of it."""

    class Kind(models.TextChoices):
        MENTION = "mention", _("Mention")
        DIRECT = "direct", _("Direct message")

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    network = models.CharField(max_length=20, choices=Network.choices)
    external_id = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    author = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    url = models.URLField(blank=True, max_length=500)
    raw = models.JSONField(default=dict, blank=True)
    request = models.ForeignKey(
        "requests.Request", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "network", "external_id"], name="social_item_unique"
            ),
        ]

    def __str__(self) -> str:
        return str(f"{self.network}:{self.external_id}")

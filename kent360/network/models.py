"""The network of municipalities: a metropolitan and its districts working as one.

The network of an organisation is its metropolitan (``Organisation.parent``) and every
member of it. Nothing is visible across organisations unless it is shared with the network:
a campaign's message is seen by all members, but a member's adaptation stays its own until
it confirms it; meeting notes and crises belong to the network.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Campaign(models.Model):
    """One message from one organisation, adapted and confirmed by each member."""

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="campaigns"
    )
    title = models.CharField(_("title"), max_length=300)
    message = models.TextField(_("message"))
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    created_by = models.ForeignKey(
        "organizations.Staff", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Participation(models.Model):
    class State(models.TextChoices):
        INVITED = "invited", _("Invited")
        ADAPTING = "adapting", _("Adapting")
        CONFIRMED = "confirmed", _("Confirmed")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="participations")
    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    adapted_text = models.TextField(_("our version"), blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.INVITED)
    confirmed_by = models.ForeignKey(
        "organizations.Staff", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organisation"], name="participation_unique"
            ),
        ]

    def __str__(self) -> str:
        return str(f"{self._meta.model_name} {self.pk}")


class Meeting(models.Model):
    """Notes of a network meeting; owned by the network's metropolitan."""

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("title"), max_length=300)
    held_on = models.DateField(_("date"))
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        "organizations.Staff", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return str(self.title)


class ActionItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(_("action"), max_length=500)
    owner_organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    owner = models.ForeignKey(
        "organizations.Staff", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return str(self.text)


def _crisis_code() -> str:
    return secrets.token_urlsafe(6)


class Crisis(models.Model):
    class Kind(models.TextChoices):
        FLOOD = "flood", _("Flood")
        EARTHQUAKE = "earthquake", _("Earthquake")
        OUTAGE = "outage", _("Outage")
        FIRE = "fire", _("Fire")
        OTHER = "other", _("Other")

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="crises"
    )
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.CharField(max_length=20, unique=True, default=_crisis_code)
    is_open = models.BooleanField(default=True)
    opened_by = models.ForeignKey(
        "organizations.Staff", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return self.title


class CrisisTarget(models.Model):
    """Where one member wants crisis messages to go."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="targets")
    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    newsroom = models.BooleanField(_("newsroom"), default=True)
    sms = models.BooleanField(_("SMS to subscribers"), default=False)
    social_accounts = models.ManyToManyField("social.SocialAccount", blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["crisis", "organisation"], name="crisis_target_unique"),
        ]

    def __str__(self) -> str:
        return str(f"{self._meta.model_name} {self.pk}")


class CrisisMessage(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="messages")
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"))
    language = models.CharField(max_length=5, default="tr")
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    drafted_by = models.ForeignKey(
        "organizations.Staff", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        "organizations.Staff", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(self.title)


class Dispatch(models.Model):
    """One message going out to one channel of one member: a row on the status board."""

    class Channel(models.TextChoices):
        NEWSROOM = "newsroom", _("Newsroom")
        SOCIAL = "social", _("Social media")
        SMS = "sms", _("SMS")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    message = models.ForeignKey(CrisisMessage, on_delete=models.CASCADE, related_name="dispatches")
    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    account = models.ForeignKey(
        "social.SocialAccount", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    slot = models.CharField(max_length=40)  # channel and account: one row per destination
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    external_ref = models.CharField(max_length=200, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__name", "channel", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "organisation", "slot"], name="dispatch_unique"
            ),
        ]

    def __str__(self) -> str:
        return str(f"{self.organisation_id}:{self.slot}")


class CrisisRequest(models.Model):
    """A citizen request tagged with a crisis (the Request model itself is not changed)."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="request_links")
    request = models.ForeignKey("requests.Request", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    tagged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["crisis", "request"], name="crisis_request_unique"),
        ]

    def __str__(self) -> str:
        return str(f"{self._meta.model_name} {self.pk}")


def _sms_token() -> str:
    return secrets.token_urlsafe(24)


class SmsSubscriber(models.Model):
    """A citizen who asked for emergency SMS from an organisation.

    A citizen signing up on the newsroom is active only after typing the code we texted
    (double opt-in); ``token`` is the secret of their unsubscribe link.
    """

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    phone = models.CharField(max_length=20)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    consented_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    code_hash = models.CharField(max_length=64, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    token = models.CharField(max_length=40, default=_sms_token, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "phone"], name="sms_subscriber_unique"),
        ]

    def __str__(self) -> str:
        return str(self.phone)


class SmsReply(models.Model):
    """A text message a citizen sent back through the SMS gateway, kept as it arrived.

    Stored before it is read, so a reply whose body could not be parsed, or whose handling
    failed half-way, is still there to look at and to handle again; the gateway's message
    id (or a hash of the body) makes a repeated delivery the same row.
    """

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Not handled yet")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        IGNORED = "ignored", _("Not a stop request, or not a subscriber")
        INVALID = "invalid", _("Could not be read")

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    idempotency_key = models.CharField(max_length=200)
    raw = models.TextField(_("raw body"), blank=True)
    sender = models.CharField(_("from"), max_length=40, blank=True)
    text = models.TextField(_("text"), blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("SMS reply")
        verbose_name_plural = _("SMS replies")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "idempotency_key"], name="sms_reply_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sender}: {self.text[:40]}"

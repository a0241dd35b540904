"""Messages to citizens (and staff) about requests: an outbox with one row per
(event, channel), the attempts to deliver each, the message templates per language that
admins edit, and the citizen's satisfaction survey."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message to one recipient. The unique key (event, channel) makes queueing the same
    event twice a no-op, so a retried task or a second sweep never sends twice."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")
        SOCIAL = "social", _("Social media reply")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        ABANDONED = "abandoned", _("Given up")

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    request = models.ForeignKey(
        "requests.Request",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    key = models.CharField(max_length=200, unique=True)
    # Fixed when queued and sent with every attempt: if a worker dies after the mail
    # server accepted the message but before the row says "sent", the resend carries the
    # same Message-ID and the recipient's mail system can recognise the duplicate.
    message_id = models.CharField(max_length=250, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.CharField(max_length=254)
    language = models.CharField(max_length=5, default="tr")
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    kind = models.CharField(max_length=20, blank=True)
    context = models.JSONField(default=dict, blank=True)
    fallback_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="fallbacks"
    )
    provider_ref = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notif_due_idx")]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient}: {self.subject}"


class Kind(models.TextChoices):
    """What a message is about; each kind has a template per channel and language."""

    RECEIVED = "received", _("Request received (with tracking code)")
    ASSIGNED = "assigned", _("Assigned to a directorate")
    WAITING = "waiting", _("Question to the citizen")
    ANSWERED = "answered", _("Answered (with survey link)")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    REPLY = "reply", _("Interim reply")
    UPDATE = "update", _("Other change of state")
    ESCALATION = "escalation", _("SLA escalation (to staff)")
    MESSAGE = "message", _("Citizen wrote again (to staff)")


class NotificationTemplate(models.Model):
    """An organisation's wording of one kind of message on one channel in one language.

    Without a row the shipped default (kent360.notifications.defaults) is used. Templates
    use Django template syntax with: name, code, org, subject, state, text, tracking_url,
    survey_url, due, level.
    """

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Notification.Channel.choices)
    language = models.CharField(_("language"), max_length=5)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["kind", "channel", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "channel", "language"],
                name="notification_template_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.channel}/{self.language}"


class DeliveryAttempt(models.Model):
    """One try to hand a notification to its channel (SMTP server, SMS gateway, webhook)."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="delivery_attempts"
    )
    number = models.PositiveSmallIntegerField()
    channel = models.CharField(max_length=10)
    status = models.CharField(max_length=10, choices=Status.choices)
    error = models.TextField(blank=True)
    permanent = models.BooleanField(default=False)
    provider_ref = models.CharField(max_length=100, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["notification", "number"]

    def __str__(self) -> str:
        return f"{self.notification_id}#{self.number} {self.status}"


class SurveyInvitation(models.Model):
    """The satisfaction survey sent with an answer; the token in its link is the only key.

    Only the token's SHA-256 is stored. The citizen rates 1–5 with a comment once, and may
    reopen the request through the same link until ``reopen_until``.
    """

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    request = models.ForeignKey(
        "requests.Request", on_delete=models.CASCADE, related_name="survey_invitations"
    )
    event = models.OneToOneField(
        "requests.RequestEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    directorate = models.ForeignKey(
        "organizations.Directorate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    category = models.ForeignKey(
        "organizations.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    reopen_until = models.DateTimeField()
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="survey_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.rating or '-'}"

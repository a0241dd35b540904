"""Citizen submissions (başvuru) and their append-only timeline."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import F
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Crockford's base32 without 0/O, 1/I/L and U: nothing a citizen can misread over the phone.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
TRACKING_LENGTH = 8  # 30**8 ≈ 6.6e11 codes: not guessable by enumeration


def new_tracking_code() -> str:
    body = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))
    return f"{body[:4]}-{body[4:]}"


def normalise_tracking_code(raw: str) -> str:
    """What a citizen typed ("k7m4 9qxd", "K7M49QXD", "brn-k7m4-9qxd") → "K7M4-9QXD"."""
    cleaned = "".join(ch for ch in raw.upper() if ch.isalnum())
    cleaned = cleaned.replace("O", "0").replace("I", "1").replace("L", "1")
    if len(cleaned) > TRACKING_LENGTH:
        cleaned = cleaned[-TRACKING_LENGTH:]
    return f"{cleaned[:4]}-{cleaned[4:]}" if len(cleaned) == TRACKING_LENGTH else cleaned


class Kind(models.TextChoices):
    REQUEST = "request", _("Request")
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")
    INFORMATION = "information", _("Information request")
    THANKS = "thanks", _("Thanks")


class Channel(models.TextChoices):
    DESK = "desk", _("Service desk")
    PHONE = "phone", _("Call centre")
    FIELD = "field", _("Mobile field team")
    WEB = "web", _("Web form")
    EMAIL = "email", _("E-mail")
    SOCIAL = "social", _("Social media")
    PETITION = "petition", _("Paper petition")
    CIMER = "cimer", _("CİMER")
    OPEN311 = "open311", _("Open311")
    API = "api", _("API")


class State(models.TextChoices):
    RECEIVED = "received", _("Received")
    TRIAGED = "triaged", _("Triaged")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting for the citizen")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    TRANSFERRED = "transferred", _("Transferred")
    MERGED = "merged", _("Merged into another request")
    REJECTED = "rejected", _("Rejected (not our competence)")


OPEN_STATES = frozenset(
    {
        State.RECEIVED,
        State.TRIAGED,
        State.ASSIGNED,
        State.IN_PROGRESS,
        State.WAITING,
        State.REOPENED,
        State.TRANSFERRED,
    }
)
FINISHED_STATES = frozenset({State.ANSWERED, State.CLOSED, State.MERGED, State.REJECTED})


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class Request(models.Model):
    """One citizen submission, from any channel, with its current state and SLA clock."""

    # Indexes of their own are left out where a composite index already leads with the
    # column (organisation, directorate) or where only non-null values are looked up
    # (assignee, merged_into: partial indexes below): every index is written by every
    # create, and requests are the busiest insert of the platform.
    organisation = models.ForeignKey(
        "organizations.Organisation",
        on_delete=models.PROTECT,
        related_name="requests",
        db_index=False,
    )
    tracking_code = models.CharField(_("tracking code"), max_length=12, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.REQUEST)
    category = models.ForeignKey(
        "organizations.Category",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name=_("category"),
    )
    directorate = models.ForeignKey(
        "organizations.Directorate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name=_("directorate"),
        db_index=False,
    )
    assignee = models.ForeignKey(
        "organizations.Staff",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_requests",
        verbose_name=_("assignee"),
        db_index=False,
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.RECEIVED
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    subject = models.CharField(_("subject"), max_length=300)
    text = models.TextField(_("text"))
    language = models.CharField(_("language"), max_length=5, default="tr")
    search_text = models.TextField(editable=False, default="")

    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    # searched case-blind within an organisation: req_org_hood_idx, req_open_hood_idx
    neighbourhood = models.CharField(_("neighbourhood"), max_length=120, blank=True)

    citizen = models.ForeignKey(
        "citizens.Citizen",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
    )
    contact_name = models.CharField(_("name"), max_length=200, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=32, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)

    created_by = models.ForeignKey(
        "organizations.Staff", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True)
    idempotency_key = models.CharField(max_length=200, blank=True, null=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
        db_index=False,
    )
    rejected_competent_body = models.CharField(max_length=300, blank=True)

    created_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    # National channels (CİMER, Açık Kapı) carry a statutory answer deadline (30 days)
    # tracked beside the internal SLA target.
    legal_due_at = models.DateTimeField(_("legal answer deadline"), null=True, blank=True)
    # The SLA clock stops while the request waits for the citizen; due_at moves on resume.
    sla_paused_at = models.DateTimeField(null=True, blank=True)
    sla_paused_seconds = models.PositiveIntegerField(default=0)
    first_answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "idempotency_key"],
                name="request_idempotency_unique",
                condition=models.Q(idempotency_key__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "-created_at"], name="req_org_created_idx"),
            models.Index(fields=["organisation", "state", "due_at"], name="req_org_state_due_idx"),
            models.Index(fields=["directorate", "state", "-created_at"], name="req_dir_state_idx"),
            # The staff inbox (default view: open requests, newest first) and its filters.
            models.Index(
                F("organisation"),
                F("created_at").desc(),
                F("id").desc(),
                name="req_inbox_open_idx",
                condition=models.Q(state__in=sorted(OPEN_STATES)),
            ),
            models.Index(
                fields=["organisation", "due_at"],
                name="req_inbox_open_due_idx",
                condition=models.Q(state__in=sorted(OPEN_STATES)),
            ),
            models.Index(
                fields=["organisation", "state", "-created_at"], name="req_org_state_created_idx"
            ),
            models.Index(
                fields=["organisation", "channel", "-created_at"], name="req_org_channel_idx"
            ),
            # also serves Open311 (service_code + status + date window, ordered by date)
            models.Index(
                fields=["organisation", "category", "-created_at"], name="req_org_category_idx"
            ),
            models.Index(
                F("organisation"),
                Upper("neighbourhood"),
                F("created_at").desc(),
                name="req_org_hood_idx",
            ),
            # Inbox filters on the open requests (the default view), newest first: small
            # partial indexes, so a selective filter finds its page and its capped count
            # without reading the other open requests.
            models.Index(
                F("directorate"),
                F("created_at").desc(),
                F("id").desc(),
                name="req_open_dir_idx",
                condition=models.Q(state__in=sorted(OPEN_STATES)),
            ),
            models.Index(
                F("organisation"),
                F("category"),
                F("created_at").desc(),
                F("id").desc(),
                name="req_open_cat_idx",
                condition=models.Q(state__in=sorted(OPEN_STATES)),
            ),
            models.Index(
                F("organisation"),
                F("channel"),
                F("created_at").desc(),
                F("id").desc(),
                name="req_open_channel_idx",
                condition=models.Q(state__in=sorted(OPEN_STATES)),
            ),
            models.Index(
                F("organisation"),
                Upper("neighbourhood"),
                F("created_at").desc(),
                F("id").desc(),
                name="req_open_hood_idx",
                condition=models.Q(state__in=sorted(OPEN_STATES)),
            ),
            # A request's assignee and its original are set later, if ever: the rows that
            # have one are indexed, a new request costs neither index anything.
            models.Index(
                fields=["assignee"],
                name="req_assignee_idx",
                condition=models.Q(assignee__isnull=False),
            ),
            models.Index(
                fields=["merged_into"],
                name="req_merged_into_idx",
                condition=models.Q(merged_into__isnull=False),
            ),
            # Short-range dashboard percentiles read answered requests index-only.
            models.Index(
                fields=["organisation", "created_at"],
                include=["first_answered_at", "directorate", "category", "channel"],
                name="req_answered_cover_idx",
                condition=models.Q(first_answered_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        return bool(self.is_open and self.due_at and self.due_at < timezone.now())


class EventType(models.TextChoices):
    CREATED = "created", _("Received")
    STATE = "state", _("State changed")
    FIELD = "field", _("Field changed")
    ASSIGNED = "assigned", _("Assigned")
    TRANSFERRED = "transferred", _("Transferred")
    NOTE = "note", _("Internal note")
    REPLY = "reply", _("Reply to the citizen")
    MERGED = "merged", _("Merged")
    ATTACHMENT = "attachment", _("Attachment added")
    NOTIFICATION = "notification", _("Citizen notified")
    ESCALATION = "escalation", _("Escalated")
    ROUTING = "routing", _("Routing")
    MESSAGE = "message", _("Message from the citizen")


class RequestEvent(models.Model):
    """An append-only entry of a request's timeline: who did what, when.

    Public events (replies, state changes the citizen should know of) are shown on the
    citizen's tracking page; internal notes never are.
    """

    # looked up through reqevent_req_idx (request, created_at)
    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    type = models.CharField(max_length=20, choices=EventType.choices)
    actor = models.ForeignKey(
        "organizations.Staff", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    text = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    is_public = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["request", "created_at"], name="reqevent_req_idx")]

    def __str__(self) -> str:
        return f"{self.request_id} {self.type}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.organisation_id}/{secrets.token_hex(16)}"


class Attachment(models.Model):
    """A file sent with a request (photo, scan, document). Names are never used as paths."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="attachments")
    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    is_public = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        "organizations.Staff", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


__all__ = [
    "FINISHED_STATES",
    "OPEN_STATES",
    "Attachment",
    "Channel",
    "EventType",
    "Kind",
    "Priority",
    "Request",
    "RequestEvent",
    "State",
    "new_tracking_code",
    "normalise_tracking_code",
]

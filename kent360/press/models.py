"""Press office: releases and announcements, media contacts, distribution, events calendar.

Every row belongs to one organisation. A release moves through an explicit workflow
(kent360.press.workflow); each step is a ReleaseEvent, and each saved text a ReleaseVersion.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _default_chain() -> list[str]:
    return ["pr_manager"]


class PressConfig(models.Model):
    """How an organisation's press office works: the ordered roles that must approve."""

    organisation = models.OneToOneField(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="press_config"
    )
    approval_roles = models.JSONField(
        _("approval chain"),
        default=_default_chain,
        help_text=_("Roles that approve in order, e.g. pr_manager then org_admin."),
    )
    from_email = models.EmailField(_("sender e-mail"), blank=True)
    batch_size = models.PositiveIntegerField(_("e-mails per batch"), default=50)

    def __str__(self) -> str:
        return f"{self.organisation}"


class ReleaseKind(models.TextChoices):
    RELEASE = "release", _("Press release")
    ANNOUNCEMENT = "announcement", _("Announcement")


class ReleaseState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Release(models.Model):
    """A press release (basın bülteni) or announcement (duyuru), in one or more languages."""

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="releases"
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=ReleaseKind.choices, default=ReleaseKind.RELEASE
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ReleaseState.choices, default=ReleaseState.DRAFT
    )
    slug = models.SlugField(_("address"), max_length=120, allow_unicode=False)
    default_language = models.CharField(
        _("main language"), max_length=5, choices=settings.LANGUAGES, default="tr"
    )
    tags = models.CharField(_("tags"), max_length=300, blank=True)
    directorate = models.ForeignKey(
        "organizations.Directorate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("related directorate"),
    )
    project = models.CharField(_("related project"), max_length=200, blank=True)
    image = models.ImageField(_("image"), upload_to="press/images/%Y/%m/", blank=True)
    author = models.ForeignKey(
        "organizations.Staff", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approval_step = models.PositiveSmallIntegerField(default=0)
    shared_with_network = models.BooleanField(_("share with the network"), default=False)
    scheduled_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    search_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="release_slug_unique"),
        ]
        indexes = [models.Index(fields=["organisation", "state", "-published_at"])]

    def __str__(self) -> str:
        t = self.translation()
        return t.title if t else self.slug

    def translation(self, language: str | None = None) -> ReleaseTranslation | None:
        by_lang = {t.language: t for t in self.translations.all()}
        return (
            by_lang.get(language or "")
            or by_lang.get(self.default_language)
            or next(iter(by_lang.values()), None)
        )

    @property
    def languages(self) -> list[str]:
        return sorted(t.language for t in self.translations.all())

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]


class ReleaseTranslation(models.Model):
    """The text of a release in one language; the body is HTML already sanitised by nh3."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("text"))

    class Meta:
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "language"], name="release_translation_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ReleaseVersion(models.Model):
    """A saved text of one language of a release; versions are never changed."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="versions")
    language = models.CharField(max_length=5)
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    body = models.TextField()
    author = models.ForeignKey(
        "organizations.Staff", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["language", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "language", "number"], name="release_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return str(f"{self.language} v{self.number}")


class ReleaseEvent(models.Model):
    """One step of a release's life (created, edited, submitted, approved, comment, ...)."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="events")
    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    type = models.CharField(max_length=30)
    actor = models.ForeignKey(
        "organizations.Staff", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    text = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return str(self.type)


def _attachment_path(instance: ReleaseAttachment, filename: str) -> str:
    return f"press/{instance.organisation_id}/{uuid.uuid4().hex}"


class ReleaseAttachment(models.Model):
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="attachments")
    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    file = models.FileField(upload_to=_attachment_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return str(self.original_name)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class OutletKind(models.TextChoices):
    NEWSPAPER = "newspaper", _("Newspaper")
    TV = "tv", _("TV")
    RADIO = "radio", _("Radio")
    WEB = "web", _("Web")
    AGENCY = "agency", _("News agency")


class OutletScope(models.TextChoices):
    NATIONAL = "national", _("National")
    LOCAL = "local", _("Local")


class Outlet(models.Model):
    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="outlets"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=OutletKind.choices)
    scope = models.CharField(_("scope"), max_length=20, choices=OutletScope.choices)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="outlet_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Journalist(models.Model):
    """A media contact. Once unsubscribed, no distribution ever e-mails them again."""

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="journalists"
    )
    outlet = models.ForeignKey(
        Outlet, null=True, blank=True, on_delete=models.SET_NULL, related_name="journalists"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    beats = models.CharField(_("beats"), max_length=300, blank=True)
    languages = models.CharField(_("languages"), max_length=50, blank=True, default="tr")
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=~models.Q(email=""),
                name="journalist_email_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ContactList(models.Model):
    """A hand-picked list of journalists, or a segment that matches outlet kind/scope/beat."""

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="contact_lists"
    )
    name = models.CharField(_("name"), max_length=200)
    members = models.ManyToManyField(Journalist, blank=True, related_name="lists")
    is_segment = models.BooleanField(_("segment"), default=False)
    outlet_kind = models.CharField(max_length=20, choices=OutletKind.choices, blank=True)
    outlet_scope = models.CharField(max_length=20, choices=OutletScope.choices, blank=True)
    beat = models.CharField(_("beat"), max_length=100, blank=True)
    language = models.CharField(max_length=5, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Distribution(models.Model):
    """Sending one published release to chosen lists; one Delivery row per recipient."""

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="distributions")
    lists = models.ManyToManyField(ContactList, related_name="+")
    language = models.CharField(max_length=5)
    created_by = models.ForeignKey(
        "organizations.Staff", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(f"{self._meta.model_name} {self.pk}")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (unsubscribed)")


class Delivery(models.Model):
    distribution = models.ForeignKey(
        Distribution, on_delete=models.CASCADE, related_name="deliveries"
    )
    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    journalist = models.ForeignKey(Journalist, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["distribution", "journalist"], name="delivery_unique_recipient"
            ),
        ]

    def __str__(self) -> str:
        return str(self.email)


class EventKind(models.TextChoices):
    PRESS_CONFERENCE = "press_conference", _("Press conference")
    OPENING = "opening", _("Opening")
    CAMPAIGN = "campaign", _("Campaign")
    OTHER = "other", _("Other")


class Event(models.Model):
    """A date in the press calendar; public events appear in the newsroom's iCalendar feed."""

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="press_events"
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        "organizations.Staff",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    releases = models.ManyToManyField(Release, blank=True, related_name="events_linked")
    is_public = models.BooleanField(_("public"), default=True)
    shared_with_network = models.BooleanField(_("share with the network"), default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return self.title

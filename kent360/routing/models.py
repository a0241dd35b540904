"""Routing (which category and directorate a request belongs to), business calendars and
SLA escalations.

Rules:
- A request whose category nobody chose is classified from its text. At or above the
  organisation's threshold it is assigned automatically; below, it waits in the triage
  queue for a person to pick (that pick is a labelled example for the next training).
- A trained model is versioned with the figures it reached on held-out requests; a new
  version becomes current only if it is not worse than the current one on the same set.
- Escalations climb a ladder (assignee at 75 % of the answer time, directorate manager at
  100 %, PR manager at 150 %); each step happens once per deadline, guaranteed by a unique
  (request, level, due_at) row.
"""

from __future__ import annotations

from datetime import time

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RoutingSettings(models.Model):
    """Per-organisation routing choices (created with defaults on first use)."""

    organisation = models.OneToOneField(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="routing_settings"
    )
    auto_route = models.BooleanField(_("assign automatically when confident"), default=True)
    threshold = models.FloatField(
        _("confidence needed for automatic assignment"),
        default=0.85,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )

    class Meta:
        verbose_name = _("routing settings")
        verbose_name_plural = _("routing settings")

    def __str__(self) -> str:
        return f"{self.organisation} ≥ {self.threshold:.2f}"


class RoutingModel(models.Model):
    """One trained version of an organisation's classifier, stored as a blob with its figures."""

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="routing_models"
    )
    version = models.PositiveIntegerField()
    blob = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    metrics = models.JSONField(default=dict)
    n_train = models.PositiveIntegerField(default=0)
    n_test = models.PositiveIntegerField(default=0)
    is_current = models.BooleanField(default=False)
    accepted = models.BooleanField(default=False)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "version"], name="routing_model_version_unique"
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(is_current=True),
                name="routing_model_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} v{self.version}"


class RoutingDecision(models.Model):
    """What the router said about one request: its guess, how sure, and what it did."""

    class Source(models.TextChoices):
        MODEL = "model", _("Trained model")
        KEYWORDS = "keywords", _("Keyword rules")
        NONE = "none", _("No suggestion")

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    request = models.OneToOneField(
        "requests.Request", on_delete=models.CASCADE, related_name="routing_decision"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    model = models.ForeignKey(RoutingModel, null=True, blank=True, on_delete=models.SET_NULL)
    category = models.ForeignKey(
        "organizations.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    directorate = models.ForeignKey(
        "organizations.Directorate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confidence = models.FloatField(default=0.0)
    threshold = models.FloatField(default=0.0)
    auto_routed = models.BooleanField(default=False)
    alternatives = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.request_id}: {self.category_id} {self.confidence:.2f}"


def _default_work_days() -> str:
    return "0,1,2,3,4"


class BusinessCalendar(models.Model):
    """Working hours of an organisation; the holidays come from its country's list."""

    organisation = models.OneToOneField(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="business_calendar"
    )
    work_start = models.TimeField(_("working day starts"), default=time(8, 30))
    work_end = models.TimeField(_("working day ends"), default=time(17, 30))
    work_days = models.CharField(
        _("working days"),
        max_length=20,
        default=_default_work_days,
        help_text=_("Weekday numbers, Monday = 0, comma separated (Iran: 5,6,0,1,2)."),
    )
    country = models.CharField(_("holiday country"), max_length=2, default="TR")

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return f"{self.organisation} {self.work_start}-{self.work_end}"

    @property
    def weekdays(self) -> frozenset[int]:
        return frozenset(int(d) for d in self.work_days.split(",") if d.strip().isdigit())


class Holiday(models.Model):
    """A public holiday of a country (or only of one organisation). Half days end at 13:00."""

    class Kind(models.TextChoices):
        NATIONAL = "national", _("National holiday")
        RELIGIOUS = "religious", _("Religious holiday")
        LOCAL = "local", _("Local holiday")

    country = models.CharField(max_length=2, db_index=True)
    organisation = models.ForeignKey(
        "organizations.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="holidays",
    )
    date = models.DateField()
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NATIONAL)
    half_day = models.BooleanField(default=False)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "date", "name"],
                condition=models.Q(organisation__isnull=True),
                name="holiday_country_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Escalation(models.Model):
    """One rung of the SLA ladder reached by one request for one deadline; never repeated."""

    class Level(models.TextChoices):
        REMINDER = "reminder", _("Reminder to the assignee (75 %)")
        MANAGER = "manager", _("Directorate manager (100 %)")
        PR_MANAGER = "pr_manager", _("PR manager (150 %)")
        LEGAL = "legal", _("Statutory deadline approaching")

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    request = models.ForeignKey(
        "requests.Request", on_delete=models.CASCADE, related_name="escalations"
    )
    level = models.CharField(max_length=12, choices=Level.choices)
    due_at = models.DateTimeField()
    recipients = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "level", "due_at"], name="escalation_once_per_deadline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.level} {self.due_at:%Y-%m-%d %H:%M}"

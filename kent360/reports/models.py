"""Reporting: daily rollups of requests, neighbourhood boundaries, report subscriptions,
export jobs and each organisation's transparency setting."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DailyRollup(models.Model):
    """Requests received on one local day, grouped by every dashboard dimension.

    A row holds counts of the requests *received* that day with that (directorate,
    category, channel, kind, neighbourhood); the figures reflect the requests' state at
    the last refresh. A day is always recomputed whole from the Request table, so the
    rollup equals what a direct query would give for that day.
    """

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    directorate = models.ForeignKey(
        "organizations.Directorate", null=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.ForeignKey(
        "organizations.Category", null=True, on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(max_length=20)
    kind = models.CharField(max_length=20)
    neighbourhood = models.CharField(max_length=120, blank=True)
    created = models.PositiveIntegerField(default=0)
    with_due = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    answered_in_sla = models.PositiveIntegerField(default=0)
    finished = models.PositiveIntegerField(default=0)
    open_now = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    # answered satisfaction surveys of these requests, and the sum of their 1–5 ratings
    rated = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "day"], name="rollup_org_day_idx"),
            # the backlog reads only rows that still have open requests, over all time
            models.Index(
                fields=["organisation", "day"],
                name="rollup_open_idx",
                condition=models.Q(open_now__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.day} {self.created}"


class RollupCounts(models.Model):
    """The counts every rollup row carries (see DailyRollup for their meaning)."""

    created = models.PositiveIntegerField(default=0)
    with_due = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    answered_in_sla = models.PositiveIntegerField(default=0)
    finished = models.PositiveIntegerField(default=0)
    open_now = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    # answered satisfaction surveys of these requests, and the sum of their 1–5 ratings
    rated = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


def _org() -> models.ForeignKey:
    return models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )


def _dir() -> models.ForeignKey:
    return models.ForeignKey(
        "organizations.Directorate", null=True, on_delete=models.CASCADE, related_name="+"
    )


def _cat() -> models.ForeignKey:
    return models.ForeignKey(
        "organizations.Category", null=True, on_delete=models.CASCADE, related_name="+"
    )


class DayRollup(RollupCounts):
    """DailyRollup without the neighbourhood: (day, directorate, category, channel, kind).

    Always the sum of that day's DailyRollup rows, recomputed with them; about seven
    times fewer rows at 10M requests, so short ranges and the backlog read it.
    """

    organisation = _org()
    day = models.DateField()
    directorate = _dir()
    category = _cat()
    channel = models.CharField(max_length=20)
    kind = models.CharField(max_length=20)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "day"], name="dayrollup_org_day_idx"),
            models.Index(
                fields=["organisation", "day"],
                name="dayrollup_open_idx",
                condition=models.Q(open_now__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.day}"


class MonthRollup(RollupCounts):
    """Requests received in one local calendar month (``month`` is its first day), by
    (directorate, category, channel, kind): the sum of the month's DayRollup rows."""

    organisation = _org()
    month = models.DateField()
    directorate = _dir()
    category = _cat()
    channel = models.CharField(max_length=20)
    kind = models.CharField(max_length=20)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "month"], name="monthrollup_org_idx"),
            models.Index(
                fields=["organisation", "month"],
                name="monthrollup_open_idx",
                condition=models.Q(open_now__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.month}"


class YearRollup(RollupCounts):
    """Requests received in one local calendar year (``year`` is 1 January), by the
    MonthRollup dimensions: the sum of that year's MonthRollup rows. Long ranges read
    whole years here, a fifth of the rows of the months they hold."""

    organisation = _org()
    year = models.DateField()
    directorate = _dir()
    category = _cat()
    channel = models.CharField(max_length=20)
    kind = models.CharField(max_length=20)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "year"], name="yearrollup_org_idx"),
            models.Index(
                fields=["organisation", "year"],
                name="yearrollup_open_idx",
                condition=models.Q(open_now__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year}"


class MonthHoodRollup(RollupCounts):
    """Per neighbourhood and month, by (directorate, category): the sum of the month's
    DailyRollup rows. Answers the neighbourhood breakdown over whole months unless a
    channel is chosen (then the daily rows do; a channel here would triple the rows)."""

    organisation = _org()
    month = models.DateField()
    neighbourhood = models.CharField(max_length=120, blank=True)
    directorate = _dir()
    category = _cat()

    class Meta:
        indexes = [models.Index(fields=["organisation", "month"], name="monthhood_org_idx")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.month}"


class MonthResolution(models.Model):
    """How many requests received in a month were first answered within each bucket of
    hours (RESOLUTION_EDGES_H in rollups.py), by (directorate, category, channel).

    Long-range median/p90 are read from it: exact to the bucket, so the dashboard shows
    the bucket's bounds rather than a single figure.
    """

    organisation = _org()
    month = models.DateField()
    directorate = _dir()
    category = _cat()
    channel = models.CharField(max_length=20)
    bucket = models.PositiveSmallIntegerField()
    answered = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["organisation", "month"], name="monthres_org_idx")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.month}"


class YearHoodRollup(RollupCounts):
    """Per neighbourhood and local calendar year (``year`` is 1 January), by (directorate,
    category): the sum of that year's MonthHoodRollup rows, so a multi-year neighbourhood
    breakdown reads a twelfth of the monthly rows."""

    organisation = _org()
    year = models.DateField()
    neighbourhood = models.CharField(max_length=120, blank=True)
    directorate = _dir()
    category = _cat()

    class Meta:
        indexes = [models.Index(fields=["organisation", "year"], name="yearhood_org_idx")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year}"


class DayHoodChannel(RollupCounts):
    """Per neighbourhood and channel and local day: the sum of the day's DailyRollup rows.
    The edge days of a neighbourhood breakdown without directorate or category read
    these few hundred rows a day instead of thousands."""

    organisation = _org()
    day = models.DateField()
    neighbourhood = models.CharField(max_length=120, blank=True)
    channel = models.CharField(max_length=20)

    class Meta:
        indexes = [models.Index(fields=["organisation", "day"], name="dayhoodch_org_idx")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.day}"


class MonthHoodChannel(RollupCounts):
    """Per neighbourhood and channel and month, nothing else: the sum of the month's
    DailyRollup rows. Answers a neighbourhood breakdown filtered by channel alone (a
    channel in MonthHoodRollup would multiply its rows by the number of channels)."""

    organisation = _org()
    month = models.DateField()
    neighbourhood = models.CharField(max_length=120, blank=True)
    channel = models.CharField(max_length=20)

    class Meta:
        indexes = [models.Index(fields=["organisation", "month"], name="monthhoodch_org_idx")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.month}"


class YearHoodChannel(RollupCounts):
    """MonthHoodChannel summed over a local calendar year (``year`` is 1 January)."""

    organisation = _org()
    year = models.DateField()
    neighbourhood = models.CharField(max_length=120, blank=True)
    channel = models.CharField(max_length=20)

    class Meta:
        indexes = [models.Index(fields=["organisation", "year"], name="yearhoodch_org_idx")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year}"


class ResolutionCounts(models.Model):
    """Answers per bucket of hours to the first answer (see MonthResolution)."""

    organisation = _org()
    directorate = _dir()
    category = _cat()
    channel = models.CharField(max_length=20)
    bucket = models.PositiveSmallIntegerField()
    answered = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class DayResolution(ResolutionCounts):
    """Requests received on one local day, first answered within each bucket of hours,
    by (directorate, category, channel). Recomputed with the day's DailyRollup rows from
    the requests; the edge days of a long range are read here, the months are its sums."""

    day = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "day"], name="dayres_org_idx")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.day}"


class YearResolution(ResolutionCounts):
    """A local calendar year's answers per bucket of hours: the sum of its MonthResolution
    rows."""

    year = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "year"], name="yearres_org_idx")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year}"


class ResolutionByChannel(models.Model):
    """Answers per bucket of hours by channel alone: what the dashboard reads when no
    directorate or category is chosen (the full tables hold every combination)."""

    organisation = _org()
    channel = models.CharField(max_length=20)
    bucket = models.PositiveSmallIntegerField()
    answered = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class DayResolutionChannel(ResolutionByChannel):
    """DayResolution summed over directorates and categories."""

    day = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "day"], name="dayresch_org_idx")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.day}"


class MonthResolutionChannel(ResolutionByChannel):
    """The month's DayResolutionChannel rows summed."""

    month = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "month"], name="monthresch_org_idx")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.month}"


class YearResolutionChannel(ResolutionByChannel):
    """The year's MonthResolutionChannel rows summed."""

    year = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "year"], name="yearresch_org_idx")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year}"


class Margin(RollupCounts):
    """The counts of a period by one dimension at a time: ``dim`` is "directorate",
    "category", "channel" or "kind" and ``key`` that dimension's value as text (an id,
    a code, or "" for none). An unfiltered dashboard reads a few dozen of these rows per
    period instead of every (directorate, category, channel, kind) combination."""

    organisation = _org()
    dim = models.CharField(max_length=20)
    key = models.CharField(max_length=40, blank=True)

    class Meta:
        abstract = True


class DayMargin(Margin):
    """DayRollup summed by each dimension on its own."""

    day = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "day"], name="daymargin_org_idx")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.day} {self.dim}={self.key}"


class MonthMargin(Margin):
    """The month's DayMargin rows summed."""

    month = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "month"], name="monthmargin_org_idx")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.month} {self.dim}={self.key}"


class YearMargin(Margin):
    """The year's MonthMargin rows summed."""

    year = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "year"], name="yearmargin_org_idx")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year} {self.dim}={self.key}"


class RollupWatermark(models.Model):
    """The last RequestEvent folded into the rollups: events after it mark days to redo."""

    name = models.CharField(max_length=50, unique=True, default="default")
    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name}@{self.last_event_id}"


class ReportSettings(models.Model):
    """Per-organisation reporting options (the public transparency page is opt-in)."""

    organisation = models.OneToOneField(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="report_settings"
    )
    transparency_public = models.BooleanField(_("publish the transparency page"), default=False)
    term_start = models.DateField(_("start of the council's term"), null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.organisation_id} transparency={self.transparency_public}"


class BoundarySet(models.Model):
    """Neighbourhood polygons (a GeoJSON FeatureCollection) of one organisation."""

    organisation = models.OneToOneField(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="boundaries"
    )
    geojson = models.JSONField()
    name_property = models.CharField(_("property holding the name"), max_length=50, default="name")
    uploaded_by = models.ForeignKey(
        "organizations.Staff", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.organisation_id} boundaries"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class ReportSubscription(models.Model):
    """Someone who gets the KPI report as PDF by e-mail every week or month."""

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"))
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    language = models.CharField(_("language"), max_length=5, default="tr")
    directorate = models.ForeignKey(
        "organizations.Directorate",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("directorate"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_period_sent = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return f"{self.email} {self.frequency}"


class ExportJob(models.Model):
    """A large export written in the background; the page polls its progress."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    requested_by = models.ForeignKey(
        "organizations.Staff", on_delete=models.CASCADE, related_name="+"
    )
    format = models.CharField(max_length=5, default="csv")
    # the requester's interface language: headers and labels of the file are in it
    language = models.CharField(max_length=8, default="tr")
    params = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/", blank=True, max_length=300)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"export {self.pk} {self.state}"

    @property
    def percent(self) -> int:
        return 100 if self.state == self.State.DONE else int(100 * self.done / max(self.total, 1))

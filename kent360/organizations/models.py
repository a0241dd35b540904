"""Municipalities, their directorates, request categories and staff.

An installation hosts many organisations (a metropolitan and its districts). Every row
that belongs to an organisation carries an ``organisation`` foreign key; staff belong to
exactly one organisation and only ever see that organisation's data.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """A municipality. A metropolitan municipality has district municipalities as members."""

    class Kind(models.TextChoices):
        METROPOLITAN = "metropolitan", _("Metropolitan municipality")
        DISTRICT = "district", _("District municipality")
        MUNICIPALITY = "municipality", _("Municipality")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=50, unique=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.MUNICIPALITY
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("metropolitan municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    code_prefix = models.CharField(
        _("tracking code prefix"),
        max_length=4,
        blank=True,
        help_text=_("Two to four letters put in front of tracking codes, e.g. BRN."),
    )
    default_language = models.CharField(
        _("default language"), max_length=5, choices=settings.LANGUAGES, default="tr"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Istanbul")
    country = models.CharField(_("country code"), max_length=2, default="TR")
    email = models.EmailField(_("contact e-mail"), blank=True)
    phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    website = models.URLField(_("website"), blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    default_sla_hours = models.PositiveIntegerField(
        _("default answer time (hours)"),
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 365)],
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Directorate(models.Model):
    """A directorate (müdürlük) of an organisation: the unit that acts on requests."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="directorates",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=50)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("directorate")
        verbose_name_plural = _("directorates")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"], name="directorate_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """What a request is about; decides the default directorate and the answer deadline."""

    class SlaMode(models.TextChoices):
        CALENDAR = "calendar", _("Calendar hours")
        BUSINESS = "business", _("Working hours")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="categories",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=50)
    description = models.TextField(_("description"), blank=True)
    default_directorate = models.ForeignKey(
        Directorate,
        on_delete=models.PROTECT,
        related_name="categories",
        verbose_name=_("default directorate"),
    )
    sla_hours = models.PositiveIntegerField(
        _("answer time (hours)"),
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 365)],
    )
    sla_mode = models.CharField(
        _("how the time counts"), max_length=10, choices=SlaMode.choices, default=SlaMode.CALENDAR
    )
    keywords = models.TextField(
        _("keywords"),
        blank=True,
        help_text=_("Words that point to this category, one per line (used for routing)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="category_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    AGENT = "agent", _("Desk / call-centre agent")
    DIRECTORATE_STAFF = "directorate_staff", _("Directorate staff")
    DIRECTORATE_MANAGER = "directorate_manager", _("Directorate manager")
    PR_MANAGER = "pr_manager", _("PR manager")
    PRESS_OFFICER = "press_officer", _("Press officer")
    ORG_ADMIN = "org_admin", _("Organisation admin")


class Staff(models.Model):
    """A user's membership of one organisation, with a role and (for some roles) a directorate."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="staff",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    directorate = models.ForeignKey(
        Directorate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("directorate"),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="tr"
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    @property
    def display_name(self) -> str:
        return str(self)

    @property
    def sees_whole_organisation(self) -> bool:
        """Directorate staff see their directorate's requests; every other role sees all."""
        return self.role != Role.DIRECTORATE_STAFF

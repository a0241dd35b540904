"""The citizen: one person across every channel they use to reach the municipality."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Citizen(models.Model):
    """A person known to one organisation.

    Phone numbers are stored in E.164, e-mail addresses lower-cased, and the national id
    only as a keyed hash (HMAC) so that it can be matched but never read back.
    """

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="citizens"
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    phone = models.CharField(_("phone (E.164)"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    national_id_hash = models.CharField(max_length=64, blank=True)
    preferred_language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="tr"
    )
    preferred_channel = models.CharField(_("preferred channel"), max_length=20, blank=True)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")
        ordering = ["-created_at"]
        # Every contact is matched to a citizen by (organisation, identifier) among the
        # records not anonymised: one index probe each, however many citizens the
        # organisation has. Single-column indexes made PostgreSQL AND a scan of all the
        # organisation's citizens with the phone index on every create.
        indexes = [
            models.Index(
                fields=["organisation", field],
                name=f"citizen_org_{short}_idx",
                condition=models.Q(anonymised_at__isnull=True) & ~models.Q(**{field: ""}),
            )
            for field, short in (
                ("phone", "phone"),
                ("email", "email"),
                ("national_id_hash", "nid"),
            )
        ]

    def __str__(self) -> str:
        return self.name or self.phone or self.email or f"#{self.pk}"


class CitizenHandle(models.Model):
    """A social-media account of a citizen (platform + handle, e.g. mastodon @ali@ex.org)."""

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="handles")
    platform = models.CharField(max_length=30)
    handle = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "platform", "handle"], name="citizen_handle_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform}:{self.handle}"

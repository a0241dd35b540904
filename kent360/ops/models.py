"""Security and operations records: personal-data access log, two-factor devices,
recovery codes and each organisation's data-retention policy."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PersonalDataAccess(models.Model):
    """One view of a citizen's personal data by a staff member (KVKK art. 12 / GDPR art. 30).

    Append-only: written only by ``personal_data_access_log`` whenever staff open a request
    (web page or API), a citizen's 360° file, its export, merge or erasure, or find a
    caller at the desk; organisation admins read it. It outlives what it points at
    (``staff_label`` and SET_NULL keys), since the record of a read must survive an erasure.
    """

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    staff = models.ForeignKey(
        "organizations.Staff", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    staff_label = models.CharField(max_length=200, blank=True)
    citizen = models.ForeignKey(
        "citizens.Citizen", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    request = models.ForeignKey(
        "requests.Request", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    what = models.CharField(_("what"), max_length=100)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="pda_org_created_idx")]

    def __str__(self) -> str:
        return f"{self.staff_label} {self.what} {self.created_at:%Y-%m-%d %H:%M}"


class TwoFactorDevice(models.Model):
    """A staff member's TOTP authenticator (RFC 6238). Active once a first code confirmed it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor"
    )
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"TOTP {self.user_id}"


class RecoveryCode(models.Model):
    """A single-use code for signing in without the authenticator; only its hash is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recovery code {self.pk}"


class RetentionPolicy(models.Model):
    """How long an organisation keeps personal data of finished requests.

    After ``anonymise_after_days`` from closing, a request loses its contact details and
    its link to the citizen; with ``redact_text`` its subject and text go too. What the
    statistics count (kind, channel, category, directorate, neighbourhood, dates, state)
    is kept.
    """

    organisation = models.OneToOneField(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="retention_policy"
    )
    is_active = models.BooleanField(_("active"), default=True)
    anonymise_after_days = models.PositiveIntegerField(_("anonymise after (days)"), default=730)
    redact_text = models.BooleanField(_("redact subject and text"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.anonymise_after_days} days"

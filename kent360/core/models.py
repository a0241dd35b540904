"""Cross-cutting records: the audit trail and API keys."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Append-only record of a write made through a service function.

    Request timelines have their own, richer event table; this one covers every other
    entity (organisations, categories, staff, keys, imports ...).
    """

    organisation = models.ForeignKey(
        "organizations.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=100)
    target_type = models.CharField(max_length=100)
    target_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"


def hash_api_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiKey(models.Model):
    """A secret for API clients, stored only as a SHA-256 hash and scoped to one organisation.

    A key bound to a user acts with that user's role; a key without a user is a service
    key (e.g. an Open311 client) whose scopes say what it may do.
    """

    class Scope(models.TextChoices):
        STAFF = "staff", _("Staff API (acts as the user)")
        OPEN311 = "open311", _("Open311 client")
        FIELD = "field", _("Mobile field team")
        WEBHOOK = "webhook", _("Inbound webhook")

    organisation = models.ForeignKey(
        "organizations.Organisation", on_delete=models.CASCADE, related_name="api_keys"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_keys",
    )
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices, default=Scope.STAFF)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate() -> str:
        return "k360_" + secrets.token_urlsafe(32)


class PeriodicRun(models.Model):
    """One row per (job, time slot): the unique constraint makes a periodic job fire once
    per slot however many schedulers run."""

    job = models.CharField(max_length=100)
    slot = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="periodic_run_once")]

    def __str__(self) -> str:
        return f"{self.job}@{self.slot}"


class RefGeneration(models.Model):
    """One row whose token changes whenever a table of reference data changes (API keys,
    users, staff, organisations, directorates, categories): set by database triggers, read
    by ``kent360.core.refcache`` to know whether its kept rows still hold."""

    id = models.PositiveSmallIntegerField(primary_key=True)
    token = models.BigIntegerField()

    def __str__(self) -> str:
        return f"generation {self.token}"

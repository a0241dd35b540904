"""Reads of notifications and survey results, always within the asker's organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, Q, QuerySet

from kent360.notifications.defaults import default_template
from kent360.notifications.models import (
    Kind,
    Notification,
    NotificationTemplate,
    SurveyInvitation,
)
from kent360.notifications.services import token_hash
from kent360.organizations.models import Staff


def survey_by_token(token: str) -> SurveyInvitation | None:
    """The invitation a citizen's secret link stands for (None for any wrong token)."""
    if not token or len(token) > 100:
        return None
    return (
        SurveyInvitation.objects.select_related("request", "request__organisation")
        .filter(token_hash=token_hash(token))
        .first()
    )


def survey_results(
    *, staff: Staff, since: datetime | None = None, until: datetime | None = None
) -> QuerySet[SurveyInvitation]:
    """Answered surveys of the asker's organisation (for reports)."""
    qs = SurveyInvitation.objects.filter(
        organisation_id=staff.organisation_id, answered_at__isnull=False
    )
    if since is not None:
        qs = qs.filter(answered_at__gte=since)
    if until is not None:
        qs = qs.filter(answered_at__lt=until)
    return qs


@dataclass
class SatisfactionSummary:
    invited: int
    answered: int
    average: float | None
    distribution: dict[int, int]
    reopened: int
    by_directorate: list[dict[str, Any]]


def satisfaction_summary(
    *, staff: Staff, since: datetime | None = None, until: datetime | None = None
) -> SatisfactionSummary:
    """Survey KPIs: response rate, average rating, 1–5 distribution, reopenings, per unit."""
    invited = SurveyInvitation.objects.filter(organisation_id=staff.organisation_id)
    if since is not None:
        invited = invited.filter(created_at__gte=since)
    if until is not None:
        invited = invited.filter(created_at__lt=until)
    answered = survey_results(staff=staff, since=since, until=until)
    agg = answered.aggregate(avg=Avg("rating"), n=Count("id"))
    distribution = {i: 0 for i in range(1, 6)}
    for row in answered.values("rating").annotate(n=Count("id")):
        distribution[int(row["rating"] or 0)] = row["n"]
    per_dir = (
        answered.values("directorate__name")
        .annotate(n=Count("id"), avg=Avg("rating"))
        .order_by("directorate__name")
    )
    return SatisfactionSummary(
        invited=invited.count(),
        answered=agg["n"] or 0,
        average=round(float(agg["avg"]), 2) if agg["avg"] is not None else None,
        distribution=distribution,
        reopened=invited.filter(reopened_at__isnull=False).count(),
        by_directorate=[
            {"directorate": r["directorate__name"] or "", "n": r["n"], "average": r["avg"]}
            for r in per_dir
        ],
    )


def notification_list(*, staff: Staff, request_id: int | None = None) -> QuerySet[Notification]:
    qs = Notification.objects.filter(organisation_id=staff.organisation_id)
    if request_id is not None:
        qs = qs.filter(request_id=request_id)
    return qs.prefetch_related("delivery_attempts")


@dataclass
class TemplateRow:
    kind: str
    kind_label: str
    channel: str
    language: str
    subject: str
    body: str
    customised: bool


def template_overview(*, staff: Staff) -> list[TemplateRow]:
    """Every kind × channel × language with the wording in force (own or shipped)."""
    own = {
        (t.kind, t.channel, t.language): t
        for t in NotificationTemplate.objects.filter(organisation_id=staff.organisation_id)
    }
    rows = []
    for kind, label in Kind.choices:
        for channel in (Notification.Channel.EMAIL, Notification.Channel.SMS):
            for language, _name in settings.LANGUAGES:
                t = own.get((kind, channel, language))
                subject, body = (
                    (t.subject, t.body) if t else default_template(kind, channel, language)
                )
                rows.append(
                    TemplateRow(kind, str(label), channel, language, subject, body, t is not None)
                )
    return rows


def failed_notifications(*, staff: Staff) -> QuerySet[Notification]:
    return Notification.objects.filter(
        Q(status=Notification.Status.FAILED) | Q(status=Notification.Status.ABANDONED),
        organisation_id=staff.organisation_id,
    )

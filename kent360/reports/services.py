"""Writes of the reports app: boundaries, settings, subscriptions, exports, rollups."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import date
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kent360.core.audit import audit
from kent360.core.errors import DomainError
from kent360.organizations.models import Directorate, Organisation, Role, Staff
from kent360.reports import exports, pdf
from kent360.reports.models import (
    BoundarySet,
    ExportJob,
    ReportSettings,
    ReportSubscription,
)
from kent360.reports.selectors import export_requests, require_reports

MAX_BOUNDARY_BYTES = 10 * 1024 * 1024
ADMIN_ROLES = frozenset({Role.ORG_ADMIN, Role.PR_MANAGER})


def _require_admin(staff: Staff) -> None:
    if staff.role not in ADMIN_ROLES:
        raise DomainError(_("Only PR managers and admins can change this."), code="not_allowed")


def parse_boundaries(raw: bytes, name_property: str = "name") -> dict[str, Any]:
    """A GeoJSON FeatureCollection of (Multi)Polygons, each named by ``name_property``."""
    if len(raw) > MAX_BOUNDARY_BYTES:
        raise DomainError(_("The boundary file is larger than 10 MB."))
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DomainError(_("The file is not valid GeoJSON.")) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise DomainError(_("Upload a GeoJSON FeatureCollection."))
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise DomainError(_("The GeoJSON has no features."))
    for feature in features:
        geometry = (feature or {}).get("geometry") or {}
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise DomainError(_("Every feature must be a Polygon or MultiPolygon."))
        if not str((feature.get("properties") or {}).get(name_property, "")).strip():
            raise DomainError(
                _("Every feature needs a “%(name)s” property.") % {"name": name_property}
            )
    return data


@transaction.atomic
def boundaries_upload(
    *, organisation: Organisation, actor: Staff | None, raw: bytes, name_property: str = "name"
) -> BoundarySet:
    """Replace the organisation's neighbourhood boundaries with an uploaded GeoJSON."""
    if actor is not None:
        if actor.organisation_id != organisation.pk:
            raise DomainError(_("Not your organisation."), code="not_allowed")
        _require_admin(actor)
    data = parse_boundaries(raw, name_property)
    found, _created = BoundarySet.objects.update_or_create(
        organisation=organisation,
        defaults={
            "geojson": data,
            "name_property": name_property,
            "uploaded_by": actor,
            "updated_at": timezone.now(),
        },
    )
    audit(
        action="reports.boundaries_upload",
        target=found,
        actor=actor,
        organisation=organisation,
        data={"features": len(data["features"])},
    )
    return found


@transaction.atomic
def report_settings_update(
    *, organisation: Organisation, actor: Staff, transparency_public: bool
) -> ReportSettings:
    _require_admin(actor)
    found, _created = ReportSettings.objects.update_or_create(
        organisation=organisation, defaults={"transparency_public": transparency_public}
    )
    audit(
        action="reports.settings_update",
        target=found,
        actor=actor,
        data={"transparency_public": transparency_public},
    )
    return found


@transaction.atomic
def subscription_create(
    *,
    actor: Staff,
    email: str,
    frequency: str,
    language: str,
    name: str = "",
    directorate: Directorate | None = None,
) -> ReportSubscription:
    _require_admin(actor)
    if directorate is not None and directorate.organisation_id != actor.organisation_id:
        raise DomainError(_("The directorate belongs to another organisation."))
    email = email.strip()
    same = ReportSubscription.objects.filter(
        organisation_id=actor.organisation_id,
        email__iexact=email,
        frequency=frequency,
        directorate=directorate,
    )
    if same.exists():
        raise DomainError(_("This address already receives this report."))
    sub = ReportSubscription.objects.create(
        organisation_id=actor.organisation_id,
        email=email,
        frequency=frequency,
        language=language,
        name=name,
        directorate=directorate,
    )
    audit(action="reports.subscription_create", target=sub, actor=actor, data={"email": email})
    return sub


@transaction.atomic
def subscription_delete(*, actor: Staff, subscription: ReportSubscription) -> None:
    _require_admin(actor)
    if subscription.organisation_id != actor.organisation_id:
        raise DomainError(_("Not your organisation."), code="not_allowed")
    audit(action="reports.subscription_delete", target=subscription, actor=actor)
    subscription.delete()


def subscription_send_due(*, today: date | None = None) -> list[int]:
    """Send each active subscription the report of its last complete period, once.

    The period key is stored only after the mail went out, so a crash resends rather
    than skips; two workers racing are kept apart by a row lock.
    """
    today = today or timezone.localdate()
    sent = []
    for sub_id in ReportSubscription.objects.filter(is_active=True).values_list("pk", flat=True):
        with transaction.atomic():
            sub = (
                ReportSubscription.objects.select_for_update(skip_locked=True)
                .select_related("organisation")
                .filter(pk=sub_id)
                .first()
            )
            if sub is None:
                continue
            first, last, key = pdf.period_for(sub.frequency, today)
            if sub.last_period_sent == key:
                continue
            _send_report(sub, first, last)
            sub.last_period_sent = key
            sub.save(update_fields=["last_period_sent"])
            sent.append(sub.pk)
    return sent


def _send_report(sub: ReportSubscription, first: date, last: date) -> None:
    body = pdf.periodic_report_pdf(
        organisation=sub.organisation,
        date_from=first,
        date_to=last,
        language=sub.language,
        directorate_id=sub.directorate_id,
    )
    with translation.override(sub.language):
        subject = _("%(org)s: requests report %(first)s – %(last)s") % {
            "org": sub.organisation.name,
            "first": pdf.format_day(first, sub.language),
            "last": pdf.format_day(last, sub.language),
        }
        text = _("The report for the period is attached as PDF.")
    message = EmailMessage(subject=subject, body=text, to=[sub.email])
    message.attach(f"kent360-{first:%Y%m%d}-{last:%Y%m%d}.pdf", body, "application/pdf")
    message.send()


@transaction.atomic
def export_job_create(
    *, actor: Staff, format: str, params: dict[str, Any], language: str | None = None
) -> ExportJob:
    """Queue a background export of a filtered request list; the worker writes the file
    in the requester's language."""
    require_reports(actor)
    if format not in ("csv", "xlsx"):
        raise DomainError(_("Unknown export format."))
    language = language or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("Unknown language."))
    job = ExportJob.objects.create(
        organisation_id=actor.organisation_id,
        requested_by=actor,
        format=format,
        language=language,
        params=params,
    )
    audit(action="reports.export", target=job, actor=actor, data={"format": format})
    from kent360.reports.tasks import run_export

    transaction.on_commit(lambda: run_export.enqueue(job.pk))
    return job


def _write_export(job: ExportJob, qs: Any, path: str, progress: Any) -> int:
    if job.format == "xlsx":
        return exports.write_xlsx(qs, path, progress)
    with open(path, "w", encoding="utf-8", newline="") as out:
        return exports.write_csv(qs, out, progress)


def export_job_run(*, job_id: int) -> ExportJob:
    """Write the export file, recording progress; a finished job is left as it is."""

    job = ExportJob.objects.select_related("requested_by__organisation").get(pk=job_id)
    if job.state == ExportJob.State.DONE:
        return job
    qs = export_requests(staff=job.requested_by, params=job.params)
    job.total = qs.count()
    job.state = ExportJob.State.RUNNING
    job.save(update_fields=["total", "state"])

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(done=done)

    fd, path = tempfile.mkstemp(suffix="." + job.format)
    os.close(fd)
    try:
        with translation.override(job.language):
            done = _write_export(job, qs, path, progress)
        with open(path, "rb") as fh:
            job.file.save(f"export-{job.pk}.{job.format}", File(fh), save=False)
        job.done = done
        job.state = ExportJob.State.DONE
        job.finished_at = timezone.now()
        job.save()
    except Exception as exc:
        job.state = ExportJob.State.FAILED
        job.error = str(exc)[:2000]
        job.save(update_fields=["state", "error"])
        raise
    finally:
        os.unlink(path)
    return job

"""Report pages: KPI dashboard, map, exports, PDF reports, subscriptions and the public
transparency page. Thin: forms in, selectors and services out."""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kent360.core.errors import DomainError
from kent360.core.text import to_persian_digits
from kent360.core.web import staff_of as _staff
from kent360.organizations.models import Directorate
from kent360.reports import exports, forms, pdf, selectors, services
from kent360.reports.models import ReportSubscription
from kent360.requests.views import staff_required

DIRECT_EXPORT_LIMIT = 50_000


def reports_required(view: Any) -> Any:
    """Staff with a reporting role; directorate staff and the rest get 403."""

    @staff_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.can_see_reports(request.staff):  # type: ignore[attr-defined]
            return render(request, "403.html", status=403)
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _filters(request: HttpRequest) -> tuple[forms.KpiFilterForm, selectors.KpiFilters]:
    form = forms.KpiFilterForm(request.GET or None, staff=_staff(request))
    if not request.GET:
        initial = selectors.default_filters(staff=_staff(request))
        form.initial = {
            "date_from": initial.date_from,
            "date_to": initial.date_to,
            "directorate": initial.directorate,
        }
    return form, form.filters()


CHART_KEYS = [
    ("kind", "Kind"),
    ("channel", "Channel"),
    ("category", "Category"),
    ("directorate", "Directorate"),
    ("neighbourhood", "Neighbourhood"),
    ("organisation", "Organisation"),
]


@reports_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    board = selectors.kpi_dashboard(staff=_staff(request), filters=filters)
    charts: list[dict[str, Any]] = [
        {"key": key, "title": _(title), "rows": board.by[key][:15]}
        for key, title in CHART_KEYS
        if key in board.by
    ]
    chart_data = {
        c["key"]: {
            "labels": [str(r["label"]) for r in c["rows"]],
            "data": [r["count"] for r in c["rows"]],
        }
        for c in charts
    }
    language = translation.get_language() or "tr"
    chart_data["series"] = {
        "labels": [pdf.format_day(s["period"], language) for s in board.series],
        "data": [s["count"] for s in board.series],
    }
    chart_data["backlog"] = {
        "labels": [_bucket_label(b) for b in board.backlog],
        "data": [b["count"] for b in board.backlog],
    }
    context = {
        "form": form,
        "board": board,
        "charts": charts,
        "chart_data": chart_data,
        "backlog": [{**b, "label": _bucket_label(b)} for b in board.backlog],
        "query": request.GET.urlencode(),
    }
    template = "reports/partials/dashboard_body.html" if request.htmx else "reports/dashboard.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _bucket_label(bucket: dict[str, Any]) -> str:
    if bucket["high"] is None:
        label = _("over %(n)d days") % {"n": bucket["low"] - 1}
    else:
        label = _("%(low)d–%(high)d days") % {"low": bucket["low"], "high": bucket["high"]}
    return to_persian_digits(label) if translation.get_language() == "fa" else label


@reports_required
def map_page(request: HttpRequest) -> HttpResponse:
    form = _filters(request)[0]
    return render(
        request,
        "reports/map.html",
        {
            "form": form,
            "upload_form": forms.BoundaryUploadForm(),
            "can_upload": _staff(request).role in services.ADMIN_ROLES,
            "query": request.GET.urlencode(),
        },
    )


@reports_required
def map_data(request: HttpRequest) -> JsonResponse:
    staff = _staff(request)
    _form, filters = _filters(request)
    orgs = selectors.report_organisations(staff=staff)
    org_ids = [filters.organisation] if filters.organisation else [o.pk for o in orgs]
    if filters.organisation and filters.organisation not in [o.pk for o in orgs]:
        raise Http404
    boundaries = [
        b for o in orgs if o.pk in org_ids and (b := selectors.boundaries_for(organisation=o))
    ]
    center = next(((o.latitude, o.longitude) for o in orgs if o.latitude), (None, None))
    return JsonResponse(
        {
            "points": selectors.map_points(staff=staff, filters=filters),
            "counts": selectors.neighbourhood_counts(org_ids=org_ids, filters=filters),
            "boundaries": boundaries,
            "center": center,
        }
    )


@reports_required
@require_POST
def boundaries_upload(request: HttpRequest) -> HttpResponse:
    form = forms.BoundaryUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.boundaries_upload(
                organisation=_staff(request).organisation,
                actor=_staff(request),
                raw=form.cleaned_data["file"].read(),
                name_property=form.cleaned_data["name_property"],
            )
            messages.success(request, _("The neighbourhood boundaries were saved."))
        except DomainError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Choose a GeoJSON file."))
    return redirect("reports:map")


@reports_required
def export(request: HttpRequest) -> HttpResponseBase:
    """A filtered request list as CSV or XLSX: streamed now, or a background job if big."""
    staff = _staff(request)
    params = {k: v for k, v in request.GET.items() if k not in ("format", "page")}
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise Http404
    qs = selectors.export_requests(staff=staff, params=params)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if qs.count() > DIRECT_EXPORT_LIMIT:
        job = services.export_job_create(
            actor=staff, format=fmt, params=params, language=request.LANGUAGE_CODE
        )
        return redirect("reports:export_job", pk=job.pk)
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.csv_stream(qs), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="requests-{stamp}.csv"'
        return response
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    exports.write_xlsx(qs, path)
    handle = open(path, "rb")  # noqa: SIM115 — FileResponse closes it
    os.unlink(path)  # the open handle keeps the data until the response is sent
    return FileResponse(handle, as_attachment=True, filename=f"requests-{stamp}.xlsx")


@reports_required
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.export_job_get(staff=_staff(request), pk=pk)
    htmx = getattr(request, "htmx", False)
    template = "reports/partials/export_progress.html" if htmx else "reports/export_job.html"
    return render(request, template, {"job": job})


@reports_required
def export_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = selectors.export_job_get(staff=_staff(request), pk=pk)
    if not job.file:
        raise Http404
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=f"requests-{job.pk}.{job.format}"
    )


@reports_required
def report_pdf(request: HttpRequest) -> HttpResponse:
    """The periodic KPI report for the filtered period, as the subscribers get it."""
    _form, filters = _filters(request)
    language = request.GET.get("lang") or request.LANGUAGE_CODE
    body = pdf.periodic_report_pdf(
        organisation=_staff(request).organisation,
        date_from=filters.date_from,
        date_to=filters.date_to,
        language=language if language in ("tr", "en", "fa") else "tr",
        directorate_id=filters.directorate,
    )
    return _pdf_response(body, f"report-{filters.date_from}-{filters.date_to}.pdf")


def _pdf_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@reports_required
def achievement(request: HttpRequest) -> HttpResponse:
    """End-of-term achievement report (PDF) in the chosen language."""
    staff = _staff(request)
    form = forms.AchievementForm(request.GET or None)
    if form.is_bound and form.is_valid():
        body = pdf.achievement_report_pdf(
            organisation=staff.organisation,
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
            language=form.cleaned_data["language"],
        )
        return _pdf_response(body, "achievement.pdf")
    today = timezone.localdate()
    if not form.is_bound:
        form = forms.AchievementForm(
            initial={
                "date_from": today - timedelta(days=5 * 365),
                "date_to": today,
                "language": request.LANGUAGE_CODE,
            }
        )
    return render(request, "reports/achievement.html", {"form": form})


@reports_required
def settings_page(request: HttpRequest) -> HttpResponse:
    """Subscriptions to the periodic PDF report and the transparency page switch."""
    staff = _staff(request)
    sub_form = forms.SubscriptionForm(request.POST or None)
    if request.method == "POST":
        try:
            if "transparency" in request.POST:
                services.report_settings_update(
                    organisation=staff.organisation,
                    actor=staff,
                    transparency_public=request.POST.get("transparency") == "on",
                )
                messages.success(request, _("Saved."))
                return redirect("reports:settings")
            if sub_form.is_valid():
                directorate = None
                if request.POST.get("directorate"):
                    directorate = Directorate.objects.filter(
                        organisation=staff.organisation, pk=request.POST["directorate"]
                    ).first()
                services.subscription_create(
                    actor=staff, directorate=directorate, **sub_form.cleaned_data
                )
                messages.success(request, _("The subscription was added."))
                return redirect("reports:settings")
        except (DomainError, ValidationError) as exc:
            messages.error(request, str(exc))
    return render(
        request,
        "reports/settings.html",
        {
            "sub_form": sub_form,
            "subscriptions": ReportSubscription.objects.filter(organisation=staff.organisation),
            "report_settings": selectors.report_settings(organisation=staff.organisation),
            "directorates": Directorate.objects.filter(organisation=staff.organisation),
            "can_edit": staff.role in services.ADMIN_ROLES,
            "public_url": reverse("transparency", args=[staff.organisation.slug]),
        },
    )


@reports_required
@require_POST
def subscription_delete(request: HttpRequest, pk: int) -> HttpResponse:
    staff = _staff(request)
    sub = ReportSubscription.objects.filter(pk=pk, organisation=staff.organisation).first()
    if sub is None:
        raise Http404
    try:
        services.subscription_delete(actor=staff, subscription=sub)
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("reports:settings")


def transparency(request: HttpRequest, slug: str) -> HttpResponse:
    """Public aggregate figures of an organisation that chose to publish them."""
    org = selectors.transparency_organisation(slug=slug)
    today = timezone.localdate()
    filters = selectors.KpiFilters(date_from=today - timedelta(days=364), date_to=today)
    figures = selectors.transparency_figures(organisation=org, filters=filters)
    return render(
        request,
        "reports/transparency.html",
        {
            "org": org,
            "figures": figures,
            "filters": filters,
            "map_data": {
                "boundaries": [b] if (b := selectors.boundaries_for(organisation=org)) else [],
                "counts": figures["neighbourhoods"],
                "center": [org.latitude, org.longitude],
            },
            "hide_login": False,
        },
    )

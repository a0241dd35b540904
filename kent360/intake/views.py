"""Pages of the intake: the public web form, the staff queue of raw items and tools."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kent360.core.errors import DomainError
from kent360.core.web import staff_of as _staff
from kent360.intake import forms, selectors, services
from kent360.intake.images import clean_photo
from kent360.intake.models import Source, Status
from kent360.organizations.models import Organisation, Staff
from kent360.requests import permissions
from kent360.requests.views import _error_text, staff_required

RATE_WINDOW = 3600


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "") or "unknown")


def rate_limited(request: HttpRequest, bucket: str, limit: int) -> bool:
    """Count one hit of this IP in the bucket; True when it is over the hourly limit."""
    key = f"k360:rate:{bucket}:{client_ip(request)}"
    cache.add(key, 0, RATE_WINDOW)
    try:
        hits = cache.incr(key)
    except ValueError:
        cache.set(key, 1, RATE_WINDOW)
        hits = 1
    return hits > limit


def report_start(request: HttpRequest) -> HttpResponse:
    """Pick the municipality (a single-municipality installation goes straight on)."""
    orgs = list(Organisation.objects.filter(is_active=True).order_by("name"))
    if len(orgs) == 1:
        return redirect("intake:report", org=orgs[0].slug)
    return render(request, "intake/report_start.html", {"orgs": orgs})


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, org: str) -> HttpResponse:
    """The public web form: stored raw, then turned into a request with a tracking code."""
    organisation = get_object_or_404(Organisation, slug=org, is_active=True)
    context: dict[str, Any] = {
        "organisation": organisation,
        "tile_url": settings.KENT360_MAP_TILE_URL,
    }
    if request.method == "POST":
        if request.POST.get("website"):
            return render(request, "intake/report_refused.html", status=400)
        if rate_limited(request, "webform", settings.KENT360_WEBFORM_MAX_PER_HOUR):
            return render(request, "intake/report_refused.html", {"rate": True}, status=429)
        form = forms.WebReportForm(request.POST, request.FILES, organisation=organisation)
        if form.is_valid():
            try:
                message = _store_web_report(form.cleaned_data, organisation, request)
            except DomainError as exc:
                form.add_error("photos", str(exc.message))
            else:
                return render(
                    request,
                    "intake/report_done.html",
                    {**context, "message": message, "obj": message.request},
                )
    else:
        form = forms.WebReportForm(
            organisation=organisation, initial={"submission_key": uuid.uuid4().hex}
        )
    context["form"] = form
    return render(request, "intake/report.html", context)


def _store_web_report(
    data: dict[str, Any], organisation: Organisation, request: HttpRequest
) -> Any:
    uploads = [(upload.name or "photo", upload.read()) for upload in data.get("photos") or []]
    category = data.get("category")
    payload = {
        "kind": data["kind"],
        "category": category.code if category else "",
        "text": data["text"],
        "address": data.get("address", ""),
        "latitude": data.get("latitude"),
        "longitude": data.get("longitude"),
        "name": data.get("name", ""),
        "phone": data.get("phone", ""),
        "email": data.get("email", ""),
        "consent": True,
        "language": getattr(request, "LANGUAGE_CODE", "tr"),
        "ip": client_ip(request),
    }
    files = []
    try:
        for name, content in uploads:
            photo = clean_photo(name, content, max_bytes=settings.KENT360_MAX_ATTACHMENT_BYTES)
            files.append((photo.name, photo.content, photo.content_type))
            if payload["latitude"] is None and photo.latitude is not None:
                payload["latitude"], payload["longitude"] = photo.latitude, photo.longitude
    except DomainError as exc:
        _keep_refused_report(organisation, data["submission_key"], payload, uploads, exc)
        raise
    result = services.inbound_receive(
        organisation=organisation,
        source=Source.WEB,
        idempotency_key=data["submission_key"],
        payload=payload,
        files=files,
    )
    # The citizen waits for the tracking code: process now (a worker doing the same is a no-op).
    return services.inbound_process(message_id=result.message.pk)


def _keep_refused_report(
    organisation: Organisation,
    submission_key: str,
    payload: dict[str, Any],
    uploads: list[tuple[str, bytes]],
    exc: DomainError,
) -> None:
    """A refused submission is kept as it came, with why, for staff to see.

    It gets a key of its own: the citizen resubmits the same form (same submission key)
    with a better photo, and that must become a request, not land on this failed item.
    """
    digest = hashlib.sha256()
    for name, content in uploads:
        digest.update(name.encode() + b"\0" + content)
    kept = [
        (name, content, services.REFUSED_FILE_TYPE)
        for name, content in uploads
        if len(content) <= settings.KENT360_MAX_ATTACHMENT_BYTES
    ]
    result = services.inbound_receive(
        organisation=organisation,
        source=Source.WEB,
        idempotency_key=f"{submission_key}:refused:{digest.hexdigest()[:32]}",
        payload={**payload, "files": [{"name": n, "size": len(c)} for n, c in uploads]},
        files=kept,
        enqueue=False,
    )
    if result.created:
        services.inbound_reject(message=result.message, error=str(exc.message))


def _can_handle(staff: Staff) -> bool:
    return permissions.can_create(staff)


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    """Inbound items; by default those that need a person ("could not process", review)."""
    staff = _staff(request)
    if not _can_handle(staff):
        return render(request, "403.html", status=403)
    status = request.GET.get("status", "attention")
    page = Paginator(selectors.inbound_list(staff=staff, status=status), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "intake/queue.html",
        {"page": page, "status": status, "statuses": Status.choices},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def message_detail(request: HttpRequest, inbound: int) -> HttpResponse:
    staff = _staff(request)
    if not _can_handle(staff):
        return render(request, "403.html", status=403)
    message = selectors.inbound_get(staff=staff, pk=inbound)
    initial = {
        "subject": message.parsed.get("subject") or message.payload.get("subject", ""),
        "text": message.parsed.get("text") or message.payload.get("text", ""),
        "contact_name": message.parsed.get("contact_name") or message.payload.get("name", ""),
        "contact_phone": message.parsed.get("contact_phone") or message.payload.get("phone", ""),
        "contact_email": message.parsed.get("contact_email") or message.payload.get("email", ""),
        "external_ref": message.parsed.get("external_ref", ""),
        "address": message.parsed.get("address") or message.payload.get("address", ""),
    }
    if message.source == Source.EMAIL and not initial["text"]:
        initial["text"] = message.read_raw().decode("utf-8", errors="replace")[:20000]
    form = forms.ConvertForm(request.POST or None, organisation=staff.organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.inbound_convert(
                message=message, actor=staff, fields=dict(form.cleaned_data)
            )
        except (DomainError, ValidationError) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(
                request, _("Request %(code)s registered.") % {"code": created.tracking_code}
            )
            return redirect("requests:detail", code=created.tracking_code)
    raw_preview = ""
    if message.raw_file and message.source in (Source.EMAIL, Source.CIMER):
        raw_preview = message.read_raw()[:20000].decode("utf-8", errors="replace")
    return render(
        request,
        "intake/message.html",
        {"message": message, "form": form, "raw_preview": raw_preview},
    )


@staff_required
@require_POST
def message_discard(request: HttpRequest, inbound: int) -> HttpResponse:
    staff = _staff(request)
    message = selectors.inbound_get(staff=staff, pk=inbound)
    try:
        services.inbound_discard(
            message=message, actor=staff, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("intake:message", inbound=message.pk)


@staff_required
@require_POST
def message_retry(request: HttpRequest, inbound: int) -> HttpResponse:
    staff = _staff(request)
    message = selectors.inbound_get(staff=staff, pk=inbound)
    try:
        services.inbound_retry(message=message, actor=staff)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("intake:message", inbound=message.pk)


@staff_required
def message_raw(request: HttpRequest, inbound: int) -> HttpResponse:
    """The stored raw item as it arrived (download), for staff fixing it by hand."""
    staff = _staff(request)
    message = selectors.inbound_get(staff=staff, pk=inbound)
    if not message.raw_file:
        return HttpResponse(status=404)
    response = HttpResponse(message.read_raw(), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="inbound-{message.pk}.bin"'
    return response


@staff_required
@require_http_methods(["GET", "POST"])
def petition(request: HttpRequest) -> HttpResponse:
    """Upload a scanned petition (PDF or image); it is read by OCR and then confirmed."""
    staff = _staff(request)
    if not _can_handle(staff):
        return render(request, "403.html", status=403)
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            message = services.petition_upload(
                organisation=staff.organisation, actor=staff, name=upload.name, data=upload.read()
            )
        except DomainError as exc:
            form.add_error("file", str(exc.message))
        else:
            return redirect("intake:message", inbound=message.pk)
    return render(
        request,
        "intake/upload.html",
        {
            "form": form,
            "title": _("Scanned petition (dilekçe)"),
            "help": _(
                "PDF or image; the text is read automatically (Turkish, Persian, English) "
                "and you confirm it."
            ),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def national_import(request: HttpRequest) -> HttpResponse:
    """Import applications forwarded by CİMER or similar channels (CSV, XLSX, XML)."""
    staff = _staff(request)
    if not _can_handle(staff):
        return render(request, "403.html", status=403)
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = services.national_import(
            organisation=staff.organisation, actor=staff, name=upload.name, data=upload.read()
        )
        if result.file_error:
            messages.error(request, result.file_error)
            return redirect("intake:message", inbound=result.messages[0].pk)
        messages.success(
            request, _("%(n)d applications read from the file.") % {"n": len(result.messages)}
        )
        return redirect(f"{reverse('intake:queue')}?status=")
    return render(
        request,
        "intake/upload.html",
        {
            "form": form,
            "title": _("Import from CİMER / national channels"),
            "help": _(
                "CSV, XLSX or XML export with columns Başvuru No, Başvuru Tarihi, Ad Soyad, "
                "T.C. Kimlik No, Telefon, E-posta, Konu, Başvuru Metni, Adres."
            ),
        },
    )


@staff_required
def field(request: HttpRequest) -> HttpResponse:
    """Mobile page for field teams; reports queue offline and replay with their own keys."""
    from kent360.organizations.models import Category

    categories = Category.objects.filter(organisation=_staff(request).organisation, is_active=True)
    return render(request, "intake/field.html", {"categories": categories})


@staff_required
def caller_lookup(request: HttpRequest) -> HttpResponse:
    """HTMX partial for the desk: the caller's earlier requests, found by phone number."""
    from kent360.citizens.models import Citizen
    from kent360.citizens.selectors import log_access
    from kent360.citizens.services import normalise_phone
    from kent360.requests.selectors import request_visible

    staff = _staff(request)
    raw = request.GET.get("contact_phone") or request.GET.get("phone") or ""
    phone = normalise_phone(raw, region=staff.organisation.country)
    citizen = None
    earlier: list[Any] = []
    if phone:
        citizen = Citizen.objects.filter(
            organisation_id=staff.organisation_id, phone=phone, anonymised_at=None
        ).first()
        if citizen is not None:
            log_access(staff=staff, citizen=citizen, action="desk_lookup", http_request=request)
            earlier = list(
                request_visible(staff=staff)
                .filter(citizen=citizen)
                .select_related("category")
                .order_by("-created_at")[:10]
            )
    return render(
        request,
        "intake/partials/caller.html",
        {"raw": raw, "phone": phone, "citizen": citizen, "earlier": earlier},
    )


@staff_required
@require_POST
def same_issue(request: HttpRequest, code: str) -> HttpResponse:
    """The caller reports what an existing request already covers: follow it, note it."""
    from kent360.requests.selectors import request_get

    staff = _staff(request)
    if not _can_handle(staff):
        return render(request, "403.html", status=403)
    obj = request_get(staff=staff, tracking_code=code)
    services.request_follow(
        request=obj,
        actor=staff,
        reason="same_issue",
        name=request.POST.get("contact_name", ""),
        phone=request.POST.get("contact_phone", ""),
        email=request.POST.get("contact_email", ""),
        note=request.POST.get("text", ""),
    )
    messages.success(
        request,
        _("The caller now follows request %(code)s; no new request was created.")
        % {"code": obj.tracking_code},
    )
    return redirect("requests:detail", code=obj.tracking_code)


@staff_required
def duplicates(request: HttpRequest, code: str) -> HttpResponse:
    """HTMX partial on the request page: likely duplicates, each with a merge button."""
    from kent360.intake.duplicates import duplicate_candidates
    from kent360.requests.selectors import request_get

    staff = _staff(request)
    obj = request_get(staff=staff, tracking_code=code)
    return render(
        request,
        "intake/partials/duplicates.html",
        {
            "obj": obj,
            "candidates": duplicate_candidates(staff=staff, request=obj),
            "can_merge": permissions.can_do(staff, obj, "merge"),
        },
    )


@staff_required
@require_POST
def merge_duplicate(request: HttpRequest, code: str) -> HttpResponse:
    """Merge this request into an original; its citizen then follows the original."""
    from django.http import Http404

    from kent360.requests.selectors import request_get

    staff = _staff(request)
    obj = request_get(staff=staff, tracking_code=code)
    try:
        into = request_get(staff=staff, tracking_code=request.POST.get("into", ""))
    except Http404:
        messages.error(request, _("No such request."))
        return redirect("requests:detail", code=obj.tracking_code)
    try:
        services.request_merge_duplicate(request=obj, into=into, actor=staff)
    except (DomainError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
        return redirect("requests:detail", code=obj.tracking_code)
    messages.success(request, _("Merged into %(code)s.") % {"code": into.tracking_code})
    return redirect("requests:detail", code=into.tracking_code)


@staff_required
@require_http_methods(["GET", "POST"])
def api_keys(request: HttpRequest) -> HttpResponse:
    """Administrators create and revoke service keys (Open311, field devices, webhooks)."""
    from kent360.core.models import ApiKey
    from kent360.intake.keys import api_key_create, api_key_revoke
    from kent360.organizations.models import Role

    staff = _staff(request)
    if staff.role != Role.ORG_ADMIN:
        return render(request, "403.html", status=403)
    keys = ApiKey.objects.filter(organisation_id=staff.organisation_id).order_by("-created_at")
    new_key = ""
    if request.method == "POST":
        if request.POST.get("revoke"):
            key = get_object_or_404(keys, pk=request.POST["revoke"])
            api_key_revoke(key=key, actor=staff)
            messages.success(request, _("Key revoked."))
            return redirect("intake:keys")
        scope = request.POST.get("scope", "")
        if scope in (ApiKey.Scope.OPEN311, ApiKey.Scope.WEBHOOK):
            _key, new_key = api_key_create(
                organisation=staff.organisation,
                name=request.POST.get("name", ""),
                scope=scope,
                actor=staff,
            )
    return render(
        request,
        "intake/keys.html",
        {"keys": keys, "new_key": new_key, "scopes": [ApiKey.Scope.OPEN311, ApiKey.Scope.WEBHOOK]},
    )

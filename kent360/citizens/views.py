"""The citizen's single view (360°): all channels and requests, merge, KVKK rights."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kent360.citizens import selectors, services
from kent360.core.errors import DomainError
from kent360.core.web import staff_of as _staff
from kent360.ops.selectors import citizen_access_log
from kent360.requests.views import staff_required


@staff_required
def search(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    if not selectors.can_view(staff):
        return render(request, "403.html", status=403)
    q = request.GET.get("q", "")
    return render(
        request,
        "citizens/search.html",
        {"q": q, "results": selectors.citizen_search(staff=staff, q=q) if q else []},
    )


@staff_required
def detail(request: HttpRequest, citizen: int) -> HttpResponse:
    staff = _staff(request)
    obj = selectors.citizen_get(staff=staff, pk=citizen, http_request=request)
    return render(
        request,
        "citizens/detail.html",
        {
            "obj": obj,
            "requests": selectors.citizen_requests(staff=staff, citizen=obj),
            "handles": obj.handles.all(),
            "access_log": citizen_access_log(staff=staff, citizen=obj),
            "can_erase": staff.role in selectors.ERASE_ROLES,
        },
    )


@staff_required
def export_json(request: HttpRequest, citizen: int) -> HttpResponse:
    obj = selectors.citizen_get(
        staff=_staff(request), pk=citizen, action="export", http_request=request
    )
    data = services.citizen_export_data(citizen=obj)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="citizen-{obj.pk}.json"'
    return response


@staff_required
def export_pdf(request: HttpRequest, citizen: int) -> HttpResponse:
    from weasyprint import HTML

    obj = selectors.citizen_get(
        staff=_staff(request), pk=citizen, action="export", http_request=request
    )
    html = render_to_string(
        "citizens/export.html", {"data": services.citizen_export_data(citizen=obj)}, request
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="citizen-{obj.pk}.pdf"'
    return response


@staff_required
@require_POST
def merge(request: HttpRequest, citizen: int) -> HttpResponse:
    staff = _staff(request)
    if staff.role not in selectors.ERASE_ROLES:
        raise Http404
    keep = selectors.citizen_get(staff=staff, pk=citizen, action="merge", http_request=request)
    try:
        other = selectors.citizen_get(
            staff=staff,
            pk=int(request.POST.get("other", "0")),
            action="merge",
            http_request=request,
        )
        services.citizen_merge(keep=keep, remove=other, actor=staff)
    except (DomainError, ValueError, Http404) as exc:
        messages.error(request, getattr(exc, "message", None) or _("No such citizen."))
    else:
        messages.success(request, _("Citizens merged."))
    return redirect("citizens:detail", citizen=keep.pk)


@staff_required
@require_POST
def anonymise(request: HttpRequest, citizen: int) -> HttpResponse:
    staff = _staff(request)
    if staff.role not in selectors.ERASE_ROLES:
        raise Http404
    obj = selectors.citizen_get(staff=staff, pk=citizen, action="erase", http_request=request)
    try:
        services.citizen_anonymise(citizen=obj, actor=staff, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The citizen's personal data was erased."))
    return redirect("citizens:detail", citizen=obj.pk)

"""Staff and citizen pages for requests. Thin: forms in, services and selectors out."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kent360.core.errors import DomainError
from kent360.core.web import error_text as _error_text
from kent360.core.web import first_form_error as _first_error
from kent360.core.web import staff_of as _staff
from kent360.ops.services import personal_data_access_log
from kent360.organizations.models import Staff
from kent360.requests import forms, pagination, permissions, selectors, services, workflow
from kent360.requests.models import Request


def staff_required(view: Any) -> Any:
    """Signed in and a member of an organisation; a user without a membership gets 403."""

    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request, "staff", None) is None:
            return render(request, "403.html", status=403)
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _can_export(staff: Staff) -> bool:
    """The export is a reporting feature; its link shows to those who may use it."""
    from kent360.reports.selectors import can_see_reports  # reports builds on requests

    return can_see_reports(staff)


@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    form = forms.InboxFilterForm(request.GET or None, staff=staff)
    filters = forms.inbox_filters(form)
    page = selectors.request_inbox_page(
        staff=staff, filters=filters, cursor=request.GET.get("cursor") or None
    )
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("cursor", None)
    export_query = query.copy()
    export_query["state"] = filters.state  # the export's own default is every state
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "export_query": export_query.urlencode() if _can_export(staff) else "",
        "counts": selectors.request_counts(staff=staff),
        "neighbourhoods": selectors.request_neighbourhoods(staff=staff),
        "sort": filters.sort,
        "scan_rows": number_format(pagination.SCAN_ROWS, force_grouping=True),
    }
    template = "requests/partials/inbox_table.html" if request.htmx else "requests/inbox.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _detail_context(request: HttpRequest, obj: Request) -> dict[str, Any]:
    staff = _staff(request)
    actions = [
        a for a in workflow.allowed_actions(obj.state) if permissions.can_do(staff, obj, a.name)
    ]
    return {
        "obj": obj,
        "events": selectors.request_timeline(staff=staff, request=obj),
        "actions": {a.name: a for a in actions},
        "can_note": permissions.can_do(staff, obj, "note"),
        "can_reply": permissions.can_do(staff, obj, "reply"),
        "earlier": selectors.citizen_earlier_requests(staff=staff, request=obj),
        "assign_form": forms.AssignForm(staff=staff, initial={"directorate": obj.directorate_id}),
        "triage_form": forms.TriageForm(
            staff=staff, initial={"category": obj.category_id, "directorate": obj.directorate_id}
        ),
        "transfer_form": forms.TransferForm(staff=staff),
        "reject_form": forms.RejectForm(),
        "merge_form": forms.MergeForm(),
        "text_form": forms.TextForm(),
        "attachments": obj.attachments.all(),
    }


@staff_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    obj = selectors.request_get(staff=_staff(request), tracking_code=code)
    personal_data_access_log(
        staff=_staff(request), obj=obj, what="request.detail", http_request=request
    )
    return render(request, "requests/detail.html", _detail_context(request, obj))


@staff_required
@require_POST
def act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """Run one workflow action (or note/reply) posted from the detail page."""
    staff = _staff(request)
    obj = selectors.request_get(staff=staff, tracking_code=code)
    post = request.POST
    try:
        if action == "note":
            services.request_add_note(request=obj, actor=staff, text=post.get("text", ""))
        elif action == "reply":
            services.request_reply(request=obj, actor=staff, text=post.get("text", ""))
        elif action in ("assign", "triage", "transfer"):
            form_class = {
                "assign": forms.AssignForm,
                "triage": forms.TriageForm,
                "transfer": forms.TransferForm,
            }[action]
            form = form_class(post, staff=staff)
            if not form.is_valid():
                raise DomainError(_first_error(form))
            params = dict(form.cleaned_data)
            services.request_apply_action(request=obj, actor=staff, action=action, **params)
        elif action == "merge":
            into_code = post.get("into", "")
            try:
                into = selectors.request_get(staff=staff, tracking_code=into_code)
            except Http404 as exc:
                raise DomainError(
                    _("No request with tracking code %(code)s.") % {"code": into_code}
                ) from exc
            services.request_merge(request=obj, actor=staff, into=into, note=post.get("note", ""))
        elif action == "reject":
            services.request_reject(
                request=obj,
                actor=staff,
                reason=post.get("reason", ""),
                competent_body=post.get("competent_body", ""),
            )
        elif action == "answer":
            services.request_answer(request=obj, actor=staff, answer=post.get("text", ""))
        elif action == "wait":
            services.request_wait(request=obj, actor=staff, question=post.get("text", ""))
        elif action == "reopen":
            services.request_reopen(request=obj, actor=staff, reason=post.get("text", ""))
        elif action == "attach":
            upload = request.FILES.get("file")
            if upload is None:
                raise DomainError(_("Choose a file to attach."))
            services.request_attach(
                request=obj, actor=staff, upload=upload, is_public=post.get("public") == "on"
            )
        elif action in ("start", "close"):
            services.request_apply_action(
                request=obj, actor=staff, action=action, note=post.get("text", "")
            )
        else:
            raise Http404
    except (DomainError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("requests:detail", code=obj.tracking_code)


@staff_required
def attachment(request: HttpRequest, code: str, pk: int) -> FileResponse:
    """Download an attachment; only staff who may see the request may see its files."""
    obj = selectors.request_get(staff=_staff(request), tracking_code=code)
    att = obj.attachments.filter(pk=pk).first()
    if att is None:
        raise Http404
    response = FileResponse(
        att.file.open("rb"),
        content_type=att.content_type,
        as_attachment=att.content_type not in INLINE_TYPES,
        filename=att.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


INLINE_TYPES = {"image/jpeg", "image/png", "application/pdf"}


@staff_required
@require_http_methods(["GET", "POST"])
def desk_entry(request: HttpRequest) -> HttpResponse:
    """Quick entry for the service desk and call centre."""
    staff = _staff(request)
    if not permissions.can_create(staff):
        return render(request, "403.html", status=403)
    if request.method == "POST":
        form = forms.DeskEntryForm(request.POST, staff=staff)
        if form.is_valid():
            data = dict(form.cleaned_data)
            key = data.pop("idempotency_key") or None
            try:
                result = services.request_create(
                    organisation=staff.organisation,
                    actor=staff,
                    idempotency_key=key,
                    **data,
                )
            except (DomainError, ValidationError) as exc:
                form.add_error(None, _error_text(exc))
            else:
                messages.success(
                    request,
                    _("Request %(code)s registered.") % {"code": result.request.tracking_code},
                )
                if "another" in request.POST:
                    return redirect("requests:desk")
                return redirect("requests:detail", code=result.request.tracking_code)
    else:
        form = forms.DeskEntryForm(staff=staff, initial={"idempotency_key": uuid.uuid4().hex})
    return render(request, "requests/desk.html", {"form": form})


def track(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """The citizen's page: look up a request by tracking code. No login."""
    form = forms.TrackForm(request.GET or None)
    lookup = None
    searched = False
    if code is None and form.is_bound and form.is_valid():
        return redirect(reverse("track_code", kwargs={"code": form.cleaned_data["code"].strip()}))
    if code:
        searched = True
        lookup = selectors.public_request_lookup(tracking_code=code)
    status = 404 if searched and lookup is None else 200
    return render(
        request,
        "requests/track.html",
        {"form": form, "lookup": lookup, "searched": searched, "code": code},
        status=status,
    )

"""The citizen's survey / reopen page and the admins' message-template editor. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kent360.core.errors import DomainError
from kent360.notifications import selectors, services
from kent360.organizations.models import Role, Staff
from kent360.requests.views import staff_required


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """Rate the answer (1–5, comment) or reopen the request; the token is the only key."""
    invitation = selectors.survey_by_token(token)
    if invitation is None:
        return render(request, "notifications/survey.html", {"invitation": None}, status=404)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "reopen":
                services.survey_reopen(invitation=invitation, reason=request.POST.get("reason", ""))
                messages.success(request, _("Your request is open again. We will look at it."))
            else:
                try:
                    rating = int(request.POST.get("rating", ""))
                except ValueError:
                    rating = 0
                services.survey_answer(
                    invitation=invitation,
                    rating=rating,
                    comment=request.POST.get("comment", ""),
                )
                messages.success(request, _("Thank you for your rating."))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        code = invitation.request.tracking_code
        return redirect(reverse("track_code", kwargs={"code": code}) + f"?t={token}")
    return render(request, "notifications/survey.html", {"invitation": invitation, "token": token})


@staff_required
@require_http_methods(["GET", "POST"])
def templates(request: HttpRequest) -> HttpResponse:
    """Organisation admins read and change the wording of every message."""
    staff: Staff = request.staff  # type: ignore[attr-defined]
    if staff.role != Role.ORG_ADMIN:
        return render(request, "403.html", status=403)
    rows = selectors.template_overview(staff=staff)
    source = request.POST if request.method == "POST" else request.GET
    key = (source.get("kind"), source.get("channel"), source.get("language"))
    editing = next((r for r in rows if (r.kind, r.channel, r.language) == key), None)
    if request.method == "POST" and editing is not None:
        try:
            if request.POST.get("op") == "reset":
                from kent360.notifications.models import NotificationTemplate

                row = NotificationTemplate.objects.filter(
                    organisation_id=staff.organisation_id,
                    kind=editing.kind,
                    channel=editing.channel,
                    language=editing.language,
                ).first()
                if row is not None:
                    services.notification_template_reset(actor=staff, template=row)
            else:
                services.notification_template_save(
                    actor=staff,
                    kind=editing.kind,
                    channel=editing.channel,
                    language=editing.language,
                    subject=request.POST.get("subject", ""),
                    body=request.POST.get("body", ""),
                )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Saved."))
            return redirect(
                reverse("notifications:templates")
                + f"?kind={editing.kind}&channel={editing.channel}&language={editing.language}"
            )
    return render(request, "notifications/templates.html", {"rows": rows, "editing": editing})

"""Network pages for press departments: shared calendar, campaigns, directory, meetings,
crisis room. Thin: services write, selectors read (only what the network shares)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kent360.core.errors import DomainError
from kent360.network import selectors, services
from kent360.network.models import ActionItem, Crisis, CrisisMessage, CrisisTarget
from kent360.press import permissions
from kent360.press.views import _calendar_context, _error, _staff, press_required
from kent360.requests.selectors import request_get
from kent360.social.selectors import accounts as social_accounts


@press_required
def overview(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    return render(
        request,
        "network/overview.html",
        {
            "orgs": selectors.network_orgs(staff.organisation),
            "campaigns": selectors.campaign_list(staff=staff)[:20],
            "releases": selectors.shared_releases(staff=staff)[:20],
            "crises": selectors.crisis_list(staff=staff).filter(is_open=True),
            "meetings": selectors.meeting_list(staff=staff)[:10],
            "can_write": permissions.can_write(staff),
        },
    )


@press_required
def calendar_view(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    try:
        day = date.fromisoformat(request.GET.get("date", "")) if request.GET.get("date") else None
    except ValueError:
        day = None
    context = _calendar_context(
        events_for=lambda s, e: selectors.shared_events(staff=staff, start=s, end=e),
        view=request.GET.get("view", "month"),
        day=day or timezone.localdate(),
    )
    context["show_org"] = True
    return render(request, "network/calendar.html", context)


@press_required
@require_POST
def campaign_new(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    try:
        campaign = services.campaign_create(
            actor=staff,
            title=request.POST.get("title", ""),
            message=request.POST.get("message", ""),
        )
    except DomainError as exc:
        messages.error(request, _error(exc))
        return redirect("network:overview")
    return redirect("network:campaign", campaign=campaign.pk)


@press_required
def campaign_detail(request: HttpRequest, campaign: int) -> HttpResponse:
    staff = _staff(request)
    obj = selectors.campaign_get(staff=staff, pk=campaign)
    rows = selectors.participations(staff=staff, campaign=obj)
    return render(
        request,
        "network/campaign.html",
        {
            "campaign": obj,
            "rows": rows,
            "own": next((r for r in rows if r["own"]), None),
            "is_owner": obj.organisation_id == staff.organisation_id,
        },
    )


@press_required
@require_POST
def campaign_respond(request: HttpRequest, campaign: int) -> HttpResponse:
    staff = _staff(request)
    obj = selectors.campaign_get(staff=staff, pk=campaign)
    try:
        if request.POST.get("text"):
            services.participation_adapt(actor=staff, campaign=obj, text=request.POST["text"])
        if request.POST.get("confirm"):
            services.participation_confirm(actor=staff, campaign=obj)
    except DomainError as exc:
        messages.error(request, _error(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("network:campaign", campaign=obj.pk)


@press_required
def directory(request: HttpRequest) -> HttpResponse:
    return render(
        request, "network/directory.html", {"rows": selectors.directory(staff=_staff(request))}
    )


@press_required
def meetings(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    if request.method == "POST":
        try:
            org_id = request.POST.get("action_org")
            orgs = {str(o.pk): o for o in selectors.network_orgs(staff.organisation)}
            actions = []
            if request.POST.get("action_text") and org_id in orgs:
                actions.append({"text": request.POST["action_text"], "organisation": orgs[org_id]})
            meeting = services.meeting_create(
                actor=staff,
                title=request.POST.get("title", ""),
                held_on=date.fromisoformat(request.POST.get("held_on", "")),
                notes=request.POST.get("notes", ""),
                actions=actions,
            )
        except (DomainError, ValueError) as exc:
            messages.error(request, _error(exc))
        else:
            return redirect("network:meeting", meeting=meeting.pk)
    return render(
        request,
        "network/meetings.html",
        {
            "meetings": selectors.meeting_list(staff=staff),
            "orgs": selectors.network_orgs(staff.organisation),
        },
    )


@press_required
def meeting_detail(request: HttpRequest, meeting: int) -> HttpResponse:
    obj = selectors.meeting_get(staff=_staff(request), pk=meeting)
    return render(
        request,
        "network/meeting.html",
        {
            "meeting": obj,
            "actions": obj.actions.select_related("owner_organisation", "owner__user"),
        },
    )


@press_required
@require_POST
def action_done(request: HttpRequest, meeting: int, item: int) -> HttpResponse:
    staff = _staff(request)
    obj = selectors.meeting_get(staff=staff, pk=meeting)
    action = get_object_or_404(ActionItem, meeting=obj, pk=item)
    try:
        services.action_item_done(actor=staff, item=action)
    except DomainError as exc:
        messages.error(request, _error(exc))
    return redirect("network:meeting", meeting=obj.pk)


@press_required
def crisis_list(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    if request.method == "POST":
        try:
            crisis = services.crisis_open(
                actor=staff, title=request.POST.get("title", ""), kind=request.POST.get("kind", "")
            )
        except DomainError as exc:
            messages.error(request, _error(exc))
        else:
            return redirect("network:crisis", crisis=crisis.pk)
    return render(
        request,
        "network/crisis_list.html",
        {"crises": selectors.crisis_list(staff=staff), "kinds": Crisis.Kind.choices},
    )


def _crisis_context(request: HttpRequest, crisis: Crisis) -> dict[str, object]:
    staff = _staff(request)
    return {
        "crisis": crisis,
        "counts": selectors.crisis_request_counts(crisis=crisis),
        "board": selectors.status_board(crisis=crisis),
        "is_owner": crisis.organisation_id == staff.organisation_id,
    }


@press_required
def crisis_room(request: HttpRequest, crisis: int) -> HttpResponse:
    staff = _staff(request)
    obj = selectors.crisis_get(staff=staff, pk=crisis)
    context = _crisis_context(request, obj)
    context.update(
        {
            "messages_": obj.messages.all(),
            "target": CrisisTarget.objects.filter(
                crisis=obj, organisation=staff.organisation
            ).first(),
            "accounts": social_accounts(staff=staff),
            "can_approve": staff.role in services.APPROVERS and context["is_owner"],
        }
    )
    return render(request, "network/crisis.html", context)


@press_required
def crisis_live(request: HttpRequest, crisis: int) -> HttpResponse:
    """Polled by HTMX: request count and status board."""
    obj = selectors.crisis_get(staff=_staff(request), pk=crisis)
    return render(request, "network/partials/crisis_live.html", _crisis_context(request, obj))


@press_required
@require_POST
def crisis_action(request: HttpRequest, crisis: int, action: str) -> HttpResponse:
    staff = _staff(request)
    obj = selectors.crisis_get(staff=staff, pk=crisis)
    p = request.POST
    try:
        if action == "draft":
            services.crisis_message_draft(
                actor=staff,
                crisis=obj,
                title=p.get("title", ""),
                text=p.get("text", ""),
                language=p.get("language", "tr"),
            )
        elif action in ("approve", "publish"):
            message = get_object_or_404(CrisisMessage, crisis=obj, pk=p.get("message") or 0)
            if action == "approve":
                services.crisis_message_approve(actor=staff, message=message)
            else:
                services.crisis_message_publish(actor=staff, message=message)
        elif action == "channels":
            chosen = [a for a in social_accounts(staff=staff) if str(a.pk) in p.getlist("accounts")]
            services.crisis_set_channels(
                actor=staff,
                crisis=obj,
                newsroom=bool(p.get("newsroom")),
                sms=bool(p.get("sms")),
                accounts=chosen,
            )
        elif action == "tag":
            req = request_get(staff=staff, tracking_code=p.get("tracking_code", ""))
            services.crisis_tag_request(actor=staff, crisis=obj, request=req)
        elif action == "close":
            services.crisis_close(actor=staff, crisis=obj)
        else:
            raise DomainError(_("Unknown action."))
    except DomainError as exc:
        messages.error(request, _error(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("network:crisis", crisis=obj.pk)

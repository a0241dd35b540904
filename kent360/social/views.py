"""Social media desk: composer with per-network previews, queue, calendar, post detail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kent360.core.errors import DomainError
from kent360.organizations.models import Organisation
from kent360.press import permissions
from kent360.press import services as press_services
from kent360.press.views import _calendar_context, _error, _staff, press_required
from kent360.press.workflow import allowed_actions
from kent360.social import selectors, services
from kent360.social.adapters.base import LIMITS, LINK_WEIGHT
from kent360.social.models import Network


@press_required
def queue(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    posts = selectors.post_list(staff=staff).order_by("scheduled_at", "-created_at")
    return render(
        request,
        "social/queue.html",
        {
            "posts": posts[:200],
            "accounts": selectors.accounts(staff=staff),
            "can_configure": permissions.can_configure(staff),
            "networks": Network.choices,
        },
    )


@press_required
@require_http_methods(["GET", "POST"])
def compose(request: HttpRequest) -> HttpResponse:
    """Write once, see how each chosen network will show it (length limits, previews)."""
    staff = _staff(request)
    accounts = list(selectors.accounts(staff=staff))
    error = ""
    text = ""
    if request.method == "POST":
        text = request.POST.get("text", "")
        chosen = [a for a in accounts if str(a.pk) in request.POST.getlist("accounts")]
        try:
            post = services.post_create(
                organisation=staff.organisation,
                actor=staff,
                text=text,
                accounts=chosen,
                image_url=request.POST.get("image_url", "").strip(),
            )
            if request.POST.get("submit_for_approval"):
                services.post_transition(post=post, actor=staff, action="submit")
        except DomainError as exc:
            error = _error(exc)
        else:
            messages.success(request, _("Post saved."))
            return redirect("social:post", post=post.pk)
    limits = {
        net: {"limit": LIMITS[net], "link": LINK_WEIGHT.get(net, 0), "label": label}
        for net, label in Network.choices
    }
    return render(
        request,
        "social/compose.html",
        {
            "accounts": accounts,
            "limits": limits,
            "error": error,
            "text": text,
            "can_write": permissions.can_write(staff),
        },
    )


@press_required
def post_detail(request: HttpRequest, post: int) -> HttpResponse:
    staff = _staff(request)
    obj = selectors.post_get(staff=staff, pk=post)
    actions = [a for a in allowed_actions(obj.state) if press_services.can_do(staff, obj, a.name)]  # type: ignore[arg-type]
    return render(
        request,
        "social/post.html",
        {
            "post": obj,
            "targets": obj.targets.select_related("account"),
            "events": obj.events.all(),
            "actions": actions,
            "chain": press_services.press_config(obj.organisation).approval_roles,
        },
    )


@press_required
@require_POST
def post_action(request: HttpRequest, post: int, action: str) -> HttpResponse:
    staff = _staff(request)
    obj = selectors.post_get(staff=staff, pk=post)
    scheduled_at = None
    raw = request.POST.get("scheduled_at", "")
    try:
        if action == "schedule":
            try:
                scheduled_at = timezone.make_aware(datetime.fromisoformat(raw))
            except ValueError as exc:
                raise DomainError(_("Choose a time in the future.")) from exc
        services.post_transition(
            post=obj,
            actor=staff,
            action=action,
            text=request.POST.get("text", ""),
            scheduled_at=scheduled_at,
        )
    except DomainError as exc:
        messages.error(request, _error(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("social:post", post=obj.pk)


@dataclass
class _CalItem:
    starts_at: datetime
    title: str
    organisation: Organisation


@press_required
def calendar_view(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    try:
        day = date.fromisoformat(request.GET.get("date", "")) if request.GET.get("date") else None
    except ValueError:
        day = None

    def items(start: datetime, end: datetime) -> list[_CalItem]:
        return [
            _CalItem(p.scheduled_at or p.published_at or p.created_at, p.text[:60], p.organisation)
            for p in selectors.posts_between(staff=staff, start=start, end=end)
        ]

    context = _calendar_context(
        events_for=items, view=request.GET.get("view", "month"), day=day or timezone.localdate()
    )
    return render(request, "social/calendar.html", context)


@press_required
@require_POST
def account_new(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    p = request.POST
    try:
        services.account_create(
            organisation=staff.organisation,
            actor=staff,
            network=p.get("network", ""),
            name=p.get("name", ""),
            api_base=p.get("api_base", ""),
            access_token=p.get("access_token", ""),
            handle=p.get("handle", ""),
            external_id=p.get("external_id", ""),
        )
    except DomainError as exc:
        messages.error(request, _error(exc))
    else:
        messages.success(request, _("Account added."))
    return redirect("social:queue")

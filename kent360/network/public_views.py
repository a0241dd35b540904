"""Public pages of the crisis SMS sign-up (per organisation, under its newsroom)."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from kent360.core.errors import DomainError
from kent360.network import alerts
from kent360.network.models import SmsReply
from kent360.organizations.models import Organisation

SESSION_KEY = "k360_alerts_phone"


def _org(slug: str) -> Organisation:
    return get_object_or_404(Organisation, slug=slug, is_active=True)


def _ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "") or "unknown")


def _render(request: HttpRequest, org: Organisation, step: str, **extra: object) -> HttpResponse:
    return render(request, "network/alerts.html", {"org": org, "step": step, **extra}, status=200)


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest, org: str) -> HttpResponse:
    """Phone and consent; we text a code to the number."""
    organisation = _org(org)
    phone = request.POST.get("phone", "")
    if request.method == "POST":
        if alerts.over_limit(f"ip:{_ip(request)}", settings.KENT360_ALERTS_MAX_PER_HOUR):
            return render(
                request,
                "network/alerts.html",
                {
                    "org": organisation,
                    "step": "start",
                    "phone": phone,
                    "error": _("Too many attempts from your connection; try again later."),
                },
                status=429,
            )
        try:
            sub = alerts.sms_signup_start(
                organisation=organisation, phone=phone, consent=bool(request.POST.get("consent"))
            )
        except DomainError as exc:
            return _render(request, organisation, "start", phone=phone, error=str(exc.message))
        request.session[SESSION_KEY] = {"org": organisation.pk, "phone": sub.phone}
        return redirect("press_public:alerts_confirm", org=organisation.slug)
    return _render(request, organisation, "start", phone=phone)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, org: str) -> HttpResponse:
    """The code from the SMS; right code, the number is subscribed."""
    organisation = _org(org)
    pending = request.session.get(SESSION_KEY) or {}
    if pending.get("org") != organisation.pk:
        return redirect("press_public:alerts", org=organisation.slug)
    phone = str(pending.get("phone", ""))
    if request.method == "POST":
        if alerts.over_limit(f"ip:{_ip(request)}", settings.KENT360_ALERTS_MAX_PER_HOUR * 4):
            return _render(
                request,
                organisation,
                "confirm",
                phone=phone,
                error=_("Too many attempts from your connection; try again later."),
            )
        try:
            alerts.sms_signup_confirm(
                organisation=organisation, phone=phone, code=request.POST.get("code", "")
            )
        except DomainError as exc:
            return _render(request, organisation, "confirm", phone=phone, error=str(exc.message))
        request.session.pop(SESSION_KEY, None)
        return _render(request, organisation, "done", phone=phone)
    return _render(request, organisation, "confirm", phone=phone)


@require_http_methods(["GET", "POST"])
def stop(request: HttpRequest, org: str, token: str) -> HttpResponse:
    """GET asks (link scanners follow links), POST unsubscribes."""
    organisation = _org(org)
    sub = alerts.subscriber_by_token(organisation=organisation, token=token)
    if sub is None:
        raise Http404
    if request.method == "POST" and sub.is_active:
        sub = alerts.sms_unsubscribe(subscriber=sub, via="link")
    return _render(request, organisation, "stop", sub=sub, stopped=not sub.is_active)


@csrf_exempt  # called by the SMS gateway, authenticated by KENT360_SMS_INBOUND_TOKEN
@require_POST
def inbound(request: HttpRequest, org: str) -> JsonResponse:
    """The gateway forwards citizens' replies: {"from": "+90…", "text": "STOP"}, with its
    message id in ``Idempotency-Key`` (or ``X-Message-Id``) when it has one. The body is
    kept as it came, even when it cannot be read (400, ``"kept": true``)."""
    organisation = _org(org)
    expected = str(settings.KENT360_SMS_INBOUND_TOKEN or "")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        return JsonResponse({"error": "unauthorised"}, status=401)
    reply = alerts.sms_reply_receive(
        organisation=organisation,
        raw=request.body,
        key=request.headers.get("Idempotency-Key") or request.headers.get("X-Message-Id") or "",
    )
    if reply.outcome == SmsReply.Outcome.INVALID:
        return JsonResponse({"error": reply.error, "kept": True}, status=400)
    return JsonResponse({"unsubscribed": reply.outcome == SmsReply.Outcome.UNSUBSCRIBED})

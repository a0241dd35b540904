"""Pages of the ops app: sign-in with throttling and two-factor, the staff's own API
keys and two-factor settings, the personal-data access log, readiness and metrics."""

from __future__ import annotations

import hmac
import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kent360.core.errors import DomainError
from kent360.core.models import ApiKey
from kent360.ops import forms, health, selectors, services, totp
from kent360.ops.models import TwoFactorDevice
from kent360.organizations.models import Role, Staff

PENDING_KEY = "ops_two_factor_pending"
PENDING_SECONDS = 300


class LoginView(auth_views.LoginView):
    """Password sign-in; with two-factor on, the password only leads to the code step."""

    form_class = forms.ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        ip = services.client_ip(self.request)
        if services.two_factor_enabled(user):
            self.request.session.cycle_key()
            self.request.session[PENDING_KEY] = {
                "user": user.pk,
                "backend": user.backend,
                "at": time.time(),
                "next": self.get_success_url(),
            }
            return redirect("ops:two_factor_verify")
        services.login_succeeded(username=user.get_username(), ip=ip)
        return super().form_valid(form)


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator or a recovery code."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return redirect("login")
    user = get_object_or_404(get_user_model(), pk=pending["user"], is_active=True)
    ip = services.client_ip(request)
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        remaining = services.login_lockout_remaining(username=user.get_username(), ip=ip)
        if remaining:
            services.login_refused_while_locked(username=user.get_username(), ip=ip)
            form.add_error(None, forms.lockout_message(remaining))
        elif services.two_factor_verify(user=user, code=form.cleaned_data["code"]):
            del request.session[PENDING_KEY]
            auth_login(request, user, backend=pending["backend"])
            services.login_succeeded(username=user.get_username(), ip=ip)
            target = pending.get("next") or settings.LOGIN_REDIRECT_URL
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = settings.LOGIN_REDIRECT_URL
            return redirect(target)
        else:
            services.login_failed(username=user.get_username(), ip=ip)
            form.add_error("code", _("The code is not right."))
    return render(request, "ops/two_factor_verify.html", {"form": form, "hide_login": True})


def _staff(request: HttpRequest) -> Staff | None:
    return getattr(request, "staff", None)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_settings(request: HttpRequest) -> HttpResponse:
    """Turning two-factor sign-in on (secret → first code → recovery codes) or off."""
    user: Any = request.user
    device = TwoFactorDevice.objects.filter(user=user).first()
    context: dict[str, Any] = {"device": device, "form": forms.CodeForm()}
    step = request.POST.get("step", "")
    try:
        if step == "begin":
            device = services.two_factor_begin(user=user)
        elif step == "confirm":
            form = forms.CodeForm(request.POST)
            context["form"] = form
            if form.is_valid():
                context["recovery_codes"] = services.two_factor_confirm(
                    user=user, code=form.cleaned_data["code"]
                )
                device = TwoFactorDevice.objects.get(user=user)
                messages.success(request, _("Two-factor sign-in is on."))
        elif step == "disable":
            form = forms.CodeForm(request.POST)
            if form.is_valid() and services.two_factor_verify(
                user=user, code=form.cleaned_data["code"]
            ):
                services.two_factor_disable(user=user)
                messages.success(request, _("Two-factor sign-in is off."))
                return redirect("ops:two_factor")
            messages.error(request, _("The code is not right."))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    context["device"] = device
    if device is not None and device.confirmed_at is None:
        context["secret"] = device.secret
        context["uri"] = totp.provisioning_uri(
            device.secret, account=user.get_username(), issuer="kent360"
        )
    return render(request, "ops/two_factor.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def api_keys(request: HttpRequest) -> HttpResponse:
    """The signed-in staff member's own API keys; a new key is shown once."""
    staff = _staff(request)
    if staff is None:
        return render(request, "403.html", status=403)
    form = forms.ApiKeyForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = services.api_key_create(staff=staff, name=form.cleaned_data["name"])
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            form = forms.ApiKeyForm()
    keys = selectors.api_keys_of(staff=staff)
    response = render(
        request, "ops/api_keys.html", {"form": form, "keys": keys, "created": created}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def api_key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    staff = _staff(request)
    if staff is None:
        return render(request, "403.html", status=403)
    key = get_object_or_404(ApiKey, pk=pk, user=staff.user, organisation=staff.organisation)
    services.api_key_revoke(staff=staff, key=key)
    messages.success(request, _("The key %(name)s is revoked.") % {"name": key.name})
    return redirect("ops:api_keys")


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    """Who saw which citizen's personal data, for the organisation's administrators."""
    staff = _staff(request)
    if staff is None or staff.role != Role.ORG_ADMIN:
        return render(request, "403.html", status=403)
    entries = selectors.access_log(staff=staff, q=request.GET.get("q", ""))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "ops/access_log.html", {"page": page, "q": request.GET.get("q", "")})


def ready(request: HttpRequest) -> JsonResponse:
    """Readiness: database, migrations, task queue and file storage; 503 if any fails."""
    checks = health.readiness()
    ok = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ok else "error", "checks": checks}, status=200 if ok else 503
    )


def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus scrape; needs the bearer token, or comes from this machine when none is set."""
    token = settings.KENT360_METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            return HttpResponse("forbidden\n", status=403, content_type="text/plain")
    elif request.META.get("REMOTE_ADDR") not in ("127.0.0.1", "::1"):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain")
    from kent360.ops.metrics import exposition

    return HttpResponse(exposition(), content_type="text/plain; version=0.0.4; charset=utf-8")

"""Staff pages of routing: the triage queue and the routing status/settings page. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kent360.core.errors import DomainError
from kent360.core.web import staff_of as _staff
from kent360.organizations.models import Role
from kent360.requests.views import staff_required
from kent360.routing import selectors, services

ADMINS = {Role.ORG_ADMIN, Role.PR_MANAGER}


@staff_required
def triage(request: HttpRequest) -> HttpResponse:
    """Requests the router was unsure of, oldest first, with its suggestion."""
    staff = _staff(request)
    page = Paginator(selectors.triage_queue(staff=staff), 50).get_page(request.GET.get("page"))
    return render(request, "routing/triage.html", {"page": page})


@staff_required
@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    """Model versions with their figures, the threshold, and the keyword rules."""
    staff = _staff(request)
    if staff.role not in ADMINS:
        return render(request, "403.html", status=403)
    if request.method == "POST":
        try:
            if request.POST.get("op") == "keywords":
                category = selectors.keyword_categories(staff=staff).get(
                    pk=int(request.POST.get("category", "0") or 0)
                )
                services.category_keywords_update(
                    actor=staff, category=category, keywords=request.POST.get("keywords", "")
                )
            else:
                services.routing_settings_update(
                    actor=staff,
                    threshold=float(request.POST.get("threshold", "")),
                    auto_route=request.POST.get("auto_route") == "on",
                )
        except (DomainError, ValueError) as exc:
            messages.error(request, str(getattr(exc, "message", exc)))
        except Exception as exc:  # a category id of another organisation
            from django.core.exceptions import ObjectDoesNotExist

            if not isinstance(exc, ObjectDoesNotExist):
                raise
            messages.error(request, _("Unknown category."))
        else:
            messages.success(request, _("Saved."))
        return redirect("routing:status")
    versions = list(selectors.model_versions(staff=staff)[:10])
    return render(
        request,
        "routing/status.html",
        {
            "settings_row": services.routing_settings_get(staff.organisation),
            "versions": versions,
            "current": next((v for v in versions if v.is_current), None),
            "categories": selectors.keyword_categories(staff=staff),
        },
    )

"""Reads of routing: the triage queue, at-risk and overdue requests, model versions."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from kent360.organizations.models import Category, Staff
from kent360.requests.models import OPEN_STATES, Request, State
from kent360.requests.selectors import request_visible
from kent360.routing.models import (
    BusinessCalendar,
    Holiday,
    RoutingDecision,
    RoutingModel,
)


def triage_queue(*, staff: Staff) -> QuerySet[Request]:
    """Requests nobody has routed: received, without a directorate (router unsure)."""
    return (
        request_visible(staff=staff)
        .filter(state=State.RECEIVED, directorate__isnull=True)
        .select_related("routing_decision__category")
        .order_by("created_at")
    )


def at_risk(*, staff: Staff) -> QuerySet[Request]:
    """Open requests past 75 % of their answer time (reminder sent) but not yet overdue."""
    from kent360.requests.selectors import at_risk_q

    return request_visible(staff=staff).filter(at_risk_q())


def overdue(*, staff: Staff) -> QuerySet[Request]:
    return request_visible(staff=staff).filter(state__in=OPEN_STATES, due_at__lt=timezone.now())


def model_versions(*, staff: Staff) -> QuerySet[RoutingModel]:
    return RoutingModel.objects.filter(organisation_id=staff.organisation_id).defer("blob")


def decision_for(*, staff: Staff, request: Request) -> RoutingDecision | None:
    if request.organisation_id != staff.organisation_id:
        return None
    return RoutingDecision.objects.filter(request=request).select_related("category").first()


def keyword_categories(*, staff: Staff) -> QuerySet[Category]:
    return Category.objects.filter(organisation_id=staff.organisation_id).order_by("name")


def holidays(*, staff: Staff, year: int | None = None) -> QuerySet[Holiday]:
    cal = BusinessCalendar.objects.filter(organisation_id=staff.organisation_id).first()
    country = cal.country if cal else staff.organisation.country
    qs = Holiday.objects.filter(
        country=country, organisation__isnull=True
    ) | Holiday.objects.filter(organisation_id=staff.organisation_id)
    if year is not None:
        qs = qs.filter(date__year=year)
    return qs.order_by("date")

"""Reads of citizens. Every read of personal data by staff is written to the access log."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from kent360.citizens.models import Citizen
from kent360.ops.services import personal_data_access_log
from kent360.organizations.models import Role, Staff
from kent360.requests.models import Request
from kent360.requests.selectors import request_visible

# Who may open a citizen's file (KVKK: need to know): the desk, PR and administrators.
CITIZEN_ROLES = frozenset({Role.AGENT, Role.PR_MANAGER, Role.ORG_ADMIN})
ERASE_ROLES = frozenset({Role.PR_MANAGER, Role.ORG_ADMIN})


def can_view(staff: Staff) -> bool:
    return staff.role in CITIZEN_ROLES


def log_access(
    *, staff: Staff, citizen: Citizen, action: str, http_request: HttpRequest | None = None
) -> None:
    """Writes ``citizen.<action>`` to the organisation's personal-data access log."""
    personal_data_access_log(
        staff=staff, obj=citizen, what=f"citizen.{action}", http_request=http_request
    )


def citizen_get(
    *, staff: Staff, pk: int, action: str = "view", http_request: HttpRequest | None = None
) -> Citizen:
    """The citizen of the staff member's organisation (404 otherwise); the read is logged."""
    if not can_view(staff):
        raise Http404
    citizen = Citizen.objects.filter(pk=pk, organisation_id=staff.organisation_id).first()
    if citizen is None:
        raise Http404
    log_access(staff=staff, citizen=citizen, action=action, http_request=http_request)
    return citizen


def citizen_requests(*, staff: Staff, citizen: Citizen) -> QuerySet[Request]:
    """All of the citizen's requests across channels, including those they follow."""
    return (
        request_visible(staff=staff)
        .filter(Q(citizen=citizen) | Q(followers__citizen=citizen))
        .select_related("category", "directorate")
        .distinct()
        .order_by("-created_at")
    )


def citizen_search(*, staff: Staff, q: str) -> QuerySet[Citizen]:
    from kent360.citizens.services import normalise_email, normalise_phone

    qs = Citizen.objects.filter(organisation_id=staff.organisation_id, anonymised_at=None)
    q = q.strip()
    if not q:
        return qs.none()
    phone = normalise_phone(q, region=staff.organisation.country)
    cond = (
        Q(name__icontains=q)
        | Q(email=normalise_email(q))
        | Q(handles__handle=q.lstrip("@").lower())
    )
    if phone:
        cond |= Q(phone=phone)
    return qs.filter(cond).distinct()[:50]

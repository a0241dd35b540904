"""Reads across the network: only what is shared with it, always through the asking staff.

A member sees its own rows and whatever other members shared; it never sees another
member's drafts (releases, campaign adaptations not yet confirmed).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from kent360.network.models import (
    Campaign,
    Crisis,
    CrisisRequest,
    Dispatch,
    Meeting,
    Participation,
)
from kent360.organizations.models import Organisation, Role, Staff
from kent360.press import permissions
from kent360.press.models import Event, Release, ReleaseState


def network_root(organisation: Organisation) -> Organisation:
    return organisation.parent if organisation.parent_id else organisation  # type: ignore[return-value]


def network_orgs(organisation: Organisation) -> list[Organisation]:
    """The metropolitan and its active members; an organisation alone is its own network."""
    root = network_root(organisation)
    members = list(Organisation.objects.filter(parent=root, is_active=True).order_by("name"))
    return [root, *members]


def _ids(staff: Staff) -> list[int]:
    return [o.pk for o in network_orgs(staff.organisation)]


def _require(staff: Staff) -> None:
    if not permissions.can_view(staff):
        raise Http404


def shared_events(*, staff: Staff, start: datetime, end: datetime) -> list[Event]:
    _require(staff)
    qs = Event.objects.filter(organisation_id__in=_ids(staff)).filter(
        Q(shared_with_network=True) | Q(organisation_id=staff.organisation_id)
    )
    qs = qs.filter(starts_at__gte=start, starts_at__lt=end).select_related("organisation")
    return list(qs.order_by("starts_at"))


def shared_releases(*, staff: Staff) -> QuerySet[Release]:
    """Other members' published releases that they shared with the network."""
    _require(staff)
    return (
        Release.objects.filter(
            organisation_id__in=_ids(staff),
            shared_with_network=True,
            state=ReleaseState.PUBLISHED,
        )
        .exclude(organisation_id=staff.organisation_id)
        .select_related("organisation")
        .prefetch_related("translations")
        .order_by("-published_at")
    )


def campaign_list(*, staff: Staff) -> QuerySet[Campaign]:
    _require(staff)
    return (
        Campaign.objects.filter(organisation_id__in=_ids(staff))
        .filter(
            Q(organisation_id=staff.organisation_id)
            | Q(participations__organisation_id=staff.organisation_id)
        )
        .distinct()
        .select_related("organisation")
    )


def campaign_get(*, staff: Staff, pk: int) -> Campaign:
    campaign = campaign_list(staff=staff).filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


def participations(*, staff: Staff, campaign: Campaign) -> list[dict[str, Any]]:
    """The owner sees every member's progress but a member's text only once confirmed;
    a member sees only its own participation."""
    qs = campaign.participations.select_related("organisation")
    if campaign.organisation_id != staff.organisation_id:
        qs = qs.filter(organisation_id=staff.organisation_id)
    rows = []
    for p in qs:
        own = p.organisation_id == staff.organisation_id
        visible = own or p.state == Participation.State.CONFIRMED
        rows.append({"p": p, "own": own, "text": p.adapted_text if visible else None})
    return rows


def directory(*, staff: Staff) -> list[dict[str, Any]]:
    """Press offices of the network: the organisation's contacts and its press staff."""
    _require(staff)
    rows = []
    for org in network_orgs(staff.organisation):
        people = Staff.objects.filter(
            organisation=org, is_active=True, role__in=[Role.PRESS_OFFICER, Role.PR_MANAGER]
        ).select_related("user")
        rows.append({"org": org, "people": list(people)})
    return rows


def meeting_list(*, staff: Staff) -> QuerySet[Meeting]:
    _require(staff)
    return Meeting.objects.filter(organisation=network_root(staff.organisation))


def meeting_get(*, staff: Staff, pk: int) -> Meeting:
    meeting = meeting_list(staff=staff).filter(pk=pk).first()
    if meeting is None:
        raise Http404
    return meeting


def crisis_list(*, staff: Staff) -> QuerySet[Crisis]:
    _require(staff)
    return Crisis.objects.filter(organisation_id__in=_ids(staff))


def crisis_get(*, staff: Staff, pk: int) -> Crisis:
    crisis = crisis_list(staff=staff).filter(pk=pk).first()
    if crisis is None:
        raise Http404
    return crisis


def crisis_request_counts(*, crisis: Crisis) -> dict[str, Any]:
    """Counts only (no request contents): safe to show to every member of the network."""
    by_org = (
        CrisisRequest.objects.filter(crisis=crisis)
        .values("organisation__name")
        .annotate(n=Count("id"))
        .order_by("organisation__name")
    )
    rows = [(r["organisation__name"], r["n"]) for r in by_org]
    return {"total": sum(n for _name, n in rows), "by_org": rows}


def status_board(*, crisis: Crisis) -> list[Dispatch]:
    return list(
        Dispatch.objects.filter(message__crisis=crisis).select_related(
            "organisation", "account", "message"
        )
    )

"""Reads of citizen requests, always through the person asking.

A lookup never crosses organisations: every queryset starts from the asker's organisation,
and directorate staff are narrowed to their directorate.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan
from django.http import Http404
from django.utils import timezone

from kent360.core.text import search_key
from kent360.organizations.models import Role, Staff
from kent360.requests import pagination
from kent360.requests.models import (
    OPEN_STATES,
    EventType,
    Request,
    RequestEvent,
    normalise_tracking_code,
)

SORTS = {
    "created": "created_at",
    "-created": "-created_at",
    "due": "due_at",
    "-due": "-due_at",
    "priority": "priority",
    "-priority": "-priority",
    "state": "state",
    "-state": "-state",
    "updated": "updated_at",
    "-updated": "-updated_at",
}


def request_visible(*, staff: Staff) -> QuerySet[Request]:
    qs = Request.objects.filter(organisation_id=staff.organisation_id)
    if staff.role == Role.DIRECTORATE_STAFF:
        qs = qs.filter(directorate_id=staff.directorate_id or -1)
    return qs


@dataclass
class InboxFilters:
    state: str = ""
    category: int | None = None
    directorate: int | None = None
    channel: str = ""
    kind: str = ""
    neighbourhood: str = ""
    q: str = ""
    overdue: bool = False
    # Past 75 % of the answer time (the SLA reminder went out) and not yet overdue.
    at_risk: bool = False
    # Not yet routed: received and without a directorate (the router was unsure).
    triage: bool = False
    mine: bool = False
    open_only: bool = False
    sort: str = "-created"
    extra: dict[str, Any] = field(default_factory=dict)


TRIAGE = Q(state="received", directorate__isnull=True)


def at_risk_q() -> Q:
    """Open, not overdue, and the SLA reminder (75 %) of the current deadline went out
    (kent360.routing's escalation rows; nothing is at risk without that app)."""
    from django.apps import apps

    if not apps.is_installed("kent360.routing"):
        return Q(pk__in=[])
    escalation = apps.get_model("routing", "Escalation")
    reminded = escalation.objects.filter(
        request=OuterRef("pk"), level="reminder", due_at=OuterRef("due_at")
    )
    return Q(Exists(reminded), state__in=OPEN_STATES, due_at__gte=timezone.now())


def request_list(*, staff: Staff, filters: InboxFilters | None = None) -> QuerySet[Request]:
    f = filters or InboxFilters()
    qs = request_visible(staff=staff).select_related("category", "directorate", "assignee__user")
    if f.state == "open" or f.open_only:
        qs = qs.filter(state__in=OPEN_STATES)
    elif f.state:
        qs = qs.filter(state=f.state)
    if f.category:
        qs = qs.filter(category_id=f.category)
    if f.directorate:
        qs = qs.filter(directorate_id=f.directorate)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.neighbourhood:
        qs = qs.filter(neighbourhood__iexact=f.neighbourhood)
    if f.overdue:
        qs = qs.filter(state__in=OPEN_STATES, due_at__lt=timezone.now())
    if f.at_risk:
        qs = qs.filter(at_risk_q())
    if f.triage:
        qs = qs.filter(TRIAGE)
    if f.mine:
        qs = qs.filter(assignee=staff)
    match = text_match(f.q)
    if match is not None:
        qs = qs.filter(match.indexed)
    return qs.order_by(*pagination.ordering(*pagination.parse_sort(request_sort(f))))


def text_match(q: str) -> pagination.TextMatch | None:
    """What the inbox search box finds: the request with that tracking code, or every
    request whose normalised text (subject, message, address, citizen) holds each of the
    words typed, in any order, in Turkish or Persian spelling (core.text.search_key).

    Words of fewer than three letters are tested on each row in both forms: a trigram
    index cannot look them up, and asked to it would read the whole index."""
    if not q.strip():
        return None
    code = Q(tracking_code=normalise_tracking_code(q))
    indexed, scanned = Q(), Q()
    for word in dict.fromkeys(search_key(q).split()):
        held = Q(GreaterThan(StrIndex("search_text", Value(word)), 0))
        scanned &= held
        indexed &= Q(search_text__contains=word) if len(word) >= 3 else held
    return pagination.TextMatch(indexed=code | indexed, scanned=code | scanned, exact=code)


def request_sort(filters: InboxFilters) -> str:
    """The model field (with "-" for descending) the inbox is sorted by."""
    return SORTS.get(filters.sort, "-created_at")


def request_inbox_page(
    *, staff: Staff, filters: InboxFilters, cursor: str | None, size: int = 25
) -> pagination.KeysetPage[Request]:
    """One inbox page by keyset on (sort field, id), with the total capped at 1,000."""
    return pagination.keyset_page(
        request_list(staff=staff, filters=replace(filters, q="")),
        sort=request_sort(filters),
        cursor=cursor,
        size=size,
        match=text_match(filters.q),
    )


def request_get(*, staff: Staff, tracking_code: str) -> Request:
    """The request with this code if the asker may see it; 404 otherwise (no hint it exists)."""
    code = normalise_tracking_code(tracking_code)
    try:
        return (
            request_visible(staff=staff)
            .select_related(
                "category",
                "directorate",
                "assignee__user",
                "organisation",
                "citizen",
                "merged_into",
            )
            .get(tracking_code=code)
        )
    except Request.DoesNotExist as exc:
        raise Http404 from exc


def request_timeline(*, staff: Staff, request: Request) -> QuerySet[RequestEvent]:
    if request.organisation_id != staff.organisation_id:
        raise Http404
    return request.events.select_related("actor__user").order_by("created_at", "id")


def request_neighbourhoods(*, staff: Staff) -> list[str]:
    """Neighbourhood names for the filter's suggestions, cached for ten minutes: the
    DISTINCT reads every request of the organisation, too slow to run on each page."""
    scope = staff.directorate_id if staff.role == Role.DIRECTORATE_STAFF else "*"
    key = f"req-hoods:{staff.organisation_id}:{scope}"
    found = cache.get(key)
    if found is None:
        found = list(
            request_visible(staff=staff)
            .exclude(neighbourhood="")
            .order_by("neighbourhood")
            .values_list("neighbourhood", flat=True)
            .distinct()[:500]
        )
        cache.set(key, found, 600)
    return list(found)


def request_counts(*, staff: Staff) -> dict[str, Any]:
    """The inbox badges, each counted up to COUNT_CAP (``<name>_capped`` says "more").

    One capped COUNT per badge: each is answered from a narrow index range, where a
    single aggregate over every open request grows with the backlog (300k at 10M).
    """
    now = timezone.now()
    open_qs = request_visible(staff=staff).filter(state__in=OPEN_STATES)
    badges = {
        "open": open_qs,
        "overdue": open_qs.filter(due_at__lt=now),
        "mine": open_qs.filter(assignee=staff),
        "new": request_visible(staff=staff).filter(state="received"),
        "triage": request_visible(staff=staff).filter(TRIAGE),
        "at_risk": request_visible(staff=staff).filter(at_risk_q()),
    }
    out: dict[str, Any] = {}
    for name, qs in badges.items():
        out[name], out[f"{name}_capped"] = pagination.capped_count(qs)
    return out


def citizen_earlier_requests(*, staff: Staff, request: Request, limit: int = 10) -> list[Request]:
    if request.citizen_id is None:
        return []
    return list(
        request_visible(staff=staff)
        .filter(citizen_id=request.citizen_id)
        .exclude(pk=request.pk)
        .order_by("-created_at")[:limit]
    )


PUBLIC_TEXT_EVENTS = {EventType.REPLY}
PUBLIC_TEXT_ACTIONS = {"answer", "wait", "reject"}


@dataclass
class PublicView:
    request: Request
    events: list[dict[str, Any]]


def public_request_lookup(*, tracking_code: str) -> PublicView | None:
    """What a citizen may see with only the tracking code: state, dates and public replies.

    Never internal notes, staff names, other citizens' data or contact details.
    """
    code = normalise_tracking_code(tracking_code)
    request = (
        Request.objects.select_related("organisation", "category", "directorate", "merged_into")
        .filter(tracking_code=code)
        .first()
    )
    if request is None:
        return None
    events = []
    for event in request.events.filter(is_public=True).order_by("created_at", "id"):
        action = (event.data or {}).get("action", "")
        show_text = event.type in PUBLIC_TEXT_EVENTS or action in PUBLIC_TEXT_ACTIONS
        events.append(
            {
                "at": event.created_at,
                "type": event.type,
                "label": event.get_type_display(),
                "to_state": event.to_state,
                "text": event.text if show_text else "",
                "directorate": (event.data or {}).get("to_directorate")
                or (event.data or {}).get("directorate", ""),
                "competent_body": (event.data or {}).get("competent_body", ""),
            }
        )
    return PublicView(request=request, events=events)

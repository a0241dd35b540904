"""Followers hear of a request's progress too (same-issue callers, merged duplicates).

The notifications app tells a request's own citizen and, after each public event's
commit, asks :func:`follower_recipients` who else follows; the outbox row is keyed by
(event, follower) so it is never sent twice. :func:`followers_notify` is the safety net
run periodically for events whose on-commit queueing was lost.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kent360.intake.models import RequestFollower
from kent360.notifications.services import (
    FOLLOWED_EVENT_TYPES,
    Follower,
    notification_queue_for_followers,
)
from kent360.requests.models import Request, RequestEvent


def follower_recipients(request: Request, event: RequestEvent) -> list[Follower]:
    """Followers with an e-mail address who already followed when the event happened."""
    out = []
    for follower in RequestFollower.objects.filter(request=request).select_related("citizen"):
        if follower.created_at > event.created_at:
            continue  # they follow from now on, not what happened before
        citizen = follower.citizen
        if citizen is not None and citizen.anonymised_at is not None:
            continue
        email = follower.email or (citizen.email if citizen else "")
        if email:
            out.append(
                Follower(
                    key=str(follower.pk),
                    email=email,
                    language=citizen.preferred_language if citizen else "tr",
                )
            )
    return out


def followers_notify(*, since: timedelta = timedelta(hours=6)) -> int:
    """Queue notifications to followers for recent public events; safe to run repeatedly."""
    created = 0
    events = (
        RequestEvent.objects.filter(
            is_public=True,
            type__in=FOLLOWED_EVENT_TYPES,
            created_at__gte=timezone.now() - since,
            request__followers__isnull=False,
        )
        .select_related("request", "request__organisation")
        .distinct()
    )
    for event in events:
        created += len(
            notification_queue_for_followers(
                request=event.request,
                event=event,
                followers=follower_recipients(event.request, event),
            )
        )
    return created

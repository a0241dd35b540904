"""Followers hear of a request's progress too (same-issue callers, merged duplicates).

The notifications app tells a request's own citizen; this adds one outbox row per
follower for each public event, keyed by (event, follower) so it is never sent twice.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from kent360.intake.models import RequestFollower
from kent360.notifications.models import Notification
from kent360.requests.models import RequestEvent


def _enqueue(notification_id: int) -> None:
    from kent360.notifications.tasks import deliver_notification

    deliver_notification.enqueue(notification_id=notification_id)


def followers_notify(*, since: timedelta = timedelta(hours=6)) -> int:
    """Queue notifications to followers for recent public events; safe to run repeatedly."""
    created = 0
    events = (
        RequestEvent.objects.filter(
            is_public=True,
            created_at__gte=timezone.now() - since,
            request__followers__isnull=False,
        )
        .select_related("request")
        .distinct()
    )
    for event in events:
        for follower in RequestFollower.objects.filter(request=event.request).select_related(
            "citizen"
        ):
            if follower.created_at > event.created_at:
                continue  # they follow from now on, not what happened before
            email = follower.email or (follower.citizen.email if follower.citizen else "")
            if not email:
                continue
            language = follower.citizen.preferred_language if follower.citizen else "tr"
            with translation.override(language):
                context = {
                    "request_obj": event.request,
                    "event": event,
                    "tracking_url": f"{settings.SITE_URL}/track/{event.request.tracking_code}/",
                }
                subject = render_to_string("notifications/subject.txt", context).strip()
                body = render_to_string("notifications/body.txt", context).strip()
            try:
                with transaction.atomic():
                    notification = Notification.objects.create(
                        organisation_id=event.organisation_id,
                        request=event.request,
                        key=f"event:{event.pk}:email:follower:{follower.pk}",
                        channel=Notification.Channel.EMAIL,
                        recipient=email,
                        language=language,
                        subject=subject,
                        body=body,
                    )
            except IntegrityError:
                continue
            created += 1
            transaction.on_commit(partial(_enqueue, notification.pk))
    return created

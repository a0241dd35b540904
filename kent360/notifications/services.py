"""Queueing and delivering citizen notifications.

Rule: the citizen hears about every public change of their request, in their language,
on the channel they came through when we can answer there, otherwise by e-mail or SMS.
A notification is keyed by (event, channel): queueing it again does nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from kent360.core.audit import audit
from kent360.notifications.models import Notification
from kent360.organizations.models import Staff
from kent360.requests.models import EventType, Request, RequestEvent

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6


def _recipients(request: Request) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    email = request.contact_email or (request.citizen.email if request.citizen else "")
    if email:
        out.append((Notification.Channel.EMAIL, email))
    return out


def _language(code: str) -> str:
    return code if code in dict(settings.LANGUAGES) else "tr"


def _render(
    request: Request,
    event: RequestEvent,
    language: str,
    *,
    template: str = "",
    extra: dict[str, Any] | None = None,
) -> tuple[str, str]:
    with translation.override(language):
        context = {
            "request_obj": request,
            "event": event,
            "tracking_url": f"{settings.SITE_URL}/track/{request.tracking_code}/",
            **(extra or {}),
        }
        subject = render_to_string(f"notifications/{template}subject.txt", context).strip()
        body = render_to_string(f"notifications/{template}body.txt", context).strip()
    return subject, body


def _queue(
    *,
    request: Request,
    key: str,
    recipient: str,
    language: str,
    subject: str,
    body: str,
) -> Notification | None:
    """One outbox row, sent after the commit; None when the key was already queued."""
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                organisation_id=request.organisation_id,
                request=request,
                key=key,
                channel=Notification.Channel.EMAIL,
                recipient=recipient,
                language=language,
                subject=subject,
                body=body,
            )
    except IntegrityError:
        return None
    transaction.on_commit(partial(_enqueue, notification.pk))
    return notification


def notification_queue_for_event(*, request: Request, event: RequestEvent) -> list[Notification]:
    """Create the outbox rows for a public event and send them after the commit."""
    created: list[Notification] = []
    language = request.language if request.language in dict(settings.LANGUAGES) else "tr"
    for channel, recipient in _recipients(request):
        subject, body = _render(request, event, language)
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    organisation_id=request.organisation_id,
                    request=request,
                    key=f"event:{event.pk}:{channel}",
                    channel=channel,
                    recipient=recipient,
                    language=language,
                    subject=subject,
                    body=body,
                )
        except IntegrityError:
            continue
        created.append(notification)
        transaction.on_commit(partial(_enqueue, notification.pk))
    if FOLLOWER_SOURCES and event.type in FOLLOWED_EVENT_TYPES:
        transaction.on_commit(partial(_enqueue_followers, event.pk))
    return created


@dataclass(frozen=True)
class Follower:
    """Someone other than the request's own citizen who hears of its progress.

    ``key`` identifies the follower for good (e.g. "follower:12"): one outbox row per
    (event, follower), so queueing twice (on commit and again by the sweep) sends once.
    """

    key: str
    email: str
    language: str = "tr"


FollowerSource = Callable[[Request, RequestEvent], Iterable[Follower]]
# Apps that know of followers (intake: same-issue callers, merged duplicates) register here;
# the notifications app asks them after each public event without depending on them.
FOLLOWER_SOURCES: list[FollowerSource] = []
# A citizen's own follow-up message is public on their timeline but not news to followers.
FOLLOWED_EVENT_TYPES = frozenset(set(EventType.values) - {EventType.MESSAGE})


def notification_register_follower_source(source: FollowerSource) -> FollowerSource:
    if source not in FOLLOWER_SOURCES:
        FOLLOWER_SOURCES.append(source)
    return source


@transaction.atomic
def notification_queue_for_followers(
    *, request: Request, event: RequestEvent, followers: Iterable[Follower]
) -> list[Notification]:
    """Tell each follower of a public event once; they never see the reporter's name."""
    if not event.is_public or event.request_id != request.pk:
        return []
    created: list[Notification] = []
    for follower in followers:
        if not follower.email:
            continue
        language = _language(follower.language)
        subject, body = _render(request, event, language, extra={"follower": True})
        notification = _queue(
            request=request,
            key=f"event:{event.pk}:email:follower:{follower.key}"[:200],
            recipient=follower.email,
            language=language,
            subject=subject,
            body=body,
        )
        if notification is not None:
            created.append(notification)
    if created:
        audit(
            action="notification.followers_queued",
            target=request,
            data={"event": event.pk, "count": len(created)},
        )
    return created


def notification_queue_followers_of_event(*, event_id: int) -> int:
    """Ask every registered source for the event's followers and queue their messages."""
    event = (
        RequestEvent.objects.select_related("request", "request__organisation")
        .filter(pk=event_id, is_public=True)
        .first()
    )
    if event is None or event.type not in FOLLOWED_EVENT_TYPES:
        return 0
    followers = [f for source in FOLLOWER_SOURCES for f in source(event.request, event)]
    return len(
        notification_queue_for_followers(request=event.request, event=event, followers=followers)
    )


def _enqueue_followers(event_id: int) -> None:
    from kent360.notifications.tasks import queue_follower_notifications

    try:
        queue_follower_notifications.enqueue(event_id=event_id)
    except Exception:  # the intake's periodic follower sweep catches up
        log.exception("could not enqueue follower notifications for event %s", event_id)


@transaction.atomic
def notification_queue_for_staff(
    *, request: Request, event: RequestEvent, staff: Iterable[Staff]
) -> list[Notification]:
    """Tell staff members (the assignee, a directorate's managers) of a citizen's message."""
    created: list[Notification] = []
    channel = (event.data or {}).get("channel", "")
    for member in staff:
        email = member.user.email if member.is_active else ""
        if not email or member.organisation_id != request.organisation_id:
            continue
        language = _language(member.language)
        with translation.override(language):
            from kent360.requests.models import Channel

            channel_label = str(Channel(channel).label) if channel in Channel.values else channel
        subject, body = _render(
            request,
            event,
            language,
            template="staff_",
            extra={
                "channel_label": channel_label,
                "staff_url": f"{settings.SITE_URL}/requests/{request.tracking_code}/",
            },
        )
        notification = _queue(
            request=request,
            key=f"event:{event.pk}:email:staff:{member.pk}",
            recipient=email,
            language=language,
            subject=subject,
            body=body,
        )
        if notification is not None:
            created.append(notification)
    if created:
        audit(
            action="notification.staff_queued",
            target=request,
            data={"event": event.pk, "count": len(created)},
        )
    return created


def _enqueue(notification_id: int) -> None:
    from kent360.notifications.tasks import deliver_notification

    try:
        deliver_notification.enqueue(notification_id=notification_id)
    except Exception:  # the periodic sweep will pick it up
        log.exception("could not enqueue notification %s", notification_id)


def notification_deliver(*, notification_id: int) -> Notification | None:
    """Send one notification if it is still due; safe to call twice (claims the row first)."""
    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id,
        status__in=[Notification.Status.PENDING, Notification.Status.FAILED],
        attempts__lt=MAX_ATTEMPTS,
        next_attempt_at__lte=now,
    ).update(status=Notification.Status.SENDING, attempts=F("attempts") + 1)
    if not claimed:
        return None
    notification = Notification.objects.get(pk=notification_id)
    try:
        _send(notification)
    except Exception as exc:
        backoff = timedelta(minutes=2**notification.attempts)
        Notification.objects.filter(pk=notification.pk).update(
            status=Notification.Status.FAILED,
            last_error=str(exc)[:2000],
            next_attempt_at=now + backoff,
        )
        log.warning("notification %s failed: %s", notification.pk, exc)
    else:
        Notification.objects.filter(pk=notification.pk).update(
            status=Notification.Status.SENT, sent_at=timezone.now(), last_error=""
        )
    notification.refresh_from_db()
    return notification


def _send(notification: Notification) -> None:
    if notification.channel == Notification.Channel.EMAIL:
        EmailMessage(
            subject=notification.subject,
            body=notification.body,
            to=[notification.recipient],
        ).send(fail_silently=False)
        return
    raise RuntimeError(f"no sender for channel {notification.channel}")


def notification_sweep() -> int:
    """Deliver everything due (pending after a crash, or failed and waiting to retry)."""
    due = Notification.objects.filter(
        status__in=[Notification.Status.PENDING, Notification.Status.FAILED],
        attempts__lt=MAX_ATTEMPTS,
        next_attempt_at__lte=timezone.now(),
    ).values_list("pk", flat=True)[:500]
    count = 0
    for pk in list(due):
        if notification_deliver(notification_id=pk) is not None:
            count += 1
    # A worker killed mid-send leaves SENDING rows; after a grace period they are retried.
    Notification.objects.filter(
        status=Notification.Status.SENDING,
        next_attempt_at__lt=timezone.now() - timedelta(minutes=10),
    ).update(status=Notification.Status.FAILED, last_error="interrupted")
    return count

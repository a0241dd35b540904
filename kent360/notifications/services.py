"""Queueing and delivering citizen notifications.

Rule: the citizen hears about every public change of their request, in their language,
on the channel they came through when we can answer there, otherwise by e-mail or SMS.
A notification is keyed by (event, channel): queueing it again does nothing.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from email.utils import make_msgid
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from kent360.notifications.models import Notification
from kent360.requests.models import Request, RequestEvent

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6


def _recipients(request: Request) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    email = request.contact_email or (request.citizen.email if request.citizen else "")
    if email:
        out.append((Notification.Channel.EMAIL, email))
    return out


def _render(request: Request, event: RequestEvent, language: str) -> tuple[str, str]:
    with translation.override(language):
        context = {
            "request_obj": request,
            "event": event,
            "tracking_url": f"{settings.SITE_URL}/track/{request.tracking_code}/",
        }
        subject = render_to_string("notifications/subject.txt", context).strip()
        body = render_to_string("notifications/body.txt", context).strip()
    return subject, body


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
                    message_id=_message_id(event.pk),
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
    return created


def _message_id(event_id: int) -> str:
    domain = urlsplit(settings.SITE_URL).hostname or "kent360.local"
    return make_msgid(idstring=f"event{event_id}", domain=domain)


def _stale_sending() -> timedelta:
    return timedelta(seconds=settings.KENT360_NOTIFICATION_STALE_SECONDS)


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
        if not notification.message_id:  # queued before Message-IDs were recorded
            notification.message_id = _message_id(notification.pk)
            Notification.objects.filter(pk=notification.pk).update(
                message_id=notification.message_id
            )
        EmailMessage(
            subject=notification.subject,
            body=notification.body,
            to=[notification.recipient],
            headers={"Message-ID": notification.message_id},
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
        next_attempt_at__lt=timezone.now() - _stale_sending(),
    ).update(status=Notification.Status.FAILED, last_error="interrupted")
    return count

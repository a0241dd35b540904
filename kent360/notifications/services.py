"""Queueing and delivering notifications; the citizen's satisfaction survey and reopening.

Rules:
- The citizen hears about every public change of their request (received with the
  tracking code, assigned, waiting, answered, closed, reopened, replies), in their
  language, on the channel they prefer, else the one they came through: a social post is
  answered on social media, a phone call or desk visit by SMS, an e-mail or web form by
  e-mail.
- A notification is keyed by (event, channel): queueing it again does nothing.
- Every try is recorded (DeliveryAttempt). Temporary failures are retried with
  exponential back-off; an SMS or social reply that fails for good (or three times)
  falls back to e-mail when the citizen gave an address.
- The answer carries a survey link with a secret token: the citizen rates 1–5 with a
  comment, and may reopen the request through it within KENT360_REOPEN_DAYS days.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kent360.citizens.services import normalise_phone
from kent360.core import refcache
from kent360.core.audit import audit
from kent360.core.errors import DomainError
from kent360.core.fastsql import Select, insert_new
from kent360.notifications import sms, social
from kent360.notifications.defaults import default_template
from kent360.notifications.models import (
    DeliveryAttempt,
    Kind,
    Notification,
    NotificationTemplate,
    SurveyInvitation,
)
from kent360.organizations.models import Staff
from kent360.requests.models import EventType, Request, RequestEvent

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
MAX_ATTEMPTS_BEFORE_FALLBACK = 3
C = Notification.Channel
_ENGINE = Engine(autoescape=False, libraries={})

# The channel a request came through → the channel to answer on.
ANSWER_CHANNEL = {
    "social": C.SOCIAL,
    "email": C.EMAIL,
    "web": C.EMAIL,
    "open311": C.EMAIL,
    "api": C.EMAIL,
    "phone": C.SMS,
    "desk": C.SMS,
    "field": C.SMS,
    "petition": C.SMS,
    "cimer": C.EMAIL,
}
ACTION_KINDS = {
    "assign": Kind.ASSIGNED,
    "wait": Kind.WAITING,
    "answer": Kind.ANSWERED,
    "close": Kind.CLOSED,
    "reopen": Kind.REOPENED,
}


def event_kind(event: RequestEvent) -> str:
    if event.type == EventType.CREATED:
        return Kind.RECEIVED
    if event.type == EventType.REPLY:
        return Kind.REPLY
    return ACTION_KINDS.get((event.data or {}).get("action", ""), Kind.UPDATE)


def citizen_routes(request: Request) -> list[tuple[str, str]]:
    """(channel, address) pairs to reach the citizen, the one to use first in front."""
    citizen = request.citizen
    email = request.contact_email or (citizen.email if citizen else "")
    phone = (citizen.phone if citizen and citizen.phone else "") or normalise_phone(
        request.contact_phone
    )
    available = {
        C.EMAIL: email,
        C.SMS: phone if sms.configured_gateway() is not None else "",
        C.SOCIAL: request.external_ref
        if request.channel == "social" and social.configured_replier() is not None
        else "",
    }
    order = [
        (citizen.preferred_channel if citizen else "") or "",
        ANSWER_CHANNEL.get(request.channel, C.EMAIL),
        C.EMAIL,
        C.SMS,
    ]
    routes: list[tuple[str, str]] = []
    for channel in order:
        address = available.get(channel, "")  # type: ignore[call-overload]
        if address and channel not in [c for c, _a in routes]:
            routes.append((str(channel), address))
    return routes


_TEMPLATE = Select(
    NotificationTemplate,
    where="t.organisation_id = %s AND t.kind = %s AND t.channel = %s AND t.language = %s",
)


def template_for(
    *, organisation_id: int, kind: str, channel: str, language: str
) -> tuple[str, str]:
    """The organisation's (subject, body) template, else the shipped default."""
    found = refcache.cached(
        ("notification_template", organisation_id, kind, channel, language),
        lambda: _template_row(organisation_id, kind, channel, language),
    )
    return found or default_template(kind, channel, language)


def _template_row(organisation_id: int, kind: str, channel: str, language: str) -> Any:
    row = _TEMPLATE.first([organisation_id, kind, channel, language])
    return None if row is None else (row.subject, row.body)


@functools.lru_cache(maxsize=512)
def _compiled(source: str) -> Template:
    """A template compiled once per process for each source text (the shipped defaults
    and the organisations' own); a compiled template renders any number of times."""
    return _ENGINE.from_string(source)


def render(
    *, organisation_id: int, kind: str, channel: str, language: str, context: dict[str, Any]
) -> tuple[str, str]:
    subject_src, body_src = template_for(
        organisation_id=organisation_id,
        kind=kind,
        channel=C.SMS if channel == C.SOCIAL else channel,
        language=language,
    )
    with translation.override(language):
        ctx = Context(context, autoescape=False)
        subject = _compiled(subject_src).render(ctx).strip()
        body = _compiled(body_src).render(ctx).strip()
    return " ".join(subject.split())[:300], body


def _language(request: Request) -> str:
    """The request's language, else the citizen's, else Turkish."""
    languages = dict(settings.LANGUAGES)
    if request.language in languages:
        return request.language
    if request.citizen and request.citizen.preferred_language in languages:
        return request.citizen.preferred_language
    return "tr"


def _context(request: Request, event: RequestEvent, language: str) -> dict[str, Any]:
    with translation.override(language):
        state = str(request.get_state_display())
    return {
        "name": request.contact_name,
        "code": request.tracking_code,
        "org": request.organisation.name,
        "subject": request.subject,
        "state": state,
        "text": event.text if event.type != EventType.NOTE else "",
        "directorate": request.directorate.name if request.directorate else "",
        "tracking_url": f"{settings.SITE_URL}/track/{request.tracking_code}/",
        "survey_url": "",
    }


def notification_queue_for_event(*, request: Request, event: RequestEvent) -> list[Notification]:
    """Create the outbox row for a public event on the citizen's channel; sent after commit.

    An answer also opens a satisfaction survey whose link goes into the message.
    """
    if not event.is_public:
        return []
    if FOLLOWER_SOURCES and event.type in FOLLOWED_EVENT_TYPES and event.type != EventType.CREATED:
        # a request just created has nobody following it yet: no task per new request
        transaction.on_commit(partial(_enqueue_followers, event.pk))
    routes = citizen_routes(request)
    if not routes:  # nobody to tell (no contact the organisation can reach)
        return []
    kind = event_kind(event)
    language = _language(request)
    context = _context(request, event, language)
    if kind == Kind.ANSWERED and not SurveyInvitation.objects.filter(event=event).exists():
        token = survey_invite(request=request, event=event)
        context["survey_url"] = survey_url(request.tracking_code, token)
    channel, recipient = routes[0]
    notification = _create(
        request=request,
        organisation_id=request.organisation_id,
        key=f"event:{event.pk}:{channel}",
        channel=channel,
        recipient=recipient,
        kind=kind,
        language=language,
        context=context,
    )
    return [notification] if notification else []


def notification_queue_staff(
    *, request: Request, staff: Staff, key: str, kind: str, context: dict[str, Any]
) -> Notification | None:
    """An e-mail to a staff member about a request (escalations); once per key."""
    email = staff.user.email
    if not email:
        return None
    language = staff.language if staff.language in dict(settings.LANGUAGES) else "tr"
    staff_url = settings.SITE_URL + reverse("requests:detail", args=[request.tracking_code])
    return _create(
        request=request,
        organisation_id=request.organisation_id,
        key=key,
        channel=C.EMAIL,
        recipient=email,
        kind=kind,
        language=language,
        context={"staff_url": staff_url, **context},
    )


@dataclass(frozen=True)
class Follower:
    """Someone other than the request's own citizen who hears of its progress.

    ``key`` identifies the follower for good (e.g. "12"): one outbox row per
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
    """Tell each follower of a public event once, by e-mail; never with the reporter's name."""
    if not event.is_public or event.request_id != request.pk:
        return []
    if event.type not in FOLLOWED_EVENT_TYPES:
        return []
    created: list[Notification] = []
    kind = event_kind(event)
    for follower in followers:
        if not follower.email:
            continue
        language = follower.language if follower.language in dict(settings.LANGUAGES) else "tr"
        context = {**_context(request, event, language), "name": ""}
        notification = _create(
            request=request,
            organisation_id=request.organisation_id,
            key=f"event:{event.pk}:email:follower:{follower.key}"[:200],
            channel=C.EMAIL,
            recipient=follower.email,
            kind=kind,
            language=language,
            context=context,
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
    from kent360.requests.models import Channel

    created: list[Notification] = []
    channel = str((event.data or {}).get("channel", ""))
    for member in staff:
        if not member.is_active or member.organisation_id != request.organisation_id:
            continue
        language = member.language if member.language in dict(settings.LANGUAGES) else "tr"
        with translation.override(language):
            channel_label = str(Channel(channel).label) if channel in Channel.values else channel
        notification = notification_queue_staff(
            request=request,
            staff=member,
            key=f"event:{event.pk}:email:staff:{member.pk}",
            kind=Kind.MESSAGE,
            context={
                "code": request.tracking_code,
                "subject": request.subject,
                "org": request.organisation.name,
                "text": event.text,
                "channel": channel_label,
            },
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


def _create(
    *,
    request: Request | None,
    organisation_id: int,
    key: str,
    channel: str,
    recipient: str,
    kind: str,
    language: str,
    context: dict[str, Any],
    fallback_of: Notification | None = None,
) -> Notification | None:
    subject, body = render(
        organisation_id=organisation_id,
        kind=kind,
        channel=channel,
        language=language,
        context=context,
    )
    # The unique key makes a second queueing of the same message a no-op (the insert
    # writes nothing and returns None), without a savepoint around it.
    notification = insert_new(
        Notification(
            organisation_id=organisation_id,
            request=request,
            key=key,
            channel=channel,
            recipient=recipient,
            language=language,
            kind=kind,
            context=context,
            subject=subject,
            body=body,
            fallback_of=fallback_of,
            message_id=_message_id(key),
        ),
        unique="key",
    )
    if notification is None:
        return None
    transaction.on_commit(partial(_enqueue, notification.pk))
    return notification


def _message_id(seed: str) -> str:
    """A Message-ID fixed when the notification is queued, so a resend after a crash
    carries the same id and the receiver can tell it is the same message."""
    domain = urlsplit(settings.SITE_URL).hostname or "kent360.local"
    # short enough that the header is never folded (a folded id arrives with a space)
    digest = hashlib.sha256(seed.encode()).hexdigest()[:16]
    return f"<{digest}.{secrets.token_hex(8)}@{domain}>"


def _stale_sending() -> timedelta:
    return timedelta(seconds=settings.KENT360_NOTIFICATION_STALE_SECONDS)


def _enqueue(notification_id: int) -> None:
    from kent360.notifications.tasks import deliver_notification

    try:
        deliver_notification.enqueue(notification_id=notification_id)
    except Exception:  # the periodic sweep will pick it up
        log.exception("could not enqueue notification %s", notification_id)


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def notification_deliver(*, notification_id: int) -> Notification | None:
    """Send one notification if it is still due; safe to call twice (claims the row first)."""
    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id,
        status__in=[Notification.Status.PENDING, Notification.Status.FAILED],
        attempts__lt=MAX_ATTEMPTS,
        next_attempt_at__lte=now,
    ).update(status=Notification.Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=now)
    if not claimed:
        return None
    notification = Notification.objects.get(pk=notification_id)
    started = time.monotonic()
    try:
        ref = _send(notification)
    except Exception as exc:
        permanent = bool(getattr(exc, "permanent", False))
        _record(notification, started, DeliveryAttempt.Status.FAILED, str(exc), permanent)
        _failed(notification, exc, permanent, now)
    else:
        _record(notification, started, DeliveryAttempt.Status.SENT, "", False, ref)
        Notification.objects.filter(pk=notification.pk).update(
            status=Notification.Status.SENT,
            sent_at=timezone.now(),
            last_error="",
            provider_ref=ref[:100],
        )
    notification.refresh_from_db()
    return notification


def _record(
    notification: Notification,
    started: float,
    status: str,
    error: str,
    permanent: bool,
    ref: str = "",
) -> None:
    DeliveryAttempt.objects.create(
        notification=notification,
        number=notification.attempts,
        channel=notification.channel,
        status=status,
        error=error[:2000],
        permanent=permanent,
        provider_ref=ref[:100],
        duration_ms=int((time.monotonic() - started) * 1000),
    )


def _failed(notification: Notification, exc: Exception, permanent: bool, now: Any) -> None:
    gives_up = permanent or notification.attempts >= MAX_ATTEMPTS
    falls_back = notification.channel != C.EMAIL and (
        permanent or notification.attempts >= MAX_ATTEMPTS_BEFORE_FALLBACK
    )
    Notification.objects.filter(pk=notification.pk).update(
        status=Notification.Status.ABANDONED
        if gives_up or falls_back
        else Notification.Status.FAILED,
        last_error=str(exc)[:2000],
        next_attempt_at=now + timedelta(minutes=2**notification.attempts),
    )
    log.warning("notification %s failed: %s", notification.pk, exc)
    if falls_back:
        notification_fallback(notification=notification)


@transaction.atomic
def notification_fallback(*, notification: Notification) -> Notification | None:
    """Send a failed SMS or social reply again by e-mail (when an address is known)."""
    request = notification.request
    if request is None:
        return None
    email = next((a for c, a in citizen_routes(request) if c == C.EMAIL), "")
    if not email:
        return None
    return _create(
        request=request,
        organisation_id=notification.organisation_id,
        key=f"{notification.key}:fallback:email",
        channel=C.EMAIL,
        recipient=email,
        kind=notification.kind or Kind.UPDATE,
        language=notification.language,
        context=notification.context or {},
        fallback_of=notification,
    )


def _send(notification: Notification) -> str:
    if notification.channel == C.EMAIL:
        if not notification.message_id:  # queued before Message-IDs were recorded
            notification.message_id = _message_id(str(notification.pk))
            Notification.objects.filter(pk=notification.pk).update(
                message_id=notification.message_id
            )
        EmailMessage(
            subject=notification.subject,
            body=notification.body,
            to=[notification.recipient],
            headers={"Message-ID": notification.message_id},
        ).send(fail_silently=False)
        return ""
    if notification.channel == C.SMS:
        gateway = sms.configured_gateway()
        if gateway is None:
            raise DeliveryError("no SMS gateway configured", permanent=True)
        # a retry after a lost answer carries the same reference, so the gateway can drop it
        return gateway.send(
            to=notification.recipient,
            text=notification.body,
            reference=f"notification-{notification.pk}",
        )
    if notification.channel == C.SOCIAL:
        replier = social.configured_replier()
        if replier is None:
            raise DeliveryError("no social adapter configured", permanent=True)
        return replier.reply(
            organisation=str(notification.organisation_id),
            in_reply_to=notification.recipient,
            text=notification.body,
            tracking_code=notification.request.tracking_code if notification.request else "",
        )
    raise DeliveryError(f"no sender for channel {notification.channel}", permanent=True)


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


# --- templates -------------------------------------------------------------------------


@transaction.atomic
def notification_template_save(
    *,
    actor: Staff,
    kind: str,
    channel: str,
    language: str,
    subject: str,
    body: str,
) -> NotificationTemplate:
    """An organisation admin's wording for one kind/channel/language; checked by rendering."""
    from kent360.organizations.models import Role

    if actor.role != Role.ORG_ADMIN:
        raise DomainError(_("Only organisation admins edit message templates."), code="not_allowed")
    if (
        kind not in Kind.values
        or channel not in C.values
        or language not in dict(settings.LANGUAGES)
    ):
        raise DomainError(_("Unknown kind, channel or language."))
    if not body.strip():
        raise DomainError(_("The text of the message cannot be empty."))
    try:
        _ENGINE.from_string(subject)
        _ENGINE.from_string(body)
    except TemplateSyntaxError as exc:
        raise DomainError(_("The template has an error: %(e)s") % {"e": exc}) from exc
    row, _created = NotificationTemplate.objects.update_or_create(
        organisation_id=actor.organisation_id,
        kind=kind,
        channel=channel,
        language=language,
        defaults={"subject": subject.strip(), "body": body.strip()},
    )
    audit(action="notifications.template_saved", target=row, actor=actor)
    return row


@transaction.atomic
def notification_template_reset(*, actor: Staff, template: NotificationTemplate) -> None:
    """Go back to the shipped wording."""
    from kent360.organizations.models import Role

    if actor.role != Role.ORG_ADMIN or template.organisation_id != actor.organisation_id:
        raise DomainError(_("Only organisation admins edit message templates."), code="not_allowed")
    audit(action="notifications.template_reset", target=template, actor=actor)
    template.delete()


# --- survey and reopening --------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def survey_url(code: str, token: str) -> str:
    """The tracking page with the token: it then shows the survey and reopen forms."""
    return f"{settings.SITE_URL}/track/{code}/?t={token}"


def survey_invite(*, request: Request, event: RequestEvent | None) -> str:
    """Open a survey for an answered request; returns the secret token (never stored)."""
    token = secrets.token_urlsafe(24)
    SurveyInvitation.objects.create(
        organisation_id=request.organisation_id,
        request=request,
        event=event,
        token_hash=token_hash(token),
        directorate_id=request.directorate_id,
        category_id=request.category_id,
        reopen_until=timezone.now() + timedelta(days=settings.KENT360_REOPEN_DAYS),
    )
    return token


@transaction.atomic
def survey_answer(*, invitation: SurveyInvitation, rating: int, comment: str) -> SurveyInvitation:
    """Record the citizen's rating (1–5) and comment; a survey is answered only once."""
    invitation = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.answered_at is not None:
        raise DomainError(_("You have already rated this answer. Thank you."))
    if rating not in (1, 2, 3, 4, 5):
        raise DomainError(_("Choose a rating from 1 to 5."))
    invitation.rating = rating
    invitation.comment = comment.strip()[:4000]
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["rating", "comment", "answered_at"])
    RequestEvent.objects.create(
        request_id=invitation.request_id,
        organisation_id=invitation.organisation_id,
        type=EventType.NOTE,
        actor_label=_("Citizen"),
        text=_("Satisfaction survey: %(r)d/5. %(c)s") % {"r": rating, "c": invitation.comment},
        data={"survey": invitation.pk, "rating": rating},
    )
    return invitation


def can_reopen(invitation: SurveyInvitation) -> bool:
    request = invitation.request
    return (
        invitation.reopened_at is None
        and timezone.now() <= invitation.reopen_until
        and request.state in ("answered", "closed")
    )


@transaction.atomic
def survey_reopen(*, invitation: SurveyInvitation, reason: str) -> Request:
    """The citizen reopens their answered request (within the allowed period)."""
    from kent360.requests.services import request_reopen

    invitation = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
    if not can_reopen(invitation):
        raise DomainError(_("This request can no longer be reopened from this link."))
    if not reason.strip():
        raise DomainError(_("Tell us why the answer did not solve your problem."))
    request = request_reopen(
        request=invitation.request, actor=None, reason=reason.strip(), system=True
    )
    invitation.reopened_at = timezone.now()
    invitation.save(update_fields=["reopened_at"])
    return request

"""E-mailing a published release to media lists.

One Delivery row per recipient is created up front (the delivery log). Sending works in
batches over one SMTP connection; a delivery is claimed by bumping its attempt counter with
a conditional update, so two workers never send the same one, and a worker that dies after
claiming leaves it to be picked up once its lease runs out. Temporary failures are retried
with back-off; after MAX_ATTEMPTS the delivery is marked failed. An unsubscribed contact is
skipped even if the unsubscription arrived after the distribution was created.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kent360.core.audit import audit
from kent360.core.errors import DomainError, NotAllowed
from kent360.organizations.models import Staff
from kent360.press import permissions
from kent360.press.models import (
    ContactList,
    Delivery,
    DeliveryState,
    Distribution,
    Journalist,
    Release,
    ReleaseState,
)
from kent360.press.sanitise import plain_text
from kent360.press.selectors import list_recipients
from kent360.press.services import press_config

MAX_ATTEMPTS = 4
LEASE = timedelta(minutes=5)
UNSUBSCRIBE_SALT = "kent360.press.unsubscribe"


def unsubscribe_token(journalist: Journalist) -> str:
    return signing.dumps({"j": journalist.pk}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(journalist: Journalist) -> str:
    path = reverse("press_public:unsubscribe", args=[unsubscribe_token(journalist)])
    return settings.SITE_URL.rstrip("/") + path


def journalist_from_token(token: str) -> Journalist | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return Journalist.objects.filter(pk=data.get("j")).first()


@transaction.atomic
def journalist_unsubscribe(*, journalist: Journalist) -> Journalist:
    """Honoured at once and for good: pending deliveries to this contact are skipped."""
    if journalist.unsubscribed_at is None:
        journalist.unsubscribed_at = timezone.now()
        journalist.save(update_fields=["unsubscribed_at"])
        Delivery.objects.filter(journalist=journalist, state=DeliveryState.PENDING).update(
            state=DeliveryState.SKIPPED
        )
        audit(action="press.contact.unsubscribe", target=journalist)
    return journalist


@transaction.atomic
def distribution_create(
    *, release: Release, actor: Staff, lists: list[ContactList], language: str = ""
) -> Distribution:
    """Queue a published release for every reachable contact of the chosen lists."""
    if actor.organisation_id != release.organisation_id or not permissions.can_write(actor):
        raise NotAllowed(_("Your role cannot distribute releases."))
    if release.state != ReleaseState.PUBLISHED:
        raise DomainError(_("Only published releases are sent to the media."))
    if not lists or any(c.organisation_id != release.organisation_id for c in lists):
        raise DomainError(_("Choose one or more of your lists."))
    language = language or release.default_language
    if release.translation(language) is None or language not in release.languages:
        raise DomainError(_("The release has no text in this language."))
    dist = Distribution.objects.create(
        organisation_id=release.organisation_id,
        release=release,
        language=language,
        created_by=actor,
    )
    dist.lists.set(lists)
    seen: set[int] = set()
    rows = []
    for contact_list in lists:
        for j in list_recipients(contact_list).exclude(email=""):
            if j.pk in seen:
                continue
            seen.add(j.pk)
            state = DeliveryState.SKIPPED if j.unsubscribed_at else DeliveryState.PENDING
            rows.append(
                Delivery(
                    distribution=dist,
                    organisation_id=dist.organisation_id,
                    journalist=j,
                    email=j.email,
                    state=state,
                )
            )
    Delivery.objects.bulk_create(rows)
    audit(
        action="press.distribution.create",
        target=dist,
        actor=actor,
        data={"recipients": len(rows)},
    )
    from kent360.press.tasks import send_distribution

    transaction.on_commit(lambda: send_distribution.enqueue(dist.pk))
    return dist


def _message(delivery: Delivery, release: Release, language: str) -> EmailMultiAlternatives:
    t = release.translation(language)
    assert t is not None
    with translation.override(language):
        context = {
            "release": release,
            "t": t,
            "journalist": delivery.journalist,
            "unsubscribe_url": unsubscribe_url(delivery.journalist),
            "newsroom_url": settings.SITE_URL.rstrip("/")
            + reverse("press_public:release", args=[release.organisation.slug, release.slug]),
            "body_text": plain_text(t.body),
        }
        text = render_to_string("press/email/release.txt", context)
        html = render_to_string("press/email/release.html", context)
    config = press_config(release.organisation)
    msg = EmailMultiAlternatives(
        subject=t.title,
        body=text,
        from_email=config.from_email or settings.DEFAULT_FROM_EMAIL,
        to=[delivery.email],
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "X-Kent360-Delivery": str(delivery.pk),
        },
    )
    msg.attach_alternative(html, "text/html")
    return msg


def _claim(delivery: Delivery, now: datetime) -> bool:
    return bool(
        Delivery.objects.filter(
            pk=delivery.pk,
            state=DeliveryState.PENDING,
            attempts=delivery.attempts,
            next_attempt_at__lte=now,
        ).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    )


def distribution_send_batch(*, distribution_id: int, now: datetime | None = None) -> int:
    """Send one batch of due deliveries; returns how many were attempted (0: nothing due)."""
    now = now or timezone.now()
    dist = Distribution.objects.select_related("release__organisation").get(pk=distribution_id)
    size = press_config(dist.release.organisation).batch_size
    due = list(
        Delivery.objects.filter(
            distribution=dist, state=DeliveryState.PENDING, next_attempt_at__lte=now
        ).select_related("journalist")[:size]
    )
    if not due:
        return 0
    attempted = 0
    with get_connection(fail_silently=False) as connection:
        for delivery in due:
            if not _claim(delivery, now):
                continue
            attempted += 1
            if delivery.journalist.unsubscribed_at is not None:
                Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.SKIPPED)
                continue
            try:
                msg = _message(delivery, dist.release, dist.language)
                msg.connection = connection
                msg.send()
            except Exception as exc:
                _failed(delivery, now, exc)
            else:
                Delivery.objects.filter(pk=delivery.pk).update(
                    state=DeliveryState.SENT, sent_at=timezone.now(), last_error=""
                )
    return attempted


def _failed(delivery: Delivery, now: datetime, exc: Exception) -> None:
    attempts = delivery.attempts + 1
    give_up = attempts >= MAX_ATTEMPTS
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.FAILED if give_up else DeliveryState.PENDING,
        last_error=f"{type(exc).__name__}: {exc}"[:1000],
        next_attempt_at=now + timedelta(minutes=2**attempts),
    )


def distribution_send(*, distribution_id: int, now: datetime | None = None) -> int:
    """Send every batch that is due now; retries wait for a later sweep."""
    total = 0
    while True:
        n = distribution_send_batch(distribution_id=distribution_id, now=now)
        if n == 0:
            return total
        total += n


def distribution_sweep(*, now: datetime | None = None) -> int:
    """Pick up retries and deliveries abandoned by a crashed worker."""
    now = now or timezone.now()
    ids = (
        Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
        .values_list("distribution_id", flat=True)
        .distinct()
    )
    return sum(distribution_send(distribution_id=i, now=now) for i in list(ids))

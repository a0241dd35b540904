"""Citizens sign up for an organisation's crisis SMS themselves (double opt-in).

Rules: a number receives crisis SMS only after its owner gave consent on the newsroom and
typed the code we texted to it. Codes live 15 minutes, allow five tries and are stored as
an HMAC only. A number gets at most three codes an hour. Every message carries the way
out: reply STOP (DUR, İPTAL, لغو) or open the unsubscribe link.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kent360.citizens.services import normalise_phone
from kent360.core.audit import audit
from kent360.core.errors import DomainError
from kent360.core.text import to_ascii_digits, turkish_upper
from kent360.network.adapters.sms import sms_send
from kent360.network.models import SmsReply, SmsSubscriber
from kent360.organizations.models import Organisation
from kent360.social.adapters import PublishError

CODE_TTL = timedelta(minutes=15)
MAX_CODE_ATTEMPTS = 5
MAX_CODES_PER_PHONE_HOUR = 3
STOP_WORDS = frozenset({"STOP", "DUR", "İPTAL", "IPTAL", "CANCEL", "UNSUBSCRIBE", "لغو"})


def over_limit(key: str, limit: int, window: int = 3600) -> bool:
    """Count one hit under ``key``; True once the hits in the window exceed ``limit``."""
    full = f"k360:alerts:{key}"
    cache.add(full, 0, window)
    try:
        hits = cache.incr(full)
    except ValueError:
        cache.set(full, 1, window)
        hits = 1
    return hits > limit


def _phone(organisation: Organisation, raw: str) -> str:
    e164 = normalise_phone(raw, region=organisation.country or "TR") if raw else ""
    if not e164:
        raise DomainError(_("Enter a valid phone number."))
    return e164


def _hash(sub: SmsSubscriber, code: str) -> str:
    key = str(settings.KENT360_HASH_KEY).encode()
    return hmac.new(key, f"sms-code:{sub.pk}:{code}".encode(), hashlib.sha256).hexdigest()


def stop_url(sub: SmsSubscriber) -> str:
    path = reverse("press_public:alerts_stop", args=[sub.organisation.slug, sub.token])
    return str(settings.SITE_URL).rstrip("/") + path


@transaction.atomic
def sms_signup_start(*, organisation: Organisation, phone: str, consent: bool) -> SmsSubscriber:
    """Record consent and text a six-digit code to the number (not yet subscribed)."""
    if not consent:
        raise DomainError(_("Please confirm that you want to receive emergency SMS."))
    e164 = _phone(organisation, phone)
    if over_limit(f"phone:{organisation.pk}:{e164}", MAX_CODES_PER_PHONE_HOUR):
        raise DomainError(_("Too many codes for this number; try again in an hour."))
    sub, _created = SmsSubscriber.objects.select_for_update().get_or_create(
        organisation=organisation, phone=e164, defaults={"is_active": False}
    )
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    sub.consented_at = now
    sub.code_hash = _hash(sub, code)
    sub.code_expires_at = now + CODE_TTL
    sub.code_attempts = 0
    sub.save()
    with translation.override(organisation.default_language):
        text = _("%(org)s emergency SMS code: %(code)s. To stop, reply STOP or open %(url)s") % {
            "org": organisation.name,
            "code": code,
            "url": stop_url(sub),
        }
    try:
        sms_send(to=[e164], text=text, reference=f"alerts-{sub.pk}-{now.timestamp():.0f}")
    except PublishError as exc:
        raise DomainError(_("The SMS could not be sent; please try again later.")) from exc
    audit(action="network.alerts.code_sent", target=sub, organisation=organisation)
    return sub


def sms_signup_confirm(*, organisation: Organisation, phone: str, code: str) -> SmsSubscriber:
    """The right code in time activates the number; a wrong one uses up a try."""
    e164 = _phone(organisation, phone)
    error = ""
    with transaction.atomic():
        sub = (
            SmsSubscriber.objects.select_for_update()
            .filter(organisation=organisation, phone=e164)
            .first()
        )
        if sub is None or not sub.code_hash:
            raise DomainError(_("Ask for a code first."))
        if sub.code_expires_at is None or sub.code_expires_at < timezone.now():
            error = _("The code has expired; ask for a new one.")
        elif sub.code_attempts >= MAX_CODE_ATTEMPTS:
            error = _("Too many wrong codes; ask for a new one.")
        elif not hmac.compare_digest(_hash(sub, to_ascii_digits(code).strip()), sub.code_hash):
            sub.code_attempts += 1
            sub.save(update_fields=["code_attempts"])
            error = _("The code is not right.")
        else:
            sub.is_active = True
            sub.confirmed_at = timezone.now()
            sub.unsubscribed_at = None
            sub.code_hash = ""
            sub.save()
            audit(action="network.alerts.subscribed", target=sub, organisation=organisation)
    if error:  # raised after the block so the used-up try is kept
        raise DomainError(error)
    return sub


@transaction.atomic
def sms_unsubscribe(*, subscriber: SmsSubscriber, via: str) -> SmsSubscriber:
    SmsSubscriber.objects.filter(pk=subscriber.pk).update(
        is_active=False, unsubscribed_at=timezone.now(), code_hash=""
    )
    subscriber.refresh_from_db()
    audit(
        action="network.alerts.unsubscribed",
        target=subscriber,
        organisation=subscriber.organisation,
        data={"via": via},
    )
    return subscriber


def subscriber_by_token(*, organisation: Organisation, token: str) -> SmsSubscriber | None:
    if not token:
        return None
    return SmsSubscriber.objects.filter(organisation=organisation, token=token).first()


def is_stop(text: str) -> bool:
    words = turkish_upper((text or "").strip()).split()
    return bool(words) and words[0].strip(".!") in STOP_WORDS


def sms_reply(*, organisation: Organisation, phone: str, text: str) -> bool:
    """A citizen's reply through the gateway; STOP (and its Turkish and Persian words)
    unsubscribes the number. True when a subscription was ended."""
    e164 = normalise_phone(phone, region=organisation.country or "TR")
    if not e164 or not is_stop(text):
        return False
    sub = SmsSubscriber.objects.filter(organisation=organisation, phone=e164).first()
    if sub is None or (not sub.is_active and sub.unsubscribed_at):
        return False
    sms_unsubscribe(subscriber=sub, via="reply")
    return True


def sms_reply_receive(*, organisation: Organisation, raw: bytes, key: str = "") -> SmsReply:
    """Keep a reply the gateway forwarded exactly as it came, then act on it.

    The body is stored before it is read (its own commit), so nothing the gateway
    delivered is lost even when it cannot be parsed or handling fails; ``key`` (the
    gateway's message id) or else a hash of the body makes a repeated delivery the same
    row, and a row already handled is not handled again.
    """
    key = (key.strip() or "sha256:" + hashlib.sha256(raw).hexdigest())[:200]
    reply, _created = SmsReply.objects.get_or_create(
        organisation=organisation,
        idempotency_key=key,
        defaults={"raw": raw.decode("utf-8", errors="replace")},
    )
    if reply.outcome != SmsReply.Outcome.PENDING:
        return reply
    return sms_reply_handle(reply=reply)


@transaction.atomic
def sms_reply_handle(*, reply: SmsReply) -> SmsReply:
    """Read a stored reply: STOP ends the number's subscription; anything else is kept."""
    reply = SmsReply.objects.select_for_update().select_related("organisation").get(pk=reply.pk)
    if reply.outcome != SmsReply.Outcome.PENDING:
        return reply
    try:
        body = json.loads(reply.raw or "{}")
        if not isinstance(body, dict):
            raise ValueError("not an object")
    except ValueError as exc:
        reply.outcome = SmsReply.Outcome.INVALID
        reply.error = _("The gateway sent a body that is not a JSON object: %(error)s") % {
            "error": str(exc)[:200]
        }
        reply.save(update_fields=["outcome", "error"])
        audit(action="network.sms_reply.invalid", target=reply)
        return reply
    reply.sender, reply.text = str(body.get("from", ""))[:40], str(body.get("text", ""))
    stopped = sms_reply(organisation=reply.organisation, phone=reply.sender, text=reply.text)
    reply.outcome = SmsReply.Outcome.UNSUBSCRIBED if stopped else SmsReply.Outcome.IGNORED
    reply.save(update_fields=["sender", "text", "outcome"])
    audit(action="network.sms_reply.handled", target=reply, data={"outcome": reply.outcome})
    return reply


def sms_reply_sweep(*, older_than: timedelta = timedelta(minutes=1)) -> int:
    """Handle replies stored but left unhandled (a crash or outage right after storing)."""
    due = SmsReply.objects.filter(
        outcome=SmsReply.Outcome.PENDING, received_at__lt=timezone.now() - older_than
    ).order_by("received_at")[:200]
    count = 0
    for reply in due:
        sms_reply_handle(reply=reply)
        count += 1
    return count

"""Writes of the network: campaigns, meetings, and the crisis room ("one voice").

A crisis message is drafted once and approved once by the crisis owner's PR manager or
admin; publishing fans it out as Dispatch rows (one per member and channel) which workers
send independently, each at most once, so the status board shows what went out where.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kent360.core.audit import audit
from kent360.core.errors import DomainError, InvalidTransition, NotAllowed
from kent360.network.adapters.sms import sms_send
from kent360.network.models import (
    ActionItem,
    Campaign,
    Crisis,
    CrisisMessage,
    CrisisRequest,
    CrisisTarget,
    Dispatch,
    Meeting,
    Participation,
    SmsSubscriber,
)
from kent360.network.selectors import network_orgs, network_root
from kent360.organizations.models import Organisation, Role, Staff
from kent360.press import permissions
from kent360.press import services as press_services
from kent360.requests.models import Request
from kent360.social import services as social_services
from kent360.social.adapters import PublishError
from kent360.social.models import PostTarget, SocialAccount, TargetState

MAX_ATTEMPTS = 5
LEASE = timedelta(minutes=5)
APPROVERS = frozenset({Role.PR_MANAGER, Role.ORG_ADMIN})


def _writer(actor: Staff) -> None:
    if not permissions.can_write(actor) and not permissions.can_configure(actor):
        raise NotAllowed(_("Your role cannot do this in the network."))


def _in_network(actor: Staff, organisation: Organisation) -> None:
    if organisation.pk not in {o.pk for o in network_orgs(actor.organisation)}:
        raise NotAllowed(_("This organisation is not in your network."))


@transaction.atomic
def campaign_create(
    *,
    actor: Staff,
    title: str,
    message: str,
    members: list[Organisation] | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Campaign:
    """Share one message with the chosen network members (default: all the others)."""
    _writer(actor)
    if not title.strip() or not message.strip():
        raise DomainError(_("A title and a message are required."))
    others = [o for o in network_orgs(actor.organisation) if o.pk != actor.organisation_id]
    chosen = members if members is not None else others
    for org in chosen:
        _in_network(actor, org)
    if not chosen:
        raise DomainError(_("There is no other member to share with."))
    campaign = Campaign.objects.create(
        organisation=actor.organisation,
        title=title.strip(),
        message=message.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    Participation.objects.bulk_create(
        Participation(campaign=campaign, organisation=o, adapted_text=campaign.message)
        for o in chosen
        if o.pk != actor.organisation_id
    )
    audit(action="network.campaign.create", target=campaign, actor=actor)
    return campaign


def _participation(actor: Staff, campaign: Campaign) -> Participation:
    p = (
        Participation.objects.select_for_update()
        .filter(campaign=campaign, organisation_id=actor.organisation_id)
        .first()
    )
    if p is None:
        raise NotAllowed(_("Your organisation does not take part in this campaign."))
    return p


@transaction.atomic
def participation_adapt(*, actor: Staff, campaign: Campaign, text: str) -> Participation:
    """A member's own version of the message; private to the member until confirmed."""
    _writer(actor)
    p = _participation(actor, campaign)
    if not text.strip():
        raise DomainError(_("Write your version of the message."))
    p.adapted_text = text.strip()
    p.state = Participation.State.ADAPTING
    p.confirmed_at, p.confirmed_by = None, None
    p.save()
    return p


@transaction.atomic
def participation_confirm(*, actor: Staff, campaign: Campaign) -> Participation:
    _writer(actor)
    p = _participation(actor, campaign)
    p.state = Participation.State.CONFIRMED
    p.confirmed_by, p.confirmed_at = actor, timezone.now()
    p.save()
    audit(action="network.campaign.confirm", target=p, actor=actor, organisation=actor.organisation)
    return p


@transaction.atomic
def meeting_create(
    *,
    actor: Staff,
    title: str,
    held_on: date,
    notes: str = "",
    actions: list[dict[str, Any]] | None = None,
) -> Meeting:
    """Meeting notes belong to the network (its metropolitan); action items name an owner."""
    _writer(actor)
    meeting = Meeting.objects.create(
        organisation=network_root(actor.organisation),
        title=title.strip(),
        held_on=held_on,
        notes=notes,
        created_by=actor,
    )
    for a in actions or []:
        org = a["organisation"]
        _in_network(actor, org)
        owner = a.get("owner")
        if owner is not None and owner.organisation_id != org.pk:
            raise DomainError(_("The owner works for another organisation."))
        ActionItem.objects.create(
            meeting=meeting,
            text=a["text"],
            owner_organisation=org,
            owner=owner,
            due_on=a.get("due_on"),
        )
    audit(action="network.meeting.create", target=meeting, actor=actor)
    return meeting


@transaction.atomic
def action_item_done(*, actor: Staff, item: ActionItem) -> ActionItem:
    if item.owner_organisation_id != actor.organisation_id:
        raise NotAllowed(_("Only the owning organisation closes this action."))
    item.done_at = item.done_at or timezone.now()
    item.save(update_fields=["done_at"])
    return item


# --- crisis room -----------------------------------------------------------------------


def _crisis_approver(actor: Staff, crisis: Crisis) -> None:
    if actor.organisation_id != crisis.organisation_id or actor.role not in APPROVERS:
        raise NotAllowed(_("Only the crisis owner's PR manager or admin can do this."))


@transaction.atomic
def crisis_open(*, actor: Staff, title: str, kind: str) -> Crisis:
    if actor.role not in APPROVERS:
        raise NotAllowed(_("Only a PR manager or admin opens a crisis."))
    if kind not in Crisis.Kind.values or not title.strip():
        raise DomainError(_("Give the crisis a title and a kind."))
    crisis = Crisis.objects.create(
        organisation=actor.organisation, title=title.strip(), kind=kind, opened_by=actor
    )
    audit(action="network.crisis.open", target=crisis, actor=actor)
    return crisis


@transaction.atomic
def crisis_close(*, actor: Staff, crisis: Crisis) -> Crisis:
    _crisis_approver(actor, crisis)
    crisis.is_open, crisis.closed_at = False, timezone.now()
    crisis.save(update_fields=["is_open", "closed_at"])
    audit(action="network.crisis.close", target=crisis, actor=actor)
    return crisis


@transaction.atomic
def crisis_set_channels(
    *,
    actor: Staff,
    crisis: Crisis,
    newsroom: bool,
    sms: bool,
    accounts: list[SocialAccount],
) -> CrisisTarget:
    """Each member chooses its own channels; nobody picks another member's accounts."""
    _writer(actor)
    _in_network(actor, crisis.organisation)
    if any(a.organisation_id != actor.organisation_id for a in accounts):
        raise DomainError(_("An account belongs to another organisation."))
    target, _c = CrisisTarget.objects.update_or_create(
        crisis=crisis, organisation=actor.organisation, defaults={"newsroom": newsroom, "sms": sms}
    )
    target.social_accounts.set(accounts)
    return target


@transaction.atomic
def crisis_message_draft(
    *, actor: Staff, crisis: Crisis, title: str, text: str, language: str = "tr"
) -> CrisisMessage:
    _writer(actor)
    if actor.organisation_id != crisis.organisation_id:
        raise NotAllowed(_("The crisis owner drafts the message."))
    if not crisis.is_open:
        raise InvalidTransition(_("The crisis is closed."))
    if not title.strip() or not text.strip():
        raise DomainError(_("A title and a text are required."))
    return CrisisMessage.objects.create(
        crisis=crisis, title=title.strip(), text=text.strip(), language=language, drafted_by=actor
    )


@transaction.atomic
def crisis_message_approve(*, actor: Staff, message: CrisisMessage) -> CrisisMessage:
    """The single approval that every channel of every member relies on."""
    message = CrisisMessage.objects.select_for_update().get(pk=message.pk)
    _crisis_approver(actor, message.crisis)
    if message.state != CrisisMessage.State.DRAFT:
        raise InvalidTransition(_("This message was already approved."))
    message.state = CrisisMessage.State.APPROVED
    message.approved_by, message.approved_at = actor, timezone.now()
    message.save()
    audit(
        action="network.crisis.approve",
        target=message,
        actor=actor,
        organisation=message.crisis.organisation,
    )
    return message


@transaction.atomic
def crisis_message_publish(*, actor: Staff, message: CrisisMessage) -> list[Dispatch]:
    """Fan an approved message out to every member's chosen channels (newsroom by default)."""
    message = CrisisMessage.objects.select_for_update().select_related("crisis").get(pk=message.pk)
    _crisis_approver(actor, message.crisis)
    if message.state != CrisisMessage.State.APPROVED:
        raise InvalidTransition(_("Approve the message first."))
    targets = {
        t.organisation_id: t for t in message.crisis.targets.prefetch_related("social_accounts")
    }
    rows: list[Dispatch] = []
    for org in network_orgs(message.crisis.organisation):
        t = targets.get(org.pk)
        base = {"message": message, "organisation": org}
        if t is None or t.newsroom:
            rows.append(Dispatch(**base, channel=Dispatch.Channel.NEWSROOM, slot="newsroom"))
        if t is not None and t.sms:
            rows.append(Dispatch(**base, channel=Dispatch.Channel.SMS, slot="sms"))
        for acc in t.social_accounts.filter(is_active=True) if t is not None else []:
            rows.append(
                Dispatch(
                    **base, channel=Dispatch.Channel.SOCIAL, account=acc, slot=f"social:{acc.pk}"
                )
            )
    Dispatch.objects.bulk_create(rows)
    message.state = CrisisMessage.State.PUBLISHED
    message.save(update_fields=["state"])
    audit(
        action="network.crisis.publish",
        target=message,
        actor=actor,
        organisation=message.crisis.organisation,
        data={"dispatches": len(rows)},
    )
    from kent360.network.tasks import send_crisis_message

    transaction.on_commit(lambda: send_crisis_message.enqueue(message.pk))
    return rows


def _claim(dispatch: Dispatch, now: datetime) -> bool:
    return bool(
        Dispatch.objects.filter(
            pk=dispatch.pk,
            state=Dispatch.State.PENDING,
            attempts=dispatch.attempts,
            next_attempt_at__lte=now,
        ).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    )


def dispatch_send(*, dispatch_id: int, now: datetime | None = None) -> Dispatch:
    """Send one dispatch; a sent or claimed dispatch is left alone, failures back off."""
    now = now or timezone.now()
    d = Dispatch.objects.select_related("message__crisis", "organisation", "account").get(
        pk=dispatch_id
    )
    if not _claim(d, now):
        return d
    try:
        state, ref, detail = _SENDERS[Dispatch.Channel(d.channel)](d)
    except PublishError as exc:
        attempts = d.attempts + 1
        give_up = not exc.retryable or attempts >= MAX_ATTEMPTS
        Dispatch.objects.filter(pk=d.pk).update(
            state=Dispatch.State.FAILED if give_up else Dispatch.State.PENDING,
            last_error=str(exc)[:1000],
            next_attempt_at=now + timedelta(minutes=2**attempts),
        )
    else:
        Dispatch.objects.filter(pk=d.pk).update(
            state=state,
            external_ref=ref,
            detail=detail[:300],
            sent_at=timezone.now() if state == Dispatch.State.SENT else None,
            next_attempt_at=now + timedelta(minutes=2 ** (d.attempts + 1)),
        )
    d.refresh_from_db()
    return d


def _send_newsroom(d: Dispatch) -> tuple[str, str, str]:
    m = d.message
    with transaction.atomic():
        locked = Dispatch.objects.select_for_update().get(pk=d.pk)
        if locked.external_ref:
            return Dispatch.State.SENT, locked.external_ref, locked.detail
        release = press_services.release_publish_direct(
            organisation=d.organisation,
            title=m.title,
            body="".join(f"<p>{_escape(p)}</p>" for p in m.text.split("\n") if p.strip()),
            language=m.language,
            approved_by=m.approved_by,  # type: ignore[arg-type]
            origin=f"crisis:{m.crisis_id}",
        )
        Dispatch.objects.filter(pk=d.pk).update(external_ref=f"release:{release.pk}")
    return Dispatch.State.SENT, f"release:{release.pk}", release.slug


def _escape(text: str) -> str:
    from django.utils.html import escape

    return str(escape(text.strip()))


def _send_social(d: Dispatch) -> tuple[str, str, str]:
    assert d.account is not None
    with transaction.atomic():
        locked = Dispatch.objects.select_for_update().get(pk=d.pk)
        ref = locked.external_ref
        if not ref:
            post = social_services.post_create_approved(
                organisation=d.organisation,
                text=d.message.text,
                accounts=[d.account],
                approved_by=d.message.approved_by,  # type: ignore[arg-type]
                origin=f"crisis:{d.message.crisis_id}",
            )
            ref = f"post:{post.pk}"
            Dispatch.objects.filter(pk=d.pk).update(external_ref=ref)
    post_id = int(ref.split(":")[1])
    social_services.post_publish(post_id=post_id)
    target = PostTarget.objects.get(post_id=post_id)
    if target.state == TargetState.SENT:
        return Dispatch.State.SENT, ref, target.url or target.external_id
    if target.state == TargetState.FAILED:
        raise PublishError(target.last_error, retryable=False)
    raise PublishError(target.last_error or "waiting to retry", retryable=True)


def _send_sms(d: Dispatch) -> tuple[str, str, str]:
    # Ordered, so a retry submits the same list under the same reference.
    phones = list(
        SmsSubscriber.objects.filter(organisation=d.organisation, is_active=True)
        .order_by("phone")
        .values_list("phone", flat=True)
    )
    if not phones:
        return Dispatch.State.SENT, "", "0"
    ref = sms_send(to=phones, text=d.message.text[:612], reference=f"crisis-dispatch-{d.pk}")
    return Dispatch.State.SENT, ref, str(len(phones))


_SENDERS = {
    Dispatch.Channel.NEWSROOM: _send_newsroom,
    Dispatch.Channel.SOCIAL: _send_social,
    Dispatch.Channel.SMS: _send_sms,
}


def crisis_message_send(*, message_id: int, now: datetime | None = None) -> int:
    ids = list(
        Dispatch.objects.filter(message_id=message_id, state=Dispatch.State.PENDING).values_list(
            "pk", flat=True
        )
    )
    for pk in ids:
        dispatch_send(dispatch_id=pk, now=now)
    return len(ids)


def dispatch_sweep(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    ids = list(
        Dispatch.objects.filter(state=Dispatch.State.PENDING, next_attempt_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    for pk in ids:
        dispatch_send(dispatch_id=pk, now=now)
    return len(ids)


@transaction.atomic
def crisis_tag_request(*, actor: Staff, crisis: Crisis, request: Request) -> CrisisRequest:
    """Staff of the request's own organisation tag it; tagging twice changes nothing."""
    if request.organisation_id != actor.organisation_id:
        raise NotAllowed(_("You can only tag your own organisation's requests."))
    _in_network(actor, crisis.organisation)
    link, _c = CrisisRequest.objects.get_or_create(
        crisis=crisis, request=request, defaults={"organisation_id": request.organisation_id}
    )
    return link


@transaction.atomic
def sms_subscribe(*, organisation: Organisation, phone: str) -> SmsSubscriber:
    from kent360.citizens.services import normalise_phone

    e164 = normalise_phone(phone, region=organisation.country) if phone else ""
    if not e164:
        raise DomainError(_("Enter a valid phone number."))
    sub, _c = SmsSubscriber.objects.update_or_create(
        organisation=organisation, phone=e164, defaults={"is_active": True}
    )
    return sub


def _codes_in(text: str, codes: list[str]) -> list[str]:
    # a code counts only as a whole token: "x7Qa_b2c" must not match inside a longer word
    return [c for c in codes if re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", text)]


@transaction.atomic
def crisis_tag_request_by_code(*, request: Request, text: str) -> list[CrisisRequest]:
    """Intake's hook: a citizen who types an open crisis's code (web form, e-mail subject)
    tags the request with that crisis, as staff would by tracking code.

    Only open crises of the request's own network count; the same code again changes
    nothing. Returns the links made (usually none).
    """
    if not text:
        return []
    # The network (the metropolitan and its active members, as network_orgs) in the one
    # query every intake item pays for, usually to find no open crisis at all.
    root = request.organisation.parent_id or request.organisation_id
    in_network = Q(organisation_id=root) | Q(
        organisation__parent_id=root, organisation__is_active=True
    )
    crises = {c.code: c for c in Crisis.objects.filter(in_network, is_open=True)}
    links = []
    for code in _codes_in(text, list(crises)):
        link, created = CrisisRequest.objects.get_or_create(
            crisis=crises[code],
            request=request,
            defaults={"organisation_id": request.organisation_id},
        )
        if created:
            audit(
                action="network.crisis.tag_by_code",
                target=link,
                actor=None,
                organisation=request.organisation,
                data={"request": request.tracking_code, "crisis": crises[code].pk},
            )
        links.append(link)
    return links

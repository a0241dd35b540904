"""Writes of the social media desk: accounts, posts, approval, publishing, inbound mentions.

Posts follow the press office's approval chain (kent360.press.workflow). Publishing sends
each PostTarget through its network's adapter; a target is claimed by a conditional update
before the call, so two workers never publish it twice, and once it has an external id it
is never published again. Retryable failures back off; others are shown on the post.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kent360.core.audit import audit
from kent360.core.errors import DomainError, InvalidTransition, NotAllowed
from kent360.organizations.models import Organisation, Staff
from kent360.press import permissions
from kent360.press import services as press_services
from kent360.press.workflow import ACTIONS
from kent360.social.adapters import Account, Media, PublishError, adapter_for
from kent360.social.adapters.base import LIMITS, post_length
from kent360.social.models import (
    Network,
    PostEvent,
    PostState,
    PostTarget,
    SocialAccount,
    SocialItem,
    SocialPost,
    TargetState,
)

MAX_ATTEMPTS = 5
LEASE = timedelta(minutes=5)


@transaction.atomic
def account_create(
    *,
    organisation: Organisation,
    actor: Staff,
    network: str,
    name: str,
    api_base: str,
    access_token: str,
    handle: str = "",
    external_id: str = "",
) -> SocialAccount:
    """Accounts are configured by the organisation admin; Meta accounts need their page/user id."""
    if actor.organisation_id != organisation.pk or not permissions.can_configure(actor):
        raise NotAllowed(_("Only the organisation admin adds social accounts."))
    if network not in Network.values:
        raise DomainError(_("Unknown network."))
    if network in (Network.FACEBOOK, Network.INSTAGRAM) and not external_id:
        raise DomainError(_("Facebook and Instagram accounts need the page or user id."))
    account = SocialAccount.objects.create(
        organisation=organisation,
        network=network,
        name=name,
        handle=handle,
        api_base=api_base,
        access_token=access_token,
        external_id=external_id,
    )
    audit(action="social.account.create", target=account, actor=actor)
    return account


def length_problems(text: str, accounts: list[SocialAccount]) -> list[str]:
    problems = []
    for network in sorted({a.network for a in accounts}):
        n, limit = post_length(text, network), LIMITS[network]
        if n > limit:
            problems.append(
                _("%(net)s allows %(limit)s characters; this text has %(n)s.")
                % {"net": Network(network).label, "limit": limit, "n": n}
            )
    return problems


def _event(post: SocialPost, type: str, *, actor: Staff | None, **kw: Any) -> PostEvent:
    return PostEvent.objects.create(
        post=post, organisation_id=post.organisation_id, type=type, actor=actor, **kw
    )


@transaction.atomic
def post_create(
    *,
    organisation: Organisation,
    actor: Staff,
    text: str,
    accounts: list[SocialAccount],
    image_url: str = "",
) -> SocialPost:
    """A draft for the chosen accounts; refused if any network's length limit is exceeded."""
    if actor.organisation_id != organisation.pk or not permissions.can_write(actor):
        raise NotAllowed(_("Your role cannot write posts."))
    text = text.strip()
    if not text:
        raise DomainError(_("Write the post first."))
    if not accounts or any(a.organisation_id != organisation.pk for a in accounts):
        raise DomainError(_("Choose one or more of your accounts."))
    problems = length_problems(text, accounts)
    if problems:
        raise DomainError(" ".join(problems))
    post = SocialPost.objects.create(
        organisation=organisation, text=text, author=actor, image_url=image_url
    )
    PostTarget.objects.bulk_create(
        PostTarget(post=post, organisation=organisation, account=a) for a in accounts
    )
    _event(post, "created", actor=actor, to_state=PostState.DRAFT)
    audit(action="social.post.create", target=post, actor=actor)
    return post


@transaction.atomic
def post_transition(
    *,
    post: SocialPost,
    actor: Staff | None,
    action: str,
    text: str = "",
    scheduled_at: datetime | None = None,
) -> SocialPost:
    """The press workflow applied to a post; publishing hands the targets to the adapters."""
    post = SocialPost.objects.select_for_update().get(pk=post.pk)
    spec = ACTIONS.get(action)
    if spec is None or post.state not in spec.sources:
        raise InvalidTransition(_("This step is not possible now."))
    if actor is not None and not press_services.can_do(actor, post, action):  # type: ignore[arg-type]
        raise NotAllowed(_("Your role cannot take this step."))
    before = post.state
    now = timezone.now()
    target = spec.target
    if action == "submit" or action == "send_back":
        if action == "send_back" and not text.strip():
            raise DomainError(_("Say what should change."))
        post.approval_step = 0
    elif action == "approve":
        post.approval_step += 1
        done = post.approval_step >= len(
            press_services.press_config(post.organisation).approval_roles
        )
        target = PostState.APPROVED if done else PostState.IN_REVIEW
    elif action == "schedule":
        if scheduled_at is None or scheduled_at <= now:
            raise DomainError(_("Choose a time in the future."))
        post.scheduled_at = scheduled_at
    elif action == "unschedule":
        post.scheduled_at = None
    elif action == "publish":
        target = PostState.PUBLISHING
        post.published_at = now
    post.state = target
    post.save()
    _event(post, action, actor=actor, from_state=before, to_state=target, text=text)
    audit(action=f"social.post.{action}", target=post, actor=actor, data={"to": target})
    if action == "publish":
        from kent360.social.tasks import publish_post

        transaction.on_commit(lambda: publish_post.enqueue(post.pk))
    return post


@transaction.atomic
def post_create_approved(
    *,
    organisation: Organisation,
    text: str,
    accounts: list[SocialAccount],
    approved_by: Staff,
    origin: str,
) -> SocialPost:
    """A post whose text was approved elsewhere (the crisis room), ready to publish."""
    if any(a.organisation_id != organisation.pk for a in accounts):
        raise DomainError(_("An account belongs to another organisation."))
    post = SocialPost.objects.create(
        organisation=organisation,
        text=text,
        state=PostState.PUBLISHING,
        origin=origin,
        published_at=timezone.now(),
    )
    PostTarget.objects.bulk_create(
        PostTarget(post=post, organisation=organisation, account=a) for a in accounts
    )
    _event(post, "published_from", actor=None, to_state=PostState.PUBLISHING, text=origin)
    audit(action="social.post.publish_direct", target=post, actor=approved_by)
    return post


def _media(post: SocialPost) -> list[Media]:
    if not post.image and not post.image_url:
        return []
    data = b""
    name = "image.jpg"
    if post.image:
        with post.image.open("rb") as fh:
            data = fh.read()
        name = (post.image.name or name).rsplit("/", 1)[-1]
    content_type = "image/png" if name.lower().endswith(".png") else "image/jpeg"
    return [Media(name, content_type, data, public_url=post.image_url)]


def _claim(target: PostTarget, now: datetime) -> bool:
    return bool(
        PostTarget.objects.filter(
            pk=target.pk,
            state=TargetState.PENDING,
            external_id="",
            attempts=target.attempts,
            next_attempt_at__lte=now,
        ).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    )


def target_send(*, target_id: int, now: datetime | None = None) -> PostTarget:
    """Publish one target once; safe to call again (a sent or claimed target is left alone)."""
    now = now or timezone.now()
    target = PostTarget.objects.select_related("account", "post").get(pk=target_id)
    if target.post.state != PostState.PUBLISHING or not _claim(target, now):
        return target
    acc = target.account
    account = Account(acc.network, acc.api_base, acc.access_token, acc.external_id)
    try:
        result = adapter_for(acc.network).publish(
            account, target.post.text, _media(target.post), str(target.idempotency_key)
        )
    except PublishError as exc:
        attempts = target.attempts + 1
        give_up = not exc.retryable or attempts >= MAX_ATTEMPTS
        PostTarget.objects.filter(pk=target.pk).update(
            state=TargetState.FAILED if give_up else TargetState.PENDING,
            last_error=str(exc)[:1000],
            next_attempt_at=now + timedelta(minutes=2**attempts),
        )
    else:
        PostTarget.objects.filter(pk=target.pk).update(
            state=TargetState.SENT,
            external_id=result.external_id,
            url=result.url,
            sent_at=timezone.now(),
            last_error="",
        )
    post_refresh_state(post_id=target.post_id)
    target.refresh_from_db()
    return target


def post_refresh_state(*, post_id: int) -> None:
    """A publishing post becomes published when every target is out, failed if any gave up."""
    states = set(PostTarget.objects.filter(post_id=post_id).values_list("state", flat=True))
    if TargetState.PENDING in states:
        return
    new = PostState.FAILED if TargetState.FAILED in states else PostState.PUBLISHED
    SocialPost.objects.filter(pk=post_id, state=PostState.PUBLISHING).update(state=new)


def post_publish(*, post_id: int, now: datetime | None = None) -> int:
    ids = list(
        PostTarget.objects.filter(post_id=post_id, state=TargetState.PENDING).values_list(
            "pk", flat=True
        )
    )
    for pk in ids:
        target_send(target_id=pk, now=now)
    return len(ids)


def social_sweep(*, now: datetime | None = None) -> int:
    """Publish scheduled posts that are due and retry targets whose back-off has passed."""
    now = now or timezone.now()
    for pk in SocialPost.objects.filter(
        state=PostState.SCHEDULED, scheduled_at__lte=now
    ).values_list("pk", flat=True):
        try:
            with transaction.atomic():
                post_transition(post=SocialPost(pk=pk), actor=None, action="publish")
        except InvalidTransition:
            continue
    due = PostTarget.objects.filter(
        state=TargetState.PENDING, next_attempt_at__lte=now, post__state=PostState.PUBLISHING
    )
    count = 0
    for pk in list(due.values_list("pk", flat=True)):
        target_send(target_id=pk, now=now)
        count += 1
    return count


def social_mention_ingest(
    *,
    organisation: Organisation,
    network: str,
    status_id: str,
    text: str,
    author: str = "",
    url: str = "",
    kind: str = SocialItem.Kind.MENTION,
    raw: dict[str, Any] | None = None,
) -> Any:
    """A mention or direct message becomes a citizen request, once per network status id.

    The item is stored raw first (media monitoring reads SocialItem too); the request is
    created through ``request_create`` with ``idempotency_key="<network>:<status id>"``.
    """
    from kent360.requests.services import request_create

    item, _created = SocialItem.objects.get_or_create(
        organisation=organisation,
        network=network,
        external_id=str(status_id),
        defaults={
            "kind": kind,
            "author": author[:200],
            "text": text,
            "url": url[:500],
            "raw": raw or {},
        },
    )
    result = request_create(
        organisation=organisation,
        actor=None,
        channel="social",
        subject=(text.strip().splitlines() or [""])[0][:120] or _("Social media message"),
        text=text,
        contact_name=author[:200],
        external_ref=url[:100],
        idempotency_key=f"{network}:{status_id}",
        actor_label=f"{network} {author}".strip(),
    )
    if item.request_id != result.request.pk:
        SocialItem.objects.filter(pk=item.pk).update(request=result.request)
    return result

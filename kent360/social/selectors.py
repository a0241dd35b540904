"""Reads of the social media desk, through the asking staff member."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import Http404

from kent360.organizations.models import Organisation, Staff
from kent360.press import permissions
from kent360.social.models import SocialAccount, SocialItem, SocialPost


def _require(staff: Staff) -> None:
    if not permissions.can_view(staff):
        raise Http404


def accounts(*, staff: Staff) -> QuerySet[SocialAccount]:
    _require(staff)
    return SocialAccount.objects.filter(organisation_id=staff.organisation_id, is_active=True)


def post_list(*, staff: Staff, state: str = "") -> QuerySet[SocialPost]:
    _require(staff)
    qs = SocialPost.objects.filter(organisation_id=staff.organisation_id).prefetch_related(
        "targets__account"
    )
    return qs.filter(state=state) if state else qs


def post_get(*, staff: Staff, pk: int) -> SocialPost:
    _require(staff)
    post = SocialPost.objects.filter(organisation_id=staff.organisation_id, pk=pk).first()
    if post is None:
        raise Http404
    return post


def posts_between(*, staff: Staff, start: datetime, end: datetime) -> list[SocialPost]:
    """Scheduled posts by their time, published ones by when they went out."""
    qs = post_list(staff=staff).filter(
        Q(scheduled_at__gte=start, scheduled_at__lt=end)
        | Q(scheduled_at__isnull=True, published_at__gte=start, published_at__lt=end)
    )
    return list(qs)


def social_mentions(
    *, organisation: Organisation, start: datetime, end: datetime
) -> QuerySet[SocialItem]:
    """Mentions of an organisation received in [start, end), newest first, for media
    monitoring (the digest is built by the system, not by a staff member, hence no staff).
    Direct messages are private correspondence and never appear here."""
    return SocialItem.objects.filter(
        organisation=organisation,
        kind=SocialItem.Kind.MENTION,
        received_at__gte=start,
        received_at__lt=end,
    ).order_by("-received_at")

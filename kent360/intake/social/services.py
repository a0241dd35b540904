"""Polling social accounts into the intake."""

from __future__ import annotations

import logging

from django.utils import timezone

from kent360.intake.models import SocialAccount
from kent360.intake.services import inbound_receive
from kent360.intake.social.base import SocialAdapter, SocialAdapterError
from kent360.intake.social.mastodon import MastodonAdapter

log = logging.getLogger(__name__)


def adapter_for(account: SocialAccount) -> SocialAdapter:
    if account.platform == "mastodon":
        return MastodonAdapter(account.base_url, account.access_token)
    raise SocialAdapterError(f"No adapter for {account.platform}")


def social_poll(*, account: SocialAccount, adapter: SocialAdapter | None = None) -> int:
    """Store every new mention as an inbound item, then move the cursor past them.

    The cursor moves only after the items are stored; a crash in between means they are
    fetched again and their platform ids make the second store a no-op.
    """
    adapter = adapter or adapter_for(account)
    try:
        result = adapter.fetch_mentions(cursor=account.cursor)
    except SocialAdapterError as exc:
        SocialAccount.objects.filter(pk=account.pk).update(
            last_error=str(exc)[:2000], last_polled_at=timezone.now()
        )
        log.warning("social poll %s failed: %s", account.pk, exc)
        return 0
    new = 0
    for item in result.items:
        stored = inbound_receive(
            organisation=account.organisation,
            source=account.platform,
            idempotency_key=f"{account.platform}:{account.base_url}:{item.external_id}",
            payload=item.payload(),
        )
        new += int(stored.created)
    SocialAccount.objects.filter(pk=account.pk).update(
        cursor=result.cursor, last_error="", last_polled_at=timezone.now()
    )
    account.cursor = result.cursor
    return new


def social_poll_all() -> int:
    total = 0
    for account in SocialAccount.objects.filter(is_active=True).select_related("organisation"):
        total += social_poll(account=account)
    return total

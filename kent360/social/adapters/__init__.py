"""Publishing adapters, one per network, behind one interface (see base.Adapter)."""

from __future__ import annotations

from kent360.social.adapters.base import Account, Adapter, Media, PublishError, PublishResult
from kent360.social.adapters.mastodon import MastodonAdapter
from kent360.social.adapters.meta import FacebookAdapter, InstagramAdapter
from kent360.social.adapters.x import XAdapter

ADAPTERS: dict[str, type] = {
    "mastodon": MastodonAdapter,
    "x": XAdapter,
    "facebook": FacebookAdapter,
    "instagram": InstagramAdapter,
}


def adapter_for(network: str) -> Adapter:
    adapter: Adapter = ADAPTERS[network]()
    return adapter


__all__ = [
    "Account",
    "Adapter",
    "Media",
    "PublishError",
    "PublishResult",
    "adapter_for",
]

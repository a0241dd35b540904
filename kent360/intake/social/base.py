"""The social-media adapter interface, shared by intake (mentions in) and the press office
(posts out).

An adapter speaks one platform's public API. Intake asks it for items newer than a
cursor; each item becomes an inbound message keyed by the platform's own id, so a
repeated poll never creates a second request.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SocialItem:
    platform: str
    external_id: str
    author_handle: str
    author_name: str
    text: str  # may be HTML (Mastodon); intake sanitises it
    url: str = ""
    created_at: str = ""
    visibility: str = "public"  # "direct" for private messages
    in_reply_to_id: str = ""
    media_urls: list[str] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "external_id": self.external_id,
            "author": {"handle": self.author_handle, "name": self.author_name},
            "text": self.text,
            "url": self.url,
            "created_at": self.created_at,
            "visibility": self.visibility,
            "in_reply_to_id": self.in_reply_to_id,
            "media_urls": self.media_urls,
        }


@dataclass(frozen=True)
class FetchResult:
    items: list[SocialItem]
    cursor: str  # pass back next time to get only newer items


class SocialAdapterError(Exception):
    """The platform refused or failed (HTTP error, bad JSON); the message says which."""


class SocialAdapter(ABC):
    platform: str

    @abstractmethod
    def fetch_mentions(self, *, cursor: str = "") -> FetchResult:
        """Mentions of the account and private messages to it, oldest first."""

    @abstractmethod
    def post(self, *, text: str, in_reply_to_id: str = "", visibility: str = "public") -> str:
        """Publish (or reply); returns the platform's id of the new post."""

"""Replies on social media: the interface notifications use, and a webhook adapter.

A social adapter answers the citizen under their own post (``in_reply_to`` is the post's
id as stored in the request's external reference). The webhook adapter hands the reply to
another service (e.g. the social app's Mastodon client) as a signed JSON POST:
``{"organisation", "in_reply_to", "text", "tracking_code"}`` with the header
``X-Kent360-Signature: sha256=<HMAC of the body with KENT360_SOCIAL_WEBHOOK_SECRET>``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Protocol

import httpx
from django.conf import settings


class SocialError(Exception):
    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class SocialReplier(Protocol):
    def reply(
        self, *, organisation: str, in_reply_to: str, text: str, tracking_code: str
    ) -> str: ...


@dataclass
class WebhookSocialReplier:
    url: str
    secret: str
    timeout: float = 15.0

    def reply(self, *, organisation: str, in_reply_to: str, text: str, tracking_code: str) -> str:
        body = json.dumps(
            {
                "organisation": organisation,
                "in_reply_to": in_reply_to,
                "text": text,
                "tracking_code": tracking_code,
            },
            ensure_ascii=False,
        ).encode()
        signature = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        try:
            response = httpx.post(
                self.url,
                content=body,
                headers={
                    "Content-Type": "application/json",
                    "X-Kent360-Signature": f"sha256={signature}",
                },
                timeout=self.timeout,
            )
        except httpx.HTTPError as exc:
            raise SocialError(f"webhook unreachable: {exc}", permanent=False) from exc
        if response.status_code >= 400:
            raise SocialError(
                f"webhook HTTP {response.status_code}", permanent=response.status_code < 500
            )
        try:
            return str(response.json().get("id", ""))
        except ValueError:
            return ""


def configured_replier() -> SocialReplier | None:
    url = getattr(settings, "KENT360_SOCIAL_WEBHOOK_URL", "")
    if not url:
        return None
    return WebhookSocialReplier(url=url, secret=settings.KENT360_SOCIAL_WEBHOOK_SECRET)

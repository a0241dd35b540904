"""One interface for every network's publishing API.

``publish`` either returns what the network created or raises PublishError, saying whether
trying again later could help (rate limits, server errors, timeouts) or not (a refused token,
a text the network rejects).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

import httpx

TIMEOUT = httpx.Timeout(20.0, connect=10.0)
URL = re.compile(r"https?://\S+")

# Characters a post may have on each network (Mastodon's default instance limit).
LIMITS = {"mastodon": 500, "x": 280, "facebook": 63206, "instagram": 2200}
# Networks that count every link as this many characters, whatever its length.
LINK_WEIGHT = {"mastodon": 23, "x": 23}


def post_length(text: str, network: str) -> int:
    """Length as the network counts it: links weigh a fixed amount on Mastodon and X."""
    weight = LINK_WEIGHT.get(network)
    if weight is None:
        return len(text)
    return len(URL.sub("", text)) + weight * len(URL.findall(text))


@dataclass(frozen=True)
class Media:
    filename: str
    content_type: str
    data: bytes = b""
    public_url: str = ""  # Instagram fetches images itself and needs a public address
    description: str = ""


@dataclass(frozen=True)
class PublishResult:
    external_id: str
    url: str = ""


@dataclass(frozen=True)
class Account:
    """What an adapter needs of a SocialAccount (kept free of the ORM for easy testing)."""

    network: str
    api_base: str
    access_token: str
    external_id: str = ""


class PublishError(Exception):
    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class Adapter(Protocol):
    def publish(
        self, account: Account, text: str, media: list[Media], idempotency_key: str
    ) -> PublishResult: ...


@dataclass
class HttpAdapter:
    transport: httpx.BaseTransport | None = field(default=None)

    def client(self, account: Account, bearer: bool = True) -> httpx.Client:
        headers = {"User-Agent": "kent360"}
        if bearer:
            headers["Authorization"] = f"Bearer {account.access_token}"
        return httpx.Client(
            base_url=account.api_base.rstrip("/"),
            headers=headers,
            timeout=TIMEOUT,
            transport=self.transport,
        )


def check(response: httpx.Response) -> dict:  # type: ignore[type-arg]
    """The JSON body of a success, or a PublishError classified by status code."""
    if response.status_code == 429 or response.status_code >= 500:
        raise PublishError(f"HTTP {response.status_code}: {response.text[:300]}", retryable=True)
    if response.status_code >= 400:
        raise PublishError(f"HTTP {response.status_code}: {response.text[:300]}", retryable=False)
    try:
        data = response.json()
    except ValueError as exc:
        raise PublishError(
            "The network answered with something other than JSON.", retryable=True
        ) from exc
    if not isinstance(data, dict):
        raise PublishError("Unexpected answer from the network.", retryable=False)
    return data


def call(fn, *args, **kwargs) -> httpx.Response:  # type: ignore[no-untyped-def]
    """An HTTP call whose network failures (timeouts, refused connections) are retryable."""
    try:
        return fn(*args, **kwargs)
    except httpx.HTTPError as exc:
        raise PublishError(f"{type(exc).__name__}: {exc}", retryable=True) from exc

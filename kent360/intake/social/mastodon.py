"""Mastodon REST API client (https://docs.joinmastodon.org/methods/notifications/).

Mentions arrive as notifications of type ``mention``; a private message is a mention
whose status has ``visibility: "direct"``. Paging forward uses ``min_id``: each page is
the block of notifications right after the cursor, so nothing is skipped.
"""

from __future__ import annotations

from typing import Any

import httpx

from kent360.intake.social.base import FetchResult, SocialAdapter, SocialAdapterError, SocialItem

PAGE = 40
MAX_PAGES = 10


class MastodonAdapter(SocialAdapter):
    platform = "mastodon"

    def __init__(
        self, base_url: str, access_token: str, *, client: httpx.Client | None = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = client or httpx.Client(timeout=20)
        self.headers = {"Authorization": f"Bearer {access_token}"}

    def _get(self, path: str, params: list[tuple[str, str | int | float | bool | None]]) -> Any:
        try:
            response = self.client.get(
                f"{self.base_url}{path}", params=params, headers=self.headers
            )
        except httpx.HTTPError as exc:
            raise SocialAdapterError(f"Mastodon unreachable: {exc}") from exc
        if response.status_code != 200:
            raise SocialAdapterError(
                f"Mastodon answered {response.status_code}: {response.text[:200]}"
            )
        try:
            return response.json()
        except ValueError as exc:
            raise SocialAdapterError("Mastodon answered with invalid JSON") from exc

    def fetch_mentions(self, *, cursor: str = "") -> FetchResult:
        items: list[SocialItem] = []
        for _page in range(MAX_PAGES):
            params: list[tuple[str, str | int | float | bool | None]] = [
                ("types[]", "mention"),
                ("limit", str(PAGE)),
            ]
            if cursor:
                params.append(("min_id", cursor))
            batch = self._get("/api/v1/notifications", params)
            if not isinstance(batch, list) or not batch:
                break
            # Mastodon returns newest first even with min_id; work oldest first.
            batch.sort(key=lambda n: int(n["id"]))
            for notification in batch:
                item = self._item(notification)
                if item is not None:
                    items.append(item)
            cursor = str(batch[-1]["id"])
            if len(batch) < PAGE:
                break
        return FetchResult(items, cursor)

    def _item(self, notification: dict[str, Any]) -> SocialItem | None:
        status = notification.get("status") or {}
        if notification.get("type") != "mention" or not status:
            return None
        account = status.get("account") or notification.get("account") or {}
        acct = account.get("acct", "")
        if acct and "@" not in acct:
            acct = f"{acct}@{httpx.URL(self.base_url).host}"
        return SocialItem(
            platform=self.platform,
            external_id=str(status["id"]),
            author_handle=acct,
            author_name=account.get("display_name") or account.get("username", ""),
            text=status.get("content", ""),
            url=status.get("url") or status.get("uri") or "",
            created_at=status.get("created_at", ""),
            visibility=status.get("visibility", "public"),
            in_reply_to_id=str(status.get("in_reply_to_id") or ""),
            media_urls=[m.get("url", "") for m in status.get("media_attachments") or []],
        )

    def post(self, *, text: str, in_reply_to_id: str = "", visibility: str = "public") -> str:
        data = {"status": text, "visibility": visibility}
        if in_reply_to_id:
            data["in_reply_to_id"] = in_reply_to_id
        try:
            response = self.client.post(
                f"{self.base_url}/api/v1/statuses", data=data, headers=self.headers
            )
        except httpx.HTTPError as exc:
            raise SocialAdapterError(f"Mastodon unreachable: {exc}") from exc
        if response.status_code != 200:
            raise SocialAdapterError(
                f"Mastodon answered {response.status_code}: {response.text[:200]}"
            )
        return str(response.json()["id"])

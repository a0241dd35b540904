"""Mastodon's REST API: media via POST /api/v2/media, statuses via POST /api/v1/statuses.

The status request carries an Idempotency-Key header: Mastodon returns the status already
created with that key instead of posting twice, so a retry after a lost answer is safe.
"""

from __future__ import annotations

from kent360.social.adapters.base import (
    Account,
    HttpAdapter,
    Media,
    PublishError,
    PublishResult,
    call,
    check,
)


class MastodonAdapter(HttpAdapter):
    def publish(
        self, account: Account, text: str, media: list[Media], idempotency_key: str
    ) -> PublishResult:
        with self.client(account) as http:
            media_ids = []
            for m in media[:4]:
                data = check(
                    call(
                        http.post,
                        "/api/v2/media",
                        files={"file": (m.filename, m.data, m.content_type)},
                        data={"description": m.description} if m.description else None,
                    )
                )
                media_ids.append(str(data["id"]))
            body: dict[str, object] = {"status": text, "visibility": "public"}
            if media_ids:
                body["media_ids"] = media_ids
            data = check(
                call(
                    http.post,
                    "/api/v1/statuses",
                    json=body,
                    headers={"Idempotency-Key": idempotency_key},
                )
            )
        if "id" not in data:
            raise PublishError("Mastodon did not return a status id.", retryable=False)
        return PublishResult(str(data["id"]), str(data.get("url") or ""))

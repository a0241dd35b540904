"""X API v2: POST /2/tweets (OAuth 2.0 user token), images via POST /2/media/upload.

X has no idempotency header; the caller never calls publish again for a target that has
an external id, and a retry only follows an answer that says nothing was created.
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


class XAdapter(HttpAdapter):
    def publish(
        self, account: Account, text: str, media: list[Media], idempotency_key: str
    ) -> PublishResult:
        with self.client(account) as http:
            media_ids = []
            for m in media[:4]:
                data = check(
                    call(
                        http.post,
                        "/2/media/upload",
                        files={"media": (m.filename, m.data, m.content_type)},
                        data={"media_category": "tweet_image"},
                    )
                )
                media_ids.append(str(data.get("data", {}).get("id", "")))
            body: dict[str, object] = {"text": text}
            if media_ids:
                body["media"] = {"media_ids": media_ids}
            data = check(call(http.post, "/2/tweets", json=body))
        tweet_id = str(data.get("data", {}).get("id", ""))
        if not tweet_id:
            raise PublishError("X did not return a post id.", retryable=False)
        return PublishResult(tweet_id, f"https://x.com/i/web/status/{tweet_id}")

"""Meta Graph API: Facebook Page posts and Instagram content publishing.

Facebook: POST /{page-id}/feed (message, link) or /{page-id}/photos (url, caption) with a
Page access token. Instagram: POST /{ig-user-id}/media (image_url, caption) creates a
container, POST /{ig-user-id}/media_publish (creation_id) publishes it; Instagram posts need
an image at a public address.
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


class FacebookAdapter(HttpAdapter):
    def publish(
        self, account: Account, text: str, media: list[Media], idempotency_key: str
    ) -> PublishResult:
        token = {"access_token": account.access_token}
        with self.client(account, bearer=False) as http:
            image = next((m for m in media if m.public_url), None)
            if image is not None:
                data = check(
                    call(
                        http.post,
                        f"/{account.external_id}/photos",
                        data={"url": image.public_url, "caption": text, **token},
                    )
                )
                post_id = str(data.get("post_id") or data.get("id") or "")
            else:
                data = check(
                    call(http.post, f"/{account.external_id}/feed", data={"message": text, **token})
                )
                post_id = str(data.get("id") or "")
        if not post_id:
            raise PublishError("Facebook did not return a post id.", retryable=False)
        return PublishResult(post_id, f"https://www.facebook.com/{post_id}")


class InstagramAdapter(HttpAdapter):
    def publish(
        self, account: Account, text: str, media: list[Media], idempotency_key: str
    ) -> PublishResult:
        image = next((m for m in media if m.public_url), None)
        if image is None:
            raise PublishError(
                "Instagram posts need an image at a public address.", retryable=False
            )
        token = {"access_token": account.access_token}
        with self.client(account, bearer=False) as http:
            container = check(
                call(
                    http.post,
                    f"/{account.external_id}/media",
                    data={"image_url": image.public_url, "caption": text, **token},
                )
            )
            creation_id = str(container.get("id") or "")
            if not creation_id:
                raise PublishError("Instagram did not create a media container.", retryable=True)
            data = check(
                call(
                    http.post,
                    f"/{account.external_id}/media_publish",
                    data={"creation_id": creation_id, **token},
                )
            )
        media_id = str(data.get("id") or "")
        if not media_id:
            raise PublishError("Instagram did not return a media id.", retryable=False)
        return PublishResult(media_id)

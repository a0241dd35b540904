from __future__ import annotations

import pytest

from kent360.social.adapters import Account, Media, PublishError, adapter_for
from kent360.social.tests.servers import fake_api

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32


def test_mastodon_uploads_media_and_posts_with_idempotency_key():
    with fake_api() as api:
        account = Account("mastodon", api.url, "secret-token")
        adapter = adapter_for("mastodon")
        first = adapter.publish(
            account, "Bornova'da su kesintisi", [Media("a.png", "image/png", PNG)], "key-1"
        )
        again = adapter.publish(
            account, "Bornova'da su kesintisi", [Media("a.png", "image/png", PNG)], "key-1"
        )
    assert first.external_id == again.external_id  # the server deduplicated by key
    upload, status = api.received[0], api.received[1]
    assert upload.path == "/api/v2/media" and upload.files["file"] == PNG
    assert status.path == "/api/v1/statuses"
    assert status.headers["idempotency-key"] == "key-1"
    assert status.headers["authorization"] == "Bearer secret-token"
    assert status.json["status"] == "Bornova'da su kesintisi"
    assert status.json["media_ids"] == ["m101"]
    assert first.url.endswith(f"/@belediye/{first.external_id}")


def test_mastodon_errors_are_classified():
    with fake_api() as api:
        with pytest.raises(PublishError) as bad_token:
            adapter_for("mastodon").publish(Account("mastodon", api.url, "wrong"), "x", [], "k")
        api.fail_next = 1
        with pytest.raises(PublishError) as busy:
            adapter_for("mastodon").publish(
                Account("mastodon", api.url, "secret-token"), "x", [], "k"
            )
    assert bad_token.value.retryable is False and "401" in str(bad_token.value)
    assert busy.value.retryable is True
    with pytest.raises(PublishError) as down:
        adapter_for("mastodon").publish(
            Account("mastodon", "http://127.0.0.1:9", "t"), "x", [], "k"
        )
    assert down.value.retryable is True


def test_x_posts_tweet_with_uploaded_media():
    with fake_api() as api:
        result = adapter_for("x").publish(
            Account("x", api.url, "secret-token"), "Duyuru", [Media("a.png", "image/png", PNG)], "k"
        )
    upload, tweet = api.received
    assert upload.path == "/2/media/upload" and upload.form["media_category"] == "tweet_image"
    assert tweet.path == "/2/tweets"
    assert tweet.json == {"text": "Duyuru", "media": {"media_ids": ["x101"]}}
    assert result.external_id == "102" and result.url.endswith("/102")


def test_facebook_page_feed_and_photo():
    with fake_api() as api:
        base = api.url + "/v21.0"
        fb = adapter_for("facebook")
        text_post = fb.publish(Account("facebook", base, "secret-token", "5551"), "Duyuru", [], "k")
        photo = fb.publish(
            Account("facebook", base, "secret-token", "5551"),
            "Foto",
            [Media("a.jpg", "image/jpeg", public_url="https://example.org/a.jpg")],
            "k",
        )
        with pytest.raises(PublishError) as bad:
            fb.publish(Account("facebook", base, "nope", "5551"), "x", [], "k")
    assert (
        api.received[0].path == "/v21.0/5551/feed" and api.received[0].form["message"] == "Duyuru"
    )
    assert text_post.external_id == "5551_101"
    assert (
        api.received[1].path == "/v21.0/5551/photos"
        and api.received[1].form["url"] == "https://example.org/a.jpg"
    )
    assert photo.external_id == "5551_102"
    assert bad.value.retryable is False


def test_instagram_container_then_publish():
    with fake_api() as api:
        base = api.url + "/v21.0"
        ig = adapter_for("instagram")
        result = ig.publish(
            Account("instagram", base, "secret-token", "1789"),
            "Kampanya",
            [Media("a.jpg", "image/jpeg", public_url="https://example.org/a.jpg")],
            "k",
        )
        with pytest.raises(PublishError) as no_image:
            ig.publish(Account("instagram", base, "secret-token", "1789"), "Kampanya", [], "k")
    create, publish = api.received
    assert create.path == "/v21.0/1789/media" and create.form["caption"] == "Kampanya"
    assert publish.path == "/v21.0/1789/media_publish" and publish.form["creation_id"] == "c101"
    assert result.external_id == "ig102"
    assert no_image.value.retryable is False

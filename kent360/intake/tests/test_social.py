"""Social media: the Mastodon adapter against a local server speaking its JSON, and the
generic webhook (API key or HMAC)."""

import hashlib
import hmac
import json

import pytest

from kent360.citizens.models import CitizenHandle
from kent360.intake.keys import api_key_create
from kent360.intake.models import InboundMessage, SocialAccount, Status
from kent360.intake.social.base import SocialAdapterError
from kent360.intake.social.mastodon import MastodonAdapter
from kent360.intake.social.services import social_poll
from kent360.intake.tests.httpstub import ApiServer
from kent360.requests.models import Request

TOKEN = "tok-123"


def account(acct, name):
    return {
        "id": "9",
        "username": acct.split("@")[0],
        "acct": acct,
        "display_name": name,
        "url": "https://x",
    }


def notification(
    nid, sid, content, visibility="public", acct="ayse@mastodon.example", kind="mention"
):
    return {
        "id": str(nid),
        "type": kind,
        "created_at": "2026-11-21T10:00:00.000Z",
        "account": account(acct, "Ayşe Kılıç"),
        "status": {
            "id": str(sid),
            "created_at": "2026-11-21T10:00:00.000Z",
            "in_reply_to_id": None,
            "visibility": visibility,
            "content": content,
            "url": f"https://mastodon.example/@ayse/{sid}",
            "account": account(acct, "Ayşe Kılıç"),
            "media_attachments": [],
        },
    }


NOTIFS = [
    notification(
        101,
        9001,
        '<p><span class="h-card"><a href="#">@bornova</a></span> '
        "Çınarlı Sokak'ta su borusu patladı!</p>",
    ),
    notification(102, 9002, "<p>@bornova özel: evimin önü çöp dolu</p>", visibility="direct"),
    notification(103, 9003, "<p>ignored</p>", kind="favourite"),
]


def notifications(query, body, headers):
    if headers.get("Authorization") != f"Bearer {TOKEN}":
        return 401, {"error": "The access token is invalid"}, {}
    assert query["types[]"] == ["mention"]
    min_id = int(query.get("min_id", ["0"])[0])
    page = [n for n in NOTIFS if int(n["id"]) > min_id and n["type"] == "mention"]
    return 200, list(reversed(page)), {}


@pytest.fixture
def mastodon():
    with ApiServer(
        {
            ("GET", "/api/v1/notifications"): notifications,
            ("POST", "/api/v1/statuses"): lambda q, b, h: (200, {"id": "777"}, {}),
        }
    ) as server:
        yield server


def test_mastodon_mentions_and_direct_messages_become_requests_once(
    world, mastodon, django_capture_on_commit_callbacks
):
    acc = SocialAccount.objects.create(
        organisation=world.org, platform="mastodon", base_url=mastodon.url, access_token=TOKEN
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert social_poll(account=acc) == 2
    acc.refresh_from_db()
    assert acc.cursor == "102"
    public = Request.objects.get(external_ref="mastodon:9001")
    assert (
        public.channel == "social"
        and "su borusu patladı" in public.text
        and "<span" not in public.text
    )
    direct = InboundMessage.objects.get(idempotency_key__endswith=":9002")
    assert direct.payload["visibility"] == "direct" and direct.status == Status.DONE
    # both are from the same handle: one citizen, matched by handle
    assert public.citizen is not None and direct.request.citizen_id == public.citizen_id
    assert CitizenHandle.objects.get().handle == "ayse@mastodon.example"
    # polling again from the cursor asks only for newer ones; resetting it duplicates nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert social_poll(account=acc) == 0
        SocialAccount.objects.filter(pk=acc.pk).update(cursor="")
        acc.refresh_from_db()
        assert social_poll(account=acc) == 0
    assert mastodon.calls[-1][2].get("min_id") is None
    assert Request.objects.count() == 2


def test_mastodon_errors_are_reported_not_raised(world, mastodon):
    acc = SocialAccount.objects.create(
        organisation=world.org, platform="mastodon", base_url=mastodon.url, access_token="wrong"
    )
    assert social_poll(account=acc) == 0
    acc.refresh_from_db()
    assert "401" in acc.last_error
    with pytest.raises(SocialAdapterError):
        MastodonAdapter(mastodon.url, "wrong").fetch_mentions()


def test_mastodon_post_reply(mastodon):
    adapter = MastodonAdapter(mastodon.url, TOKEN)
    assert (
        adapter.post(text="Ekiplerimiz yolda.", in_reply_to_id="9001", visibility="direct") == "777"
    )
    method, path, _q, body, _headers = mastodon.calls[-1]
    assert (method, path) == ("POST", "/api/v1/statuses") and b"in_reply_to_id=9001" in body


def _hook(client, body, **headers):
    return client.post(
        "/api/v1/intake/webhook/bornova/", data=body, content_type="application/json", **headers
    )


def test_webhook_with_api_key_and_hmac(world, client, settings):
    key = api_key_create(organisation=world.org, name="bridge", scope="webhook", actor=None)[1]
    body = json.dumps(
        {
            "platform": "instagram",
            "external_id": "C-1",
            "author": {"handle": "@mehmet.k", "name": "Mehmet Kaya"},
            "text": "Parkın ışıkları yanmıyor",
            "latitude": 38.46,
            "longitude": 27.22,
        },
        ensure_ascii=False,
    ).encode()
    first = _hook(client, body, HTTP_X_API_KEY=key)
    assert first.status_code == 201 and first.json()["tracking_code"]
    assert (
        _hook(client, body, HTTP_X_API_KEY=key).json()["tracking_code"]
        == first.json()["tracking_code"]
    )
    assert Request.objects.count() == 1
    r = Request.objects.get()
    assert r.channel == "social" and r.latitude == 38.46
    assert CitizenHandle.objects.get(platform="instagram").handle == "mehmet.k"
    settings.KENT360_WEBHOOK_HMAC_SECRET = "s3cret"
    body2 = json.dumps(
        {
            "platform": "x",
            "external_id": "T-9",
            "author": {"handle": "zehra"},
            "text": "Otobüs durağı kırık",
        }
    ).encode()
    sig = "sha256=" + hmac.new(b"s3cret", body2, hashlib.sha256).hexdigest()
    assert _hook(client, body2, HTTP_X_KENT360_SIGNATURE=sig).status_code == 201
    assert _hook(client, body2 + b" ", HTTP_X_KENT360_SIGNATURE=sig).status_code == 403


def test_webhook_refuses_wrong_scope_and_keeps_bad_json(world, client):
    staff_key = api_key_create(organisation=world.org, name="x", scope="open311", actor=None)[1]
    assert _hook(client, b"{}", HTTP_X_API_KEY=staff_key).status_code == 403
    other = api_key_create(organisation=world.other_org, name="x", scope="webhook", actor=None)[1]
    assert _hook(client, b"{}", HTTP_X_API_KEY=other).status_code == 403
    key = api_key_create(organisation=world.org, name="bridge", scope="webhook", actor=None)[1]
    bad = _hook(client, b"{not json", HTTP_X_API_KEY=key)
    assert bad.status_code == 400
    kept = InboundMessage.objects.get(pk=bad.json()["inbound_id"])
    assert kept.read_raw() == b"{not json" and kept.status == Status.FAILED
    missing = _hook(
        client, json.dumps({"external_id": "1", "text": "x"}).encode(), HTTP_X_API_KEY=key
    )
    assert missing.status_code == 400 and "author.handle" in missing.json()["error"]

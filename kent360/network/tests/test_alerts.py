"""Citizens' own sign-up for crisis SMS: consent, double opt-in, STOP, rate limits."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from kent360.core.errors import DomainError
from kent360.network import alerts, services
from kent360.network.models import SmsSubscriber
from kent360.network.tests.sms import INBOUND_TOKEN, use_local_gateway
from kent360.organizations.models import Role
from kent360.social.tests.servers import fake_api

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway(settings):
    cache.clear()
    with fake_api() as api:
        use_local_gateway(settings, api)
        settings.SITE_URL = "https://kent.example"
        yield api


def _sms(api) -> list[dict]:
    return [r.json for r in api.received if r.path == "/sms/messages"]


def _code(api) -> str:
    return re.search(r"\b(\d{6})\b", _sms(api)[-1]["text"]).group(1)


def test_double_opt_in_through_the_newsroom_then_crisis_sms_reaches_only_confirmed(
    world, client, gateway, django_capture_on_commit_callbacks
):
    page = client.get("/newsroom/bornova/alerts/")
    assert page.status_code == 200 and 'name="consent"' in page.content.decode()
    no_consent = client.post("/newsroom/bornova/alerts/", {"phone": "0532 111 22 33"})
    assert no_consent.status_code == 200 and "alert-danger" in no_consent.content.decode()
    assert _sms(gateway) == [] and SmsSubscriber.objects.count() == 0
    bad = client.post("/newsroom/bornova/alerts/", {"phone": "12", "consent": "on"})
    assert "alert-danger" in bad.content.decode() and _sms(gateway) == []

    response = client.post(
        "/newsroom/bornova/alerts/", {"phone": "0532 111 22 33", "consent": "on"}
    )
    assert (
        response.status_code == 302 and response["Location"] == "/newsroom/bornova/alerts/confirm/"
    )
    sms = _sms(gateway)[-1]
    sub = SmsSubscriber.objects.get()
    assert sms["to"] == ["+905321112233"] and not sub.is_active and sub.consented_at
    assert f"https://kent.example/newsroom/bornova/alerts/stop/{sub.token}/" in sms["text"]
    assert _code(gateway) not in sub.code_hash  # only an HMAC of the code is kept

    wrong_code = "000000" if _code(gateway) != "000000" else "111111"
    wrong = client.post("/newsroom/bornova/alerts/confirm/", {"code": wrong_code})
    assert "alert-danger" in wrong.content.decode()
    sub.refresh_from_db()
    assert sub.code_attempts == 1 and not sub.is_active
    done = client.post("/newsroom/bornova/alerts/confirm/", {"code": _code(gateway)})
    assert 'data-step="done"' in done.content.decode()
    sub.refresh_from_db()
    assert sub.is_active and sub.confirmed_at and sub.code_hash == ""

    # a second number that never confirms gets no crisis SMS
    alerts.sms_signup_start(organisation=world.org, phone="05051234567", consent=True)
    pr = world.staff[Role.PR_MANAGER]
    crisis = services.crisis_open(actor=pr, title="Sel", kind="flood")
    services.crisis_set_channels(actor=pr, crisis=crisis, newsroom=False, sms=True, accounts=[])
    message = services.crisis_message_draft(actor=pr, crisis=crisis, title="Sel", text="Uzak durun")
    services.crisis_message_approve(actor=pr, message=message)
    with django_capture_on_commit_callbacks(execute=True):
        services.crisis_message_publish(actor=pr, message=message)
    crisis_sms = [m for m in _sms(gateway) if m["text"] == "Uzak durun"]
    assert [m["to"] for m in crisis_sms] == [["+905321112233"]]


def test_unsubscribe_by_link_and_by_replying_stop(world, client, gateway):
    for phone in ("0532 111 22 33", "0533 444 55 66"):
        alerts.sms_signup_start(organisation=world.org, phone=phone, consent=True)
        alerts.sms_signup_confirm(organisation=world.org, phone=phone, code=_code(gateway))
    first, second = SmsSubscriber.objects.order_by("phone")
    url = f"/newsroom/bornova/alerts/stop/{first.token}/"
    assert client.get(url).status_code == 200
    first.refresh_from_db()
    assert first.is_active  # a link scanner's GET does not unsubscribe
    client.post(url)
    first.refresh_from_db()
    assert not first.is_active and first.unsubscribed_at
    assert client.get("/newsroom/bornova/alerts/stop/nope/").status_code == 404
    assert client.get(f"/newsroom/karsiyaka/alerts/stop/{second.token}/").status_code == 404

    inbound = "/newsroom/bornova/alerts/inbound/"
    body = json.dumps({"from": "+905334445566", "text": "dur lütfen"})
    refused = client.post(inbound, body, content_type="application/json")
    assert refused.status_code == 401
    # the token kent360 presents to the gateway is not the one the gateway presents to us
    outbound = client.post(
        inbound, body, content_type="application/json", HTTP_AUTHORIZATION="Bearer secret-token"
    )
    assert outbound.status_code == 401
    second.refresh_from_db()
    assert second.is_active
    ok = client.post(
        inbound, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {INBOUND_TOKEN}"
    )
    assert ok.json() == {"unsubscribed": True}
    second.refresh_from_db()
    assert not second.is_active
    chat = client.post(
        inbound,
        json.dumps({"from": "+905321112233", "text": "merhaba"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {INBOUND_TOKEN}",
    )
    assert chat.json() == {"unsubscribed": False}


def test_codes_expire_and_wrong_tries_run_out(world, gateway):
    alerts.sms_signup_start(organisation=world.org, phone="05321112233", consent=True)
    code = _code(gateway)
    for _i in range(alerts.MAX_CODE_ATTEMPTS):
        with pytest.raises(DomainError):
            alerts.sms_signup_confirm(organisation=world.org, phone="05321112233", code="x")
    with pytest.raises(DomainError):  # the right code no longer helps
        alerts.sms_signup_confirm(organisation=world.org, phone="05321112233", code=code)
    alerts.sms_signup_start(organisation=world.org, phone="05321112233", consent=True)
    later = timezone.now() + timedelta(minutes=16)
    with time_machine.travel(later), pytest.raises(DomainError):
        alerts.sms_signup_confirm(organisation=world.org, phone="05321112233", code=_code(gateway))
    assert not SmsSubscriber.objects.get().is_active


def test_rate_limits_per_number_and_per_connection(world, client, gateway, settings):
    for _i in range(alerts.MAX_CODES_PER_PHONE_HOUR):
        alerts.sms_signup_start(organisation=world.org, phone="05321112233", consent=True)
    with pytest.raises(DomainError):
        alerts.sms_signup_start(organisation=world.org, phone="05321112233", consent=True)
    assert len(_sms(gateway)) == alerts.MAX_CODES_PER_PHONE_HOUR
    settings.KENT360_ALERTS_MAX_PER_HOUR = 2
    codes_before = len(_sms(gateway))
    statuses = [
        client.post(
            "/newsroom/bornova/alerts/", {"phone": f"0533 444 55 6{i}", "consent": "on"}
        ).status_code
        for i in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert len(_sms(gateway)) == codes_before + 2


def _sms_dispatch(world, django_capture_on_commit_callbacks):
    from kent360.network.models import Dispatch

    services.sms_subscribe(organisation=world.org, phone="0532 111 22 33")
    pr = world.staff[Role.PR_MANAGER]
    crisis = services.crisis_open(actor=pr, title="Sel", kind="flood")
    services.crisis_set_channels(actor=pr, crisis=crisis, newsroom=False, sms=True, accounts=[])
    message = services.crisis_message_draft(actor=pr, crisis=crisis, title="Sel", text="Uzak durun")
    services.crisis_message_approve(actor=pr, message=message)
    with django_capture_on_commit_callbacks(execute=True):
        services.crisis_message_publish(actor=pr, message=message)
    return Dispatch.objects.get(channel=Dispatch.Channel.SMS)


def test_crisis_sms_through_the_shared_gateway_retries_with_the_same_reference(
    world, gateway, django_capture_on_commit_callbacks
):
    """A temporary gateway failure (503) leaves the dispatch pending on the board; the
    retry goes out once with the same reference, and a later sweep sends nothing more."""
    from kent360.network.models import Dispatch

    gateway.fail_next = 1
    d = _sms_dispatch(world, django_capture_on_commit_callbacks)
    assert d.state == Dispatch.State.PENDING and "503" in d.last_error and d.attempts == 1
    later = timezone.now() + timedelta(hours=1)
    services.dispatch_sweep(now=later)
    d.refresh_from_db()
    assert d.state == Dispatch.State.SENT and d.detail == "1" and d.external_ref.startswith("sms")
    calls = [r.json for r in gateway.received if r.path == "/sms/messages"]
    assert [c["reference"] for c in calls] == [f"crisis-dispatch-{d.pk}"] * 2
    services.dispatch_sweep(now=later + timedelta(hours=1))
    assert len([r for r in gateway.received if r.path == "/sms/messages"]) == 2


def test_crisis_sms_fails_for_good_when_the_gateway_refuses_or_is_not_set_up(
    world, gateway, settings, django_capture_on_commit_callbacks
):
    from kent360.network.models import Dispatch

    settings.KENT360_SMS_TOKEN = "wrong"  # the gateway answers 401: permanent
    d = _sms_dispatch(world, django_capture_on_commit_callbacks)
    assert d.state == Dispatch.State.FAILED and "401" in d.last_error
    Dispatch.objects.all().delete()
    settings.KENT360_SMS_PROVIDER = ""
    d = _sms_dispatch(world, django_capture_on_commit_callbacks)
    assert d.state == Dispatch.State.FAILED and "No SMS gateway" in d.last_error
    with pytest.raises(DomainError):
        alerts.sms_signup_start(organisation=world.org, phone="05051234567", consent=True)


def _reply(client, body: bytes, **headers):
    return client.post(
        "/newsroom/bornova/alerts/inbound/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {INBOUND_TOKEN}",
        **headers,
    )


def test_replies_are_kept_as_they_came_even_when_unreadable_and_once_per_message(
    world, gateway, client
):
    from kent360.network.models import SmsReply

    phone = "+905334445566"
    alerts.sms_signup_start(organisation=world.org, phone=phone, consent=True)
    alerts.sms_signup_confirm(organisation=world.org, phone=phone, code=_code(gateway))
    garbled = _reply(client, b'{"from": "+90533", "text": "\xc4\xb0PTAL')  # cut off mid-way
    assert garbled.status_code == 400 and garbled.json()["kept"] is True
    kept = SmsReply.objects.get()
    assert kept.outcome == SmsReply.Outcome.INVALID and "İPTAL" in kept.raw and kept.error
    body = json.dumps({"from": phone, "text": "İptal"}, ensure_ascii=False).encode()
    first = _reply(client, body, HTTP_IDEMPOTENCY_KEY="gw-77")
    again = _reply(client, body, HTTP_IDEMPOTENCY_KEY="gw-77")  # the gateway retried
    assert first.json() == {"unsubscribed": True}
    assert again.json() == {"unsubscribed": True}  # the same reply, not handled twice
    assert SmsReply.objects.filter(idempotency_key="gw-77").count() == 1
    assert not SmsSubscriber.objects.get(phone=phone).is_active
    farsi = json.dumps({"from": "+989121234567", "text": "سلام"}, ensure_ascii=False).encode()
    assert _reply(client, farsi).json() == {"unsubscribed": False}
    assert SmsReply.objects.get(text="سلام").outcome == SmsReply.Outcome.IGNORED
    assert SmsReply.objects.filter(organisation=world.other_org).count() == 0


def test_a_reply_stored_but_not_handled_is_handled_by_the_sweep(world, gateway):
    from kent360.network.models import SmsReply
    from kent360.network.tasks import sweep_dispatches

    phone = "+905334445566"
    alerts.sms_signup_start(organisation=world.org, phone=phone, consent=True)
    alerts.sms_signup_confirm(organisation=world.org, phone=phone, code=_code(gateway))
    # As a crash right after the raw body was committed would leave it:
    SmsReply.objects.create(
        organisation=world.org,
        idempotency_key="gw-crash",
        raw=json.dumps({"from": phone, "text": "STOP"}),
        received_at=timezone.now() - timedelta(minutes=5),
    )
    sweep_dispatches.call()
    assert SmsReply.objects.get().outcome == SmsReply.Outcome.UNSUBSCRIBED
    assert not SmsSubscriber.objects.get(phone=phone).is_active
    assert alerts.sms_reply_sweep() == 0  # handled once

"""Citizen notifications over real channels: SMTP (aiosmtpd), Netgsm and a generic SMS
gateway (local HTTP servers speaking their APIs), a signed social webhook; attempts,
back-off, fallback from SMS to e-mail, templates per language."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from kent360.core.errors import DomainError
from kent360.notifications import services
from kent360.notifications.models import DeliveryAttempt, Notification
from kent360.notifications.tests.helpers import save_received_email_wording
from kent360.organizations.models import Role
from kent360.requests import services as req_services


def test_received_by_email_over_smtp_with_tracking_code(
    world, make_request, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = make_request(channel="email", contact_phone="")
    n = Notification.objects.get(request=r)
    assert n.status == Notification.Status.SENT and n.kind == "received"
    assert len(smtp_server.messages) == 1
    msg = smtp_server.messages[0]
    assert msg["To"] == "sukru@example.org"
    assert r.tracking_code in msg["Subject"]
    body = smtp_server.bodies()[0]
    assert "Sayın Şükrü Çağlayan" in body and f"/track/{r.tracking_code}/" in body
    attempt = DeliveryAttempt.objects.get(notification=n)
    assert attempt.status == "sent" and attempt.number == 1


def test_queueing_the_same_event_twice_sends_once(
    world, make_request, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = make_request(channel="email")
        event = r.events.get(type="created")
        again = services.notification_queue_for_event(request=r, event=event)
    assert again == []
    assert Notification.objects.filter(request=r).count() == 1
    assert len(smtp_server.messages) == 1


def test_phone_request_gets_sms_through_netgsm(
    world, make_request, netgsm, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = make_request(channel="phone")
    n = Notification.objects.get(request=r)
    assert n.channel == "sms" and n.status == "sent" and n.provider_ref == "1234567890"
    call = netgsm.requests[0]
    assert call["path"] == "/sms/send/get/"
    assert call["query"]["gsmno"] == "905321112233"
    assert call["query"]["usercode"] == "8503091122"
    assert call["query"]["msgheader"] == "BORNOVABLD"
    assert r.tracking_code in call["query"]["message"]
    assert smtp_server.messages == []


def test_failed_sms_falls_back_to_email(
    world, make_request, netgsm, smtp_server, django_capture_on_commit_callbacks
):
    netgsm.body = "30"  # Netgsm: invalid credentials — permanent
    with django_capture_on_commit_callbacks(execute=True):
        r = make_request(channel="phone")
    sms = Notification.objects.get(request=r, channel="sms")
    assert sms.status == Notification.Status.ABANDONED
    assert "netgsm 30" in sms.last_error
    attempt = sms.delivery_attempts.get()
    assert attempt.status == "failed" and attempt.permanent
    email = Notification.objects.get(request=r, channel="email")
    assert email.fallback_of == sms and email.status == "sent"
    assert len(smtp_server.messages) == 1
    assert r.tracking_code in smtp_server.bodies()[0]


def test_temporary_sms_failure_is_retried_with_backoff_then_falls_back(
    world, make_request, netgsm, smtp_server, django_capture_on_commit_callbacks
):
    netgsm.status, netgsm.body = 503, "busy"
    with django_capture_on_commit_callbacks(execute=True):
        r = make_request(channel="phone")
    sms = Notification.objects.get(request=r, channel="sms")
    assert sms.status == Notification.Status.FAILED and sms.attempts == 1
    assert sms.next_attempt_at > timezone.now() + timedelta(minutes=1)
    assert services.notification_sweep() == 0  # not due yet
    for minutes in (3, 8):
        with (
            time_machine.travel(timezone.now() + timedelta(minutes=minutes)),
            django_capture_on_commit_callbacks(execute=True),
        ):
            services.notification_sweep()
    sms.refresh_from_db()
    assert sms.attempts == 3 and sms.status == Notification.Status.ABANDONED
    assert [a.status for a in sms.delivery_attempts.all()] == ["failed"] * 3
    assert len(netgsm.requests) == 3
    assert Notification.objects.get(request=r, channel="email").status == "sent"
    assert len(smtp_server.messages) == 1


def test_generic_gateway_posts_json_with_renamed_fields(
    world, make_request, http_endpoint, settings, django_capture_on_commit_callbacks
):
    settings.KENT360_SMS_PROVIDER = "generic"
    settings.KENT360_SMS_URL = http_endpoint.url + "/v1/sms"
    settings.KENT360_SMS_TOKEN = "tok"
    settings.KENT360_SMS_SENDER = "KENT360"
    settings.KENT360_SMS_FIELDS = "to=gsm,text=message"
    with django_capture_on_commit_callbacks(execute=True):
        r = make_request(channel="desk", contact_email="")
    call = http_endpoint.requests[0]
    assert call["method"] == "POST" and call["path"] == "/v1/sms"
    assert call["headers"]["Authorization"] == "Bearer tok"
    assert call["json"]["gsm"] == "+905321112233" and call["json"]["sender"] == "KENT360"
    assert r.tracking_code in call["json"]["message"]
    notification = Notification.objects.get(request=r)
    assert notification.provider_ref == "msg-42"
    assert call["json"]["reference"] == f"notification-{notification.pk}"


def test_social_request_is_answered_on_the_signed_webhook(
    world, make_request, http_endpoint, settings, django_capture_on_commit_callbacks
):
    settings.KENT360_SOCIAL_WEBHOOK_URL = http_endpoint.url + "/reply"
    settings.KENT360_SOCIAL_WEBHOOK_SECRET = "hook-secret"
    with django_capture_on_commit_callbacks(execute=True):
        r = make_request(channel="social", external_ref="109876543210")
    call = http_endpoint.requests[0]
    payload = json.loads(call["body"])
    assert payload["in_reply_to"] == "109876543210"
    assert payload["tracking_code"] == r.tracking_code
    expected = hmac.new(b"hook-secret", call["body"], hashlib.sha256).hexdigest()
    assert call["headers"]["X-Kent360-Signature"] == f"sha256={expected}"
    assert Notification.objects.get(request=r).channel == "social"


def test_persian_citizen_gets_persian_text_and_org_template_overrides(
    world, make_request, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = make_request(channel="email", language="fa", contact_name="مریم رضایی")
    assert "کد پیگیری" in smtp_server.bodies()[0]
    save_received_email_wording(world.staff[Role.ORG_ADMIN])
    with django_capture_on_commit_callbacks(execute=True):
        r2 = make_request(channel="email")
    assert smtp_server.messages[-1]["Subject"] == f"Bornova: {r2.tracking_code}"
    assert smtp_server.bodies()[-1].strip() == f"Başvurunuz bize ulaştı ({r2.tracking_code})."
    assert r.tracking_code != r2.tracking_code


def test_template_with_a_syntax_error_or_by_a_non_admin_is_refused(world):
    with pytest.raises(DomainError):
        save_received_email_wording(world.staff[Role.ORG_ADMIN], subject="x", body="{% if %}")
    with pytest.raises(DomainError):
        save_received_email_wording(world.staff[Role.AGENT], subject="x", body="ok")


def test_every_public_change_notifies(
    world, make_request, smtp_server, django_capture_on_commit_callbacks
):
    pr = world.staff[Role.PR_MANAGER]
    with django_capture_on_commit_callbacks(execute=True):
        r = make_request(channel="email")
        req_services.request_assign(request=r, actor=pr, directorate=world.fen)
        req_services.request_answer(request=r, actor=pr, answer="Çukur kapatıldı.")
        req_services.request_close(request=r, actor=pr)
        req_services.request_reopen(request=r, actor=pr, reason="Yine açıldı")
    kinds = list(
        Notification.objects.filter(request=r).order_by("id").values_list("kind", flat=True)
    )
    assert kinds == ["received", "assigned", "answered", "closed", "reopened"]
    assert len(smtp_server.messages) == 5
    answered = smtp_server.bodies()[2]
    assert "Çukur kapatıldı." in answered and "?t=" in answered


def test_admin_edits_templates_in_the_browser_page(world, client):
    from kent360.testing import login

    login(client, world.staff[Role.ORG_ADMIN])
    page = client.get("/notifications/templates/?kind=answered&channel=sms&language=en")
    assert page.status_code == 200 and b"template-editor" in page.content
    response = client.post(
        "/notifications/templates/",
        {
            "kind": "answered",
            "channel": "sms",
            "language": "en",
            "subject": "",
            "body": "Answered: {{ code }}",
            "op": "save",
        },
    )
    assert response.status_code == 302
    row = services.template_for(
        organisation_id=world.org.pk, kind="answered", channel="sms", language="en"
    )
    assert row == ("", "Answered: {{ code }}")
    login(client, world.staff[Role.AGENT])
    assert client.get("/notifications/templates/").status_code == 403

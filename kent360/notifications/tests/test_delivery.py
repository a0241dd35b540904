from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from kent360.notifications.models import Notification
from kent360.notifications.services import notification_deliver, notification_sweep
from kent360.organizations.models import Role
from kent360.requests import services

pytestmark = pytest.mark.django_db(transaction=True)


def test_citizen_gets_tracking_code_by_real_smtp(world, make_request, smtp_sink):
    r = make_request(contact_email="ayse@example.org")
    n = Notification.objects.get(request=r)
    assert n.status == Notification.Status.SENT and n.attempts == 1
    assert len(smtp_sink.messages) == 1
    message = smtp_sink.messages[0]
    assert message["To"] == "ayse@example.org"
    assert r.tracking_code in message["Subject"]
    assert f"/track/{r.tracking_code}/" in message.get_content()


def test_every_public_change_is_told_once_internal_notes_never(world, make_request, smtp_sink):
    r = make_request(contact_email="ayse@example.org")
    pr = world.staff[Role.PR_MANAGER]
    services.request_add_note(request=r, actor=pr, text="iç not")
    services.request_assign(request=r, actor=pr, directorate=world.fen)
    services.request_answer(request=r, actor=pr, answer="Tamamlandı.")
    bodies = [m.get_content() for m in smtp_sink.messages]
    assert len(bodies) == 3  # received, assigned, answered
    assert not any("iç not" in b for b in bodies)
    assert "Tamamlandı." in bodies[-1]
    # delivering again (a retried task, a second sweep) sends nothing more
    for n in Notification.objects.all():
        assert notification_deliver(notification_id=n.pk) is None
    assert notification_sweep() == 0
    assert len(smtp_sink.messages) == 3


def test_failed_delivery_is_retried_with_backoff(world, make_request, settings, smtp_sink):
    port = smtp_sink.port
    smtp_sink.stop()  # the mail server is down
    r = make_request(contact_email="ayse@example.org")
    n = Notification.objects.get(request=r)
    assert n.status == Notification.Status.FAILED and n.attempts == 1 and n.last_error
    assert n.next_attempt_at > timezone.now()
    assert notification_sweep() == 0  # not due yet
    from kent360.testing import SmtpSink

    sink = SmtpSink()
    sink.controller.port = port
    sink.start()
    try:
        with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=False):
            assert notification_sweep() == 1
        n.refresh_from_db()
        assert n.status == Notification.Status.SENT and n.attempts == 2
        assert len(sink.messages) == 1
    finally:
        sink.stop()

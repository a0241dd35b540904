"""Followers of a request hear of its public steps as soon as the step commits."""

import pytest

from kent360.core.models import AuditEvent
from kent360.intake.followers import followers_notify
from kent360.intake.services import request_follow
from kent360.notifications.models import Notification
from kent360.notifications.services import Follower, notification_queue_for_followers
from kent360.organizations.models import Role
from kent360.requests import services


def test_queue_for_followers_is_idempotent_and_hides_the_reporter(world, make_request):
    r = make_request(contact_name="Şükrü Çağlayan", contact_email="sukru@example.org")
    event = r.events.get(type="created")
    followers = [Follower(key="9", email="leyla@example.org", language="en"), Follower("10", "")]
    [n] = notification_queue_for_followers(request=r, event=event, followers=followers)
    assert n.recipient == "leyla@example.org" and n.language == "en"
    assert n.key == f"event:{event.pk}:email:follower:9"
    assert "Şükrü" not in n.body and "Dear" not in n.body and r.tracking_code in n.body
    assert notification_queue_for_followers(request=r, event=event, followers=followers) == []
    assert AuditEvent.objects.filter(action="notification.followers_queued").count() == 1
    note = services.request_add_note(request=r, actor=world.staff[Role.PR_MANAGER], text="iç")
    assert notification_queue_for_followers(request=r, event=note, followers=followers) == []


@pytest.mark.django_db(transaction=True)
def test_follower_is_mailed_on_commit_without_waiting_for_the_sweep(
    world, make_request, smtp_server
):
    r = make_request(contact_email="sukru@example.org")
    request_follow(
        request=r,
        actor=world.staff[Role.AGENT],
        reason="same_issue",
        name="Leyla Aydın",
        phone="0533 999 88 77",
        email="leyla@example.org",
    )
    smtp_server.messages.clear()
    services.request_assign(request=r, actor=world.staff[Role.PR_MANAGER], directorate=world.fen)
    to = sorted(m["To"] for m in smtp_server.messages)
    assert to == ["leyla@example.org", "sukru@example.org"]
    leyla = Notification.objects.get(recipient="leyla@example.org")
    assert leyla.status == Notification.Status.SENT
    # the sweep (safety net) finds nothing left to do, and sends nothing twice
    assert followers_notify() == 0
    assert len(smtp_server.messages) == 2
    # a citizen's own follow-up message is not news for followers
    services.request_record_citizen_message(request=r, text="Ek bilgi", channel="web")
    assert followers_notify() == 0
    assert Notification.objects.filter(recipient="leyla@example.org").count() == 1

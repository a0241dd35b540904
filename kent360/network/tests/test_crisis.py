from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kent360.core.errors import DomainError, InvalidTransition, NotAllowed
from kent360.network import services
from kent360.network.models import Dispatch
from kent360.network.tests.sms import use_local_gateway
from kent360.organizations.models import Role
from kent360.press.models import Release
from kent360.requests.services import request_create
from kent360.social import services as social_services
from kent360.social.tests.servers import fake_api
from kent360.testing import login

pytestmark = pytest.mark.django_db


def test_one_approval_publishes_to_newsroom_mastodon_and_sms(
    net, client, settings, django_capture_on_commit_callbacks
):
    metro_pr = net.s("izmir", Role.PR_MANAGER)
    with fake_api() as api:
        use_local_gateway(settings, api)
        bornova_org = net.districts["bornova"]
        mastodon = social_services.account_create(
            organisation=bornova_org,
            actor=net.s("bornova", Role.ORG_ADMIN),
            network="mastodon",
            name="Bornova",
            api_base=api.url,
            access_token="secret-token",
        )
        services.sms_subscribe(organisation=bornova_org, phone="0532 111 22 33")
        services.sms_subscribe(organisation=bornova_org, phone="+90 533 444 55 66")
        services.sms_subscribe(organisation=net.districts["buca"], phone="05051234567")

        crisis = services.crisis_open(
            actor=metro_pr, title="Sel: Bayraklı ve Bornova", kind="flood"
        )
        services.crisis_set_channels(
            actor=net.s("bornova", Role.PRESS_OFFICER),
            crisis=crisis,
            newsroom=True,
            sms=True,
            accounts=[mastodon],
        )
        services.crisis_set_channels(
            actor=net.s("buca", Role.PRESS_OFFICER),
            crisis=crisis,
            newsroom=False,
            sms=True,
            accounts=[],
        )
        with pytest.raises(DomainError):
            services.crisis_set_channels(
                actor=net.s("buca", Role.PRESS_OFFICER),
                crisis=crisis,
                newsroom=True,
                sms=False,
                accounts=[mastodon],
            )

        message = services.crisis_message_draft(
            actor=net.s("izmir", Role.PRESS_OFFICER),
            crisis=crisis,
            title="Sel uyarısı",
            text="Dere yataklarından uzak durun.\nAcil durumda 112'yi arayın.",
        )
        with pytest.raises(NotAllowed):
            services.crisis_message_approve(
                actor=net.s("bornova", Role.PR_MANAGER), message=message
            )
        with pytest.raises(InvalidTransition):
            services.crisis_message_publish(actor=metro_pr, message=message)
        services.crisis_message_approve(actor=metro_pr, message=message)
        with django_capture_on_commit_callbacks(execute=True):
            dispatches = services.crisis_message_publish(actor=metro_pr, message=message)

        board = {
            (d.organisation.slug, d.slot): d
            for d in Dispatch.objects.select_related("organisation")
        }
        assert set(board) == {
            ("izmir", "newsroom"),
            ("karsiyaka", "newsroom"),
            ("bornova", "newsroom"),
            ("bornova", "sms"),
            ("bornova", f"social:{mastodon.pk}"),
            ("buca", "sms"),
        }
        assert len(dispatches) == 6
        assert all(d.state == Dispatch.State.SENT for d in board.values()), {
            k: (d.state, d.last_error) for k, d in board.items()
        }
        statuses = [r for r in api.received if r.path == "/api/v1/statuses"]
        assert len(statuses) == 1 and statuses[0].json["status"].startswith("Dere yataklarından")
        sms = sorted(
            (r.json for r in api.received if r.path == "/sms/messages"), key=lambda j: len(j["to"])
        )
        assert [s["to"] for s in sms] == [["+905051234567"], ["+905321112233", "+905334445566"]]
        assert board[("bornova", "sms")].detail == "2"
        # one submission per dispatch, with a reference stable across retries
        assert {s["reference"] for s in sms} == {
            f"crisis-dispatch-{board[('bornova', 'sms')].pk}",
            f"crisis-dispatch-{board[('buca', 'sms')].pk}",
        }
        assert {s["from"] for s in sms} == {"BELEDIYE"}
        assert board[("bornova", "sms")].external_ref.startswith("sms")

        # a second run of the sender changes nothing
        services.dispatch_sweep(now=timezone.now() + timedelta(hours=1))
        services.crisis_message_send(message_id=message.pk)
        assert len(api.received) == 3

    assert Release.objects.filter(translations__title="Sel uyarısı").count() == 3
    for slug in ("izmir", "karsiyaka", "bornova"):
        assert "Sel uyarısı" in client.get(f"/newsroom/{slug}/").content.decode(), slug
    assert "Sel uyarısı" not in client.get("/newsroom/buca/").content.decode()

    login(client, net.s("buca", Role.PRESS_OFFICER))
    page = client.get(f"/network/crisis/{crisis.pk}/").content.decode()
    assert page.count('data-state="sent"') == 6


def test_crisis_requests_are_counted_live(net, client):
    metro_pr = net.s("izmir", Role.PR_MANAGER)
    crisis = services.crisis_open(actor=metro_pr, title="Elektrik kesintisi", kind="outage")
    agent = net.s("bornova", Role.AGENT)
    officer = net.s("bornova", Role.PR_MANAGER)
    reqs = [
        request_create(
            organisation=agent.organisation,
            actor=agent,
            channel="phone",
            subject="Elektrik yok",
            text=f"Sokakta elektrik yok {i}",
        ).request
        for i in range(3)
    ]
    for r in reqs:
        services.crisis_tag_request(actor=officer, crisis=crisis, request=r)
    services.crisis_tag_request(actor=officer, crisis=crisis, request=reqs[0])  # twice: one link
    with pytest.raises(NotAllowed):
        services.crisis_tag_request(
            actor=net.s("buca", Role.PR_MANAGER), crisis=crisis, request=reqs[1]
        )
    login(client, metro_pr)
    live = client.get(f"/network/crisis/{crisis.pk}/live/", HTTP_HX_REQUEST="true").content.decode()
    assert '<strong id="request-count">3</strong>' in live and 'hx-trigger="every 5s"' in live
    assert "Sokakta elektrik" not in live  # counts only, no citizen text across organisations

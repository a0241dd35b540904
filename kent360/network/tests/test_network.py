from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from kent360.core.errors import DomainError, NotAllowed
from kent360.network import selectors, services
from kent360.network.models import Participation
from kent360.organizations.models import Role
from kent360.press import services as press_services
from kent360.testing import login

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Europe/Istanbul")


def test_campaign_shared_with_three_members_keeps_drafts_private(net, client):
    metro_pr = net.s("izmir", Role.PR_MANAGER)
    campaign = services.campaign_create(
        actor=metro_pr, title="Su tasarrufu", message="Suyu idareli kullanalım."
    )
    assert campaign.participations.count() == 3
    bornova, karsiyaka, buca = (
        net.s(s, Role.PRESS_OFFICER) for s in ("bornova", "karsiyaka", "buca")
    )
    services.participation_adapt(
        actor=bornova, campaign=campaign, text="Bornova'da suyu idareli kullanalım (taslak)"
    )
    services.participation_adapt(
        actor=karsiyaka, campaign=campaign, text="Karşıyaka için su çağrısı"
    )
    services.participation_confirm(actor=karsiyaka, campaign=campaign)
    services.participation_confirm(actor=buca, campaign=campaign)

    # each member sees the campaign but only its own participation
    for staff in (bornova, karsiyaka, buca):
        assert selectors.campaign_get(staff=staff, pk=campaign.pk) == campaign
        rows = selectors.participations(staff=staff, campaign=campaign)
        assert [r["p"].organisation_id for r in rows] == [staff.organisation_id]
    login(client, karsiyaka)
    page = client.get(f"/network/campaigns/{campaign.pk}/").content.decode()
    assert "Karşıyaka için su çağrısı" in page and "(taslak)" not in page

    # the metropolitan sees progress, but Bornova's unconfirmed draft stays Bornova's
    rows = {
        r["p"].organisation.slug: r
        for r in selectors.participations(staff=metro_pr, campaign=campaign)
    }
    assert (
        rows["bornova"]["p"].state == Participation.State.ADAPTING
        and rows["bornova"]["text"] is None
    )
    assert rows["karsiyaka"]["text"] == "Karşıyaka için su çağrısı"
    login(client, metro_pr)
    page = client.get(f"/network/campaigns/{campaign.pk}/").content.decode()
    assert "Karşıyaka için su çağrısı" in page and "(taslak)" not in page
    assert page.count('data-state="confirmed"') == 2

    # an organisation outside the network sees nothing
    from kent360.organizations import services as org_services

    outsider_org = org_services.organisation_create(name="Tahran 6", slug="tehran6")
    outsider = org_services.staff_create(
        organisation=outsider_org, username="t6", password="x-pass-123", role=Role.PR_MANAGER
    )
    login(client, outsider)
    assert client.get(f"/network/campaigns/{campaign.pk}/").status_code == 404
    with pytest.raises(NotAllowed):
        services.participation_confirm(actor=outsider, campaign=campaign)


def test_district_cannot_see_another_districts_drafts_and_metro_sees_only_shared(net, client):
    bornova = net.s("bornova", Role.PRESS_OFFICER)
    draft = press_services.release_create(
        organisation=bornova.organisation,
        actor=bornova,
        title="Bornova gizli taslak",
        body="<p>x</p>",
        shared_with_network=True,
    )
    shared = press_services.release_create(
        organisation=bornova.organisation,
        actor=bornova,
        title="Bornova ortak duyuru",
        body="<p>y</p>",
        shared_with_network=True,
    )
    private = press_services.release_create(
        organisation=bornova.organisation,
        actor=bornova,
        title="Bornova yerel duyuru",
        body="<p>z</p>",
    )
    for r in (shared, private):
        press_services.release_transition(release=r, actor=bornova, action="submit")
        press_services.release_transition(
            release=r, actor=net.s("bornova", Role.PR_MANAGER), action="approve"
        )
        press_services.release_transition(release=r, actor=bornova, action="publish")
    karsiyaka = net.s("karsiyaka", Role.PR_MANAGER)
    metro = net.s("izmir", Role.PR_MANAGER)
    for staff in (karsiyaka, metro):
        titles = [str(r) for r in selectors.shared_releases(staff=staff)]
        assert titles == ["Bornova ortak duyuru"]
        login(client, staff)
        assert client.get(f"/press/{draft.pk}/").status_code == 404
        page = client.get("/network/").content.decode()
        assert (
            "Bornova ortak duyuru" in page
            and "gizli taslak" not in page
            and "yerel duyuru" not in page
        )

    # shared calendar: shared events of every member, never another member's private ones
    start = datetime(2026, 12, 5, 10, tzinfo=IST)
    press_services.event_create(
        organisation=bornova.organisation,
        actor=bornova,
        title="Bornova ortak etkinlik",
        kind="opening",
        starts_at=start,
        shared_with_network=True,
    )
    press_services.event_create(
        organisation=bornova.organisation,
        actor=bornova,
        title="Bornova iç etkinlik",
        kind="other",
        starts_at=start,
    )
    events = selectors.shared_events(
        staff=karsiyaka, start=start - timedelta(days=1), end=start + timedelta(days=1)
    )
    assert [e.title for e in events] == ["Bornova ortak etkinlik"]
    login(client, metro)
    page = client.get("/network/calendar/?view=list&date=2026-12-01").content.decode()
    assert "Bornova ortak etkinlik" in page and "iç etkinlik" not in page


def test_directory_and_meetings(net, client):
    metro = net.s("izmir", Role.PRESS_OFFICER)
    meeting = services.meeting_create(
        actor=metro,
        title="Haftalık koordinasyon",
        held_on=timezone.localdate(),
        actions=[
            {
                "text": "Deprem tatbikatı duyurusu",
                "organisation": net.districts["buca"],
                "owner": net.s("buca", Role.PRESS_OFFICER),
            }
        ],
    )
    item = meeting.actions.get()
    with pytest.raises(NotAllowed):
        services.action_item_done(actor=net.s("bornova", Role.PRESS_OFFICER), item=item)
    services.action_item_done(actor=net.s("buca", Role.PRESS_OFFICER), item=item)
    with pytest.raises(DomainError):
        services.meeting_create(
            actor=metro,
            title="x",
            held_on=timezone.localdate(),
            actions=[
                {
                    "text": "y",
                    "organisation": net.districts["buca"],
                    "owner": net.s("bornova", Role.PRESS_OFFICER),
                }
            ],
        )
    login(client, net.s("bornova", Role.PR_MANAGER))
    assert (
        "Deprem tatbikatı duyurusu"
        in client.get(f"/network/meetings/{meeting.pk}/").content.decode()
    )
    directory = client.get("/network/directory/").content.decode()
    assert all(
        name in directory
        for name in ("Buca Belediyesi", "Karşıyaka Belediyesi", "İzmir Büyükşehir Belediyesi")
    )

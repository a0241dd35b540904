from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from kent360.network import services
from kent360.network.models import Participation
from kent360.organizations.models import Role

pytestmark = pytest.mark.django_db


def api_for(staff) -> APIClient:
    client = APIClient()
    client.force_authenticate(staff.user)
    return client


def test_member_reads_and_confirms_a_campaign_seeing_only_its_own_participation(net):
    campaign = services.campaign_create(
        actor=net.s("izmir", Role.PR_MANAGER), title="Su tasarrufu", message="Suyu idareli kullan"
    )
    bornova = api_for(net.s("bornova", Role.PRESS_OFFICER))
    listed = bornova.get("/api/v1/network/campaigns/").json()
    assert [c["id"] for c in listed["results"]] == [campaign.pk]
    detail = bornova.get(f"/api/v1/network/campaigns/{campaign.pk}/").json()
    assert [p["organisation"] for p in detail["participations"]] == ["bornova"]
    confirmed = bornova.post(
        f"/api/v1/network/campaigns/{campaign.pk}/confirm/",
        {"text": "Bornova: suyu idareli kullanalım"},
        format="json",
    )
    assert confirmed.status_code == 200
    assert confirmed.json()["participations"][0]["state"] == "confirmed"
    p = Participation.objects.get(campaign=campaign, organisation=net.districts["bornova"])
    assert p.adapted_text == "Bornova: suyu idareli kullanalım"
    # the owner sees every member, but a text only once it is confirmed
    owner = api_for(net.s("izmir", Role.PRESS_OFFICER)).get(
        f"/api/v1/network/campaigns/{campaign.pk}/"
    )
    texts = {p["organisation"]: p["text"] for p in owner.json()["participations"]}
    assert texts["bornova"] == "Bornova: suyu idareli kullanalım" and texts["buca"] is None


def _outsider():
    from kent360.organizations import services as org_services
    from kent360.testing import PASSWORD

    org = org_services.organisation_create(name="Ankara", slug="ankara", code_prefix="ANK")
    return org_services.staff_create(
        organisation=org, username="ankara-pr", password=PASSWORD, role=Role.PR_MANAGER
    )


def test_crises_are_read_with_counts_and_outsiders_get_404_or_403(net):
    crisis = services.crisis_open(actor=net.s("izmir", Role.PR_MANAGER), title="Sel", kind="flood")
    buca = api_for(net.s("buca", Role.PRESS_OFFICER))
    detail = buca.get(f"/api/v1/network/crises/{crisis.pk}/").json()
    assert detail["code"] == crisis.code and detail["requests"]["total"] == 0
    outsider = api_for(_outsider())  # an organisation outside this network
    assert outsider.get(f"/api/v1/network/crises/{crisis.pk}/").status_code == 404
    assert outsider.get("/api/v1/network/crises/").json()["count"] == 0
    campaign = services.campaign_create(
        actor=net.s("izmir", Role.PR_MANAGER), title="Kampanya", message="Mesaj"
    )
    assert outsider.get(f"/api/v1/network/campaigns/{campaign.pk}/").status_code == 404
    refused = outsider.post(f"/api/v1/network/campaigns/{campaign.pk}/confirm/")
    assert refused.status_code == 404
    agent = api_for(net.s("bornova", Role.AGENT))
    assert agent.get("/api/v1/network/crises/").status_code == 403
    assert agent.post(f"/api/v1/network/campaigns/{campaign.pk}/confirm/").status_code == 403
    # the campaign's owner does not take part in it: confirming is refused with 403
    owner = api_for(net.s("izmir", Role.PRESS_OFFICER))
    assert owner.post(f"/api/v1/network/campaigns/{campaign.pk}/confirm/").status_code == 403

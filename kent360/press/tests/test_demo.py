import pytest

from kent360.network.models import Campaign
from kent360.press.demo import load_demo
from kent360.press.models import Event, Journalist, Release

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent():
    from kent360.core.demo.loader import load_demo as core_demo

    core_demo(requests_per_org=2)
    assert load_demo() == {"releases": 3}
    assert load_demo() == {"releases": 0}
    assert Release.objects.filter(organisation__slug="bornova").count() == 3
    assert Release.objects.filter(organisation__slug="bornova", state="published").count() == 1
    assert Journalist.objects.filter(organisation__slug="bornova").count() == 3
    assert Event.objects.filter(organisation__slug="bornova").count() == 1
    campaign = Campaign.objects.get(organisation__slug="izmir")
    assert [p.organisation.slug for p in campaign.participations.all()] == ["bornova"]

"""The bulk generator behind `kent360 demo --scale N` and the benchmarks: requests with
their events and their citizens, consistent with each other (PostgreSQL COPY)."""

from __future__ import annotations

import pytest
from django.db import connection

from kent360.citizens.models import Citizen
from kent360.citizens.services import citizen_match_or_create
from kent360.reports import scale
from kent360.requests.models import Request, RequestEvent

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the generator uses PostgreSQL's COPY"
)


@pytest.mark.django_db(transaction=True)
def test_generated_requests_come_with_events_and_citizens_who_can_be_matched():
    from kent360.testing import _make_org

    org, _dirs, _cats, _staff = _make_org("bornova", "Bornova Belediyesi", "BRN")
    figures = scale.generate(
        n=3000, organisation_slug="bornova", log=lambda _m: None, rollups=False
    )
    assert figures["per_s"] > 0
    requests = Request.objects.filter(organisation=org)
    assert requests.count() == 3000
    assert RequestEvent.objects.filter(request__organisation=org).count() >= 3000
    assert not requests.exclude(events__type="created").exists()  # every one has its first

    citizens = Citizen.objects.filter(organisation=org)
    assert citizens.count() == int(3000 * scale.CITIZENS_PER_REQUEST)
    assert citizens.values("phone").distinct().count() == citizens.count()
    known = requests.exclude(citizen=None)
    # about four in five requests have a citizen; some citizens wrote several times
    assert 0.7 < known.count() / 3000 < 0.9
    assert known.values("citizen").distinct().count() < known.count()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM requests_request r JOIN citizens_citizen c "
            "ON c.id = r.citizen_id WHERE r.contact_phone <> c.phone"
        )
        assert cursor.fetchone()[0] == 0

    # a caller with a generated number is the generated citizen, as an API create finds it
    sample = known.select_related("citizen").first()
    found = citizen_match_or_create(organisation=org, phone=sample.contact_phone)
    assert found is not None and found.pk == sample.citizen_id
    assert scale.citizen_phone(sample.citizen_id) == sample.citizen.phone

"""Message templates on the API's hot path: the organisation's own wording is kept per
process like other reference rows (an edit counts from the next request on), templates
are compiled once, and queueing the same message twice writes one row without a
savepoint."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from kent360.core import refcache
from kent360.core.fastsql import insert_new
from kent360.notifications import services
from kent360.notifications.models import Notification
from kent360.notifications.tests.helpers import save_received_email_wording
from kent360.organizations.models import Role
from kent360.testing import api_client_for


def _api(world) -> APIClient:
    return api_client_for(world.staff[Role.AGENT], name="çağrı")


def test_an_admins_new_wording_reaches_the_next_api_create(world, smtp_server):
    refcache.clear()
    api = _api(world)
    body = {
        "subject": "Çöp",
        "text": "Konteyner taştı.",
        "category": "cop",
        "contact_email": "gulsen@example.org",
    }
    first = api.post("/api/v1/requests/", body, format="json").json()["tracking_code"]
    second = api.post("/api/v1/requests/", body, format="json").json()["tracking_code"]
    subjects = dict(Notification.objects.values_list("request__tracking_code", "subject"))
    assert first in subjects[first] and subjects[first] != f"Bornova: {first}"
    assert subjects[second].replace(second, first) == subjects[first]
    save_received_email_wording(world.staff[Role.ORG_ADMIN])
    third = api.post("/api/v1/requests/", body, format="json").json()["tracking_code"]
    assert Notification.objects.get(request__tracking_code=third).subject == f"Bornova: {third}"


def test_another_organisations_wording_is_not_used(world):
    save_received_email_wording(
        world.other_staff[Role.ORG_ADMIN], subject="Karşıyaka: {{ code }}", body="x"
    )
    subject, _body = services.template_for(
        organisation_id=world.org.pk, kind="received", channel="email", language="tr"
    )
    assert "Karşıyaka" not in subject
    theirs = services.template_for(
        organisation_id=world.other_org.pk, kind="received", channel="email", language="tr"
    )
    assert theirs == ("Karşıyaka: {{ code }}", "x")


def test_a_template_is_compiled_once_per_text():
    a = services._compiled("Sayın {{ name }}")
    assert services._compiled("Sayın {{ name }}") is a
    assert services._compiled("Sayın {{ name }}!") is not a


def test_the_same_key_twice_writes_one_row_in_one_statement(world, make_request):
    request = make_request(notify=False)

    def notification() -> Notification:
        return Notification(
            organisation_id=world.org.pk,
            request=request,
            key=f"event:test:{request.pk}",
            channel="email",
            recipient="a@example.org",
            kind="received",
            language="tr",
            subject="s",
            body="b",
        )

    with CaptureQueriesContext(connection) as queries:
        first = insert_new(notification(), unique="key")
        again = insert_new(notification(), unique="key")
    assert first is not None and first.pk and again is None
    assert len(queries) == 2  # no savepoints around them
    assert Notification.objects.filter(key=f"event:test:{request.pk}").count() == 1
    # the transaction is still usable after the refused duplicate
    assert Notification.objects.filter(pk=first.pk).exists()

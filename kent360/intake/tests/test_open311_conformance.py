"""GeoReport v2 conformance points checked against the specification text
(open311.github.io GeoReport_v2) and a public client library (PyPI ``georeport``)."""

import json

import pytest
from defusedxml import ElementTree as ET
from django.utils import timezone

from kent360.intake.keys import api_key_create
from kent360.intake.models import InboundMessage, ServiceAttribute
from kent360.organizations.models import Role
from kent360.requests import services
from kent360.requests.models import Request


@pytest.fixture
def key(world):
    return api_key_create(organisation=world.org, name="app", scope="open311", actor=None)[1]


def _post(client, fmt="json", **fields):
    data = {"jurisdiction_id": "bornova", "service_code": "asfalt", "lat": "38.46", "long": "27.2"}
    data.update(fields)
    return client.post(f"/open311/v2/requests.{fmt}", data)


def test_xml_declaration_is_utf8_with_double_quotes(world, client):
    body = client.get("/open311/v2/services.xml?jurisdiction_id=bornova").content
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert ET.fromstring(body).tag == "services"


def test_post_errors_use_the_documented_status_codes(world, client, key):
    unknown = _post(client, api_key=key, service_code="nope")
    assert unknown.status_code == 404  # the spec: service_code not found → 404
    assert json.loads(unknown.content)[0]["code"] == 404
    elsewhere = _post(client, api_key=key, jurisdiction_id="nowhere.example")
    assert elsewhere.status_code == 404 and "nowhere.example" in elsewhere.content.decode()
    half = _post(client, api_key=key, long="", address_string="")
    assert half.status_code == 400 and "lat and long" in json.loads(half.content)[0]["description"]
    long_text = _post(client, "xml", api_key=key, description="x" * 4001)
    assert long_text.status_code == 400
    assert "4000" in ET.fromstring(long_text.content).find("error/description").text
    assert Request.objects.count() == 0
    assert InboundMessage.objects.count() == 3  # every refused POST is kept raw


def test_post_echoes_account_id_and_reads_back_media_and_address_id(world, client, key):
    response = _post(
        client,
        api_key=key,
        account_id="acc-77",
        media_url="https://media.example.org/p/1.jpg",
        address_id="ADR-42",
        lat="",
        long="",
    )
    [row] = json.loads(response.content)
    assert row["account_id"] == "acc-77" and "token" not in row
    [got] = json.loads(
        client.get(
            f"/open311/v2/requests/{row['service_request_id']}.json?jurisdiction_id=bornova"
        ).content
    )
    assert got["media_url"] == "https://media.example.org/p/1.jpg"
    assert got["address_id"] == "ADR-42" and got["lat"] is None


def test_multivaluelist_attributes(world, client, key):
    ServiceAttribute.objects.create(
        organisation=world.org,
        category=world.cat_asfalt,
        code="hasar",
        description="Hasar",
        datatype="multivaluelist",
        required=True,
        order=1,
        values=[{"key": "cukur", "name": "Çukur"}, {"key": "catlak", "name": "Çatlak"}],
    )
    ok = client.post(
        "/open311/v2/requests.json",
        f"api_key={key}&jurisdiction_id=bornova&service_code=asfalt&lat=38.4&long=27.1"
        "&attribute[hasar][]=cukur&attribute[hasar][]=catlak",
        content_type="application/x-www-form-urlencoded",
    )
    assert ok.status_code == 200, ok.content
    assert "Hasar: cukur, catlak" in Request.objects.get().text
    bad = client.post(
        "/open311/v2/requests.json",
        f"api_key={key}&service_code=asfalt&lat=38.4&long=27.1&attribute[hasar][]=yok",
        content_type="application/x-www-form-urlencoded",
    )
    assert bad.status_code == 400 and "yok" in bad.content.decode()


def test_closed_request_reports_its_closing_time(world, client, make_request):
    r = make_request()
    pr = world.staff[Role.PR_MANAGER]
    services.request_assign(request=r, actor=pr, directorate=world.fen)
    services.request_answer(request=r, actor=pr, answer="Yama yapıldı.")
    services.request_close(request=r, actor=pr)
    r.refresh_from_db()
    closed_at = r.closed_at
    Request.objects.filter(pk=r.pk).update(updated_at=timezone.now() + timezone.timedelta(days=1))
    [got] = json.loads(
        client.get(f"/open311/v2/requests/{r.tracking_code}.json?jurisdiction_id=bornova").content
    )
    assert got["status"] == "closed" and got["status_notes"] == "Yama yapıldı."
    expected = closed_at.astimezone(timezone.get_fixed_timezone(180)).isoformat(timespec="seconds")
    assert got["updated_datetime"] == expected
    assert got["agency_responsible"] == "Fen İşleri Müdürlüğü"
    assert got["expected_datetime"].endswith("+03:00")


@pytest.mark.django_db(transaction=True)
def test_public_georeport_client_reads_our_server(world, live_server, make_request):
    """The PyPI client ``georeport`` (0.3.1) parses our JSON and XML as it expects."""
    import georeport

    r = make_request(address="İnönü Cd. 5, Bornova")
    for fmt in ("json", "xml"):
        client = georeport.GeoReport(
            f"{live_server.url}/open311/v2", jurisdiction="bornova", output_format=fmt
        )
        services_list = client.get_service_list()
        assert {s["service_code"] for s in services_list} == {"asfalt", "cop"}
        assert client.get_service_definition("asfalt")["service_code"] == "asfalt"
        one = client.get_service_request(r.tracking_code)
        assert one["service_request_id"] == r.tracking_code and one["status"] == "open"
        assert one["address"] == "İnönü Cd. 5, Bornova"
        many = client.get_service_requests(status="open", service_code="asfalt")
        # xmltodict gives a dict for a single <request>, a list for several
        many = many if isinstance(many, list) else [many]
        assert [m["service_request_id"] for m in many] == [r.tracking_code]


def test_jurisdiction_id_may_be_the_website_domain(world, client, key):
    world.org.website = "https://www.bornova.bel.tr/"
    world.org.save()
    services_list = json.loads(
        client.get("/open311/v2/services.json?jurisdiction_id=bornova.bel.tr").content
    )
    assert {s["service_code"] for s in services_list} == {"asfalt", "cop"}
    assert _post(client, api_key=key, jurisdiction_id="bornova.bel.tr").status_code == 200
    assert client.get("/open311/v2/services.json?jurisdiction_id=bel.tr").status_code == 404

"""Open311 GeoReport v2: every endpoint in JSON and XML, errors in the documented shape."""

import io
import json
import re
from datetime import timedelta

import pytest
from defusedxml import ElementTree as ET
from django.core.management import call_command
from django.utils import timezone

from kent360.intake.keys import api_key_create
from kent360.intake.models import InboundMessage, ServiceAttribute, Status
from kent360.requests.models import Request

W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


@pytest.fixture
def key(world):
    return api_key_create(organisation=world.org, name="FixMyStreet", scope="open311", actor=None)[
        1
    ]


def _json(response):
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def _xml(response):
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)


def test_discovery_and_services(world, client):
    d = _json(client.get("/open311/v2/discovery.json?jurisdiction_id=bornova"))
    assert d["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert d["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    services = _json(client.get("/open311/v2/services.json?jurisdiction_id=bornova"))
    codes = {s["service_code"]: s for s in services}
    assert set(codes) == {"asfalt", "cop"}
    assert codes["asfalt"]["type"] == "realtime" and codes["asfalt"]["metadata"] is False
    assert codes["asfalt"]["group"] == "Fen İşleri Müdürlüğü"
    root = _xml(client.get("/open311/v2/services.xml?jurisdiction_id=bornova"))
    assert root.tag == "services" and root.find("service/service_code") is not None
    assert {e.text for e in root.iter("metadata")} == {"false"}


def test_service_definition_with_attributes(world, client):
    ServiceAttribute.objects.create(
        organisation=world.org,
        category=world.cat_asfalt,
        code="depth",
        description="Çukur derinliği",
        datatype="singlevaluelist",
        required=True,
        order=1,
        values=[{"key": "shallow", "name": "Sığ"}, {"key": "deep", "name": "Derin"}],
    )
    d = _json(client.get("/open311/v2/services/asfalt.json?jurisdiction_id=bornova"))
    assert d["service_code"] == "asfalt"
    attr = d["attributes"][0]
    assert attr == {
        "variable": True,
        "code": "depth",
        "datatype": "singlevaluelist",
        "required": True,
        "datatype_description": None,
        "order": 1,
        "description": "Çukur derinliği",
        "values": [{"key": "shallow", "name": "Sığ"}, {"key": "deep", "name": "Derin"}],
    }
    root = _xml(client.get("/open311/v2/services/asfalt.xml?jurisdiction_id=bornova"))
    assert root.tag == "service_definition"
    assert [v.text for v in root.findall("attributes/attribute/values/value/key")] == [
        "shallow",
        "deep",
    ]
    services = _json(client.get("/open311/v2/services.json?jurisdiction_id=bornova"))
    assert {s["service_code"]: s["metadata"] for s in services}["asfalt"] is True
    missing = client.get("/open311/v2/services/nope.xml?jurisdiction_id=bornova")
    assert missing.status_code == 404
    assert _xml(missing).find("error/code").text == "404"


def test_post_request_then_read_it_back_in_both_formats(world, client, key):
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "jurisdiction_id": "bornova",
            "service_code": "asfalt",
            "lat": "38.4621",
            "long": "27.2154",
            "description": "Büyük çukur, İzmir yolu",
            "first_name": "İsmail",
            "last_name": "Öğüt",
            "email": "ismail@example.org",
        },
    )
    assert response.status_code == 200
    [row] = _json(response)
    code = row["service_request_id"]
    assert set(row) == {"service_request_id", "service_notice", "account_id"}
    r = Request.objects.get(tracking_code=code)
    assert (
        r.channel == "open311"
        and r.category == world.cat_asfalt
        and r.citizen.email == "ismail@example.org"
    )
    [got] = _json(client.get(f"/open311/v2/requests/{code}.json?jurisdiction_id=bornova"))
    assert got["status"] == "open" and got["service_code"] == "asfalt"
    assert got["description"] == "Büyük çukur, İzmir yolu" and got["lat"] == 38.4621
    assert W3C.match(got["requested_datetime"]) and got["requested_datetime"].endswith("+03:00")
    assert "email" not in got and "ismail" not in json.dumps(got)
    root = _xml(client.get(f"/open311/v2/requests/{code}.xml?jurisdiction_id=bornova"))
    assert root.tag == "service_requests" and root.find("request/status").text == "open"
    assert root.find("request/long").text == "27.2154"
    # the same POST again (a client retry) does not make a second request
    again = client.post(
        "/open311/v2/requests.xml",
        {
            "api_key": key,
            "jurisdiction_id": "bornova",
            "service_code": "asfalt",
            "lat": "38.4621",
            "long": "27.2154",
            "description": "Büyük çukur, İzmir yolu",
            "first_name": "İsmail",
            "last_name": "Öğüt",
            "email": "ismail@example.org",
        },
    )
    assert _xml(again).find("request/service_request_id").text == code
    assert Request.objects.count() == 1
    token = InboundMessage.objects.get().token
    [t] = _json(client.get(f"/open311/v2/tokens/{token}.json?jurisdiction_id=bornova"))
    assert t == {"service_request_id": code, "token": token}


def test_post_errors_are_documented_and_raw_item_kept(world, client, key):
    bad_key = client.post(
        "/open311/v2/requests.json", {"api_key": "nope", "service_code": "asfalt"}
    )
    assert bad_key.status_code == 403
    assert _json(bad_key) == [{"code": 403, "description": "Invalid api_key."}]
    staff_key = api_key_create(organisation=world.org, name="x", scope="webhook", actor=None)[1]
    assert (
        client.post(
            "/open311/v2/requests.json", {"api_key": staff_key, "service_code": "asfalt"}
        ).status_code
        == 403
    )
    no_location = client.post(
        "/open311/v2/requests.xml", {"api_key": key, "service_code": "asfalt", "description": "x"}
    )
    assert no_location.status_code == 400
    root = _xml(no_location)
    assert root.tag == "errors" and "location is required" in root.find("error/description").text
    no_code = client.post(
        "/open311/v2/requests.json", {"api_key": key, "lat": "38.4", "long": "27.1"}
    )
    assert (
        no_code.status_code == 400
        and "service_code is required" in _json(no_code)[0]["description"]
    )
    assert InboundMessage.objects.filter(status=Status.FAILED).count() == 2
    assert Request.objects.count() == 0
    other = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "jurisdiction_id": "karsiyaka",
            "service_code": "asfalt",
            "lat": "1",
            "long": "1",
        },
    )
    assert other.status_code == 403


def test_get_requests_filters_and_defaults(world, client, make_request):
    old = make_request(subject="Eski")
    Request.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=120))
    a = make_request(subject="Asfalt açık")
    c = make_request(subject="Çöp kapalı", category=world.cat_cop)
    Request.objects.filter(pk=c.pk).update(state="closed")
    make_request(
        organisation=world.other_org, actor=world.other_staff["agent"], category=world.other_cat
    )

    def ids(query):
        return [
            r["service_request_id"]
            for r in _json(client.get(f"/open311/v2/requests.json?jurisdiction_id=bornova&{query}"))
        ]

    assert set(ids("")) == {a.tracking_code, c.tracking_code}  # last 90 days by default
    assert ids("status=open") == [a.tracking_code]
    assert ids("status=closed") == [c.tracking_code]
    assert set(ids("status=open,closed")) == {a.tracking_code, c.tracking_code}
    assert ids("service_code=cop") == [c.tracking_code]
    start = (timezone.now() - timedelta(days=130)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (timezone.now() - timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(f"start_date={start}&end_date={end}") == [old.tracking_code]
    # with service_request_id every other filter (status, the 90 days) is ignored
    assert set(ids(f"service_request_id={old.tracking_code},{a.tracking_code}&status=closed")) == {
        old.tracking_code,
        a.tracking_code,
    }
    too_long = client.get(
        "/open311/v2/requests.json?jurisdiction_id=bornova&start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z"
    )
    assert too_long.status_code == 400 and "90 days" in _json(too_long)[0]["description"]
    bad_status = client.get("/open311/v2/requests.xml?jurisdiction_id=bornova&status=pending")
    assert bad_status.status_code == 400 and _xml(bad_status).find("error/code").text == "400"
    assert (
        client.get("/open311/v2/requests/NOPE-NOPE.json?jurisdiction_id=bornova").status_code == 404
    )
    # another jurisdiction's request is not found through this one
    assert (
        client.get(
            f"/open311/v2/requests/{a.tracking_code}.json?jurisdiction_id=karsiyaka"
        ).status_code
        == 404
    )
    # two organisations and no jurisdiction_id: the client must say which
    assert client.get("/open311/v2/services.json").status_code == 400


def test_result_cap_is_1000(world, client, make_request, monkeypatch):
    from kent360.intake.open311 import views

    monkeypatch.setattr(views, "MAX_RESULTS", 3)
    for i in range(5):
        make_request(subject=f"r{i}")
    assert len(_json(client.get("/open311/v2/requests.json?jurisdiction_id=bornova"))) == 3
    assert views.DEFAULT_DAYS == 90


def test_key_command_prints_the_key_last(world, client):
    out = io.StringIO()
    call_command("open311", "key", "--org", "bornova", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": raw,
            "service_code": "cop",
            "address_string": "Kazımdirik Mah. 372 Sk.",
            "description": "Çöp",
        },
    )
    assert response.status_code == 200, response.content

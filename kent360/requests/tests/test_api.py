import pytest
from rest_framework.test import APIClient

from kent360.organizations.models import Role
from kent360.requests.models import Request, State
from kent360.testing import api_client_for


def api_for(staff) -> APIClient:
    return api_client_for(staff)


PAYLOAD = {
    "kind": "complaint",
    "category": "asfalt",
    "subject": "Çukur",
    "text": "Gürpınar'da çukur var",
    "latitude": 38.47,
    "longitude": 27.22,
    "contact_phone": "0532 123 45 67",
}


def test_create_get_list_transition(world):
    api = api_for(world.staff[Role.AGENT])
    created = api.post("/api/v1/requests/", PAYLOAD, format="json")
    assert created.status_code == 201, created.content
    code = created.json()["tracking_code"]
    assert created.json()["directorate"] == "fen" and created.json()["state"] == "received"
    assert api.get(f"/api/v1/requests/{code}/").json()["subject"] == "Çukur"
    listed = api.get("/api/v1/requests/", {"state": "received", "category": "asfalt"}).json()
    assert [r["tracking_code"] for r in listed["results"]] == [code]
    moved = api.post(
        f"/api/v1/requests/{code}/transition/",
        {"action": "assign", "directorate": "fen"},
        format="json",
    )
    assert moved.status_code == 200 and moved.json()["state"] == "assigned"
    refused = api.post(f"/api/v1/requests/{code}/transition/", {"action": "close"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "invalid_transition"
    events = api.get(f"/api/v1/requests/{code}/events/").json()
    assert [e["to_state"] for e in events] == ["received", "assigned"]


def test_idempotency_key_header(world):
    api = api_for(world.staff[Role.AGENT])
    first = api.post("/api/v1/requests/", PAYLOAD, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post("/api/v1/requests/", PAYLOAD, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["tracking_code"] == again.json()["tracking_code"]
    assert Request.objects.count() == 1


def test_bad_input_gets_field_errors_not_500(world):
    api = api_for(world.staff[Role.AGENT])
    response = api.post(
        "/api/v1/requests/",
        {"kind": "pizza", "subject": "", "category": "nope", "latitude": 91},
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {"kind", "subject", "text", "latitude"} <= set(fields)
    unknown_cat = api.post("/api/v1/requests/", {**PAYLOAD, "category": "nope"}, format="json")
    assert unknown_cat.status_code == 400 and "category" in unknown_cat.json()["error"]["fields"]
    assert Request.objects.count() == 0


def test_other_organisation_gets_404_and_cannot_transition(world, make_request):
    r = make_request()
    api = api_for(world.other_staff[Role.ORG_ADMIN])
    assert api.get(f"/api/v1/requests/{r.tracking_code}/").status_code == 404
    response = api.post(
        f"/api/v1/requests/{r.tracking_code}/transition/",
        {"action": "assign", "directorate": "fen"},
        format="json",
    )
    assert response.status_code == 404
    assert api.get("/api/v1/requests/").json()["count"] == 0
    r.refresh_from_db()
    assert r.state == State.RECEIVED


def test_revoked_or_unknown_key_is_401(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token k360_nope")
    assert client.get("/api/v1/requests/").status_code == 401
    assert APIClient().get("/api/v1/requests/").status_code in (401, 403)


def test_schema_is_served_and_lists_request_endpoints(client, world):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json() if "json" in response["Content-Type"] else None
    text = response.content.decode()
    assert "/api/v1/requests/{tracking_code}/transition/" in text
    assert schema is None or "paths" in schema


@pytest.mark.parametrize("role", [Role.PRESS_OFFICER])
def test_role_without_create_right_gets_403(world, role):
    api = api_for(world.staff[role])
    assert api.post("/api/v1/requests/", PAYLOAD, format="json").status_code == 403


def test_list_pages_by_cursor_and_caps_offset(world, make_request, monkeypatch):
    from kent360.requests import pagination

    made = [make_request(subject=f"Talep {i}").tracking_code for i in range(7)]
    monkeypatch.setattr(pagination, "COUNT_CAP", 5)
    api = api_for(world.staff[Role.AGENT])
    first = api.get("/api/v1/requests/", {"limit": 3}).json()
    assert first["count"] == 5 and first["count_capped"] is True
    assert first["previous"] is None
    seen = [r["tracking_code"] for r in first["results"]]
    page = first
    while page["next"]:
        page = api.get(page["next"]).json()
        seen += [r["tracking_code"] for r in page["results"]]
    assert seen == made[::-1]  # newest first, each once
    back = api.get(page["previous"]).json()
    assert [r["tracking_code"] for r in back["results"]] == made[::-1][3:6]
    by_offset = api.get("/api/v1/requests/", {"limit": 3, "offset": 3}).json()
    assert [r["tracking_code"] for r in by_offset["results"]] == made[::-1][3:6]
    too_deep = api.get("/api/v1/requests/", {"offset": 10_001})
    assert too_deep.status_code == 400 and "offset" in too_deep.json()["error"]["fields"]

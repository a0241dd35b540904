"""Field teams' API: GPS, photos, category; replays of the offline queue are safe."""

import base64

from rest_framework.test import APIClient

from kent360.intake.keys import api_key_create
from kent360.intake.models import InboundMessage, Status
from kent360.organizations.models import Role
from kent360.requests.models import Request


def _client(world, role=Role.DIRECTORATE_STAFF):
    staff = world.staff[role]
    raw = api_key_create(
        organisation=world.org, name="tablet-3", scope="field", actor=None, user=staff.user
    )[1]
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=raw)
    return client, staff


def test_field_report_with_photo_gps_and_safe_replay(world, photo):
    client, staff = _client(world)
    body = {
        "idempotency_key": "dev-7f3a-0001",
        "text": "Mustafa Kemal Caddesi'nde rögar kapağı yok",
        "category": "asfalt",
        "photos": [
            {"name": "r.jpg", "data": base64.b64encode(photo("JPEG", gps=(38.45, 27.21))).decode()}
        ],
    }
    first = client.post("/api/v1/intake/field/reports/", body, format="json")
    assert first.status_code == 201, first.content
    code = first.json()["tracking_code"]
    r = Request.objects.get(tracking_code=code)
    assert r.channel == "field" and r.created_by == staff and abs(r.latitude - 38.45) < 1e-6
    assert r.attachments.count() == 1
    # the device lost the answer and replays its queue
    again = client.post("/api/v1/intake/field/reports/", body, format="json")
    assert again.status_code == 200 and again.json()["tracking_code"] == code
    assert Request.objects.count() == 1


def test_field_report_errors(world):
    client, _staff = _client(world)
    bad = client.post(
        "/api/v1/intake/field/reports/",
        {
            "idempotency_key": "k2",
            "text": "x",
            "photos": [{"name": "a.png", "data": base64.b64encode(b"GIF89a....").decode()}],
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert (
        bad.status_code == 400
        and "a.png is not a JPEG, PNG or HEIC photo" in bad.json()["error"]["message"]
    )
    kept = InboundMessage.objects.get(idempotency_key="k2")
    assert kept.status == Status.FAILED and kept.payload["text"] == "x"
    missing = client.post("/api/v1/intake/field/reports/", {"idempotency_key": "k3"}, format="json")
    assert missing.status_code == 400 and "text" in missing.json()["error"]["fields"]
    assert APIClient().post("/api/v1/intake/field/reports/", {}, format="json").status_code in (
        401,
        403,
    )
    press, _ = _client(world, Role.PRESS_OFFICER)
    assert (
        press.post(
            "/api/v1/intake/field/reports/", {"idempotency_key": "k4", "text": "y"}, format="json"
        ).status_code
        == 400
    )


def test_field_page(world, client):
    from kent360.testing import login

    login(client, world.staff[Role.DIRECTORATE_STAFF])
    page = client.get("/intake/field/")
    assert page.status_code == 200 and "k360-field-queue" in page.content.decode()

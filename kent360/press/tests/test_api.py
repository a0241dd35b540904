from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from kent360.organizations.models import Role
from kent360.press import services
from kent360.press.models import ContactList, Event, Journalist, Release, ReleaseState

pytestmark = pytest.mark.django_db


def api_for(staff) -> APIClient:
    client = APIClient()
    client.force_authenticate(staff.user)
    return client


def _create(api: APIClient, **kw) -> dict:
    payload = {"title": "Bornova'da yeni park", "body": "<p>Park <b>yarın</b> açılıyor</p>"}
    response = api.post("/api/v1/press/releases/", {**payload, **kw}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_release_created_and_walked_through_the_workflow_by_the_right_roles(world):
    officer = api_for(world.staff[Role.PRESS_OFFICER])
    pr = api_for(world.staff[Role.PR_MANAGER])
    data = _create(officer, tags="park", directorate="fen", language="tr")
    assert data["state"] == "draft" and data["directorate"] == "fen"
    assert data["translations"][0]["body"] == "<p>Park <b>yarın</b> açılıyor</p>"
    url = f"/api/v1/press/releases/{data['id']}/transition/"
    assert officer.post(url, {"action": "submit"}, format="json").json()["state"] == "in_review"
    # the writer is not the approver in the default chain (pr_manager): 403, state unchanged
    refused = officer.post(url, {"action": "approve"}, format="json")
    assert refused.status_code == 403
    assert pr.post(url, {"action": "approve"}, format="json").json()["state"] == "approved"
    at = (timezone.now() + timedelta(days=1)).isoformat()
    scheduled = officer.post(url, {"action": "schedule", "scheduled_at": at}, format="json")
    assert scheduled.json()["state"] == "scheduled"
    published = officer.post(url, {"action": "publish"}, format="json")
    assert published.json()["state"] == "published" and published.json()["published_at"]
    impossible = officer.post(url, {"action": "submit"}, format="json")
    assert impossible.status_code == 409
    listed = officer.get("/api/v1/press/releases/?state=published").json()
    assert [r["id"] for r in listed["results"]] == [data["id"]]
    assert officer.get("/api/v1/press/releases/?q=park").json()["count"] == 1
    assert officer.get("/api/v1/press/releases/?q=otoyol").json()["count"] == 0


def test_bad_release_input_and_unknown_directorate_are_400(world):
    officer = api_for(world.staff[Role.PRESS_OFFICER])
    response = officer.post(
        "/api/v1/press/releases/", {"title": "x", "body": "<p>y</p>", "directorate": "nope"}
    )
    assert response.status_code == 400 and "directorate" in response.json()["error"]["fields"]
    empty = officer.post("/api/v1/press/releases/", {"title": "x", "body": "<script></script>"})
    assert empty.status_code == 400
    assert Release.objects.count() == 0


def test_other_organisation_gets_404_and_sees_no_rows(world):
    officer = world.staff[Role.PRESS_OFFICER]
    release = services.release_create(
        organisation=world.org, actor=officer, title="Gizli taslak", body="<p>metin</p>"
    )
    services.event_create(
        organisation=world.org,
        actor=officer,
        title="Açılış",
        kind="opening",
        starts_at=timezone.now(),
    )
    api = api_for(officer)
    api.post("/api/v1/press/contacts/", {"name": "Ayşe Muhabir", "email": "a@gazete.example"})
    api.post("/api/v1/press/lists/", {"name": "Yerel"})
    other = api_for(world.other_staff[Role.PR_MANAGER])
    assert other.get(f"/api/v1/press/releases/{release.pk}/").status_code == 404
    moved = other.post(
        f"/api/v1/press/releases/{release.pk}/transition/", {"action": "submit"}, format="json"
    )
    assert moved.status_code == 404
    for path in ("releases", "contacts", "lists", "events"):
        body = other.get(f"/api/v1/press/{path}/").json()
        assert body["count"] == 0, path
    release.refresh_from_db()
    assert release.state == ReleaseState.DRAFT


@pytest.mark.parametrize("role", [Role.AGENT, Role.DIRECTORATE_STAFF, Role.DIRECTORATE_MANAGER])
def test_non_press_roles_get_403(world, role):
    api = api_for(world.staff[role])
    for path in ("releases", "contacts", "lists", "events"):
        assert api.get(f"/api/v1/press/{path}/").status_code == 403, path
    created = api.post("/api/v1/press/releases/", {"title": "x", "body": "<p>y</p>"})
    assert created.status_code == 403
    assert APIClient().get("/api/v1/press/releases/").status_code in (401, 403)


def test_admin_reads_but_does_not_write_releases_or_contacts(world):
    admin = api_for(world.staff[Role.ORG_ADMIN])
    assert admin.get("/api/v1/press/releases/").status_code == 200
    assert (
        admin.post("/api/v1/press/releases/", {"title": "x", "body": "<p>y</p>"}).status_code == 403
    )
    assert admin.post("/api/v1/press/contacts/", {"name": "Ali"}).status_code == 403
    assert Journalist.objects.count() == 0


def test_a_contact_without_an_outlet_has_a_null_outlet_the_schema_allows(world):
    """Found by schemathesis: the answer said null where the schema promised a string."""
    from drf_spectacular.generators import SchemaGenerator

    api = api_for(world.staff[Role.PR_MANAGER])
    created = api.post("/api/v1/press/contacts/", {"name": "Deniz Işık"}, format="json")
    assert created.status_code == 201 and created.json()["outlet"] is None
    schema = SchemaGenerator().get_schema(request=None, public=True)
    outlet = schema["components"]["schemas"]["Journalist"]["properties"]["outlet"]
    assert outlet.get("nullable") is True


def test_contacts_lists_and_events_are_created_in_our_organisation(world):
    api = api_for(world.staff[Role.PR_MANAGER])
    j = api.post(
        "/api/v1/press/contacts/",
        {"name": "Ayşe", "email": "Ayse@Gazete.example", "outlet": "Ege Gazetesi"},
        format="json",
    ).json()
    assert j["email"] == "ayse@gazete.example" and j["outlet"] == "Ege Gazetesi"
    dup = api.post("/api/v1/press/contacts/", {"name": "B", "email": "ayse@gazete.example"})
    assert dup.status_code == 400
    other_j = Journalist.objects.create(organisation=world.other_org, name="Başkası")
    bad = api.post(
        "/api/v1/press/lists/", {"name": "L", "members": [j["id"], other_j.pk]}, format="json"
    )
    assert bad.status_code == 400 and ContactList.objects.count() == 0
    lst = api.post("/api/v1/press/lists/", {"name": "L", "members": [j["id"]]}, format="json")
    assert lst.status_code == 201 and lst.json()["members"] == [j["id"]]
    assert ContactList.objects.get().organisation == world.org
    start = timezone.now() + timedelta(days=2)
    ev = api.post(
        "/api/v1/press/events/",
        {"title": "Basın toplantısı", "kind": "press_conference", "starts_at": start.isoformat()},
        format="json",
    )
    assert ev.status_code == 201
    backwards = api.post(
        "/api/v1/press/events/",
        {
            "title": "Ters",
            "kind": "other",
            "starts_at": start.isoformat(),
            "ends_at": (start - timedelta(hours=1)).isoformat(),
        },
        format="json",
    )
    assert backwards.status_code == 400
    assert Event.objects.get().organisation == world.org
    assert api.get("/api/v1/press/events/").json()["count"] == 1


def test_schema_lists_press_social_and_network_endpoints(client):
    text = client.get("/api/schema/").content.decode()
    for path in (
        "/api/v1/press/releases/{id}/transition/",
        "/api/v1/social/posts/{id}/approve/",
        "/api/v1/network/campaigns/{id}/confirm/",
        "/api/v1/network/crises/{id}/",
    ):
        assert path in text, path


def test_list_page_creates_lists_through_the_service_with_own_members_only(world, client):
    from kent360.testing import login

    mine = Journalist.objects.create(organisation=world.org, name="Ayşe")
    theirs = Journalist.objects.create(organisation=world.other_org, name="Başkası")
    login(client, world.staff[Role.PRESS_OFFICER])
    response = client.post(
        "/press/contacts/lists/", {"name": "Yerel basın", "members": [mine.pk, theirs.pk]}
    )
    assert response.status_code == 302
    created = ContactList.objects.get()
    assert created.organisation == world.org and list(created.members.all()) == [mine]
    login(client, world.staff[Role.ORG_ADMIN])
    assert client.post("/press/contacts/lists/", {"name": "Admin"}).status_code == 403
    assert ContactList.objects.count() == 1

"""The media REST API: the press office of the organisation only, never another's rows."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from kent360.media.models import Source
from kent360.organizations.models import Role

from .factories import make_media

pytestmark = pytest.mark.django_db

API = "/api/v1/media"


@pytest.fixture
def m(world):
    return make_media(world.org, world.staff[Role.PRESS_OFFICER], host="bornova")


@pytest.fixture
def om(world):
    return make_media(world.other_org, world.other_staff[Role.PRESS_OFFICER], host="karsiyaka")


def api_for(staff):
    api = APIClient()
    api.force_authenticate(staff.user)
    return api


def ids(response):
    data = response.json()
    rows = data["results"] if isinstance(data, dict) else data
    return {row["id"] for row in rows}


def test_articles_list_filter_and_get(m, om, world):
    api = api_for(world.staff[Role.PRESS_OFFICER])
    assert ids(api.get(f"{API}/articles/")) == {m.article.pk, m.other_article.pk}
    assert ids(api.get(f"{API}/articles/?tone=negative")) == {m.article.pk}
    assert ids(api.get(f"{API}/articles/?story={m.other_article.story_id}")) == {m.other_article.pk}
    assert ids(api.get(f"{API}/articles/?entity={m.mayor.pk}")) == {
        m.article.pk,
        m.other_article.pk,
    }
    assert ids(api.get(f"{API}/articles/?source={om.source.pk}")) == set()
    detail = api.get(f"{API}/articles/{m.article.pk}/").json()
    assert detail["tone"] == "negative" and "<script>" in detail["text"]
    assert {x["entity"] for x in detail["mentions"]} == {"Mustafa İduğ", "Bornova Belediyesi"}


def test_stories_sources_and_tekzip(m, om, world):
    api = api_for(world.staff[Role.PR_MANAGER])
    assert m.story.pk in ids(api.get(f"{API}/stories/"))
    assert om.story.pk not in ids(api.get(f"{API}/stories/"))
    story = api.get(f"{API}/stories/{m.story.pk}/").json()
    assert [a["id"] for a in story["articles"]] == [m.article.pk]
    assert ids(api.get(f"{API}/sources/")) == {m.source.pk}
    case = api.get(f"{API}/tekzip/{m.case.pk}/").json()
    assert case["state"] == "draft" and case["events"][0]["kind"] == "open"
    assert ids(api.get(f"{API}/tekzip/")) == {m.case.pk}
    assert ids(api.get(f"{API}/tekzip/?state=closed")) == set()


def test_source_create(world):
    api = api_for(world.staff[Role.ORG_ADMIN])
    created = api.post(
        f"{API}/sources/",
        {"name": "Yeni Asır", "kind": "feed", "url": "https://yeniasir.example/rss", "reach": 3},
        format="json",
    )
    assert created.status_code == 201, created.content
    src = Source.objects.get(pk=created.json()["id"])
    assert src.organisation == world.org and src.reach == 3
    refused = api.post(f"{API}/sources/", {"name": "Boş", "kind": "feed"}, format="json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "refused"
    assert not Source.objects.filter(name="Boş").exists()


def test_another_organisation_gets_404_and_none_of_its_rows(m, om, world):
    api = api_for(world.other_staff[Role.PRESS_OFFICER])
    for url in [
        f"{API}/articles/{m.article.pk}/",
        f"{API}/stories/{m.story.pk}/",
        f"{API}/tekzip/{m.case.pk}/",
    ]:
        assert api.get(url).status_code == 404, url
    assert ids(api.get(f"{API}/articles/")) == {om.article.pk, om.other_article.pk}
    assert ids(api.get(f"{API}/sources/")) == {om.source.pk}
    assert ids(api.get(f"{API}/tekzip/")) == {om.case.pk}
    assert m.story.pk not in ids(api.get(f"{API}/stories/"))


@pytest.mark.parametrize("role", [Role.AGENT, Role.DIRECTORATE_STAFF])
def test_other_roles_get_403(m, world, role):
    api = api_for(world.staff[role])
    for url in [
        f"{API}/articles/",
        f"{API}/articles/{m.article.pk}/",
        f"{API}/stories/",
        f"{API}/stories/{m.story.pk}/",
        f"{API}/sources/",
        f"{API}/tekzip/",
        f"{API}/tekzip/{m.case.pk}/",
    ]:
        assert api.get(url).status_code == 403, url
    created = api.post(f"{API}/sources/", {"name": "x", "kind": "manual"}, format="json")
    assert created.status_code == 403 and not Source.objects.filter(name="x").exists()


def test_anonymous_is_refused(m):
    assert APIClient().get(f"{API}/articles/").status_code in (401, 403)

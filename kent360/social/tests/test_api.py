from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from kent360.organizations.models import Role
from kent360.social.models import PostState, SocialAccount, SocialPost

pytestmark = pytest.mark.django_db


def api_for(staff) -> APIClient:
    client = APIClient()
    client.force_authenticate(staff.user)
    return client


def _account(org, name="Bornova") -> SocialAccount:
    return SocialAccount.objects.create(
        organisation=org,
        network="mastodon",
        name=name,
        api_base="http://127.0.0.1:9",
        access_token="secret-token",
    )


def test_post_is_created_approved_and_scheduled_by_the_right_roles(world):
    account = _account(world.org)
    officer = api_for(world.staff[Role.PRESS_OFFICER])
    pr = api_for(world.staff[Role.PR_MANAGER])
    created = officer.post(
        "/api/v1/social/posts/",
        {"text": "Parkımız yarın açılıyor", "accounts": [account.pk], "submit": True},
        format="json",
    )
    assert created.status_code == 201, created.content
    post = created.json()
    assert post["state"] == "in_review" and post["targets"][0]["network"] == "mastodon"
    assert officer.post(f"/api/v1/social/posts/{post['id']}/approve/").status_code == 403
    approved = pr.post(f"/api/v1/social/posts/{post['id']}/approve/")
    assert approved.json()["state"] == "approved"
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    refused = officer.post(
        f"/api/v1/social/posts/{post['id']}/schedule/", {"scheduled_at": past}, format="json"
    )
    assert refused.status_code == 400
    at = timezone.now() + timedelta(hours=3)
    scheduled = officer.post(
        f"/api/v1/social/posts/{post['id']}/schedule/",
        {"scheduled_at": at.isoformat()},
        format="json",
    )
    assert scheduled.json()["state"] == "scheduled"
    assert SocialPost.objects.get().scheduled_at == at.replace(microsecond=at.microsecond)
    assert officer.get("/api/v1/social/posts/?state=scheduled").json()["count"] == 1


def test_too_long_text_and_foreign_accounts_are_refused(world):
    mine, theirs = _account(world.org), _account(world.other_org, "Karşıyaka")
    officer = api_for(world.staff[Role.PRESS_OFFICER])
    long_text = officer.post(
        "/api/v1/social/posts/", {"text": "a" * 501, "accounts": [mine.pk]}, format="json"
    )
    assert long_text.status_code == 400
    foreign = officer.post(
        "/api/v1/social/posts/", {"text": "Merhaba", "accounts": [theirs.pk]}, format="json"
    )
    assert foreign.status_code == 400 and "accounts" in foreign.json()["error"]["fields"]
    assert SocialPost.objects.count() == 0


def test_other_organisation_gets_404_and_wrong_roles_403(world):
    account = _account(world.org)
    post = (
        api_for(world.staff[Role.PRESS_OFFICER])
        .post("/api/v1/social/posts/", {"text": "Duyuru", "accounts": [account.pk]}, format="json")
        .json()
    )
    other = api_for(world.other_staff[Role.PR_MANAGER])
    assert other.get(f"/api/v1/social/posts/{post['id']}/").status_code == 404
    assert other.post(f"/api/v1/social/posts/{post['id']}/submit/").status_code == 404
    assert other.get("/api/v1/social/posts/").json()["count"] == 0
    agent = api_for(world.staff[Role.AGENT])
    assert agent.get("/api/v1/social/posts/").status_code == 403
    assert agent.post(f"/api/v1/social/posts/{post['id']}/submit/").status_code == 403
    assert SocialPost.objects.get().state == PostState.DRAFT

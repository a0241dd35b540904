from __future__ import annotations

from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone

from kent360.core.errors import DomainError, InvalidTransition, NotAllowed
from kent360.organizations.models import Role
from kent360.press import selectors, services
from kent360.press.models import Release, ReleaseState
from kent360.press.tests.helpers import published_release
from kent360.testing import login

pytestmark = pytest.mark.django_db


def _draft(world, **kw):
    return services.release_create(
        organisation=world.org,
        actor=world.staff[Role.PRESS_OFFICER],
        title=kw.pop("title", "Bornova'da asfalt çalışması"),
        body=kw.pop("body", "<p>Çalışma <em>pazartesi</em> başlıyor.</p>"),
        **kw,
    )


def test_release_goes_through_the_configured_approval_chain_to_newsroom_and_rss(world, client):
    officer, pr, admin = (
        world.staff[r] for r in (Role.PRESS_OFFICER, Role.PR_MANAGER, Role.ORG_ADMIN)
    )
    services.press_config_set(
        organisation=world.org, actor=admin, approval_roles=["pr_manager", "org_admin"]
    )
    release = _draft(world, tags="park, asfalt")
    services.release_save_text(
        release=release,
        actor=officer,
        language="en",
        title="Road works in Bornova",
        body="<p>Works start on Monday.</p>",
    )
    services.release_transition(release=release, actor=officer, action="submit")
    # the mayor's office cannot jump the queue, and the writer cannot approve
    with pytest.raises(NotAllowed):
        services.release_transition(release=release, actor=admin, action="approve")
    with pytest.raises(NotAllowed):
        services.release_transition(release=release, actor=officer, action="approve")
    release = services.release_transition(release=release, actor=pr, action="approve")
    assert release.state == ReleaseState.IN_REVIEW and release.approval_step == 1
    with pytest.raises(NotAllowed):
        services.release_transition(release=release, actor=pr, action="approve")
    release = services.release_transition(release=release, actor=admin, action="approve")
    assert release.state == ReleaseState.APPROVED
    # not on the newsroom before publication
    assert "Bornova'da asfalt" not in client.get("/newsroom/bornova/").content.decode()
    release = services.release_transition(release=release, actor=officer, action="publish")
    assert release.state == ReleaseState.PUBLISHED and release.published_at is not None
    types = list(release.events.values_list("type", flat=True))
    assert types == ["created", "edited", "submit", "approve", "approve", "publish"]

    page = client.get("/newsroom/bornova/").content.decode()
    assert "Bornova&#x27;da asfalt çalışması" in page
    detail = client.get(f"/newsroom/bornova/{release.slug}/?lang=en").content.decode()
    assert "Road works in Bornova" in detail
    assert '<meta property="og:title" content="Road works in Bornova">' in detail
    assert 'property="article:tag" content="park"' in detail
    assert client.get("/newsroom/bornova/?q=asfalt").content.decode().count("newsroom-item") == 1
    assert client.get("/newsroom/bornova/?q=metro").content.decode().count("newsroom-item") == 0

    rss = feedparser.parse(client.get("/newsroom/bornova/rss/").content)
    assert [e.title for e in rss.entries] == ["Bornova'da asfalt çalışması"]
    assert rss.entries[0].tags[0].term in {"park", "asfalt"}
    atom = feedparser.parse(client.get("/newsroom/bornova/atom/?lang=en").content)
    assert atom.version == "atom10" and atom.entries[0].title == "Road works in Bornova"
    # another organisation's newsroom does not show it
    assert feedparser.parse(client.get("/newsroom/karsiyaka/rss/").content).entries == []


def test_drafts_only_are_editable_and_sent_back_restarts_the_chain(world):
    officer, pr = world.staff[Role.PRESS_OFFICER], world.staff[Role.PR_MANAGER]
    release = _draft(world)
    services.release_transition(release=release, actor=officer, action="submit")
    with pytest.raises(InvalidTransition):
        services.release_save_text(
            release=release, actor=officer, language="tr", title="x", body="<p>y</p>"
        )
    with pytest.raises(DomainError):
        services.release_transition(release=release, actor=pr, action="send_back", text=" ")
    release = services.release_transition(
        release=release, actor=pr, action="send_back", text="Başlık kısa olsun"
    )
    assert release.state == ReleaseState.DRAFT and release.approval_step == 0
    assert release.events.filter(type="send_back", text="Başlık kısa olsun").exists()
    with pytest.raises(InvalidTransition):
        services.release_transition(release=release, actor=officer, action="publish")


def test_body_is_sanitised_and_versions_diff(world):
    officer = world.staff[Role.PRESS_OFFICER]
    release = _draft(
        world,
        body='<p onclick="steal()">Merhaba<script>alert(1)</script> '
        '<a href="javascript:x">link</a></p>',
    )
    body = release.translation("tr").body
    assert "script" not in body and "onclick" not in body and "javascript" not in body
    assert "Merhaba" in body
    v2 = services.release_save_text(
        release=release,
        actor=officer,
        language="tr",
        title="Bornova'da asfalt çalışması",
        body="<p>Merhaba Bornova</p><p>Yeni paragraf</p>",
    )
    assert v2 is not None and v2.number == 2
    # saving the same text again is not a new version
    assert (
        services.release_save_text(
            release=release,
            actor=officer,
            language="tr",
            title="Bornova'da asfalt çalışması",
            body="<p>Merhaba Bornova</p><p>Yeni paragraf</p>",
        )
        is None
    )
    diff = selectors.release_diff(release=release, language="tr", a=1, b=2)
    assert "+Yeni paragraf" in diff and "+Merhaba Bornova" in diff
    assert any(line.startswith("-Merhaba") for line in diff)


def test_scheduled_release_is_published_when_due(world):
    officer = world.staff[Role.PRESS_OFFICER]
    release = _draft(world)
    services.release_transition(release=release, actor=officer, action="submit")
    services.release_transition(
        release=release, actor=world.staff[Role.PR_MANAGER], action="approve"
    )
    at = timezone.now() + timedelta(hours=2)
    with pytest.raises(DomainError):
        services.release_transition(
            release=release,
            actor=officer,
            action="schedule",
            scheduled_at=timezone.now() - timedelta(minutes=1),
        )
    services.release_transition(release=release, actor=officer, action="schedule", scheduled_at=at)
    assert services.release_publish_due(now=timezone.now()) == 0
    assert services.release_publish_due(now=at + timedelta(seconds=1)) == 1
    release.refresh_from_db()
    assert release.state == ReleaseState.PUBLISHED
    assert release.events.last().actor is None


def test_other_roles_and_other_organisations_cannot_write_or_see(world, client):
    with pytest.raises(NotAllowed):
        services.release_create(
            organisation=world.org, actor=world.staff[Role.AGENT], title="x", body="<p>y</p>"
        )
    with pytest.raises(NotAllowed):
        services.release_create(
            organisation=world.org,
            actor=world.other_staff[Role.PRESS_OFFICER],
            title="x",
            body="<p>y</p>",
        )
    release = _draft(world)
    login(client, world.other_staff[Role.PR_MANAGER])
    assert client.get(f"/press/{release.pk}/").status_code == 404
    assert client.post(f"/press/{release.pk}/do/submit/").status_code == 404
    login(client, world.staff[Role.AGENT])
    assert client.get("/press/").status_code == 403
    release.refresh_from_db()
    assert release.state == ReleaseState.DRAFT
    with pytest.raises(NotAllowed):
        services.press_config_set(
            organisation=world.org,
            actor=world.staff[Role.PR_MANAGER],
            approval_roles=["pr_manager"],
        )


def test_staff_pages_create_submit_and_comment(world, client):
    login(client, world.staff[Role.PRESS_OFFICER])
    response = client.post(
        "/press/new/",
        {
            "kind": "announcement",
            "language": "fa",
            "title": "اطلاعیه شهرداری",
            "body": "<div>متن <b>اطلاعیه</b></div>",
            "tags": "",
            "project": "",
            "directorate": "",
        },
    )
    release = Release.objects.get(organisation=world.org)
    assert response.status_code == 302 and release.default_language == "fa"
    assert release.translation("fa").title == "اطلاعیه شهرداری"
    client.post(f"/press/{release.pk}/do/comment/", {"text": "Görsel ekleyelim"})
    client.post(f"/press/{release.pk}/do/submit/")
    release.refresh_from_db()
    assert release.state == ReleaseState.IN_REVIEW
    page = client.get(f"/press/{release.pk}/").content.decode()
    assert "Görsel ekleyelim" in page and "trix.umd.min.js" in page


def test_published_release_detail_is_404_for_unknown_org_or_draft(world, client):
    release = published_release(world)
    draft = _draft(world, title="Gizli taslak")
    assert client.get(f"/newsroom/bornova/{release.slug}/").status_code == 200
    assert client.get(f"/newsroom/karsiyaka/{release.slug}/").status_code == 404
    assert client.get(f"/newsroom/bornova/{draft.slug}/").status_code == 404

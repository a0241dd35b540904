from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kent360.core.errors import DomainError, InvalidTransition, NotAllowed
from kent360.organizations.models import Role
from kent360.requests.models import Request
from kent360.social import services
from kent360.social.models import PostState, PostTarget, SocialItem, TargetState
from kent360.social.tests.servers import fake_api
from kent360.testing import login

pytestmark = pytest.mark.django_db


def _accounts(world, api):
    admin = world.staff[Role.ORG_ADMIN]

    def mk(**kw):
        return services.account_create(
            organisation=world.org, actor=admin, access_token="secret-token", **kw
        )

    return [
        mk(network="mastodon", name="Bornova", api_base=api.url),
        mk(network="x", name="Bornova X", api_base=api.url),
        mk(network="facebook", name="Bornova FB", api_base=api.url + "/v21.0", external_id="5551"),
    ]


def _approve(world, post):
    officer, pr = world.staff[Role.PRESS_OFFICER], world.staff[Role.PR_MANAGER]
    services.post_transition(post=post, actor=officer, action="submit")
    return services.post_transition(post=post, actor=pr, action="approve")


def test_post_is_approved_then_published_to_every_account_once(
    world, django_capture_on_commit_callbacks
):
    with fake_api() as api:
        accounts = _accounts(world, api)
        post = services.post_create(
            organisation=world.org,
            actor=world.staff[Role.PRESS_OFFICER],
            text="Bornova'da bu hafta sonu ücretsiz konser!",
            accounts=accounts,
        )
        with pytest.raises(InvalidTransition):
            services.post_transition(
                post=post, actor=world.staff[Role.PRESS_OFFICER], action="publish"
            )
        post = _approve(world, post)
        assert post.state == PostState.APPROVED
        with django_capture_on_commit_callbacks(execute=True):
            services.post_transition(
                post=post, actor=world.staff[Role.PRESS_OFFICER], action="publish"
            )
        post.refresh_from_db()
        assert post.state == PostState.PUBLISHED
        targets = {t.account.network: t for t in post.targets.select_related("account")}
        assert all(t.state == TargetState.SENT and t.external_id for t in targets.values())
        calls = len(api.received)
        # running the publisher again does not post twice
        services.post_publish(post_id=post.pk)
        services.social_sweep(now=timezone.now() + timedelta(hours=1))
        assert len(api.received) == calls == 3
    status = next(r for r in api.received if r.path == "/api/v1/statuses")
    assert status.headers["idempotency-key"] == str(targets["mastodon"].idempotency_key)


def test_retryable_failure_is_retried_and_permanent_failure_is_shown(
    world, client, django_capture_on_commit_callbacks
):
    with fake_api() as api:
        mastodon, x, _fb = _accounts(world, api)
        x.access_token = "revoked"
        x.save()
        post = services.post_create(
            organisation=world.org,
            actor=world.staff[Role.PRESS_OFFICER],
            text="Duyuru",
            accounts=[mastodon, x],
        )
        post = _approve(world, post)
        api.fail_next = 1  # the first call (Mastodon) gets a 503
        with django_capture_on_commit_callbacks(execute=True):
            services.post_transition(
                post=post, actor=world.staff[Role.PR_MANAGER], action="publish"
            )
        m = PostTarget.objects.get(post=post, account=mastodon)
        xt = PostTarget.objects.get(post=post, account=x)
        assert m.state == TargetState.PENDING and m.attempts == 1 and "503" in m.last_error
        assert xt.state == TargetState.FAILED and "401" in xt.last_error
        services.social_sweep(now=timezone.now() + timedelta(minutes=10))
        m.refresh_from_db()
        assert m.state == TargetState.SENT
    post.refresh_from_db()
    assert post.state == PostState.FAILED
    login(client, world.staff[Role.PRESS_OFFICER])
    page = client.get(f"/social/posts/{post.pk}/").content.decode()
    assert "HTTP 401" in page and 'data-state="failed"' in page


def test_length_limits_per_network(world):
    with fake_api() as api:
        mastodon, x, fb = _accounts(world, api)
    long_text = "ç" * 281
    with pytest.raises(DomainError) as exc:
        services.post_create(
            organisation=world.org,
            actor=world.staff[Role.PRESS_OFFICER],
            text=long_text,
            accounts=[mastodon, x],
        )
    assert "280" in str(exc.value.message)
    assert services.post_create(
        organisation=world.org,
        actor=world.staff[Role.PRESS_OFFICER],
        text=long_text,
        accounts=[mastodon, fb],
    )
    # a link counts 23 characters on X whatever its length
    link_text = "a" * 250 + " https://www.bornova.bel.tr/" + "x" * 100
    assert services.post_create(
        organisation=world.org, actor=world.staff[Role.PRESS_OFFICER], text=link_text, accounts=[x]
    )


def test_scheduled_post_is_published_by_the_sweep(world):
    with fake_api() as api:
        mastodon, _x, _fb = _accounts(world, api)
        post = _approve(
            world,
            services.post_create(
                organisation=world.org,
                actor=world.staff[Role.PRESS_OFFICER],
                text="Yarın",
                accounts=[mastodon],
            ),
        )
        at = timezone.now() + timedelta(hours=3)
        services.post_transition(
            post=post, actor=world.staff[Role.PRESS_OFFICER], action="schedule", scheduled_at=at
        )
        services.social_sweep(now=timezone.now())
        assert api.received == []
        services.social_sweep(now=at + timedelta(minutes=1))
        services.social_sweep(now=at + timedelta(minutes=2))
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED and len(api.received) == 1


def test_mention_becomes_one_request(world):
    kw = dict(
        organisation=world.org,
        network="mastodon",
        status_id="1122",
        text="@bornova Sokak lambası yanmıyor",
        author="@ali@mastodon.social",
        url="https://mastodon.social/@ali/1122",
        raw={"id": "1122"},
    )
    first = services.social_mention_ingest(**kw)
    again = services.social_mention_ingest(**kw)
    assert first.created and not again.created and first.request.pk == again.request.pk
    r = Request.objects.get(pk=first.request.pk)
    assert r.channel == "social" and r.idempotency_key == "mastodon:1122"
    item = SocialItem.objects.get()
    assert item.request_id == r.pk and item.raw == {"id": "1122"}


def test_accounts_and_posts_are_isolated(world, client):
    with pytest.raises(NotAllowed):
        services.account_create(
            organisation=world.org,
            actor=world.staff[Role.PRESS_OFFICER],
            network="mastodon",
            name="x",
            api_base="http://x",
            access_token="t",
        )
    with fake_api() as api:
        mastodon, _x, _fb = _accounts(world, api)
    post = services.post_create(
        organisation=world.org,
        actor=world.staff[Role.PRESS_OFFICER],
        text="Gizli",
        accounts=[mastodon],
    )
    with pytest.raises(DomainError):
        services.post_create(
            organisation=world.other_org,
            actor=world.other_staff[Role.PRESS_OFFICER],
            text="x",
            accounts=[mastodon],
        )
    login(client, world.other_staff[Role.PR_MANAGER])
    assert client.get(f"/social/posts/{post.pk}/").status_code == 404
    assert "Bornova" not in client.get("/social/compose/").content.decode()

"""The permission matrix, generated from the URL conf.

Every named URL is visited by anonymous users and by staff of every role of the owning
organisation, of another directorate and of another organisation. A new URL that is not
classified here makes this test fail, so nothing is added without being checked.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from kent360.organizations.models import Role

# Names anonymous users may open (citizen pages, sign-in, machine endpoints).
PUBLIC = {
    "home",
    "login",
    "logout",
    "set_language",
    "track",
    "track_code",
    "health",
    "ready",  # readiness probe for the load balancer
    "metrics",  # token-protected (or this machine only): tested in kent360/ops
    "ops:two_factor_verify",  # the second sign-in step, before a session exists
    "schema",
    "api-docs",
    "intake:report_start",
    "intake:report",
    "intake-webhook",
    "open311:discovery",
    "open311:services",
    "open311:service",
    "open311:requests",
    "open311:request",
    "open311:token",
    "press_public:newsroom",
    "press_public:rss",
    "press_public:atom",
    "press_public:ical",
    "press_public:release",
    "press_public:unsubscribe",
    "feedback:survey",
    "transparency",
    "press_public:release_image",
    "press_public:attachment",
    "press_public:alerts",
    "press_public:alerts_confirm",
    "press_public:alerts_stop",
    "press_public:alerts_inbound",
}
# Namespaces not covered here (Django admin has its own staff check; tested separately).
SKIP_NAMESPACES = {"admin"}
# Sample values for routes whose object is not a request (by URL-name prefix).
OVERRIDES: dict[str, dict[str, str]] = {
    "directorate": {"code": "only-first"},
    "category": {"code": "only-first"},
    "feedback:survey": {"token": "not-a-valid-token"},
    "transparency": {"slug": "bornova"},
}
REQUEST_ROUTES = ("requests:", "request-")
# API routes whose <pk> is an object of the sample (URL-name prefix → sample key).
API_OBJECTS = {
    "press-release": "release",
    "social-post": "post",
    "network-campaign": "campaign",
    "network-crisis": "crisis",
}


def walk(
    resolver: URLResolver | None = None,
    prefix: str = "",
    ns: str = "",
) -> Iterator[tuple[str, str, URLPattern]]:
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            sub_ns = ns
            if p.namespace:
                sub_ns = f"{ns}:{p.namespace}" if ns else p.namespace
            if sub_ns.split(":")[0] in SKIP_NAMESPACES:
                continue
            yield from walk(p, prefix + str(p.pattern), sub_ns)
        elif p.name:
            yield (f"{ns}:{p.name}" if ns else p.name), prefix + str(p.pattern), p


def body(response) -> str:  # type: ignore[no-untyped-def]
    """The text of a response, streamed (exports) or not."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def build(route: str, values: dict[str, str]) -> str | None:
    import re

    out = route.replace("^", "").replace("$", "")
    if "(?P<format>" in out or "\\.(?P" in out:
        return None  # DRF's format-suffix variants duplicate the plain route
    # regex routes (DRF routers): (?P<name>pattern) → value
    for name in re.findall(r"\(\?P<(\w+)>", out):
        if name not in values:
            raise AssertionError(f"route {route!r}: add a sample value for <{name}>")
        out = re.sub(rf"\(\?P<{name}>[^)]*\)", values[name], out)
    for name in re.findall(r"<(?:\w+:)?(\w+)>", out):
        if name not in values:
            raise AssertionError(f"route {route!r}: add a sample value for <{name}>")
        out = re.sub(rf"<(?:\w+:)?{name}>", values[name], out)
    return "/" + out


@pytest.fixture
def sample(world, make_request, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from kent360.media.tests.factories import make_media
    from kent360.organizations import services as org_services
    from kent360.requests.services import request_attach

    settings.MEDIA_ROOT = tmp_path
    png = io.BytesIO()
    Image.new("RGB", (2, 2)).save(png, "PNG")

    r = make_request()  # a Fen İşleri request of the first organisation
    only = org_services.directorate_create(organisation=world.org, name="Zabıta", code="only-first")
    org_services.category_create(
        organisation=world.org, name="Gürültü", code="only-first", default_directorate=only
    )
    att = request_attach(
        request=r,
        actor=None,
        system=True,
        upload=SimpleUploadedFile("a.png", png.getvalue(), content_type="image/png"),
    )
    from kent360.intake.services import inbound_receive

    inbound = inbound_receive(
        organisation=world.org,
        source="email",
        idempotency_key="<matrix@example.org>",
        raw=b"From: a@example.org\r\n\r\nbody",
        enqueue=False,
    ).message
    from kent360.reports.models import ExportJob
    from kent360.reports.services import export_job_run

    # The shared "pk" sample is the attachment's id (not 1 on PostgreSQL, whose sequences
    # other tests have advanced), so the export job takes the same id.
    ExportJob.objects.create(
        pk=att.pk, organisation=world.org, requested_by=world.staff[Role.PR_MANAGER], format="csv"
    )
    export_job_run(job_id=att.pk)
    # Media desk rows of the first organisation (routes name their ids distinctly).
    media = make_media(world.org, world.staff[Role.PRESS_OFFICER], host="bornova")
    return {
        "inbound": str(inbound.pk),
        "citizen": str(r.citizen_id),
        "org": world.org.slug,
        **_press_samples(world),
        "article_id": str(media.article.pk),
        "story_id": str(media.story.pk),
        "source_id": str(media.source.pk),
        "entity_id": str(media.entity.pk),
        "rule_id": str(media.rule.pk),
        "case_id": str(media.case.pk),
        "code": r.tracking_code,
        "tracking_code": r.tracking_code,
        "action": "note",
        "pk": str(att.pk),
        "id": str(att.pk),
        "request": r,
    }


def _press_samples(world) -> dict[str, str]:
    """One object of every press, social and network route, owned by the first organisation."""
    from django.utils import timezone

    from kent360.network.models import ActionItem, Campaign, Crisis, Meeting
    from kent360.organizations.models import Role
    from kent360.press import services as press
    from kent360.press.models import Distribution
    from kent360.social.models import SocialAccount, SocialPost

    officer = world.staff[Role.PRESS_OFFICER]
    release = press.release_create(
        organisation=world.org, actor=officer, title="Bülten", body="<p>Metin</p>"
    )
    event = press.event_create(
        organisation=world.org,
        actor=officer,
        title="Açılış",
        kind="opening",
        starts_at=timezone.now(),
    )
    dist = Distribution.objects.create(organisation=world.org, release=release, language="tr")
    account = SocialAccount.objects.create(
        organisation=world.org,
        network="mastodon",
        name="B",
        api_base="http://127.0.0.1:9",
        access_token="t",
    )
    post = SocialPost.objects.create(organisation=world.org, text="Gönderi", author=officer)
    post.targets.create(organisation=world.org, account=account)
    campaign = Campaign.objects.create(organisation=world.org, title="Kampanya", message="Mesaj")
    meeting = Meeting.objects.create(
        organisation=world.org, title="Toplantı", held_on=timezone.localdate()
    )
    item = ActionItem.objects.create(meeting=meeting, text="İş", owner_organisation=world.org)
    crisis = Crisis.objects.create(organisation=world.org, title="Sel", kind="flood")
    return {
        "release": str(release.pk),
        "event": str(event.pk),
        "distribution": str(dist.pk),
        "post": str(post.pk),
        "campaign": str(campaign.pk),
        "meeting": str(meeting.pk),
        "item": str(item.pk),
        "crisis": str(crisis.pk),
        "org": world.org.slug,
        "slug": release.slug,
        "token": "not-a-token",
        "attachment": "1",
    }


def test_every_url_is_classified_and_isolated(world, sample, client):
    from kent360.testing import login

    checked = 0
    for name, route, _pattern in walk():
        values = {k: v for k, v in sample.items() if isinstance(v, str)}
        values.update(OVERRIDES.get(name.split("-")[0], {}))
        for prefix, key in API_OBJECTS.items():  # router routes all call their id "pk"
            if name.startswith(prefix):
                values["pk"] = sample[key]
        url = build(route, values)
        if url is None:
            continue
        checked += 1
        is_api = url.startswith("/api/v1/")
        has_object = "<" in route or "(?P<" in route
        # anonymous
        client.logout()
        anon = APIClient().get(url) if is_api else client.get(url)
        if name in PUBLIC:
            assert anon.status_code < 500, (name, anon.status_code)
        elif is_api:
            assert anon.status_code in (401, 403), (name, anon.status_code)
        else:
            assert anon.status_code in (302, 403, 405), (name, anon.status_code)
            if anon.status_code == 302:
                assert "/login/" in anon["Location"], name
        if name in PUBLIC:
            continue
        # another organisation's staff, every role: nothing of the first organisation
        for role, staff in world.other_staff.items():
            if is_api:
                api = APIClient()
                api.force_authenticate(staff.user)
                response = api.get(url)
            else:
                login(client, staff)
                response = client.get(url)
            if has_object:
                assert response.status_code in (403, 404, 405), (name, role, response.status_code)
            else:
                assert sample["code"] not in body(response), (name, role)
        # staff of another directorate of the same organisation: not this Fen request
        login(client, world.staff["temizlik_staff"])
        is_request_route = name.startswith(REQUEST_ROUTES)
        if has_object and is_request_route:
            if is_api:
                api = APIClient()
                api.force_authenticate(world.staff["temizlik_staff"].user)
                response = api.get(url)
            else:
                response = client.get(url)
            assert response.status_code in (403, 404, 405), (name, response.status_code)
        # every role of the owning organisation gets an answer, never a server error
        for role, staff in world.staff.items():
            if is_api:
                api = APIClient()
                api.force_authenticate(staff.user)
                response = api.get(url)
            else:
                login(client, staff)
                response = client.get(url)
            assert response.status_code < 500, (name, role, response.status_code)
            if role in (Role.PR_MANAGER, Role.ORG_ADMIN) and has_object:
                assert response.status_code in (200, 405), (name, role, response.status_code)
    assert checked >= 10


def test_write_actions_of_another_organisation_are_refused(world, sample, client):
    from kent360.testing import login

    r = sample["request"]
    events_before = r.events.count()
    for role, staff in world.other_staff.items():
        login(client, staff)
        for action in [
            "assign",
            "start",
            "answer",
            "note",
            "reply",
            "close",
            "reject",
            "transfer",
            "merge",
            "reopen",
            "triage",
            "wait",
        ]:
            response = client.post(
                f"/requests/{r.tracking_code}/{action}/",
                {
                    "text": "x",
                    "reason": "x",
                    "competent_body": "x",
                    "directorate": world.other_dir.pk,
                },
            )
            assert response.status_code == 404, (role, action)
    r.refresh_from_db()
    assert r.state == "received" and r.events.count() == events_before

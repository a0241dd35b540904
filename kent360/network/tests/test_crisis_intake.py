"""Intake tags a request with a crisis when the citizen types the crisis code."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from kent360.intake.services import inbound_process, inbound_receive
from kent360.network import services
from kent360.network.models import Crisis, CrisisRequest
from kent360.organizations.models import Role
from kent360.requests.models import Request

pytestmark = pytest.mark.django_db


def _crisis(world, title="Sel") -> Crisis:
    return services.crisis_open(actor=world.staff[Role.PR_MANAGER], title=title, kind="flood")


def test_code_typed_in_the_web_form_tags_the_request(world, client):
    cache.clear()
    crisis = _crisis(world)
    response = client.post(
        "/intake/report/bornova/",
        {
            "kind": "complaint",
            "text": f"Bodrum katımızı su bastı. Kod: {crisis.code}",
            "name": "Gülşen Işık",
            "phone": "0532 444 55 66",
            "consent": "on",
            "website": "",
            "submission_key": "crisis-1",
        },
    )
    assert response.status_code == 200
    request = Request.objects.get()
    link = CrisisRequest.objects.get()
    assert (link.crisis, link.request, link.organisation) == (crisis, request, world.org)


def test_code_in_an_email_subject_tags_the_request_once(world):
    crisis = _crisis(world)
    raw = (
        f"From: Zeynep <zeynep@example.org>\r\nTo: bornova@kent360.test\r\n"
        f"Subject: {crisis.code} evimiz su altinda\r\nMessage-ID: <c1@example.org>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nLutfen yardim edin.\r\n"
    ).encode()
    msg = inbound_receive(
        organisation=world.org,
        source="email",
        idempotency_key="<c1@example.org>",
        raw=raw,
        enqueue=False,
    ).message
    inbound_process(message_id=msg.pk)
    request = Request.objects.get()
    assert list(CrisisRequest.objects.values_list("crisis", "request")) == [(crisis.pk, request.pk)]
    again = services.crisis_tag_request_by_code(request=request, text=f"Re: {crisis.code}")
    assert len(again) == 1 and CrisisRequest.objects.count() == 1


def test_closed_foreign_or_partial_codes_do_not_tag(world, make_request):
    crisis = _crisis(world)
    closed = _crisis(world, "Eski yangın")
    services.crisis_close(actor=world.staff[Role.PR_MANAGER], crisis=closed)
    foreign = services.crisis_open(
        actor=world.other_staff[Role.PR_MANAGER], title="Karşıyaka seli", kind="flood"
    )
    request = make_request()
    text = f"kod{crisis.code} {closed.code} {foreign.code} {crisis.code}x"
    assert services.crisis_tag_request_by_code(request=request, text=text) == []
    assert CrisisRequest.objects.count() == 0


def test_codes_of_the_metropolitan_and_of_active_sister_districts_tag(world, make_request):
    """The network is the metropolitan and its active districts: a Bornova citizen may type
    the code of İzmir's crisis or Karşıyaka's, not that of a district no longer active."""
    from kent360.organizations import services as org_services

    metro = org_services.organisation_create(
        name="İzmir Büyükşehir", slug="izmir-bs", code_prefix="IZB", kind="metropolitan"
    )
    world.org.parent = metro
    world.org.save(update_fields=["parent"])
    sister = org_services.organisation_create(
        name="Karşıyaka", slug="karsiyaka-x", code_prefix="KSX", parent=metro
    )
    gone = org_services.organisation_create(
        name="Eski İlçe", slug="eski-ilce", code_prefix="ESK", parent=metro
    )
    codes = {}
    for org in (metro, sister, gone):
        crisis = Crisis.objects.create(organisation=org, title=f"Sel {org.slug}", kind="flood")
        codes[org.slug] = crisis.code
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    request = make_request()
    text = " ".join(codes.values())
    tagged = services.crisis_tag_request_by_code(request=request, text=text)
    assert sorted(link.crisis.organisation.slug for link in tagged) == ["izmir-bs", "karsiyaka-x"]

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from kent360.citizens.models import Citizen
from kent360.core.errors import DomainError, InvalidTransition, NotAllowed
from kent360.organizations.models import Role
from kent360.requests import services
from kent360.requests.models import (
    TRACKING_ALPHABET,
    EventType,
    Request,
    RequestEvent,
    State,
    normalise_tracking_code,
)


def test_create_sets_directorate_deadline_code_and_event(world, make_request):
    before = timezone.now()
    r = make_request()
    assert r.state == State.RECEIVED
    assert r.directorate == world.fen  # the category's default directorate
    assert before + timedelta(hours=72) <= r.due_at <= timezone.now() + timedelta(hours=72)
    body = r.tracking_code.replace("-", "")
    assert len(body) == 8 and set(body) <= set(TRACKING_ALPHABET)
    assert r.tracking_code != str(r.pk)
    events = list(r.events.all())
    assert [e.type for e in events] == [EventType.CREATED]
    assert events[0].is_public and events[0].actor == world.staff[Role.AGENT]


def test_default_sla_is_48_hours_without_category(world, make_request):
    r = make_request(category=None)
    assert r.directorate is None
    assert abs((r.due_at - r.created_at) - timedelta(hours=48)) < timedelta(seconds=1)


def test_full_lifecycle_writes_every_step(world, make_request):
    r = make_request()
    agent, worker = world.staff[Role.AGENT], world.staff[Role.DIRECTORATE_STAFF]
    r = services.request_triage(request=r, actor=agent, category=world.cat_cop)
    assert r.state == State.TRIAGED and r.directorate == world.temizlik
    r = services.request_assign(request=r, actor=agent, directorate=world.fen)
    r = services.request_start(request=r, actor=worker)
    assert r.assignee == worker
    services.request_add_note(request=r, actor=worker, text="Ekip yolda.")
    r = services.request_answer(request=r, actor=worker, answer="Çukur kapatıldı.")
    assert r.first_answered_at is not None
    r = services.request_close(request=r, actor=agent)
    assert r.state == State.CLOSED and r.closed_at is not None
    r = services.request_reopen(request=r, actor=agent, reason="Çukur yeniden açıldı.")
    assert r.state == State.REOPENED and r.closed_at is None
    states = list(r.events.exclude(to_state="").values_list("to_state", flat=True))
    assert states == [
        "received",
        "triaged",
        "assigned",
        "in_progress",
        "answered",
        "closed",
        "reopened",
    ]
    assert r.events.filter(type=EventType.NOTE, is_public=False).count() == 1


def test_invalid_transition_is_refused_with_clear_message(world, make_request):
    r = make_request()
    with pytest.raises(InvalidTransition) as exc:
        services.request_close(request=r, actor=world.staff[Role.PR_MANAGER])
    assert "Received" in str(exc.value.message) or "Alındı" in str(exc.value.message)
    r.refresh_from_db()
    assert r.state == State.RECEIVED
    assert r.events.count() == 1  # nothing half-written


def test_transfer_requires_reason_and_moves_directorate(world, make_request):
    r = make_request()
    pr = world.staff[Role.PR_MANAGER]
    with pytest.raises(DomainError):
        services.request_transfer(request=r, actor=pr, directorate=world.temizlik, reason=" ")
    r = services.request_transfer(
        request=r, actor=pr, directorate=world.temizlik, reason="Çöp konusu"
    )
    assert r.state == State.TRANSFERRED and r.directorate == world.temizlik
    event = r.events.get(type=EventType.TRANSFERRED)
    assert event.data["from_directorate_id"] == world.fen.pk and event.text == "Çöp konusu"
    with pytest.raises(DomainError):
        services.request_transfer(request=r, actor=pr, directorate=world.other_dir, reason="x")


def test_merge_and_reject(world, make_request):
    original, dup, other = make_request(), make_request(), make_request()
    pr = world.staff[Role.PR_MANAGER]
    dup = services.request_merge(request=dup, actor=pr, into=original)
    assert dup.state == State.MERGED and dup.merged_into == original
    assert original.events.filter(type=EventType.MERGED).exists()
    with pytest.raises(DomainError):
        services.request_merge(request=other, actor=pr, into=dup)
    with pytest.raises(DomainError):
        services.request_reject(request=other, actor=pr, reason="x", competent_body="")
    other = services.request_reject(
        request=other, actor=pr, reason="Elektrik arızası", competent_body="GDZ Elektrik"
    )
    assert other.state == State.REJECTED and other.rejected_competent_body == "GDZ Elektrik"


def test_directorate_staff_cannot_act_on_another_directorate(world, make_request):
    r = make_request(category=world.cat_cop)  # Temizlik
    with pytest.raises(NotAllowed):
        services.request_start(request=r, actor=world.staff[Role.DIRECTORATE_STAFF])
    with pytest.raises(NotAllowed):
        services.request_add_note(request=r, actor=world.other_staff[Role.ORG_ADMIN], text="x")
    services.request_start(request=r, actor=world.staff["temizlik_staff"])


def test_press_officer_cannot_work_requests(world, make_request):
    r = make_request()
    with pytest.raises(NotAllowed):
        services.request_assign(
            request=r, actor=world.staff[Role.PRESS_OFFICER], directorate=world.fen
        )


def test_idempotency_key_never_creates_a_second_request(world, make_request):
    a = services.request_create(
        organisation=world.org,
        actor=None,
        channel="api",
        subject="s",
        text="t",
        idempotency_key="abc",
    )
    b = services.request_create(
        organisation=world.org,
        actor=None,
        channel="api",
        subject="other",
        text="other",
        idempotency_key="abc",
    )
    assert a.created and not b.created and a.request.pk == b.request.pk
    # the same key in another organisation is a different request
    c = services.request_create(
        organisation=world.other_org,
        actor=None,
        channel="api",
        subject="s",
        text="t",
        idempotency_key="abc",
    )
    assert c.created and c.request.pk != a.request.pk
    assert Request.objects.filter(idempotency_key="abc").count() == 2


def test_bad_input_is_refused_and_nothing_saved(world):
    with pytest.raises(ValidationError) as exc:
        services.request_create(
            organisation=world.org,
            actor=None,
            channel="pigeon",
            subject="",
            text="",
            latitude=95.0,
            longitude=None,
        )
    assert {"channel", "subject", "text", "latitude"} <= set(exc.value.message_dict)
    assert Request.objects.count() == 0 and RequestEvent.objects.count() == 0
    with pytest.raises(DomainError):
        services.request_create(
            organisation=world.org,
            actor=None,
            channel="web",
            subject="s",
            text="t",
            category=world.other_cat,
        )


def test_citizen_is_matched_across_requests_by_phone(world, make_request):
    a = make_request(contact_phone="0532 111 22 33", contact_email="")
    b = make_request(contact_phone="+90 (532) 111-2233", contact_email="x@example.org")
    assert a.citizen_id == b.citizen_id
    citizen = Citizen.objects.get(pk=a.citizen_id)
    assert citizen.phone == "+905321112233" and citizen.email == "x@example.org"


def test_tracking_code_normalisation():
    assert normalise_tracking_code(" k7m4 9qxd ") == "K7M4-9QXD"
    assert normalise_tracking_code("BRN-K7M4-9QXD") == "K7M4-9QXD"


def test_update_records_old_and_new(world, make_request):
    r = make_request()
    r = services.request_update(
        request=r, actor=world.staff[Role.PR_MANAGER], priority=4, neighbourhood="Erzene"
    )
    event = r.events.get(type=EventType.FIELD)
    assert event.data["changes"]["neighbourhood"] == ["", "Erzene"]
    assert event.data["changes"]["priority"] == ["2", "4"]
    with pytest.raises(DomainError):
        services.request_update(request=r, actor=world.staff[Role.PR_MANAGER], state="closed")


def test_a_taken_tracking_code_is_replaced_and_nothing_half_written(
    world, make_request, monkeypatch
):
    first = make_request(contact_phone="0532 999 88 77", contact_email="")
    codes = iter([first.tracking_code, first.tracking_code, "ABCD-EFGH"])
    monkeypatch.setattr(services, "new_tracking_code", lambda: next(codes))
    citizens = Citizen.objects.count()
    second = make_request(contact_phone="0533 444 55 66", contact_email="yeni@example.org")
    assert second.tracking_code == "ABCD-EFGH" and second.pk != first.pk
    # the two failed attempts left no citizen, event or request behind
    assert Citizen.objects.count() == citizens + 1
    assert Request.objects.filter(subject=second.subject).count() == 2
    assert RequestEvent.objects.filter(request=second).count() == 1


def test_tracking_code_clashes_give_up_after_a_few_attempts(world, make_request, monkeypatch):
    first = make_request()
    monkeypatch.setattr(services, "new_tracking_code", lambda: first.tracking_code)
    before = Request.objects.count()
    with pytest.raises(IntegrityError):
        make_request(contact_phone="0533 444 55 66")
    assert Request.objects.count() == before

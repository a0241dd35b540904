"""Writes other apps ask of the requests app: citizen messages, legal deadlines, citizen
links and erasure. Each leaves an event on the timeline and an audit entry."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kent360.citizens.models import Citizen
from kent360.core.errors import DomainError
from kent360.core.models import AuditEvent
from kent360.notifications.models import Notification
from kent360.organizations.models import Role
from kent360.requests import services
from kent360.requests.models import EventType, State


def _jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(out, format="JPEG")
    return out.getvalue()


def _with_email(staff, email):
    staff.user.email = email
    staff.user.save()
    return staff


def test_citizen_message_is_public_and_tells_the_assignee(world, make_request):
    fen = _with_email(world.staff[Role.DIRECTORATE_STAFF], "fen@bornova.test")
    r = make_request()
    services.request_assign(
        request=r, actor=world.staff[Role.PR_MANAGER], directorate=world.fen, assignee=fen
    )
    before = Notification.objects.count()
    event = services.request_record_citizen_message(
        request=r, text="  Hâlâ çukur duruyor.  ", channel="email", data={"inbound_id": 7}
    )
    assert event.type == EventType.MESSAGE and event.is_public and event.actor is None
    assert event.text == "Hâlâ çukur duruyor."
    assert event.data == {"inbound_id": 7, "from_citizen": True, "channel": "email"}
    r.refresh_from_db()
    assert r.state == State.ASSIGNED  # staff decide what the message means
    [mail] = Notification.objects.order_by("-pk")[: Notification.objects.count() - before]
    assert mail.recipient == "fen@bornova.test" and r.tracking_code in mail.subject
    assert "Hâlâ çukur duruyor." in mail.body and f"/requests/{r.tracking_code}/" in mail.body
    # the citizen is not told of their own message
    assert not Notification.objects.filter(key__startswith=f"event:{event.pk}:email").exclude(
        recipient="fen@bornova.test"
    )
    assert AuditEvent.objects.filter(action="request.citizen_message").exists()


def test_citizen_message_without_assignee_goes_to_directorate_managers(world, make_request):
    manager = _with_email(world.staff[Role.DIRECTORATE_MANAGER], "mudur@bornova.test")
    r = make_request()  # category asfalt → directorate fen, nobody assigned
    event = services.request_record_citizen_message(request=r, text="Ek bilgi", channel="web")
    assert Notification.objects.get(key=f"event:{event.pk}:email:staff:{manager.pk}")
    with pytest.raises(DomainError):
        services.request_record_citizen_message(request=r, text="  ", channel="web")
    with pytest.raises(DomainError):
        services.request_record_citizen_message(request=r, text="x", channel="pigeon")


def test_legal_deadline_is_set_once_and_evented(world, make_request):
    r = make_request()
    due = datetime(2026, 12, 22, 9, 0, tzinfo=UTC)
    services.request_set_legal_deadline(request=r, due_at=due, actor=None, source="CİMER")
    r.refresh_from_db()
    assert r.legal_due_at == due and r.due_at != due
    event = r.events.get(type=EventType.FIELD)
    assert event.data["changes"]["legal_due_at"] == ["", due.isoformat()]
    assert event.actor_label == "CİMER" and not event.is_public
    services.request_set_legal_deadline(request=r, due_at=due, actor=None)
    assert r.events.filter(type=EventType.FIELD).count() == 1  # no change, no event
    with pytest.raises(DomainError):
        services.request_set_legal_deadline(request=r, due_at=datetime(2026, 12, 22), actor=None)


def test_link_citizen_checks_the_organisation(world, make_request):
    r = make_request(contact_phone="", contact_email="")
    assert r.citizen is None
    citizen = Citizen.objects.create(organisation=world.org, name="@ayse")
    services.request_link_citizen(request=r, citizen=citizen, actor=None, reason="handle")
    r.refresh_from_db()
    assert r.citizen == citizen
    assert r.events.get(type=EventType.FIELD).data["changes"]["citizen"] == ["", str(citizen.pk)]
    stranger = Citizen.objects.create(organisation=world.other_org, name="x")
    with pytest.raises(DomainError):
        services.request_link_citizen(request=r, citizen=stranger, actor=None)
    r.refresh_from_db()
    assert r.citizen == citizen


def test_anonymise_erases_personal_data_and_keeps_statistics(world, make_request):
    r = make_request(latitude=38.46, longitude=27.21, address="İnönü Cd. 5", neighbourhood="Erzene")
    services.request_attach(
        request=r, actor=None, upload=SimpleUploadedFile("p.jpg", _jpeg()), system=True
    )
    staff_file = services.request_attach(
        request=r,
        actor=world.staff[Role.PR_MANAGER],
        upload=SimpleUploadedFile("rapor.txt", b"ekip raporu"),
    )
    services.request_record_citizen_message(request=r, text="Adım Şükrü, evim 5 no", channel="web")
    created, category, channel = r.created_at, r.category_id, r.channel
    with pytest.raises(DomainError):
        services.request_anonymise(request=r, actor=None, reason=" ")
    services.request_anonymise(request=r, actor=world.staff[Role.ORG_ADMIN], reason="KVKK 2026/3")
    r.refresh_from_db()
    assert (r.contact_name, r.contact_phone, r.contact_email, r.address) == ("", "", "", "")
    assert r.text == "—" and r.subject == "—" and r.latitude is None and r.citizen is None
    assert "Şükrü" not in r.search_text
    assert (r.created_at, r.category_id, r.channel, r.neighbourhood) == (
        created,
        category,
        channel,
        "Erzene",
    )
    assert r.events.get(type=EventType.MESSAGE).text == "—"
    assert list(r.attachments.all()) == [staff_file]  # the citizen's photo is gone
    assert AuditEvent.objects.filter(action="request.anonymise", target_id=str(r.pk)).exists()


def test_move_citizen_moves_every_request(world, make_request):
    a = make_request(contact_phone="0532 000 00 01", contact_email="")
    b = make_request(contact_phone="0532 000 00 01", contact_email="", subject="ikinci")
    keep = Citizen.objects.create(organisation=world.org, name="Aynı kişi")
    assert services.request_move_citizen(source=a.citizen, target=keep, actor=None) == 2
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.citizen == keep == b.citizen
    other = Citizen.objects.create(organisation=world.other_org)
    with pytest.raises(DomainError):
        services.request_move_citizen(source=keep, target=other, actor=None)


def test_same_issue_note_is_internal(world, make_request):
    r = make_request()
    event = services.request_record_same_issue(
        request=r, actor=world.staff[Role.AGENT], text="Komşusu da aradı", data={"citizen_id": 1}
    )
    assert event.type == EventType.NOTE and not event.is_public
    assert event.data == {"citizen_id": 1, "same_issue": True}
    with pytest.raises(DomainError):
        services.request_record_same_issue(request=r, actor=world.other_staff[Role.AGENT], text="x")
    assert timedelta(0) <= event.created_at - r.created_at

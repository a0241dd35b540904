from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from kent360.core.errors import DomainError
from kent360.organizations.models import Role
from kent360.press import contacts, distribution
from kent360.press.models import ContactList, Delivery, DeliveryState, Journalist, Outlet
from kent360.press.tests.helpers import Recorder, published_release, smtp_server
from kent360.testing import login

pytestmark = pytest.mark.django_db


def _contacts(world):
    gazete = Outlet.objects.create(
        organisation=world.org, name="Ege Gazetesi", kind="newspaper", scope="local"
    )
    tv = Outlet.objects.create(organisation=world.org, name="Kanal 35", kind="tv", scope="local")
    people = [
        Journalist.objects.create(
            organisation=world.org,
            outlet=gazete,
            name="Ayşe Yılmaz",
            email="ayse@ege.example",
            beats="belediye",
        ),
        Journalist.objects.create(
            organisation=world.org,
            outlet=gazete,
            name="Mehmet Öz",
            email="mehmet@ege.example",
            beats="spor",
        ),
        Journalist.objects.create(
            organisation=world.org,
            outlet=tv,
            name="Zeynep Kaya",
            email="zeynep@k35.example",
            beats="belediye",
        ),
    ]
    local_list = ContactList.objects.create(organisation=world.org, name="Yerel basın")
    local_list.members.set(people)
    return people, local_list


def test_release_is_emailed_to_a_list_with_delivery_log_retry_and_unsubscribe(
    world, settings, client, django_capture_on_commit_callbacks
):
    people, local_list = _contacts(world)
    release = published_release(world)
    recorder = Recorder(refuse_once={"mehmet@ege.example"})
    with smtp_server(settings, recorder):
        with django_capture_on_commit_callbacks(execute=True):
            dist = distribution.distribution_create(
                release=release, actor=world.staff[Role.PRESS_OFFICER], lists=[local_list]
            )
        # the task ran on commit (immediate backend): two delivered, one deferred by a 451
        states = dict(Delivery.objects.filter(distribution=dist).values_list("email", "state"))
        assert states == {
            "ayse@ege.example": "sent",
            "mehmet@ege.example": "pending",
            "zeynep@k35.example": "sent",
        }
        deferred = Delivery.objects.get(distribution=dist, email="mehmet@ege.example")
        assert deferred.attempts == 1 and "451" in deferred.last_error
        # a retry sweep later delivers it
        assert distribution.distribution_sweep(now=timezone.now() + timedelta(minutes=5)) == 1
        deferred.refresh_from_db()
        assert deferred.state == DeliveryState.SENT and deferred.attempts == 2

    assert sorted(r[0][0] for r in recorder.messages) == sorted(p.email for p in people)
    _rcpts, msg = next(m for m in recorder.messages if m[0] == ["ayse@ege.example"])
    assert msg["Subject"] == "Bornova'da yeni park açıldı"
    text = msg.get_body(preferencelist=("plain",)).get_content()
    assert "Ayşe Yılmaz" in text and "Park yarın açılıyor." in text
    unsubscribe = msg["List-Unsubscribe"].strip("<>")
    assert "/unsubscribe/" in unsubscribe

    # the log page shows every recipient
    login(client, world.staff[Role.PR_MANAGER])
    log_page = client.get(f"/press/distributions/{dist.pk}/").content.decode()
    assert log_page.count('data-state="sent"') == 3

    # one-click unsubscribe (RFC 8058 POST, no CSRF token) is honoured in the next send
    client.logout()
    path = unsubscribe[unsubscribe.index("/unsubscribe/") :]
    assert client.get(path).status_code == 200
    assert Journalist.objects.get(email="ayse@ege.example").unsubscribed_at is None
    client.post(path, {"List-Unsubscribe": "One-Click"})
    assert Journalist.objects.get(email="ayse@ege.example").unsubscribed_at is not None
    recorder2 = Recorder()
    with smtp_server(settings, recorder2), django_capture_on_commit_callbacks(execute=True):
        dist2 = distribution.distribution_create(
            release=release, actor=world.staff[Role.PRESS_OFFICER], lists=[local_list]
        )
    assert sorted(r[0][0] for r in recorder2.messages) == [
        "mehmet@ege.example",
        "zeynep@k35.example",
    ]
    assert Delivery.objects.get(distribution=dist2, email="ayse@ege.example").state == "skipped"


def test_delivery_gives_up_after_max_attempts(world, settings):
    _people, local_list = _contacts(world)
    release = published_release(world)
    Journalist.objects.exclude(email="zeynep@k35.example").delete()

    class AlwaysRefuse(Recorder):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            return "451 busy"

    with smtp_server(settings, AlwaysRefuse()):
        dist = distribution.distribution_create(
            release=release, actor=world.staff[Role.PRESS_OFFICER], lists=[local_list]
        )
        now = timezone.now()
        for i in range(1, 6):
            distribution.distribution_sweep(now=now + timedelta(hours=i))
    d = Delivery.objects.get(distribution=dist)
    assert d.state == DeliveryState.FAILED and d.attempts == distribution.MAX_ATTEMPTS


def test_only_published_releases_are_distributed(world):
    _people, local_list = _contacts(world)
    from kent360.press import services

    draft = services.release_create(
        organisation=world.org,
        actor=world.staff[Role.PRESS_OFFICER],
        title="Taslak",
        body="<p>x</p>",
    )
    with pytest.raises(DomainError):
        distribution.distribution_create(
            release=draft, actor=world.staff[Role.PRESS_OFFICER], lists=[local_list]
        )
    other_list = ContactList.objects.create(organisation=world.other_org, name="Başka")
    with pytest.raises(DomainError):
        distribution.distribution_create(
            release=published_release(world),
            actor=world.staff[Role.PRESS_OFFICER],
            lists=[other_list],
        )


def test_segment_matches_by_outlet_kind(world):
    _contacts(world)
    from kent360.press.selectors import list_recipients

    seg = ContactList.objects.create(
        organisation=world.org, name="TV", is_segment=True, outlet_kind="tv"
    )
    assert [j.name for j in list_recipients(seg)] == ["Zeynep Kaya"]
    beat = ContactList.objects.create(
        organisation=world.org, name="Belediye", is_segment=True, beat="belediye"
    )
    assert sorted(j.name for j in list_recipients(beat)) == ["Ayşe Yılmaz", "Zeynep Kaya"]


def test_contacts_import_and_export_guard_formula_injection(world, client):
    officer = world.staff[Role.PRESS_OFFICER]
    data = (
        b"name,email,phone,outlet,outlet_kind,outlet_scope,beats,languages\n"
        b'"=HYPERLINK(""http://evil"")",evil@example.org,+905321112233,'
        b"Ajans X,agency,national,,tr\n"
        b'Ali Veli,ali@example.org,,Ajans X,agency,national,ekonomi,"tr,en"\n'
        b",nobody@example.org,,,,,,\n"
    )
    result = contacts.contacts_import(staff=officer, filename="c.csv", data=data)
    assert (result.created, result.updated, len(result.errors)) == (2, 0, 1)
    again = contacts.contacts_import(staff=officer, filename="c.csv", data=data)
    assert (again.created, again.updated) == (0, 2)
    rows = list(csv.reader(io.StringIO(contacts.contacts_export_csv(staff=officer))))
    evil = next(r for r in rows if r[1] == "evil@example.org")
    assert evil[0].startswith("'=") and evil[2] == "'+905321112233"
    wb = load_workbook(io.BytesIO(contacts.contacts_export_xlsx(staff=officer)))
    values = [c.value for row in wb.active.iter_rows() for c in row]
    assert '\'=HYPERLINK("http://evil")' in values
    assert all(c.data_type != "f" for row in wb.active.iter_rows() for c in row)
    # round trip through XLSX import
    xlsx = contacts.contacts_export_xlsx(staff=officer)
    assert contacts.contacts_import(staff=officer, filename="c.xlsx", data=xlsx).updated == 2
    # another organisation's export holds none of these
    assert "ali@example.org" not in contacts.contacts_export_csv(
        staff=world.other_staff[Role.PRESS_OFFICER]
    )
    login(client, officer)
    response = client.get("/press/contacts/export.xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxml"
    )

"""The citizen 360° view: channels joined, merge, KVKK export and erasure, access log."""

import json

from kent360.citizens.models import Citizen, CitizenHandle
from kent360.citizens.services import citizen_add_handle
from kent360.ops.models import PersonalDataAccess
from kent360.organizations.models import Role
from kent360.requests.models import Request
from kent360.testing import login


def test_one_citizen_across_channels_and_access_is_logged(world, client, make_request):
    desk = make_request(contact_phone="0532 111 22 33", contact_email="")
    web = make_request(
        channel="web",
        contact_phone="+90 532 111 2233",
        contact_email="Sukru@Example.org",
        subject="Web",
    )
    mail = make_request(
        channel="email", contact_phone="", contact_email="sukru@example.org", subject="Mail"
    )
    citizen = desk.citizen
    citizen.refresh_from_db()
    assert (
        web.citizen == citizen and mail.citizen == citizen and citizen.email == "sukru@example.org"
    )
    admin = world.staff[Role.PR_MANAGER]
    login(client, admin)
    page = client.get(f"/citizens/{citizen.pk}/", REMOTE_ADDR="10.9.8.7").content.decode()
    for r in (desk, web, mail):
        assert r.tracking_code in page
    view = PersonalDataAccess.objects.get(citizen=citizen, staff=admin, what="citizen.view")
    assert view.ip == "10.9.8.7" and view.staff_label == admin.user.username
    assert view.organisation == world.org and view.request is None
    # the citizen's own file shows its reads; the organisation admin's log lists them too
    assert "citizen.view" in client.get(f"/citizens/{citizen.pk}/").content.decode()
    login(client, world.staff[Role.ORG_ADMIN])
    log_page = client.get("/account/access-log/", {"q": f"#{citizen.pk}"}).content.decode()
    assert "citizen.view" in log_page and f"/citizens/{citizen.pk}/" in log_page
    assert "request.detail" not in log_page
    # directorate staff have no need to open a citizen's file; other organisations cannot
    login(client, world.staff[Role.DIRECTORATE_STAFF])
    assert client.get(f"/citizens/{citizen.pk}/").status_code == 404
    login(client, world.other_staff[Role.ORG_ADMIN])
    assert client.get(f"/citizens/{citizen.pk}/").status_code == 404
    assert client.get(f"/citizens/{citizen.pk}/export.json").status_code == 404
    login(client, world.staff[Role.AGENT])
    found = client.get("/citizens/", {"q": "05321112233"}).content.decode()
    assert f"/citizens/{citizen.pk}/" in found


def test_merge_two_records_of_one_person(world, client, make_request):
    a = make_request(contact_phone="0532 111 22 33", contact_email="").citizen
    b = make_request(
        contact_phone="", contact_email="ayni.kisi@example.org", contact_name="Şükrü Ç."
    ).citizen
    citizen_add_handle(citizen=b, platform="mastodon", handle="@sukru@mastodon.example")
    assert a != b
    login(client, world.staff[Role.ORG_ADMIN])
    client.post(f"/citizens/{a.pk}/merge/", {"other": b.pk})
    a.refresh_from_db()
    assert not Citizen.objects.filter(pk=b.pk).exists()
    assert a.email == "ayni.kisi@example.org" and Request.objects.filter(citizen=a).count() == 2
    assert CitizenHandle.objects.get().citizen == a
    # the removed record's read history follows the person to the kept record
    assert set(
        PersonalDataAccess.objects.filter(what="citizen.merge").values_list("citizen", flat=True)
    ) == {a.pk}
    assert PersonalDataAccess.objects.filter(what="citizen.merge").count() == 2
    login(client, world.staff[Role.AGENT])
    assert client.post(f"/citizens/{a.pk}/merge/", {"other": a.pk}).status_code == 404


def test_export_json_and_pdf(world, client, make_request):
    r = make_request(text="İnönü Caddesi'nde çukur; شهرداری")
    login(client, world.staff[Role.PR_MANAGER])
    data = json.loads(client.get(f"/citizens/{r.citizen_id}/export.json").content)
    assert data["citizen"]["phone"] == "+905321112233"
    assert (
        data["requests"][0]["tracking_code"] == r.tracking_code
        and "شهرداری" in data["requests"][0]["text"]
    )
    pdf = client.get(f"/citizens/{r.citizen_id}/export.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    exports = PersonalDataAccess.objects.filter(citizen_id=r.citizen_id, what="citizen.export")
    assert exports.count() == 2


def test_erasure_keeps_statistics(world, client, make_request):
    r1 = make_request(
        address="İnönü Cad. 5", neighbourhood="Kazımdirik", latitude=38.46, longitude=27.22
    )
    r2 = make_request(category=world.cat_cop, neighbourhood="Erzene")
    citizen = r1.citizen
    login(client, world.staff[Role.AGENT])
    assert client.post(f"/citizens/{citizen.pk}/anonymise/", {"reason": "x"}).status_code == 404
    login(client, world.staff[Role.ORG_ADMIN])
    client.post(f"/citizens/{citizen.pk}/anonymise/", {"reason": "KVKK başvurusu 2026/14"})
    citizen.refresh_from_db()
    assert citizen.anonymised_at and not (
        citizen.name or citizen.phone or citizen.email or citizen.national_id_hash
    )
    r1.refresh_from_db()
    r2.refresh_from_db()
    assert (
        r1.contact_phone == ""
        and r1.contact_name == ""
        and "çukur" not in r1.text
        and r1.address == ""
    )
    # what statistics need is still there
    assert (r1.category, r1.neighbourhood, r1.channel, r1.state) == (
        world.cat_asfalt,
        "Kazımdirik",
        "desk",
        "received",
    )
    assert (
        r2.category == world.cat_cop and Request.objects.filter(organisation=world.org).count() == 2
    )
    assert r1.events.filter(actor_label="KVKK").exists()

"""Call-centre caller lookup, "same issue" follows, duplicate candidates and merging."""

from kent360.intake.duplicates import duplicate_candidates
from kent360.intake.followers import followers_notify
from kent360.intake.models import RequestFollower
from kent360.notifications.models import Notification
from kent360.organizations.models import Role
from kent360.requests.models import Request
from kent360.requests.services import request_answer, request_assign
from kent360.testing import login


def test_caller_lookup_normalises_turkish_and_iranian_numbers(world, client, make_request):
    r = make_request(contact_phone="+90 (532) 111 22 33")
    make_request(
        organisation=world.other_org,
        actor=world.other_staff["agent"],
        category=world.other_cat,
        contact_phone="0532 111 22 33",
        subject="Karşıyaka talebi",
    )
    login(client, world.staff[Role.AGENT])
    for typed in ("05321112233", "0532 111 22 33", "+905321112233", "۰۵۳۲۱۱۱۲۲۳۳"):
        page = client.get("/intake/caller/", {"contact_phone": typed}).content.decode()
        assert "+905321112233" in page and r.tracking_code in page, typed
        assert "Karşıyaka talebi" not in page
    iran = make_request(contact_phone="+98 912 345 6789", contact_email="", subject="Tehran")
    page = client.get("/intake/caller/", {"contact_phone": "+989123456789"}).content.decode()
    assert iran.tracking_code in page
    assert (
        "Not a valid phone number"
        in client.get(
            "/intake/caller/", {"contact_phone": "12"}, headers={"accept-language": "en"}
        ).content.decode()
    )
    desk = client.get("/requests/new/").content.decode()
    assert "/intake/caller/" in desk


def test_same_issue_follows_instead_of_creating(world, client, make_request):
    r = make_request()
    login(client, world.staff[Role.AGENT])
    response = client.post(
        f"/intake/requests/{r.tracking_code}/same-issue/",
        {
            "contact_name": "Leyla Aydın",
            "contact_phone": "0533 999 88 77",
            "contact_email": "leyla@example.org",
            "text": "Aynı çukur, komşu aradı",
        },
    )
    assert response.status_code == 302
    assert Request.objects.count() == 1
    follower = RequestFollower.objects.get()
    assert follower.citizen.phone == "+905339998877" and follower.reason == "same_issue"
    assert r.events.filter(type="note", text="Aynı çukur, komşu aradı").exists()
    # the follower hears of the next public step
    request_assign(request=r, actor=world.staff[Role.PR_MANAGER], directorate=world.fen)
    assert followers_notify() == 1 and followers_notify() == 0
    assert Notification.objects.filter(recipient="leyla@example.org").count() == 1
    # another organisation cannot attach a follower to this request
    login(client, world.other_staff[Role.ORG_ADMIN])
    assert (
        client.post(
            f"/intake/requests/{r.tracking_code}/same-issue/", {"contact_phone": "05330000000"}
        ).status_code
        == 404
    )


def test_duplicates_found_by_category_place_time_and_text(world, client, make_request):
    base = dict(category=world.cat_cop, latitude=38.4600, longitude=27.2200)
    original = make_request(
        subject="Çöp konteyneri taştı",
        text="Kazımdirik'teki çöp konteyneri taştı, kokuyor.",
        **base,
    )
    dup = make_request(
        subject="ÇÖP KONTEYNERİ TAŞMIŞ",
        text="Kazımdirik'te konteyner taştı, çöp kokuyor",
        contact_phone="0535 000 00 01",
        contact_email="komsu@example.org",
        latitude=38.4605,
        longitude=27.2203,
        category=world.cat_cop,
    )
    far = make_request(
        subject="Çöp konteyneri taştı",
        text="Kazımdirik'teki çöp konteyneri taştı, kokuyor.",
        latitude=38.50,
        longitude=27.30,
        category=world.cat_cop,
    )
    other_cat = make_request(
        subject="Çöp konteyneri taştı",
        text="Kazımdirik'teki çöp konteyneri taştı, kokuyor.",
        **{**base, "category": world.cat_asfalt},
    )
    unrelated = make_request(subject="Gürültü", text="Gece inşaat çalışması var", **base)
    staff = world.staff[Role.PR_MANAGER]
    found = [c.request for c in duplicate_candidates(staff=staff, request=dup)]
    assert (
        original in found and far not in found and other_cat not in found and unrelated not in found
    )
    login(client, staff)
    partial = client.get(f"/intake/requests/{dup.tracking_code}/duplicates/").content.decode()
    assert original.tracking_code in partial and "m ·" in partial
    response = client.post(
        f"/intake/requests/{dup.tracking_code}/merge/", {"into": original.tracking_code}
    )
    assert response.status_code == 302
    dup.refresh_from_db()
    assert dup.state == "merged" and dup.merged_into == original
    assert RequestFollower.objects.get(request=original).citizen == dup.citizen
    request_assign(request=original, actor=staff, directorate=world.temizlik)
    request_answer(request=original, actor=staff, answer="Konteyner boşaltıldı.")
    followers_notify()
    assert Notification.objects.filter(recipient="komsu@example.org", request=original).count() == 2
    # another organisation sees nothing
    login(client, world.other_staff[Role.ORG_ADMIN])
    assert client.get(f"/intake/requests/{dup.tracking_code}/duplicates/").status_code == 404

import re

import pytest
from django.urls import reverse

from kent360.organizations.models import Role
from kent360.requests import services
from kent360.requests.models import Request, State
from kent360.testing import login


def test_inbox_lists_filters_and_searches(client, world, make_request):
    a = make_request(subject="Erzene'de çukur", neighbourhood="Erzene")
    b = make_request(subject="Çöp alınmadı", category=world.cat_cop, neighbourhood="Tuna")
    other = make_request(
        organisation=world.other_org, actor=None, category=world.other_cat, subject="Karşıyaka çöp"
    )
    login(client, world.staff[Role.PR_MANAGER])
    page = client.get(reverse("requests:inbox")).content.decode()
    assert a.tracking_code in page and b.tracking_code in page
    assert other.tracking_code not in page
    page = client.get(reverse("requests:inbox"), {"q": "cop alinmadi"}).content.decode()
    assert b.tracking_code in page and a.tracking_code not in page
    page = client.get(reverse("requests:inbox"), {"neighbourhood": "erzene"}).content.decode()
    assert a.tracking_code in page and b.tracking_code not in page
    page = client.get(reverse("requests:inbox"), {"category": world.cat_cop.pk}).content.decode()
    assert b.tracking_code in page and a.tracking_code not in page
    # HTMX asks for the table only
    partial = client.get(
        reverse("requests:inbox"), {"q": b.tracking_code}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in partial and b.tracking_code in partial


def test_inbox_overdue_filter(client, world, make_request):
    from datetime import timedelta

    from django.utils import timezone

    late = make_request(subject="eski talep")
    Request.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=1))
    fresh = make_request(subject="yeni talep")
    login(client, world.staff[Role.PR_MANAGER])
    page = client.get(reverse("requests:inbox"), {"overdue": "on"}).content.decode()
    assert late.tracking_code in page and fresh.tracking_code not in page
    assert "overdue" in page or "gecikti" in page.lower() or "gecikmiş" in page.lower()


def test_directorate_staff_see_only_their_directorate(client, world, make_request):
    fen_req = make_request()
    cop_req = make_request(category=world.cat_cop)
    login(client, world.staff[Role.DIRECTORATE_STAFF])
    page = client.get(reverse("requests:inbox"), {"state": ""}).content.decode()
    assert fen_req.tracking_code in page and cop_req.tracking_code not in page
    assert client.get(reverse("requests:detail", args=[cop_req.tracking_code])).status_code == 404


def test_desk_entry_creates_once_even_if_submitted_twice(client, world):
    login(client, world.staff[Role.AGENT])
    form = client.get(reverse("requests:desk")).content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', form).group(1)
    data = {
        "channel": "phone",
        "kind": "complaint",
        "category": world.cat_cop.pk,
        "subject": "Konteyner taşıyor",
        "text": "Işıklar Mahallesi'nde konteyner taşıyor.",
        "contact_name": "İpek Ünal",
        "contact_phone": "0532 000 11 22",
        "priority": 2,
        "language": "tr",
        "idempotency_key": key,
    }
    first = client.post(reverse("requests:desk"), data)
    second = client.post(reverse("requests:desk"), data)
    assert first.status_code == 302 and second.status_code == 302
    assert Request.objects.filter(subject="Konteyner taşıyor").count() == 1
    r = Request.objects.get(subject="Konteyner taşıyor")
    assert r.directorate == world.temizlik and r.channel == "phone"
    assert first["Location"].endswith(f"/requests/{r.tracking_code}/")


def test_desk_entry_shows_errors_and_saves_nothing(client, world):
    login(client, world.staff[Role.AGENT])
    response = client.post(
        reverse("requests:desk"),
        {
            "channel": "phone",
            "kind": "request",
            "subject": "",
            "text": "",
            "priority": 2,
            "language": "tr",
            "category": world.other_cat.pk,
        },
    )
    assert response.status_code == 200
    assert Request.objects.count() == 0
    assert "invalid-feedback" in response.content.decode()


def test_detail_actions_move_the_request(client, world, make_request):
    r = make_request()
    login(client, world.staff[Role.DIRECTORATE_MANAGER])
    url = lambda action: reverse("requests:act", args=[r.tracking_code, action])  # noqa: E731
    client.post(
        url("assign"),
        {"directorate": world.fen.pk, "assignee": world.staff[Role.DIRECTORATE_STAFF].pk},
    )
    client.post(url("start"))
    client.post(url("note"), {"text": "İç not: ekip yönlendirildi"})
    client.post(url("answer"), {"text": "Çukur asfaltlandı."})
    r.refresh_from_db()
    assert r.state == State.ANSWERED
    detail = client.get(reverse("requests:detail", args=[r.tracking_code])).content.decode()
    assert "İç not: ekip yönlendirildi" in detail and "Çukur asfaltlandı." in detail
    # an invalid action is refused with a message, not a 500
    response = client.post(url("start"), follow=True)
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    r.refresh_from_db()
    assert r.state == State.ANSWERED


def test_public_tracking_page_hides_internal_data(client, world, make_request):
    r = make_request()
    pr = world.staff[Role.PR_MANAGER]
    services.request_add_note(request=r, actor=pr, text="GİZLİ iç not")
    services.request_assign(request=r, actor=pr, directorate=world.fen)
    services.request_answer(request=r, actor=pr, answer="Ekibimiz çalışmayı tamamladı.")
    page = client.get(reverse("track_code", args=[r.tracking_code.lower()])).content.decode()
    assert "Ekibimiz çalışmayı tamamladı." in page
    assert "GİZLİ iç not" not in page
    assert "sukru@example.org" not in page and "0532" not in page
    assert world.staff[Role.PR_MANAGER].user.username not in page
    assert client.get(reverse("track_code", args=["ZZZZ-ZZZZ"])).status_code == 404
    redirect = client.get(reverse("track"), {"code": r.tracking_code})
    assert redirect.status_code == 302


@pytest.mark.parametrize("lang,dir_", [("tr", "ltr"), ("en", "ltr"), ("fa", "rtl")])
def test_language_and_direction(client, world, lang, dir_):
    client.post(reverse("set_language"), {"language": lang, "next": "/track/"})
    page = client.get(reverse("track")).content.decode()
    assert f'lang="{lang}" dir="{dir_}"' in page
    if dir_ == "rtl":
        assert "bootstrap.rtl.min.css" in page


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(reverse("requests:inbox"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_user_without_organisation_gets_403(client, django_user_model, world):
    user = django_user_model.objects.create_user("stranger", password="x")
    client.force_login(user)
    assert client.get(reverse("requests:inbox")).status_code == 403


def test_attachments_are_checked_by_content_and_scoped(
    client, world, make_request, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    r = make_request()
    login(client, world.staff[Role.AGENT])
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    png = buffer.getvalue()
    fake = SimpleUploadedFile(
        "../../etc/photo.png", b"MZ\x90\x00 not an image", content_type="image/png"
    )
    response = client.post(
        reverse("requests:act", args=[r.tracking_code, "attach"]), {"file": fake}, follow=True
    )
    assert "alert-danger" in response.content.decode()
    assert r.attachments.count() == 0
    good = SimpleUploadedFile("../../çukur fotoğrafı.png", png, content_type="image/png")
    client.post(reverse("requests:act", args=[r.tracking_code, "attach"]), {"file": good})
    att = r.attachments.get()
    assert att.original_name == "çukur fotoğrafı.png" and att.content_type == "image/png"
    assert ".." not in att.file.name and str(tmp_path) in att.file.path
    url = reverse("requests:attachment", args=[r.tracking_code, att.pk])
    assert client.get(url).status_code == 200
    login(client, world.other_staff[Role.ORG_ADMIN])
    assert client.get(url).status_code == 404

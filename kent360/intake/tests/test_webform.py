"""The public web form: photos checked by content, GPS used, EXIF stripped, spam refused."""

import io

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kent360.intake.models import InboundMessage
from kent360.notifications.models import Notification
from kent360.requests.models import Request


def _form(**extra):
    data = {
        "kind": "complaint",
        "category": "",
        "text": "Kazımdirik Mahallesi'nde çöp konteynerleri taştı; ışıklar da yanmıyor.",
        "address": "",
        "latitude": "",
        "longitude": "",
        "name": "Gülşen Işık",
        "phone": "0532 444 55 66",
        "email": "gulsen@example.org",
        "consent": "on",
        "website": "",
        "submission_key": "sub-1",
    }
    data.update(extra)
    return data


def setup_function():
    cache.clear()


def test_web_form_creates_request_with_tracking_code_and_clean_photo(world, client, photo):
    page = client.get("/intake/report/bornova/")
    assert page.status_code == 200 and "KVKK" in page.content.decode()
    upload = SimpleUploadedFile("IMG_1.jpg", photo("JPEG", gps=(38.4621, 27.2154)), "image/jpeg")
    response = client.post(
        "/intake/report/bornova/", _form(category=world.cat_cop.pk, photos=[upload])
    )
    assert response.status_code == 200
    r = Request.objects.get()
    assert r.tracking_code in response.content.decode()
    assert r.channel == "web" and r.kind == "complaint" and r.category == world.cat_cop
    assert abs(r.latitude - 38.4621) < 1e-4 and abs(r.longitude - 27.2154) < 1e-4
    assert r.citizen.phone == "+905324445566"
    stored = r.attachments.get()
    with stored.file.open("rb") as fh:
        image = Image.open(io.BytesIO(fh.read()))
        assert not image.getexif(), "EXIF (GPS, owner name) must be stripped"
    # the tracking code goes out by e-mail (notifications outbox)
    mail = Notification.objects.get(request=r)
    assert mail.recipient == "gulsen@example.org" and r.tracking_code in mail.body
    # a double submit of the same form lands on the same request
    client.post("/intake/report/bornova/", _form(category=world.cat_cop.pk))
    assert Request.objects.count() == 1 and InboundMessage.objects.count() == 1


def test_web_form_refuses_a_non_image_posing_as_jpeg(world, client):
    fake = SimpleUploadedFile("evil.jpg", b"MZ\x90\x00 not a photo at all", "image/jpeg")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post("/intake/report/bornova/", _form(photos=[fake]))
    assert response.status_code == 200
    assert "evil.jpg is not a JPEG, PNG or HEIC photo" in response.content.decode()
    assert Request.objects.count() == 0


def test_web_form_accepts_heic(world, client):
    import pillow_heif

    image = Image.new("RGB", (32, 32), (10, 200, 30))
    buf = io.BytesIO()
    pillow_heif.from_pillow(image).save(buf, quality=80)
    upload = SimpleUploadedFile("IMG_2.HEIC", buf.getvalue(), "image/heic")
    response = client.post("/intake/report/bornova/", _form(photos=[upload], submission_key="heic"))
    assert response.status_code == 200, response.content.decode()[:500]
    att = Request.objects.get().attachments.get()
    assert att.content_type == "image/jpeg"


def test_honeypot_and_rate_limit(world, client, settings):
    response = client.post("/intake/report/bornova/", _form(website="http://spam.example"))
    assert response.status_code == 400 and Request.objects.count() == 0
    settings.KENT360_WEBFORM_MAX_PER_HOUR = 2
    cache.clear()
    codes = [
        client.post("/intake/report/bornova/", _form(submission_key=f"s{i}")).status_code
        for i in range(3)
    ]
    assert codes == [200, 200, 429]
    assert Request.objects.count() == 2


def test_consent_is_required(world, client):
    data = _form()
    del data["consent"]
    response = client.post("/intake/report/bornova/", data)
    assert response.status_code == 200 and Request.objects.count() == 0
    assert 'id="id_consent"' in response.content.decode()


def test_refused_photo_keeps_the_raw_submission_with_its_error(world, client, photo):
    fake = SimpleUploadedFile("evil.jpg", b"MZ\x90\x00 not a photo at all", "image/jpeg")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post("/intake/report/bornova/", _form(photos=[fake], submission_key="k1"))
    assert "evil.jpg is not a JPEG, PNG or HEIC photo" in response.content.decode()
    kept = InboundMessage.objects.get()
    assert kept.source == "web" and kept.status == "failed"
    assert "evil.jpg is not a JPEG, PNG or HEIC photo" in kept.error
    assert kept.payload["text"].startswith("Kazımdirik") and kept.payload["phone"]
    assert kept.payload["files"] == [{"name": "evil.jpg", "size": 23}]
    with kept.files.get().file.open("rb") as fh:
        assert fh.read() == b"MZ\x90\x00 not a photo at all"
    assert Request.objects.count() == 0
    # the same bad post again (double click) is not a second item
    client.post("/intake/report/bornova/", _form(photos=[fake], submission_key="k1"))
    assert InboundMessage.objects.count() == 1
    # staff can still turn the text into a request; the refused file is not attached
    from kent360.intake.services import inbound_convert
    from kent360.organizations.models import Role

    converted = inbound_convert(
        message=kept,
        actor=world.staff[Role.AGENT],
        fields={"subject": "Çöp", "text": kept.payload["text"], "channel": "web"},
    )
    assert converted.attachments.count() == 0
    # the citizen fixes the photo and sends the same form again: now a request
    good = SimpleUploadedFile("IMG_3.jpg", photo("JPEG"), "image/jpeg")
    response = client.post("/intake/report/bornova/", _form(photos=[good], submission_key="k1"))
    r = Request.objects.exclude(pk=converted.pk).get()
    assert r.tracking_code in response.content.decode() and r.attachments.count() == 1
    assert InboundMessage.objects.get(idempotency_key="k1").request == r

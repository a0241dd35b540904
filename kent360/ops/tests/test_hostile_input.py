"""Hostile input against what exists: stored XSS, path traversal, fake images,
decompression bombs, oversized payloads, CSV formulas."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from kent360.core.csvsafe import safe_csv_cell
from kent360.core.errors import DomainError
from kent360.organizations.models import Role
from kent360.requests.services import request_attach, request_reply
from kent360.testing import login, staff_api_key

SCRIPT = "<script>alert('x')</script>"
ONERROR = '<img src=x onerror="alert(1)">'


@pytest.fixture
def hostile(make_request):
    return make_request(
        subject=f"Çukur {SCRIPT}",
        text=f"Metin {ONERROR} ve {SCRIPT}",
        contact_name='Ali "><svg onload=alert(2)>',
        neighbourhood=f"Kazımdirik{ONERROR}",
    )


def _assert_inert(html: str) -> None:
    assert SCRIPT not in html
    assert "<img src=x" not in html
    assert "<svg onload" not in html
    assert "&lt;script&gt;" in html or "&lt;img" in html


def test_citizen_text_is_escaped_on_staff_and_citizen_pages(world, hostile):
    client = login(Client(), world.staff[Role.AGENT])
    inbox = client.get(reverse("requests:inbox")).content.decode()
    assert hostile.tracking_code in inbox
    _assert_inert(inbox)
    detail = client.get(reverse("requests:detail", args=[hostile.tracking_code])).content.decode()
    _assert_inert(detail)
    assert "&lt;svg onload=alert(2)&gt;" in detail
    request_reply(request=hostile, actor=world.staff[Role.AGENT], text=f"Yanıt {SCRIPT}")
    track = Client().get(reverse("track_code", args=[hostile.tracking_code])).content.decode()
    assert "Yanıt" in track
    _assert_inert(track)


@pytest.mark.django_db(transaction=True)
def test_notification_emails_are_plain_text_only(world, make_request, smtp_server):
    make_request(subject=f"Konu {SCRIPT}", contact_name=f"Ali\r\nBcc: evil@example.org {ONERROR}")
    assert smtp_server.messages
    message = smtp_server.messages[-1]
    assert message.get_content_type() == "text/plain"
    assert not [p for p in message.walk() if p.get_content_type() == "text/html"]
    assert "evil@example.org" not in (message.get("Bcc") or "")
    assert message.get_all("Bcc") is None  # no header injection through the name
    assert ONERROR in message.get_content()  # inert as text/plain, not escaped or dropped


def _png(size: tuple[int, int] = (4, 4)) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", size).save(buffer, "PNG")
    return buffer.getvalue()


def test_attachment_names_never_become_paths(world, make_request, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    r = make_request()
    for hostile_name in [
        "../../../etc/passwd.png",
        "..\\..\\win.ini.png",
        "/abs/x.png",
        "a\x00b.png",
    ]:
        att = request_attach(
            request=r,
            actor=None,
            system=True,
            upload=SimpleUploadedFile(hostile_name, _png(), content_type="image/png"),
        )
        stored = (settings.MEDIA_ROOT / att.file.name).resolve()
        assert stored.is_relative_to(settings.MEDIA_ROOT.resolve())
        assert att.file.name.startswith(f"attachments/{r.organisation_id}/")
        assert ".." not in att.file.name and "passwd" not in att.file.name
        assert "/" not in att.original_name and "\\" not in att.original_name
    assert not (tmp_path / "etc").exists()


@pytest.mark.parametrize(
    "name,content",
    [
        ("photo.png", b"MZ\x90\x00 windows executable"),
        ("photo.jpg", b"<html><script>alert(1)</script>"),
        ("doc.pdf", b"#!/bin/sh\nrm -rf /"),
        ("notes.txt", b"\xff\xfe\x00binary\x00"),
    ],
)
def test_files_whose_content_is_not_what_they_claim_are_refused(
    world, make_request, settings, tmp_path, name, content
):
    settings.MEDIA_ROOT = tmp_path
    r = make_request()
    with pytest.raises(DomainError):
        request_attach(request=r, actor=None, system=True, upload=SimpleUploadedFile(name, content))
    assert r.attachments.count() == 0


def test_decompression_bombs_and_damaged_images_are_refused(
    world, make_request, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    r = make_request()
    # 20000×20000 one-bit pixels compress to a few kilobytes but decode to 400 megapixels
    bomb = io.BytesIO()
    Image.new("1", (20000, 20000)).save(bomb, "PNG", optimize=True)
    assert len(bomb.getvalue()) < 200_000
    with pytest.raises(DomainError, match="too large to process"):
        request_attach(
            request=r, actor=None, system=True, upload=SimpleUploadedFile("b.png", bomb.getvalue())
        )
    damaged = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    with pytest.raises(DomainError, match="damaged"):
        request_attach(
            request=r, actor=None, system=True, upload=SimpleUploadedFile("d.png", damaged)
        )
    assert r.attachments.count() == 0
    ok = request_attach(
        request=r, actor=None, system=True, upload=SimpleUploadedFile("ok.png", _png((64, 64)))
    )
    assert ok.content_type == "image/png"


def test_oversized_payloads_get_a_clear_400(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    staff = world.staff[Role.AGENT]
    raw = staff_api_key(staff)
    body = json.dumps({"subject": "x", "text": "y" * 200_000})
    api = Client().post(
        "/api/v1/requests/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {raw}",
    )
    assert api.status_code == 400
    client = login(Client(), staff)
    form = client.post(reverse("requests:desk"), {"subject": "x", "text": "y" * 200_000})
    assert form.status_code == 400
    assert world.org.requests.count() == 0


@pytest.mark.parametrize(
    "value,expected",
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+90 532 111 22 33", "'+90 532 111 22 33"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("  =1", "'  =1"),
        ("＝1", "'＝1"),
        ("Çukur var", "Çukur var"),
        ("a=b", "a=b"),
        (-3, -3),
        (2.5, 2.5),
        (None, ""),
        (True, True),
    ],
)
def test_safe_csv_cell(value, expected):
    assert safe_csv_cell(value) == expected

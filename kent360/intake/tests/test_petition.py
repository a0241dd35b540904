"""Paper petitions: real Tesseract on a generated scan with Turkish letters."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from kent360.intake.models import InboundMessage, Status
from kent360.organizations.models import Role
from kent360.requests.models import Request
from kent360.testing import login

FONT = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"
LINES = [
    "BORNOVA BELEDİYE BAŞKANLIĞINA",
    "Çiğli yolu üzerindeki ışıklar yanmıyor.",
    "Gereğinin yapılmasını saygılarımla arz ederim.",
    "Şükrü Öztürk",
]


def scanned_page(fmt: str = "PNG") -> bytes:
    """A slightly grey, slightly blurred, slightly rotated page, as a cheap scanner makes."""
    page = Image.new("L", (1700, 900), 235)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, 44)
    for i, line in enumerate(LINES):
        draw.text((120, 120 + i * 110), line, fill=25, font=font)
    page = page.rotate(0.6, fillcolor=235, resample=Image.BICUBIC).filter(
        ImageFilter.GaussianBlur(0.6)
    )
    out = io.BytesIO()
    page.save(out, format=fmt)
    return out.getvalue()


def test_scan_is_read_and_confirmed_by_staff(world, client, django_capture_on_commit_callbacks):
    login(client, world.staff[Role.AGENT])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/intake/petition/", {"file": SimpleUploadedFile("dilekce.png", scanned_page())}
        )
    assert response.status_code == 302
    msg = InboundMessage.objects.get()
    assert msg.status == Status.REVIEW, msg.error
    text = msg.parsed["text"]
    for word in ("BELEDİYE", "Çiğli", "ışıklar", "Gereğinin", "Şükrü", "Öztürk"):
        assert word in text, (word, text)
    assert 60 <= msg.parsed["ocr_confidence"] <= 100
    assert Request.objects.count() == 0  # nothing becomes a request before a person confirms
    page = client.get(f"/intake/items/{msg.pk}/")
    assert "Çiğli" in page.content.decode() and 'id="ocr-confidence"' in page.content.decode()
    response = client.post(
        f"/intake/items/{msg.pk}/",
        {
            "subject": "Işıklar yanmıyor",
            "text": text,
            "kind": "complaint",
            "contact_name": "Şükrü Öztürk",
        },
    )
    assert response.status_code == 302
    r = Request.objects.get()
    assert r.channel == "petition" and r.attachments.get().content_type == "image/png"


@translation.override("en")
def test_pdf_scan_and_wrong_type(world, client, django_capture_on_commit_callbacks):
    img = Image.open(io.BytesIO(scanned_page()))
    pdf = io.BytesIO()
    img.convert("RGB").save(pdf, format="PDF", resolution=200)
    login(client, world.staff[Role.AGENT])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/intake/petition/", {"file": SimpleUploadedFile("d.pdf", pdf.getvalue())})
        client.post(
            "/intake/petition/", {"file": SimpleUploadedFile("d.docx", b"PK\x03\x04 word file")}
        )
    pdf_msg = InboundMessage.objects.get(raw_name="d.pdf")
    assert pdf_msg.status == Status.REVIEW and "Şükrü" in pdf_msg.parsed["text"]
    bad = InboundMessage.objects.get(raw_name="d.docx")
    assert bad.status == Status.FAILED and "neither a PDF nor an image" in bad.error

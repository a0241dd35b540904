"""E-mail intake over a real SMTP conversation (aiosmtpd in-process, smtplib client)."""

import smtplib
import socket
from email.message import EmailMessage

import pytest

from kent360.intake.mail import smtp_controller
from kent360.intake.models import InboundMessage, Status
from kent360.requests.models import Request

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(world):
    controller = smtp_controller("127.0.0.1", free_port())
    controller.start()
    yield controller
    controller.stop()


def send(controller, raw: bytes, to: str = "bornova@kent360.test") -> None:
    # On the wire every line ends in CRLF (smtplib sends bytes as they are).
    raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    with smtplib.SMTP(controller.hostname, controller.port, timeout=30) as client:
        client.sendmail("vatandas@example.org", [to], raw)


def mail(subject: str, body: str, msgid: str, **headers) -> EmailMessage:
    m = EmailMessage()
    m["From"] = "Zeynep Öztürk <zeynep@example.org>"
    m["To"] = "bornova@kent360.test"
    m["Subject"] = subject
    m["Message-ID"] = msgid
    for k, v in headers.items():
        m[k.replace("_", "-")] = v
    m.set_content(body)
    return m


def test_mail_becomes_a_request_and_a_resend_does_not_duplicate(smtp, world, photo):
    m = mail(
        "Çöp konteyneri taştı",
        "Ergene Mahallesi'nde konteyner iki gündür boşaltılmadı.",
        "<m1@example.org>",
    )
    m.add_attachment(photo("PNG"), maintype="image", subtype="png", filename="konteyner.png")
    send(smtp, m.as_bytes())
    send(smtp, m.as_bytes())  # the mail server retried
    msg = InboundMessage.objects.get()
    assert msg.status == Status.DONE, msg.error
    r = Request.objects.get()
    assert r.channel == "email" and r.subject == "Çöp konteyneri taştı"
    assert r.contact_email == "zeynep@example.org" and r.contact_name == "Zeynep Öztürk"
    assert r.attachments.get().original_name == "konteyner.png"


def test_reply_is_threaded_by_tracking_code_and_by_in_reply_to(smtp, world):
    send(smtp, mail("Kaldırım kırık", "Kaldırım taşları kırık.", "<first@example.org>").as_bytes())
    r = Request.objects.get()
    send(
        smtp,
        mail(
            f"Re: [{r.tracking_code}] Kaldırım",
            "Hâlâ kırık, fotoğraf ekledim.",
            "<second@example.org>",
        ).as_bytes(),
    )
    send(
        smtp,
        mail(
            "Re: Kaldırım kırık",
            "Üçüncü kez yazıyorum.",
            "<third@example.org>",
            In_Reply_To="<first@example.org>",
        ).as_bytes(),
    )
    assert Request.objects.count() == 1
    replies = r.events.filter(type="message")
    texts = list(replies.values_list("text", flat=True))
    assert "Hâlâ kırık, fotoğraf ekledim." in texts and "Üçüncü kez yazıyorum." in texts
    # the citizen's own words are public on their timeline and kept with the raw mail
    assert all(e.is_public and e.data["channel"] == "email" for e in replies)
    assert {e.data["inbound_id"] for e in replies} == set(
        InboundMessage.objects.exclude(request=None)
        .exclude(pk=r.inbound_messages.order_by("pk").first().pk)
        .values_list("pk", flat=True)
    )


def test_html_only_mail_is_sanitised(smtp, world):
    m = EmailMessage()
    m["From"] = "ali@example.org"
    m["Subject"] = "Park"
    m["Message-ID"] = "<html@example.org>"
    m.set_content("<p>Parkta <b>salıncak</b> kırık</p><script>alert(1)</script>", subtype="html")
    send(smtp, m.as_bytes())
    r = Request.objects.get()
    assert "salıncak" in r.text and "<script>" not in r.text and "alert" not in r.text


def test_malformed_mime_is_kept_with_a_clear_error(smtp, world):
    raw = (
        b"From: a@example.org\r\nSubject: broken\r\nMessage-ID: <broken@example.org>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\nno boundary here\r\n"
    )
    send(smtp, raw)
    msg = InboundMessage.objects.get()
    # the listener thread works in the platform's default language (Turkish)
    assert msg.status == Status.FAILED and "MIME" in msg.error and "(" in msg.error
    assert msg.read_raw().startswith(b"From: a@example.org")
    assert Request.objects.count() == 0


def test_huge_attachment_is_kept_with_a_clear_error(smtp, world, settings):
    settings.KENT360_MAX_ATTACHMENT_BYTES = 50_000
    m = mail("Dilekçe", "Ekte.", "<big@example.org>")
    m.add_attachment(
        b"%PDF-1.4\n" + b"0" * 200_000,
        maintype="application",
        subtype="pdf",
        filename="dilekce.pdf",
    )
    send(smtp, m.as_bytes())
    msg = InboundMessage.objects.get()
    assert msg.status == Status.FAILED and "dilekce.pdf" in msg.error and " MB" in msg.error
    assert msg.raw_size > 200_000


def test_unknown_recipient_is_refused_in_the_smtp_conversation(smtp, world, settings):
    settings.KENT360_INTAKE_EMAIL_ORG = ""
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(smtp, mail("x", "y", "<z@example.org>").as_bytes(), to="nobody@kent360.test")
    assert InboundMessage.objects.count() == 0


def test_raw_utf8_headers_are_read(smtp, world):
    raw = (
        "From: Elif Yıldız <elif@example.org>\r\nSubject: Işıklar yanmıyor\r\n"
        "Message-ID: <utf8@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Çınarlı'da ışık yok.\r\n"
    ).encode()
    send(smtp, raw)
    r = Request.objects.get()
    assert r.contact_name == "Elif Yıldız" and r.subject == "Işıklar yanmıyor"


def test_recipient_check_during_a_database_outage_asks_the_sender_to_retry(smtp, world):
    from kent360.testing import database_unreachable

    # A 5xx here would make the citizen's mail server bounce the message for good.
    with database_unreachable(), pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(smtp, mail("Çukur", "Var", "<outage@example.org>").as_bytes())
    code, _text = refused.value.recipients["bornova@kent360.test"]
    assert 400 <= code < 500
    send(smtp, mail("Çukur", "Var", "<outage@example.org>").as_bytes())
    assert InboundMessage.objects.filter(idempotency_key="<outage@example.org>").count() == 1

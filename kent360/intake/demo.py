"""Demo inbound items for bornova: a web report, an e-mail, a CİMER row and a failed parse.

Idempotent: every item has a fixed idempotency key. No API key is created or printed here
(use ``kent360 open311 key``).
"""

from __future__ import annotations

from kent360.intake.models import ServiceAttribute
from kent360.intake.services import inbound_process, inbound_receive
from kent360.organizations.models import Category, Organisation

EMAIL = (
    "From: Elif Yıldız <elif@example.org>\r\nTo: bornova@kent360.local\r\n"
    "Subject: =?utf-8?q?Park_=C4=B1=C5=9F=C4=B1klar=C4=B1?=\r\n"
    "Message-ID: <demo-1@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    "Merhaba, Kazımdirik'teki parkın ışıkları üç gündür yanmıyor.\r\n"
).encode()
BROKEN = (
    b"From: bozuk@example.org\r\nSubject: ek\r\nMessage-ID: <demo-broken@example.org>\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\nsinir yok\r\n"
)


def load_demo() -> None:
    org = Organisation.objects.filter(slug="bornova").first()
    if org is None:
        return
    category = Category.objects.filter(organisation=org, is_active=True).order_by("pk").first()
    items = [
        dict(
            source="web",
            idempotency_key="demo-web-1",
            payload={
                "kind": "complaint",
                "text": "Ergene Mahallesi 120/5 Sokak'ta çöp konteyneri taştı.",
                "name": "Murat Güler",
                "phone": "0532 700 00 01",
                "latitude": 38.4627,
                "longitude": 27.2196,
            },
        ),
        dict(
            source="email",
            idempotency_key="<demo-1@example.org>",
            raw=EMAIL,
            raw_name="message.eml",
        ),
        dict(
            source="email",
            idempotency_key="<demo-broken@example.org>",
            raw=BROKEN,
            raw_name="message.eml",
        ),
        dict(
            source="cimer",
            idempotency_key="ref:CMR-DEMO-0001",
            payload={
                "row": {
                    "ref": "CMR-DEMO-0001",
                    "date": "18.11.2026 10:15",
                    "name": "Hatice Koç",
                    "text": "Sokağımızdaki kaldırım çalışması yarım bırakıldı.",
                },
                "line": 2,
                "file": "cimer-demo.csv",
                "channel_name": "CİMER",
            },
        ),
    ]
    for item in items:
        result = inbound_receive(organisation=org, enqueue=False, **item)  # type: ignore[arg-type]
        if result.created:
            inbound_process(message_id=result.message.pk)
    if category is not None:
        ServiceAttribute.objects.get_or_create(
            category=category,
            code="urgent",
            defaults={
                "organisation": org,
                "description": "Tehlike var mı? / Is anyone in danger?",
                "datatype": "singlevaluelist",
                "values": [{"key": "yes", "name": "Evet"}, {"key": "no", "name": "Hayır"}],
            },
        )

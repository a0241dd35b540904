"""CİMER exports: CSV, XLSX and XML rows become requests with the 30-day legal deadline."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from openpyxl import Workbook

from kent360.intake import services
from kent360.intake.models import InboundMessage, Status
from kent360.organizations.models import Role
from kent360.requests.models import Request

CSV = (
    "Başvuru No;Başvuru Tarihi;Ad Soyad;T.C. Kimlik No;Telefon;E-posta;Konu;Başvuru Metni;Adres\n"
    "CMR-2026-0001;10.11.2026 09:30;Ömer Çelik;10000000146;0532 123 45 67;omer@example.org;"
    "Kaldırım;"
    "Evimin önündeki kaldırım çökmüş.;Erzene Mah.\n"
    "CMR-2026-0002;11.11.2026;Nazlı Şen;;;;Gürültü;;Kazımdirik\n"
    ";12.11.2026;İsimsiz;;;;Konu;Referanssız satır;\n"
    "CMR-2026-0003;31.02.2026;Tarih Hatalı;;;;Konu;Metin var;\n"
)


def _import(world, name, data, capture):
    with capture(execute=True):
        return services.national_import(
            organisation=world.org, actor=world.staff[Role.AGENT], name=name, data=data
        )


def test_csv_import_rows_deadlines_and_row_errors(world, django_capture_on_commit_callbacks):
    result = _import(world, "cimer.csv", CSV.encode("utf-8"), django_capture_on_commit_callbacks)
    assert result.file_error == "" and len(result.messages) == 4
    r = Request.objects.get(external_ref="CMR-2026-0001")
    assert r.channel == "cimer" and r.contact_name == "Ömer Çelik"
    assert r.legal_due_at == datetime(2026, 12, 10, 9, 30, tzinfo=ZoneInfo("Europe/Istanbul"))
    assert r.due_at < r.legal_due_at  # the internal 48-hour target is far earlier
    assert r.citizen.national_id_hash and "10000000146" not in str(r.citizen.__dict__)
    errors = {
        m.payload["line"]: m.error for m in InboundMessage.objects.filter(status=Status.FAILED)
    }
    assert "Başvuru Metni" in errors[3]  # missing text
    assert "Başvuru No" in errors[4]  # missing reference
    assert "31.02.2026" in errors[5]  # impossible date
    # importing the same export again adds nothing
    _import(world, "cimer.csv", CSV.encode("utf-8"), django_capture_on_commit_callbacks)
    assert Request.objects.count() == 1 and InboundMessage.objects.count() == 4


def test_cp1254_csv_and_xlsx(world, django_capture_on_commit_callbacks):
    _import(
        world,
        "eski.csv",
        CSV.replace("CMR-2026-000", "OLD-").encode("cp1254"),
        django_capture_on_commit_callbacks,
    )
    assert Request.objects.filter(external_ref="OLD-1", contact_name="Ömer Çelik").exists()
    book = Workbook()
    sheet = book.active
    sheet.append(["Başvuru No", "Başvuru Tarihi", "Ad Soyad", "Başvuru Metni"])
    sheet.append(["X-77", datetime(2026, 11, 1, 8, 0), "Şahin Ağaoğlu", "Park aydınlatması yok."])
    buf = io.BytesIO()
    book.save(buf)
    _import(world, "cimer.xlsx", buf.getvalue(), django_capture_on_commit_callbacks)
    r = Request.objects.get(external_ref="X-77")
    assert (
        r.text == "Park aydınlatması yok."
        and r.legal_due_at.day == 1
        and r.legal_due_at.month == 12
    )


@translation.override("en")
def test_xml_import_and_entity_expansion_refused(world, django_capture_on_commit_callbacks):
    xml = (
        '<?xml version="1.0" encoding="utf-8"?><Basvurular><Basvuru><BasvuruNo>XML-1</BasvuruNo>'
        "<BasvuruTarihi>05.11.2026</BasvuruTarihi><AdSoyad>İlkay Işıl</AdSoyad>"
        "<BasvuruMetni>Su kesintisi hakkında bilgi istiyorum.</BasvuruMetni></Basvuru></Basvurular>"
    )
    _import(world, "cimer.xml", xml.encode(), django_capture_on_commit_callbacks)
    assert Request.objects.get(external_ref="XML-1").contact_name == "İlkay Işıl"
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        "<Basvurular><Basvuru><BasvuruNo>&lol2;</BasvuruNo><BasvuruMetni>x</BasvuruMetni></Basvuru></Basvurular>"
    )
    result = _import(world, "bomb.xml", bomb.encode(), django_capture_on_commit_callbacks)
    assert "DTD" in result.file_error or "entities" in result.file_error
    kept = result.messages[0]
    assert kept.status == Status.FAILED and kept.read_raw() == bomb.encode()
    broken = _import(
        world, "broken.xml", b"<Basvurular><Basvuru>", django_capture_on_commit_callbacks
    )
    assert "not well-formed" in broken.file_error


@pytest.mark.parametrize("data", [b"", b"a;b;c\n1;2;3\n"])
def test_unreadable_csv_is_kept(world, data, django_capture_on_commit_callbacks):
    result = _import(world, "x.csv", data, django_capture_on_commit_callbacks)
    assert result.file_error and result.messages[0].status == Status.FAILED


def test_import_page(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kent360.testing import login

    login(client, world.staff[Role.AGENT])
    response = client.post("/intake/import/", {"file": SimpleUploadedFile("c.csv", CSV.encode())})
    assert response.status_code == 302
    assert InboundMessage.objects.filter(organisation=world.org, source="cimer").count() == 4

"""Report pages through the browser's eyes (Django test client): access, exports, map."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from datetime import date

import openpyxl
import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from kent360.organizations.models import Role
from kent360.reports import demo, services, views
from kent360.reports.models import ExportJob, ReportSettings, ReportSubscription
from kent360.reports.tests.conftest import NOW
from kent360.testing import login

PAGES = [
    "reports:dashboard",
    "reports:map",
    "reports:map_data",
    "reports:export",
    "reports:report_pdf",
    "reports:achievement",
    "reports:settings",
]
MARCH = "date_from=2026-03-01&date_to=2026-03-31"


@pytest.mark.parametrize("name", PAGES)
def test_directorate_staff_and_agents_are_refused(world, client, name):
    for role in (Role.DIRECTORATE_STAFF, Role.AGENT, Role.PRESS_OFFICER):
        login(client, world.staff[role])
        assert client.get(reverse(name)).status_code == 403, role


@pytest.mark.parametrize("lang", ["tr", "en", "fa"])
def test_dashboard_renders_figures_in_each_language(world, month, client, lang):
    login(client, world.staff[Role.PR_MANAGER])
    client.cookies["django_language"] = lang
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("reports:dashboard") + "?" + MARCH).content.decode()
    created = "۲۴" if lang == "fa" else "24"
    assert f'data-kpi="created">{created}<' in page
    assert 'id="table-channel"' in page and "chart-data" in page
    assert ('dir="rtl"' in page) == (lang == "fa")


def test_other_organisation_sees_none_of_it(world, month, client):
    login(client, world.other_staff[Role.PR_MANAGER])
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("reports:dashboard") + "?" + MARCH).content.decode()
        data = client.get(reverse("reports:map_data") + "?" + MARCH).json()
        export = b"".join(client.get(reverse("reports:export") + "?format=csv").streaming_content)
        foreign = client.get(reverse("reports:dashboard") + f"?{MARCH}&organisation={world.org.pk}")
    assert 'data-kpi="created">0<' in page
    assert data["points"] == [] and data["counts"] == {}
    assert month[0].tracking_code.encode() not in export and export.count(b"\n") == 1
    assert foreign.status_code == 200 and 'data-kpi="created">0<' in foreign.content.decode()


def test_csv_export_is_filtered_and_neutralises_formulas(world, make_request, client):
    evil = make_request(subject='=HYPERLINK("http://x")', neighbourhood="@SUM(A1)")
    make_request(subject="Başka", channel="phone")
    login(client, world.staff[Role.PR_MANAGER])
    response = client.get(reverse("reports:export") + "?format=csv&channel=desk")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2 and rows[1][0] == evil.tracking_code
    assert rows[1][8] == '\'=HYPERLINK("http://x")' and rows[1][7] == "'@SUM(A1)"


def test_xlsx_export_opens_with_the_same_rows(world, make_request, client):
    make_request(subject="-1+2")
    login(client, world.staff[Role.ORG_ADMIN])
    response = client.get(reverse("reports:export") + "?format=xlsx")
    data = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    values = list(sheet.values)
    assert len(values) == 2 and values[1][8] == "'-1+2"


def _export_codes(client, query: str) -> list[str]:
    response = client.get(reverse("reports:export") + "?format=csv&" + query)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return sorted(row[0] for row in list(csv.reader(io.StringIO(text)))[1:])


def test_export_holds_exactly_the_inbox_list(world, make_request, client):
    """Every inbox filter, the triage queue and "at risk" included, narrows the export
    the same way; the inbox's own export link names the state the inbox shows."""
    from datetime import timedelta

    from django.utils import timezone

    from kent360.requests import selectors as request_selectors
    from kent360.requests.models import Request
    from kent360.routing.models import Escalation

    unrouted = make_request(category=None, subject="Nereye gider?")
    risky = make_request(subject="Süre doluyor")
    due = timezone.now() + timedelta(hours=4)
    Request.objects.filter(pk=risky.pk).update(due_at=due)
    # the SLA sweep's 75 % reminder for the current deadline is what "at risk" means
    Escalation.objects.create(organisation=world.org, request=risky, level="reminder", due_at=due)
    closed = make_request(subject="Kapandı")
    Request.objects.filter(pk=closed.pk).update(state="closed")
    manager = world.staff[Role.PR_MANAGER]
    login(client, manager)
    for query, flags in (
        ("state=&triage=on", {"triage": True}),
        ("state=&at_risk=on", {"at_risk": True}),
        ("state=open", {"state": "open"}),
    ):
        filters = request_selectors.InboxFilters(**{"state": "", **flags})
        expected = sorted(
            request_selectors.request_list(staff=manager, filters=filters).values_list(
                "tracking_code", flat=True
            )
        )
        assert _export_codes(client, query) == expected, query
    assert _export_codes(client, "state=&triage=on") == [unrouted.tracking_code]
    assert _export_codes(client, "state=&at_risk=on") == [risky.tracking_code]
    assert closed.tracking_code not in _export_codes(client, "state=open")
    # without inbox filters (the dashboard's links) every state is exported
    assert closed.tracking_code in _export_codes(client, "")
    page = client.get(reverse("requests:inbox")).content.decode()
    link = page.split('id="inbox-export"')[1].split("</span>")[0]
    assert "state=open" in link and "format=xlsx" in link
    login(client, world.staff[Role.AGENT])
    assert 'id="inbox-export"' not in client.get(reverse("requests:inbox")).content.decode()


@pytest.mark.parametrize(
    ("lang", "code_header", "state_label"),
    [("tr", "Takip kodu", "Alındı"), ("en", "Tracking code", "Received"), ("fa", None, None)],
)
def test_exports_speak_the_requesters_language(
    world,
    make_request,
    client,
    monkeypatch,
    django_capture_on_commit_callbacks,
    lang,
    code_header,
    state_label,
):
    """Headers and labels in the interface language, also for a background export that
    the worker writes later."""
    make_request(subject="Yol çukuru")
    make_request(subject="Kaldırım")
    login(client, world.staff[Role.PR_MANAGER])
    client.cookies["django_language"] = lang
    direct = _rows_of(client.get(reverse("reports:export") + "?format=csv"))
    monkeypatch.setattr(views, "DIRECT_EXPORT_LIMIT", 1)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("reports:export") + "?format=csv")
    job = ExportJob.objects.get()
    assert job.language == lang
    later = _rows_of(client.get(reverse("reports:export_download", args=[job.pk])))
    assert later == direct and len(later) == 3
    headers = later[0]
    if lang == "fa":
        assert all(any("\u0600" <= ch <= "\u06ff" for ch in h) for h in headers), headers
    else:
        assert headers[0] == code_header and later[1][4] == state_label
    # every header is translated: none left in English outside the English export
    english = {"Received at", "Due at", "First answered at", "Closed at", "Tracking code"}
    assert (lang == "en") == bool(english & set(headers))


def _rows_of(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_big_export_runs_in_background_with_progress(
    world, make_request, client, monkeypatch, django_capture_on_commit_callbacks
):
    for i in range(3):
        make_request(subject=f"Yol çukuru {i}")
    monkeypatch.setattr(views, "DIRECT_EXPORT_LIMIT", 2)
    login(client, world.staff[Role.PR_MANAGER])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("reports:export") + "?format=csv")
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("reports:export_job", args=[job.pk])
    assert job.state == "done" and job.total == 3 and job.percent == 100
    page = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in page and "download" in page
    body = b"".join(client.get(reverse("reports:export_download", args=[job.pk])).streaming_content)
    assert body.decode("utf-8-sig").count("Yol çukuru") == 3
    login(client, world.other_staff[Role.PR_MANAGER])
    assert client.get(reverse("reports:export_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("reports:export_download", args=[job.pk])).status_code == 404


def test_boundary_upload_and_map_data(world, month, client):
    login(client, world.staff[Role.DIRECTORATE_MANAGER])
    raw = json.dumps(demo.demo_boundaries(["Kazımdirik", "Erzene", "Evka 3"])).encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post(
        reverse("reports:boundaries_upload"),
        {"file": SimpleUploadedFile("b.geojson", raw), "name_property": "name"},
    )
    assert not hasattr(world.org, "boundaries") or world.org.boundaries is None
    login(client, world.staff[Role.ORG_ADMIN])
    bad = client.post(
        reverse("reports:boundaries_upload"),
        {"file": SimpleUploadedFile("b.geojson", b'{"type": "Point"}'), "name_property": "name"},
        follow=True,
    )
    assert "FeatureCollection" in bad.content.decode()
    client.post(
        reverse("reports:boundaries_upload"),
        {"file": SimpleUploadedFile("b.geojson", raw), "name_property": "name"},
    )
    with time_machine.travel(NOW, tick=False):
        data = client.get(reverse("reports:map_data") + "?" + MARCH).json()
    assert len(data["boundaries"][0]["features"]) == 3
    assert data["counts"] == {"Kazımdirik": 8, "Erzene": 8, "Evka 3": 8}
    assert len(data["points"]) == 24


def test_demo_boundaries_tile_the_district():
    fc = demo.demo_boundaries()
    assert len(fc["features"]) == 30
    ring = fc["features"][7]["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and all(27.1 < x < 27.3 and 38.4 < y < 38.6 for x, y in ring)
    assert demo.neighbourhood_cell(38.4697, 27.2211) in {
        f["properties"]["name"] for f in fc["features"]
    }


def test_transparency_page_is_opt_in_and_has_no_personal_data(world, month, client):
    url = reverse("transparency", args=[world.org.slug])
    assert client.get(url).status_code == 404
    ReportSettings.objects.create(organisation=world.org, transparency_public=True)
    with time_machine.travel(NOW, tick=False):
        page = client.get(url).content.decode()
    assert 'id="t-created">24<' in page
    assert "Şükrü" not in page and month[0].tracking_code not in page and "0532" not in page
    assert client.get(reverse("transparency", args=[world.other_org.slug])).status_code == 404


def test_subscription_sends_each_period_once(world, month):
    services.subscription_create(
        actor=world.staff[Role.PR_MANAGER],
        email="baskan@example.org",
        frequency="weekly",
        language="fa",
    )
    with time_machine.travel(NOW, tick=False):
        assert len(services.subscription_send_due(today=date(2026, 3, 18))) == 1
        assert services.subscription_send_due(today=date(2026, 3, 19)) == []
    assert len(mail.outbox) == 1
    _name, body, mime = mail.outbox[0].attachments[0]
    assert mime == "application/pdf" and body[:5] == b"%PDF-"
    assert ReportSubscription.objects.get().last_period_sent == "2026-W11"


def test_subscriptions_need_an_admin(world, client):
    login(client, world.staff[Role.DIRECTORATE_MANAGER])
    client.post(
        reverse("reports:settings"),
        {"email": "a@example.org", "frequency": "weekly", "language": "tr"},
    )
    assert ReportSubscription.objects.count() == 0
    login(client, world.staff[Role.ORG_ADMIN])
    client.post(
        reverse("reports:settings"),
        {"email": "a@example.org", "frequency": "weekly", "language": "tr"},
    )
    sub = ReportSubscription.objects.get()
    login(client, world.other_staff[Role.ORG_ADMIN])
    assert client.post(reverse("reports:subscription_delete", args=[sub.pk])).status_code == 404
    assert ReportSubscription.objects.count() == 1


def pdf_text(body: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=body, capture_output=True, check=True
    ).stdout.decode()


def test_achievement_report_in_persian_has_jalali_dates_and_persian_digits(world, month, client):
    login(client, world.staff[Role.PR_MANAGER])
    with time_machine.travel(NOW, tick=False):
        response = client.get(
            reverse("reports:achievement"),
            {"date_from": "2026-03-01", "date_to": "2026-03-31", "language": "fa"},
        )
    text = pdf_text(response.content)
    assert response["Content-Type"] == "application/pdf"
    assert "۱۴۰۴" in text and "اسفند" in text  # 1 March 2026 is 10 Esfand 1404
    assert "۲۴" in text


def test_periodic_pdf_in_turkish(world, month, client):
    login(client, world.staff[Role.PR_MANAGER])
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("reports:report_pdf") + "?" + MARCH + "&lang=tr")
    text = pdf_text(response.content)
    assert "1 Mart 2026" in text and "Bornova" in text


def test_the_same_address_is_not_subscribed_twice_to_the_same_report(world):
    from kent360.core.errors import DomainError

    admin = world.staff[Role.PR_MANAGER]
    services.subscription_create(
        actor=admin, email="baskan@example.org", frequency="weekly", language="tr"
    )
    with pytest.raises(DomainError):
        services.subscription_create(
            actor=admin, email=" Baskan@Example.org ", frequency="weekly", language="fa"
        )
    services.subscription_create(
        actor=admin, email="baskan@example.org", frequency="monthly", language="tr"
    )
    services.subscription_create(
        actor=admin,
        email="baskan@example.org",
        frequency="weekly",
        language="tr",
        directorate=world.fen,
    )
    assert ReportSubscription.objects.count() == 3


def test_persian_dashboard_charts_use_jalali_days_and_persian_digits(world, month, client):
    login(client, world.staff[Role.PR_MANAGER])
    client.cookies["django_language"] = "fa"
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("reports:dashboard") + "?" + MARCH)
    data = json.loads(
        response.content.decode()
        .split('id="chart-data" type="application/json">')[1]
        .split("</script>")[0]
    )
    # 1 March 2026 is 10 Esfand 1404
    assert data["series"]["labels"][0] == "۱۰ اسفند ۱۴۰۴"
    assert all(
        not any(ch.isascii() and ch.isdigit() for ch in label)
        for label in data["series"]["labels"] + data["backlog"]["labels"]
    )
    settings_page = client.get(reverse("reports:settings")).content.decode()
    assert "<td>fa</td>" not in settings_page


def test_numbers_in_persian_use_persian_separators():
    from kent360.reports.pdf import format_number

    assert format_number(1234567, "fa") == "۱٬۲۳۴٬۵۶۷"
    assert format_number(4.25, "fa") == "۴٫۲۵"
    assert format_number(4.25, "tr") == "4,25" and format_number(1234, "tr") == "1.234"
    assert format_number(4.25, "en") == "4.25"

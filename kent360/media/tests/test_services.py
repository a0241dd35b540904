"""Services against real parts: a local HTTP server, an aiosmtpd SMTP server, WeasyPrint."""

from __future__ import annotations

import gzip
import io
import zipfile
from datetime import date, timedelta

import pytest
from django.utils import timezone

from kent360.core.errors import DomainError, InvalidTransition
from kent360.media import services
from kent360.media.demo import load_media_demo
from kent360.media.models import (
    AlertRule,
    Article,
    IngestError,
    RebuttalCase,
    RebuttalEvent,
    Source,
    Story,
    WatchEntity,
)
from kent360.media.pipeline.fetch import Fetcher, FetchError

from .conftest import PAGES, SEEDS


def fetcher(**kw):
    return Fetcher(min_interval=0.0, timeout=5, **kw)


def rss(site, links):
    items = "".join(
        f"<item><title>t{i}</title><link>{u}</link></item>" for i, u in enumerate(links)
    )
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
    return f"{head}{items}</channel></rss>".encode()


def test_fetch_source_from_local_server_with_bad_items(org, site):
    services.watch_entity_create(organisation=org, name="Bornova Belediyesi", kind="municipality")
    good = site.add(
        "/haber/bornova-yeni-sistem-1",
        (PAGES / "tr_bornova_1254.html").read_bytes(),
        "text/html; charset=windows-1254",
    )
    wrong_charset = site.add(
        "/haber/samandag-2",
        (PAGES / "tr_bornova_1254.html").read_bytes(),
        "text/html; charset=utf-8",
    )
    binary = site.add("/haber/binary-3", b"\x89PNG\r\n\x1a\n\x00\x00" * 500, "text/html")
    huge = site.add(
        "/haber/huge-4", b"<html><body>" + b"a" * (50 * 1024 * 1024) + b"</body></html>"
    )
    broken = site.add(
        "/haber/broken-5",
        b"<html><body><div><p>" + "Bornova Belediyesi açıklama yaptı. ".encode() * 30,
    )
    missing = site.base + "/haber/missing-6"
    site.add(
        "/rss",
        rss(site, [good, wrong_charset, binary, huge, broken, missing]),
        "application/rss+xml",
    )
    src = services.source_create(
        organisation=org, name="Yerel", kind=Source.Kind.FEED, url=site.base + "/rss"
    )
    f = fetcher(max_bytes=5 * 1024 * 1024)
    stored = services.source_fetch(source_id=src.pk, fetcher=f)
    assert stored == 3
    arts = {a.url: a for a in Article.objects.filter(organisation=org)}
    assert arts[good].title == "Bornova’da yeni iletişim sistemi"
    assert arts[good].published_at.isoformat() == "2021-02-11T07:09:00+00:00"
    assert "Başkanı" in arts[wrong_charset].text  # a page that lies about its charset
    assert arts[good].mentions.filter(entity__name="Bornova Belediyesi").exists()
    assert arts[good].raw_text.startswith("<!DOCTYPE html>") or "Bornova" in arts[good].raw_text
    errors = {e.url: e.reason for e in IngestError.objects.filter(organisation=org)}
    assert errors == {binary: "binary", huge: "too_large", missing: "http"}
    src.refresh_from_db()
    assert src.last_success_at is not None and src.error_count == 0
    # Second run: the known URLs are not fetched again.
    site.log.clear()
    assert services.source_fetch(source_id=src.pk, fetcher=f) == 0
    assert all(
        p in ("/rss", "/haber/binary-3", "/haber/huge-4", "/haber/missing-6") for p, _ in site.log
    )


def test_invalid_feed_marks_the_source(org, site):
    site.add(
        "/rss", "<rss><channel><item><title>kapanmadı</channel>".encode(), "application/rss+xml"
    )
    src = services.source_create(
        organisation=org, name="Kırık", kind=Source.Kind.FEED, url=site.base + "/rss"
    )
    assert services.source_fetch(source_id=src.pk, fetcher=fetcher()) == 0
    src.refresh_from_db()
    assert src.error_count == 1 and "invalid feed" in src.last_error
    assert IngestError.objects.get(source=src).stage == "discover"


def test_fetcher_politeness(site):
    site.add("/robots.txt", b"User-agent: *\nDisallow: /gizli/\n", "text/plain")
    site.add("/gizli/x", b"<html>no</html>")
    site.add("/acik", b"<html><body>ok</body></html>", ETag='"v1"')
    f = Fetcher(min_interval=0.3, timeout=5)
    with pytest.raises(FetchError) as exc:
        f.get(site.base + "/gizli/x")
    assert exc.value.reason == "robots"
    first = f.get(site.base + "/acik")
    assert first.etag == '"v1"'
    import time

    t = time.monotonic()
    again = f.get(site.base + "/acik", etag=first.etag)
    assert again.not_modified and time.monotonic() - t >= 0.25  # spaced per host
    assert site.log[-1][1].get("If-None-Match") == '"v1"'
    assert all(h.get("User-Agent", "").startswith("kent360-media") for _, h in site.log)


def test_sweep_fetches_only_due_sources(org, site):
    site.add("/rss", rss(site, []), "application/rss+xml")
    due = services.source_create(
        organisation=org, name="A", kind="feed", url=site.base + "/rss", fetch_interval_minutes=30
    )
    fresh = services.source_create(organisation=org, name="B", kind="feed", url=site.base + "/rss")
    Source.objects.filter(pk=fresh.pk).update(last_fetch_at=timezone.now())
    Source.objects.filter(pk=due.pk).update(last_fetch_at=timezone.now() - timedelta(minutes=31))
    ids = services.media_fetch_due_sources()  # queued; the test backend runs tasks at once
    assert ids == [due.pk]
    due.refresh_from_db()
    assert due.last_success_at is not None


def subject(msg):
    from email.header import decode_header, make_header

    return str(make_header(decode_header(msg["Subject"])))


def test_stories_group_reprints_and_alert_on_pickup(
    org, officer, smtp_settings, django_capture_on_commit_callbacks
):
    services.watch_entity_create(
        organisation=org, name="Mustafa İduğ", kind="mayor", aliases=["İduğ"]
    )
    AlertRule.objects.create(
        organisation=org, name="pickup", kind="pickup", min_outlets=3, window_minutes=60
    )
    page = (PAGES / "tr_bornova_1254.html").read_bytes()
    seed_text = next(SEEDS.glob("004_*.txt")).read_bytes()
    for i, outlet in enumerate(["Gerçek İzmir", "Ege Postası", "Yeni Asır"]):
        src = services.source_create(
            organisation=org, name=outlet, kind="feed", url=f"https://o{i}.example/rss"
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.article_ingest(
                organisation=org,
                data=page if i != 1 else seed_text,
                url=f"https://o{i}.example/h",
                name="p.html" if i != 1 else "p.txt",
                source=src,
            )
    other = services.article_ingest(
        organisation=org,
        data=next(SEEDS.glob("000_*.txt")).read_bytes(),
        url="https://o9.example/h",
        name="x.txt",
    )
    stories = Story.objects.filter(organisation=org)
    assert stories.count() == 2
    main = stories.get(articles__url="https://o0.example/h")
    assert main.outlet_count == 3 and other.story_id != main.pk
    assert len(smtp_settings.messages) == 1  # fired once, not once per article
    assert "3 outlets" in subject(smtp_settings.messages[0])
    assert smtp_settings.messages[0]["To"] == "basin@example.test"


def test_negative_mayor_alert_by_email(
    org, officer, smtp_settings, django_capture_on_commit_callbacks
):
    services.watch_entity_create(
        organisation=org, name="Mustafa İduğ", kind="mayor", aliases=["İduğ"]
    )
    AlertRule.objects.create(
        organisation=org, name="neg", kind="negative_mention", entity_kind="mayor"
    )
    text = (
        "Bornova’da çöp skandalı\n\n"
        + "Başkan İduğ’a tepki büyüyor: mahallede çöp yığınları, koku ve "
        "kirlilik sorunu vatandaşları isyan ettirdi. "
        "Şikayetler yanıtsız kaldı, ihmal iddiası gündemde. " * 3
    )
    with django_capture_on_commit_callbacks(execute=True):
        art = services.article_ingest(
            organisation=org, data=text.encode(), url="https://x.example/neg", name="n.txt"
        )
    assert art.tone == "negative"
    assert "Negative news: Bornova’da çöp skandalı" in subject(smtp_settings.messages[0])
    services.alerts_evaluate(article_id=art.pk)
    assert len(smtp_settings.messages) == 1  # once per article


def test_tone_correction_is_kept(org, officer):
    art = services.article_ingest(
        organisation=org,
        data=next(SEEDS.glob("004_*.txt")).read_bytes(),
        url="https://x.example/1",
        name="a.txt",
    )
    label = services.tone_correct(staff=officer, article=art, label="negative")
    assert label.computed == "positive" and label.label == "negative"
    services.article_reprocess(article=art)
    art.refresh_from_db()
    assert art.tone == "negative" and art.tone_corrected


def test_tone_correction_other_org_refused(org, outsider):
    art = services.article_ingest(
        organisation=org, data=b"Bornova Belediyesi " * 50, url="https://x/1", name="a.txt"
    )
    with pytest.raises(DomainError):
        services.tone_correct(staff=outsider, article=art, label="negative")


def test_upload_zip_warc_and_bad_items(org):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.html", (PAGES / "tr_samandag.html").read_bytes())
        zf.writestr("b.txt.gz", gzip.compress(next(SEEDS.glob("003_*.txt")).read_bytes()))
        zf.writestr("c.html", b"\x00\x01\x02" * 100)
    arts, errors = services.upload_ingest(organisation=org, name="pages.zip", data=buf.getvalue())
    assert sorted(a.language for a in arts) == ["fa", "tr"] and len(errors) == 1
    body = (PAGES / "tr_balikesir_meta.html").read_bytes()
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + body
    rec = (
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://korfez.example/b\r\n"
        b"Content-Length: " + str(len(http)).encode() + b"\r\n\r\n" + http + b"\r\n\r\n"
    )
    arts, errors = services.upload_ingest(
        organisation=org, name="crawl.warc.gz", data=gzip.compress(rec)
    )
    assert [a.url for a in arts] == ["https://korfez.example/b"] and not errors
    assert arts[0].published_at.isoformat() == "2024-09-12T11:05:00+00:00"


def pdf_fonts(pdf: bytes) -> set[str]:
    import re
    import zlib

    names = set(re.findall(rb"/BaseFont\s*/(?:[A-Z]{6}\+)?([A-Za-z-]+)", pdf))
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            names |= set(
                re.findall(rb"/BaseFont\s*/(?:[A-Z]{6}\+)?([A-Za-z-]+)", zlib.decompress(stream))
            )
        except zlib.error:
            continue
    return {n.decode().replace("-", "") for n in names}


def test_digest_pdf_renders_turkish_and_persian(org, officer, smtp_settings, tmp_path):
    load_media_demo(org)
    d = services.digest_build(organisation=org)
    assert "Bornova’da yeni iletişim sistemi" in d.html and 'dir="rtl"' in d.html
    pdf = bytes(d.pdf)
    assert pdf.startswith(b"%PDF") and {"NotoSans", "NotoNaskhArabic"} <= pdf_fonts(pdf)
    # The same story from two outlets is listed once.
    assert d.html.count('<h3 dir="auto">Bornova’da yeni iletişim sistemi</h3>') == 1
    assert services.digest_send(digest=d) is True and services.digest_send(digest=d) is False
    msg = smtp_settings.messages[0]
    assert msg.is_multipart() and any(p.get_content_type() == "application/pdf" for p in msg.walk())


def test_demo_is_idempotent(org):
    first = load_media_demo(org)
    n = (
        Article.objects.count(),
        WatchEntity.objects.count(),
        Source.objects.count(),
        Story.objects.count(),
    )
    load_media_demo(org)
    assert (
        Article.objects.count(),
        WatchEntity.objects.count(),
        Source.objects.count(),
        Story.objects.count(),
    ) == n
    assert first["articles"] == 9 and n[0] == 9
    assert Article.objects.filter(mentions__entity__name="Lütfü Savaş").exists()
    assert Article.objects.filter(mentions__entity__name="مهدی جمالی‌نژاد").exists()


def test_rebuttal_runs_through_its_deadlines(org, officer, smtp_settings):
    art = services.article_ingest(
        organisation=org,
        data=(PAGES / "tr_samandag.html").read_bytes(),
        url="https://x.example/t",
        name="t.html",
    )
    art.published_at = timezone.now() - timedelta(days=10)
    art.save()
    today = timezone.localdate()
    case = services.rebuttal_open(staff=officer, article=art, today=today)
    assert case.request_deadline == services._add_months(timezone.localdate(art.published_at), 2)
    with pytest.raises(DomainError):  # empty text
        services.rebuttal_send(staff=officer, case=case, sent_on=today)
    services.rebuttal_update_text(
        staff=officer, case=case, text="Düzeltme " * (len(art.text.split()) + 1)
    )
    with pytest.raises(DomainError):  # longer than the article
        services.rebuttal_send(staff=officer, case=case, sent_on=today)
    services.rebuttal_update_text(
        staff=officer, case=case, text="Haberde yer alan iddialar gerçeği yansıtmamaktadır."
    )
    case = services.rebuttal_send(staff=officer, case=case, sent_on=today)
    assert case.publish_deadline == today + timedelta(days=3)
    assert case.court_deadline == today + timedelta(days=18)
    reminders = services.rebuttal_reminders(today=today + timedelta(days=2))
    assert [r.kind for r in reminders] == ["reminder:publish"]
    assert services.rebuttal_reminders(today=today + timedelta(days=2)) == []  # once
    assert subject(smtp_settings.messages[-1]).startswith("Tekzip deadline")
    with pytest.raises(InvalidTransition):
        services.rebuttal_record(staff=officer, case=case, outcome="court")
    services.rebuttal_record(staff=officer, case=case, outcome="refused", note="Yayımlanmadı")
    assert [r.kind for r in services.rebuttal_reminders(today=today + timedelta(days=17))] == [
        "reminder:court"
    ]
    with pytest.raises(DomainError):  # too late for the judge of peace
        services.rebuttal_record(
            staff=officer, case=case, outcome="court", today=today + timedelta(days=19)
        )
    case = services.rebuttal_record(
        staff=officer, case=case, outcome="court", today=today + timedelta(days=18)
    )
    assert case.state == RebuttalCase.State.COURT
    assert list(RebuttalEvent.objects.filter(case=case).values_list("kind", flat=True)) == [
        "open",
        "edit",
        "edit",
        "sent",
        "reminder:publish",
        "refused",
        "reminder:court",
        "court",
    ]


def test_rebuttal_request_period_is_two_months(org, officer):
    art = services.article_ingest(
        organisation=org,
        data=(PAGES / "tr_samandag.html").read_bytes(),
        url="https://x.example/old",
        name="t.html",
    )  # published 2018
    with pytest.raises(DomainError):
        services.rebuttal_open(staff=officer, article=art, today=date(2018, 4, 11))
    assert services.rebuttal_open(staff=officer, article=art, today=date(2018, 4, 10)).pk


def test_private_addresses_are_not_fetched_even_when_a_press_officer_pastes_them(
    org, site, settings
):
    """SSRF: a pasted URL or a configured source must not reach the city hall's network."""
    settings.KENT360_MEDIA_FETCH_ALLOWED_NETWORKS = []
    page = site.add("/haber/iç-ağ", (PAGES / "tr_bornova_1254.html").read_bytes())
    assert services.article_fetch_url(organisation=org, url=page, fetcher=fetcher()) is None
    error = IngestError.objects.get(organisation=org)
    assert error.reason == "private_address" and "127.0.0.1" in error.message
    assert site.log == []  # refused before connecting: not even robots.txt was asked for
    for url in ("http://169.254.169.254/latest/meta-data/", "http://[::1]/", "file:///etc/passwd"):
        with pytest.raises(FetchError) as refused:
            fetcher().get(url)
        assert refused.value.reason in ("private_address", "bad_url")


def test_private_addresses_a_public_page_redirects_to_are_refused(org, site):
    # Loopback stands in for the public site here (allowed by the fixture); the redirect
    # to the cloud metadata address must still be refused before any connection.
    hop = site.add(
        "/yonlendir", b"", status=302, Location="http://169.254.169.254/latest/meta-data/"
    )
    with pytest.raises(FetchError) as refused:
        fetcher(respect_robots=False).get(hop)
    assert refused.value.reason == "private_address"
    assert [path for path, _headers in site.log] == ["/yonlendir"]

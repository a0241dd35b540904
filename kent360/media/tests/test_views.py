"""The media desk pages: a press officer works; other organisations get 404 and see none
of its rows; roles outside the press office get 403."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from kent360.media import services
from kent360.media.models import (
    AlertRule,
    Article,
    RebuttalCase,
    RebuttalEvent,
    Source,
    ToneLabel,
    WatchEntity,
)
from kent360.organizations.models import Role
from kent360.testing import login

from .conftest import PAGES
from .factories import make_media

pytestmark = pytest.mark.django_db

BASE = "/media-desk"


@pytest.fixture
def m(world):
    return make_media(world.org, world.staff[Role.PRESS_OFFICER], host="bornova")


@pytest.fixture
def om(world):
    return make_media(world.other_org, world.other_staff[Role.PRESS_OFFICER], host="karsiyaka")


@pytest.fixture
def officer_client(client, world):
    return login(client, world.staff[Role.PRESS_OFFICER])


def object_urls(m) -> dict[str, str]:
    return {
        "article": f"{BASE}/articles/{m.article.pk}/",
        "story": f"{BASE}/stories/{m.story.pk}/",
        "source_edit": f"{BASE}/sources/{m.source.pk}/",
        "watch_edit": f"{BASE}/watch/{m.entity.pk}/",
        "case": f"{BASE}/tekzip/{m.case.pk}/",
    }


def post_urls(m) -> dict[str, str]:
    return {
        "article_tone": f"{BASE}/articles/{m.article.pk}/tone/",
        "article_rebuttal": f"{BASE}/articles/{m.article.pk}/tekzip/",
        "source_fetch": f"{BASE}/sources/{m.source.pk}/fetch/",
        "source_edit": f"{BASE}/sources/{m.source.pk}/",
        "watch_edit": f"{BASE}/watch/{m.entity.pk}/",
        "alert_rule_toggle": f"{BASE}/alerts/{m.rule.pk}/toggle/",
        "case_text": f"{BASE}/tekzip/{m.case.pk}/text/",
        "case_close": f"{BASE}/tekzip/{m.case.pk}/close/",
    }


LIST_URLS = [
    "/",
    "/stories/",
    "/sources/",
    "/sources/new/",
    "/watch/",
    "/alerts/",
    "/digest/",
    "/digest/document/",
    "/tekzip/?state=",
]


def test_every_page_works_for_a_press_officer(m, om, officer_client):
    for url in [BASE + u for u in LIST_URLS] + list(object_urls(m).values()):
        response = officer_client.get(url)
        assert response.status_code == 200, url
    pdf = officer_client.get(f"{BASE}/digest/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("role", [Role.PR_MANAGER, Role.ORG_ADMIN])
def test_pr_manager_and_admin_use_the_desk(m, client, world, role):
    login(client, world.staff[role])
    assert client.get(f"{BASE}/").status_code == 200
    assert client.get(object_urls(m)["case"]).status_code == 200


def test_another_organisation_gets_404_and_none_of_its_rows(m, om, client, world):
    login(client, world.other_staff[Role.PRESS_OFFICER])
    for name, url in object_urls(m).items():
        assert client.get(url).status_code == 404, name
    for name, url in post_urls(m).items():
        assert client.post(url, {"tone": "positive", "text": "x"}).status_code == 404, name
    # Lists show the other organisation's own rows only.
    own = client.get(f"{BASE}/").content.decode()
    assert f'data-article="{om.article.pk}"' in own
    assert f'data-article="{m.article.pk}"' not in own
    sources = client.get(f"{BASE}/sources/").content.decode()
    assert "Ege Haber karsiyaka" in sources and "Ege Haber bornova" not in sources
    cases = client.get(f"{BASE}/tekzip/?state=").content.decode()
    assert f"/tekzip/{om.case.pk}/" in cases and f"/tekzip/{m.case.pk}/" not in cases
    stories = client.get(f"{BASE}/stories/").content.decode()
    assert f"/stories/{m.story.pk}/" not in stories
    watch = client.get(f"{BASE}/watch/").content.decode()
    assert f"/watch/{om.entity.pk}/" in watch and f"/watch/{m.entity.pk}/" not in watch
    alerts = client.get(f"{BASE}/alerts/").content.decode()
    assert f"/alerts/{m.rule.pk}/" not in alerts
    # Filtering by another organisation's source or story finds nothing of it.
    leak = client.get(f"{BASE}/?story={m.story.pk}&source={m.source.pk}").content.decode()
    assert f'data-article="{m.article.pk}"' not in leak
    # Nothing changed.
    m.article.refresh_from_db()
    assert (
        not m.article.tone_corrected and RebuttalCase.objects.filter(article=m.article).count() == 1
    )


@pytest.mark.parametrize("role", [Role.AGENT, Role.DIRECTORATE_STAFF, Role.DIRECTORATE_MANAGER])
def test_other_roles_are_refused(m, client, world, role):
    login(client, world.staff[role])
    for url in [BASE + u for u in LIST_URLS] + list(object_urls(m).values()):
        assert client.get(url).status_code == 403, url
    for name, url in post_urls(m).items():
        assert client.post(url, {"tone": "positive"}).status_code == 403, name
    assert client.get(f"{BASE}/digest/pdf/").status_code == 403
    assert "/media-desk/" not in client.get("/requests/").content.decode()


def test_anonymous_is_sent_to_sign_in(m, client):
    response = client.get(f"{BASE}/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_navbar_has_the_media_desk_for_the_press_office(officer_client):
    html = officer_client.get("/requests/").content.decode()
    assert 'href="/media-desk/"' in html


def test_article_highlights_mentions_and_escapes_text(m, officer_client):
    html = officer_client.get(object_urls(m)["article"]).content.decode()
    assert f'data-entity="{m.mayor.pk}" title="Mustafa İduğ">İduğ’a</mark>' in html
    assert (
        f'data-entity="{m.entity.pk}" title="Bornova Belediyesi">Bornova Belediyesi</mark>' in html
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert 'id="article-text"' in html and 'dir="auto"' in html
    assert "Open tekzip case" in html


def test_highlight_escapes_each_piece():
    from kent360.media.selectors import highlight_mentions

    class E:
        name = 'A"B'

    class Mm:
        def __init__(self, start, end):
            self.start, self.end, self.tone, self.entity_id, self.entity = (
                start,
                end,
                "neutral",
                1,
                E(),
            )

    text = "<b>x</b> Bornova & Buca"
    out = str(highlight_mentions(text, [Mm(9, 16), Mm(12, 20), Mm(19, 23)]))
    assert out.startswith("&lt;b&gt;x&lt;/b&gt; <mark")
    assert 'title="A&quot;B">Bornova</mark> &amp; <mark' in out
    assert out.count("<mark") == 2  # the overlapping span is skipped


def test_filters_and_htmx_partial(m, officer_client):
    def ids(url, **headers):
        html = officer_client.get(url, **headers).content.decode()
        return {a.pk for a in Article.objects.all() if f'data-article="{a.pk}"' in html}, html

    everything, _ = ids(f"{BASE}/")
    assert everything == {m.article.pk, m.other_article.pk}
    assert ids(f"{BASE}/?tone=negative")[0] == {m.article.pk}
    assert ids(f"{BASE}/?tone=positive")[0] == {m.other_article.pk}
    assert ids(f"{BASE}/?entity={m.mayor.pk}")[0] == {m.article.pk, m.other_article.pk}
    assert ids(f"{BASE}/?story={m.story.pk}")[0] == {m.article.pk}
    assert ids(f"{BASE}/?source={m.source.pk}")[0] == everything
    assert ids(f"{BASE}/?q=park")[0] == {m.other_article.pk}
    today = timezone.localdate()
    assert ids(f"{BASE}/?date_from={today + timedelta(days=1)}")[0] == set()
    assert ids(f"{BASE}/?date_from={today - timedelta(days=1)}&date_to={today}")[0] == everything
    found, html = ids(f"{BASE}/?tone=negative", HTTP_HX_REQUEST="true")
    assert found == {m.article.pk} and "<html" not in html and 'id="articles"' in html


def test_pagination(m, officer_client, world):
    for i in range(30):
        Article.objects.create(
            organisation=world.org,
            url_key=f"k{i}",
            title=f"Haber {i}",
            text="x",
            fetched_at=timezone.now() - timedelta(days=3, minutes=i),
        )
    first = officer_client.get(f"{BASE}/").content.decode()
    second = officer_client.get(f"{BASE}/?page=2").content.decode()
    assert first.count("data-article=") == 25 and second.count("data-article=") == 7
    assert "page=2" in first


def test_tone_correction_form(m, officer_client):
    url = post_urls(m)["article_tone"]
    assert officer_client.post(url, {"tone": "neutral"}).status_code == 302
    m.article.refresh_from_db()
    assert m.article.tone == "neutral" and m.article.tone_corrected
    mention = m.article.mentions.get(entity=m.mayor)
    officer_client.post(url, {"tone": "positive", "mention": mention.pk})
    mention.refresh_from_db()
    assert mention.tone == "positive"
    labels = ToneLabel.objects.filter(article=m.article).order_by("id")
    assert [(lab.mention_id, lab.label) for lab in labels] == [
        (None, "neutral"),
        (mention.pk, "positive"),
    ]
    assert labels[0].computed == "negative"
    # A mention of another article is refused.
    other_mention = m.other_article.mentions.first()
    before = other_mention.tone
    response = officer_client.post(
        url, {"tone": "negative", "mention": other_mention.pk}, follow=True
    )
    other_mention.refresh_from_db()
    assert other_mention.tone == before and "Unknown mention." in response.content.decode()
    assert ToneLabel.objects.filter(article=m.article).count() == 2


def test_open_tekzip_and_run_the_case(m, officer_client, world):
    RebuttalCase.objects.all().delete()
    response = officer_client.post(post_urls(m)["article_rebuttal"], {"is_daily": "on"})
    case = RebuttalCase.objects.get(article=m.article)
    assert response.status_code == 302 and response["Location"] == f"{BASE}/tekzip/{case.pk}/"
    page = officer_client.get(response["Location"]).content.decode()
    assert (
        "Request deadline (2 months)" in page and case.request_deadline.strftime("%d.%m.%Y") in page
    )
    act = f"{BASE}/tekzip/{case.pk}"
    officer_client.post(f"{act}/text/", {"text": "Haberdeki iddialar gerçeği yansıtmamaktadır."})
    today = timezone.localdate()
    officer_client.post(f"{act}/send/", {"sent_on": today.isoformat()})
    case.refresh_from_db()
    assert case.state == "sent" and case.publish_deadline == today + timedelta(days=3)
    # The reminder for the publication deadline shows on the case page.
    services.rebuttal_reminders(today=today + timedelta(days=2))
    page = officer_client.get(f"{act}/").content.decode()
    assert "Reminder: publication deadline" in page
    officer_client.post(f"{act}/refused/", {"note": "Gazete yayımlamadı."})
    officer_client.post(f"{act}/court/", {"note": "Sulh ceza hâkimliğine başvuruldu."})
    case.refresh_from_db()
    assert case.state == "court" and "Gazete yayımlamadı." in case.outcome
    # A step that does not follow is refused with a message, state unchanged.
    response = officer_client.post(f"{act}/published/", follow=True)
    assert "does not follow" in response.content.decode()
    officer_client.post(f"{act}/close/")
    case.refresh_from_db()
    assert case.state == "closed"
    kinds = list(RebuttalEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds[:3] == ["open", "edit", "sent"] and kinds[-1] == "close"


def test_tekzip_list_filters_by_state(m, officer_client):
    open_page = officer_client.get(f"{BASE}/tekzip/").content.decode()
    assert f"/tekzip/{m.case.pk}/" in open_page
    closed = officer_client.get(f"{BASE}/tekzip/?state=closed").content.decode()
    assert f"/tekzip/{m.case.pk}/" not in closed


def test_sources_add_edit_and_health(m, officer_client, world):
    response = officer_client.post(
        f"{BASE}/sources/new/",
        {
            "name": "Yeni Asır",
            "kind": "feed",
            "url": "https://yeniasir.example/rss",
            "language": "tr",
            "reach": 3,
            "fetch_interval_minutes": 15,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    src = Source.objects.get(name="Yeni Asır")
    assert src.organisation == world.org and src.reach == 3
    # A feed needs a URL: the form shows the error and nothing is saved.
    response = officer_client.post(
        f"{BASE}/sources/new/",
        {"name": "Boş", "kind": "feed", "url": "", "reach": 1, "fetch_interval_minutes": 30},
    )
    assert response.status_code == 200 and not Source.objects.filter(name="Boş").exists()
    Source.objects.filter(pk=m.source.pk).update(
        error_count=2, last_error="HTTP 503", last_fetch_at=timezone.now()
    )
    html = officer_client.get(f"{BASE}/sources/").content.decode()
    assert "2 failures in a row" in html and "HTTP 503" in html
    response = officer_client.post(
        f"{BASE}/sources/{m.source.pk}/",
        {
            "name": "Ege Haber",
            "kind": "feed",
            "url": "https://bornova.example/rss",
            "language": "tr",
            "reach": 2,
            "fetch_interval_minutes": 60,
        },
    )
    m.source.refresh_from_db()
    assert response.status_code == 302
    assert (m.source.name, m.source.reach, m.source.is_active, m.source.error_count) == (
        "Ege Haber",
        2,
        False,
        0,
    )


def test_fetch_now_fetch_url_and_upload(m, officer_client, world, site, settings):
    settings.KENT360_MEDIA_HOST_INTERVAL = 0.0
    page = (PAGES / "tr_bornova_1254.html").read_bytes()
    url = site.add("/haber/bornova-1", page, "text/html; charset=windows-1254")
    site.add(
        "/rss",
        (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
            f"<item><title>a</title><link>{url}</link></item></channel></rss>"
        ).encode(),
        "application/rss+xml",
    )
    feed = services.source_create(
        organisation=world.org, name="Yerel", kind="feed", url=site.base + "/rss"
    )
    with_callbacks = officer_client.post(f"{BASE}/sources/{feed.pk}/fetch/")
    assert with_callbacks.status_code == 302
    # In tests the task backend runs the queued fetch at once.
    assert Article.objects.filter(organisation=world.org, url=url, source=feed).exists()

    one = site.add(
        "/haber/bir", page.replace(b"Bornova", b"Buca"), "text/html; charset=windows-1254"
    )
    response = officer_client.post(f"{BASE}/fetch/", {"url": one})
    art = Article.objects.get(organisation=world.org, url=one)
    assert response.status_code == 302 and response["Location"] == f"{BASE}/articles/{art.pk}/"
    bad = officer_client.post(f"{BASE}/fetch/", {"url": site.base + "/yok"}, follow=True)
    assert "could not be fetched" in bad.content.decode()

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.html", page)
        zf.writestr("b.txt", "Karşıyaka’da yeni kütüphane\n\nKütüphane bugün açıldı. " * 5)
        zf.writestr("c.bin", b"\x89PNG\r\n\x1a\n" + b"\x00" * 300)
    buf.name = "sayfalar.zip"
    buf.seek(0)
    response = officer_client.post(f"{BASE}/upload/", {"file": buf}, follow=True)
    html = response.content.decode()
    assert "2 article(s) stored, 1 failed." in html


def test_watch_list_add_and_edit(m, officer_client, world):
    officer_client.post(
        f"{BASE}/watch/",
        {"name": "Evka 3", "kind": "neighbourhood", "aliases": "Evka-3\n\n", "is_active": "on"},
    )
    e = WatchEntity.objects.get(organisation=world.org, name="Evka 3")
    assert e.alias_list == ["Evka-3"] and e.is_active
    dup = officer_client.post(f"{BASE}/watch/", {"name": "Evka 3", "kind": "other"})
    assert dup.status_code == 200 and "already on the watch list" in dup.content.decode()
    officer_client.post(
        f"{BASE}/watch/{e.pk}/",
        {"name": "Evka-3 Mahallesi", "kind": "neighbourhood", "aliases": "Evka 3\nEvka-3"},
    )
    e.refresh_from_db()
    assert e.name == "Evka-3 Mahallesi" and e.alias_list == ["Evka 3", "Evka-3"] and not e.is_active
    html = officer_client.get(f"{BASE}/watch/").content.decode()
    assert "Evka-3 Mahallesi" in html and f"?entity={m.mayor.pk}" in html


def test_alert_rules_add_and_pause(m, officer_client, world):
    officer_client.post(
        f"{BASE}/alerts/",
        {
            "name": "Çok kanal",
            "kind": "pickup",
            "entity_kind": "",
            "min_outlets": 4,
            "window_minutes": 90,
        },
    )
    rule = AlertRule.objects.get(organisation=world.org, name="Çok kanal")
    assert (rule.min_outlets, rule.window_minutes, rule.is_active) == (4, 90, True)
    officer_client.post(f"{BASE}/alerts/{rule.pk}/toggle/")
    rule.refresh_from_db()
    assert not rule.is_active
    html = officer_client.get(f"{BASE}/alerts/").content.decode()
    assert "4+ outlets within 90 minutes" in html and "Olumsuz başkan haberi" in html


def test_digest_preview_and_pdf(m, om, officer_client):
    html = officer_client.get(f"{BASE}/digest/").content.decode()
    assert 'id="digest-frame"' in html and 'src="/media-desk/digest/document/?date=' in html
    assert 'href="/media-desk/digest/pdf/?date=' in html and "2 stories" in html
    doc = officer_client.get(f"{BASE}/digest/document/")
    assert doc["X-Frame-Options"] == "SAMEORIGIN"
    text = doc.content.decode()
    # Both organisations have a story of that title; only this organisation's outlet shows.
    assert "Bornova’da çöp sorunu büyüyor" in text
    assert "Ege Haber bornova" in text and "Ege Haber karsiyaka" not in text
    day = (timezone.localdate() - timedelta(days=30)).isoformat()
    old = officer_client.get(f"{BASE}/digest/document/?date={day}").content.decode()
    assert "Bornova’da çöp sorunu büyüyor" not in old
    # A well-formed but impossible date shows today's digest instead of failing.
    odd = officer_client.get(f"{BASE}/digest/document/?date=2026-02-31").content.decode()
    assert "Bornova’da çöp sorunu büyüyor" in odd


def test_persian_dates_on_the_case_page(m, officer_client):
    officer_client.cookies["django_language"] = "fa"
    html = officer_client.get(object_urls(m)["case"], HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert 'dir="rtl"' in html and "مهلت درخواست (۲ ماه)" in html
    assert any(ch in html for ch in "۰۱۲۳۴۵۶۷۸۹")


def test_turkish_desk(m, officer_client):
    officer_client.cookies["django_language"] = "tr"
    html = officer_client.get(f"{BASE}/", HTTP_ACCEPT_LANGUAGE="tr").content.decode()
    assert "Medya masası" in html and "Olumsuz" in html and "İzleme listesi" in html


def test_persian_counts_in_persian_digits(m, officer_client):
    """Plural counts ("n articles", "n outlets") are written in the reader's digits."""
    officer_client.cookies["django_language"] = "fa"
    html = officer_client.get(f"{BASE}/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    line = html.split('id="article-count">')[1].split("</p>")[0]
    assert any(ch in line for ch in "۱۲۳۴۵۶۷۸۹") and not any(
        ch.isascii() and ch.isdigit() for ch in line
    )
    officer_client.cookies["django_language"] = "tr"
    html = officer_client.get(f"{BASE}/", HTTP_ACCEPT_LANGUAGE="tr").content.decode()
    line = html.split('id="article-count">')[1].split("</p>")[0]
    assert any(ch.isascii() and ch.isdigit() for ch in line)

"""The pipeline library on the seeds (as text and as HTML built around them) and edge cases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kent360.core.text import normalize_persian
from kent360.media.pipeline import dates, grouping
from kent360.media.pipeline.extract import (
    ExtractionError,
    extract_document,
    extract_html,
    extract_text,
)
from kent360.media.pipeline.feeds import FeedError, listing_links, parse_feed, parse_sitemap
from kent360.media.pipeline.fetch import decode_bytes, looks_binary
from kent360.media.pipeline.mentions import Matcher, WatchTerm, parse_watch_argument
from kent360.media.pipeline.tone import tone

SEEDS = Path(__file__).resolve().parents[3].parent / "shared" / "seeds"
DATA = Path(__file__).parent / "data"
PAGES = DATA / "seed_pages"
NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("11 Şubat 2021 Perşembe - 10:09", "tr", "2021-02-11T07:09:00+00:00"),
        ("Yayınlanma Tarihi : 10.02.2018 00:00", "tr", "2018-02-09T21:00:00+00:00"),
        ("05.03.2020", "tr", "2020-03-04T21:00:00+00:00"),  # 5 March, never May 3
        ("۲۷ اردیبهشت ۱۴۰۰", "fa", "2021-05-16T19:30:00+00:00"),
        ("13:30 - 27 اردیبهشت 1400", "fa", "2021-05-17T09:00:00+00:00"),
        ("۱۳:۳۰ - ۲۷ ارديبهشت ۱۴۰۰", "fa", "2021-05-17T09:00:00+00:00"),  # Arabic yeh
        ("1400/02/27", "fa", "2021-05-16T19:30:00+00:00"),
        ("3 gün önce", "tr", "2026-01-07T12:00:00+00:00"),
        ("۲ ساعت پیش", "fa", "2026-01-10T10:00:00+00:00"),
        ("2021-05-17T13:30:00+04:30", None, "2021-05-17T09:00:00+00:00"),
    ],
)
def test_dates(text, lang, expected):
    assert iso(dates.parse_date(text, lang=lang, now=NOW)) == expected


def test_dates_agree_with_dateparser_calendars_extra():
    from dateparser.calendars.jalali import JalaliCalendar

    ours = dates.parse_date("27 اردیبهشت 1400", lang="fa")
    theirs = JalaliCalendar(normalize_persian("27 ارديبهشت 1400")).get_date().date_obj
    assert ours.astimezone(dates._zone("Asia/Tehran")).date() == theirs.date()


def test_dates_in_the_future_or_ancient_are_ignored():
    assert dates.parse_date("12.12.2031", lang="tr", now=NOW) is None
    assert dates.find_dates("01.01.1950 tarihli karar", lang="tr", now=NOW) == []


def test_dateparser_fallback_handles_other_forms():
    assert dates.parse_date("17 May 2021", lang="en").date().isoformat() == "2021-05-16"
    assert dates.parse_date("Pazartesi, 3 Mayıs 2021", lang="tr").date().isoformat() == "2021-05-02"


SEED_EXPECTED = {
    "000": ("Sosyal Belediyeler ağı çalıştayı gerçekleşti", "2018-02-10", "tr"),
    "001": ("Balıkesir Benim Ailem Vizyonu Güçleniyor", None, "tr"),
    "002": ("Basın Yayın ve Halkla İlişkiler Müdürlüğü", None, "tr"),
    "003": (
        "روابط عمومی شهرداری ها جهت استفاده از فضای مجازی و حضور کارآمد در پسا کرونا "
        "برنامه ریزی کنند",
        "2021-05-17",
        "fa",
    ),
    "004": ("Bornova’da yeni iletişim sistemi", "2021-02-11", "tr"),
}


@pytest.mark.parametrize("prefix", sorted(SEED_EXPECTED))
def test_seed_text_title_date_language(prefix):
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    result = extract_text(path.read_text(encoding="utf-8"))
    title, date, lang = SEED_EXPECTED[prefix]
    assert result.title == title
    assert result.language == lang
    local = (
        result.published_at.astimezone(dates._zone(dates.zone_for(lang)))
        if result.published_at
        else None
    )
    assert (local.date().isoformat() if local else None) == date
    assert "YORUM" not in result.text and "Paylaş" not in result.text
    assert len(result.text) > 1000


def test_seed_text_body_stops_before_related_headlines():
    result = extract_text(next(SEEDS.glob("004_*.txt")).read_text(encoding="utf-8"))
    assert result.text.startswith("Bornova Belediyesi, toplumsal katılım")
    assert result.text.count("Dramalılar Köşkü") == 1  # the teaser repeat is dropped
    assert "ESHOT" not in result.text and "Galatasaray" not in result.text


EXPECTED_PAGES = json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED_PAGES))
def test_seed_html_pages(name):
    expected = EXPECTED_PAGES[name]
    result = extract_document((PAGES / name).read_bytes(), name)
    assert normalize_persian(result.title) == normalize_persian(expected["title"])
    assert (
        iso(result.published_at)
        == datetime.fromisoformat(expected["date"]).astimezone(UTC).isoformat()
    )
    assert result.language == expected["language"]
    assert normalize_persian(result.text).startswith(normalize_persian(expected["body_start"]))
    assert "Yorumlarınız editör" not in result.text and "نظرات شما" not in result.text
    assert "ي" not in result.text  # windows-1256 Arabic yeh stored as Persian yeh


def test_broken_and_binary_html():
    with pytest.raises(ExtractionError):
        extract_html(b"\x00\x01\x02PNG\x00" * 100)
    with pytest.raises(ExtractionError):
        extract_html("   ")
    broken = "<html><body><div><p>" + "Bornova Belediyesi açıklama yaptı. " * 20 + "<p><div></span>"
    assert "Bornova" in extract_html(broken).text


def test_charset_detection():
    tr = "Bornova Belediye Başkanı İduğ, çöp sorununu çözdü. Şikâyetler azaldı; ğüşıöç".encode(
        "cp1254"
    )
    fa = "شهرداری تهران اعلام کرد".replace("ی", "ي").replace("ک", "ك").encode("cp1256")
    assert "Başkanı İduğ" in decode_bytes(tr)
    assert "شهرداري" in decode_bytes(fa)
    assert "Başkanı" in decode_bytes(tr, "utf-8")  # wrong declared charset
    assert decode_bytes("Çiğli’de".encode(), "iso-8859-9") == "Çiğli’de"  # valid UTF-8 wins
    assert looks_binary(b"\x89PNG\r\n\x1a\n\x00\x00\x00")


def watch() -> Matcher:
    return Matcher(
        [
            WatchTerm("Bornova Belediyesi", ["Bornova Belediyesi"], kind="municipality"),
            WatchTerm("Bornova", kind="district"),
            WatchTerm("Mustafa İduğ", ["İduğ", "Bornova Belediye Başkanı"], kind="mayor"),
            WatchTerm("Samandağ"),
            WatchTerm("Hatay Büyükşehir Belediyesi"),
            WatchTerm("Lütfü Savaş", ["Başkan Savaş"]),
            WatchTerm("Buca"),
            WatchTerm("Belediye Başkanı"),
            WatchTerm("سازمان شهرداری‌ها و دهیاری‌های کشور", ["سازمان شهرداری ها"]),
            WatchTerm("مهدی جمالی‌نژاد", ["جمالی نژاد"]),
        ]
    )


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("Bornova’da yeni sistem", "Bornova"),
        ("Bornova'da yeni sistem", "Bornova"),
        ("BORNOVA BELEDİYESİ'NİN açıklaması", "Bornova Belediyesi"),
        ("bornova belediyesinin açıklaması", "Bornova Belediyesi"),
        ("Başkan İDUĞ konuştu", "Mustafa İduğ"),
        ("Belediye Başkanı geldi", "Belediye Başkanı"),
        ("Hatay Büyükşehir Belediyesi’nin çalıştayı", "Hatay Büyükşehir Belediyesi"),
        ("Samandağ’a ziyaret", "Samandağ"),
        ("جمالی‌نژاد گفت", "مهدی جمالی‌نژاد"),
        ("جمالينژاد گفت", "مهدی جمالی‌نژاد"),
        ("رييس سازمان شهرداري ها و دهياري هاي كشور گفت", "سازمان شهرداری‌ها و دهیاری‌های کشور"),
    ],
)
def test_mentions_match(text, entity):
    assert [m.entity for m in watch().find(text)] == [entity]


@pytest.mark.parametrize("text", ["Bucak ilçesinde", "Bornovaspor maçı", "Savaşçı ruh"])
def test_mentions_do_not_overmatch(text):
    assert [
        m.entity for m in watch().find(text) if m.entity in ("Buca", "Bornova", "Lütfü Savaş")
    ] == []


def test_mentions_in_seeds_keep_sentence():
    text = extract_text(next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8")).text
    found = watch().find(text)
    entities = {m.entity for m in found}
    assert {"Hatay Büyükşehir Belediyesi", "Samandağ", "Lütfü Savaş"} <= entities
    savas = next(m for m in found if m.entity == "Lütfü Savaş")
    assert savas.sentence.startswith(
        "Gerçekleştirilen çalıştaya, Hatay Büyükşehir Belediye Başkanı Doç. Dr."
    )
    assert savas.sentence.endswith("katılım gösterdi.")
    fa = extract_text(next(SEEDS.glob("003_*.txt")).read_text(encoding="utf-8")).text
    assert {m.entity for m in watch().find(fa)} >= {
        "مهدی جمالی‌نژاد",
        "سازمان شهرداری‌ها و دهیاری‌های کشور",
    }


def test_watch_argument():
    terms = parse_watch_argument("Bornova Belediyesi;Mustafa İduğ|İduğ; ;")
    assert [(t.entity, list(t.aliases)) for t in terms] == [
        ("Bornova Belediyesi", []),
        ("Mustafa İduğ", ["İduğ"]),
    ]


def test_tone():
    assert (
        tone("Bornova’da çöp skandalı: vatandaşlar tepki gösterdi, koku sorunu büyüyor").label
        == "negative"
    )
    assert tone("Başkan yeni parkın açılışını yaptı, vatandaşlar çok memnun").label == "positive"
    assert tone("Meclis toplantısı saat 14.00’te yapılacak").label == "neutral"
    assert (tone("Sonuç başarılı değil").positives, tone("Sonuç başarılı değil").negatives) == (
        0,
        1,
    )
    assert tone("شهرداری به فساد و تخلف متهم شد").label == "negative"
    assert tone("The mayor praised the successful opening").label == "positive"


def test_grouping_reprints():
    a = extract_text(next(SEEDS.glob("004_*.txt")).read_text(encoding="utf-8")).text
    reprint = "İZMİR (İHA) - " + a.replace("Bornova’da", "Bornova'da") + " Haber merkezi."
    other = extract_text(next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8")).text
    stories = grouping.group([(1, a), (2, reprint), (3, other)])
    assert stories == {1: 1, 2: 1, 3: 3}
    strict = grouping.group([(1, a), (2, a[: len(a) // 2])], threshold=0.9)
    assert strict == {1: 1, 2: 2}
    sig = grouping.minhash(a)
    assert grouping.from_bytes(grouping.to_bytes(sig)).jaccard(sig) == 1.0


def test_feeds_and_sitemaps():
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Yerel</title>
    <item><title>Bornova'da yeni park</title><link>http://x.test/haber/bornova-da-yeni-park-1</link>
    <pubDate>Thu, 11 Feb 2021 07:09:00 GMT</pubDate></item></channel></rss>"""
    links = parse_feed(rss)
    assert links[0].url.endswith("bornova-da-yeni-park-1") and links[0].published_at.year == 2021
    with pytest.raises(FeedError):
        parse_feed(b"<rss><channel><item><title>broken & bad</titl></rss")
    sm = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
      xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>http://x.test/a-b-c-d</loc>
      <news:news><news:title>Baslik</news:title><news:publication_date>2021-02-11T10:09:00+03:00
      </news:publication_date></news:news></url></urlset>"""
    links, nested = parse_sitemap(sm)
    assert links[0].title == "Baslik" and links[0].published_at.hour == 7 and nested == []
    with pytest.raises(FeedError):
        parse_sitemap(b"<urlset><url><loc>x</url>")
    listing = """<html><body><a href="/kategori/gundem">Gündem</a><a href="/haber/123456">A</a>
      <a href="http://other.test/haber/99999">B</a><a href="/bornova-da-yeni-iletisim-sistemi">C</a>
      <a href="/haber/123456#yorum">A again</a></body></html>"""
    urls = [link.url for link in listing_links(listing, "http://x.test/")]
    assert urls == ["http://x.test/haber/123456", "http://x.test/bornova-da-yeni-iletisim-sistemi"]

"""Demo data for the media desk: a watch list, a few sources and articles from the seeds.

``load_media_demo(organisation)`` is idempotent: watch entries and sources are looked up
by name, articles by URL, so running it twice changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from kent360.media import services
from kent360.media.models import AlertRule, Source, WatchEntity
from kent360.organizations.models import Organisation

SEEDS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
PAGES_DIR = Path(__file__).resolve().parent / "tests" / "data" / "seed_pages"

WATCH = [
    ("Bornova Belediyesi", WatchEntity.Kind.MUNICIPALITY, ["Bornova Belediye"]),
    ("Mustafa İduğ", WatchEntity.Kind.MAYOR, ["İduğ", "Bornova Belediye Başkanı", "Başkan İduğ"]),
    ("Bornova", WatchEntity.Kind.NEIGHBOURHOOD, []),
    (
        "Basın Yayın ve Halkla İlişkiler Müdürlüğü",
        WatchEntity.Kind.DIRECTORATE,
        ["Halkla İlişkiler"],
    ),
    ("Fen İşleri Müdürlüğü", WatchEntity.Kind.DIRECTORATE, []),
    ("Temizlik İşleri Müdürlüğü", WatchEntity.Kind.DIRECTORATE, []),
    ("360 Derece Halkla İlişkiler Sistemi", WatchEntity.Kind.PROJECT, ["360 Derece"]),
    ("Kazımdirik", WatchEntity.Kind.NEIGHBOURHOOD, []),
    ("Erzene", WatchEntity.Kind.NEIGHBOURHOOD, []),
    ("Evka 3", WatchEntity.Kind.NEIGHBOURHOOD, ["Evka-3"]),
    ("Samandağ", WatchEntity.Kind.COMPETITOR, ["Samandağ Belediyesi"]),
    ("Hatay Büyükşehir Belediyesi", WatchEntity.Kind.COMPETITOR, []),
    ("Lütfü Savaş", WatchEntity.Kind.PERSON, ["Başkan Savaş"]),
    ("Balıkesir Büyükşehir Belediyesi", WatchEntity.Kind.COMPETITOR, []),
    ("سازمان شهرداری‌ها و دهیاری‌های کشور", WatchEntity.Kind.COMPETITOR, ["سازمان شهرداری ها"]),
    ("مهدی جمالی‌نژاد", WatchEntity.Kind.PERSON, ["جمالی نژاد"]),
]

SOURCES = [
    (
        "Gerçek İzmir",
        Source.Kind.FEED,
        "https://www.gercekizmir.com/rss",
        "tr",
        Source.Reach.REGIONAL,
    ),
    (
        "Hatay Mahalli Haber",
        Source.Kind.LISTING,
        "https://www.hataymahallihaber.com/",
        "tr",
        Source.Reach.LOCAL,
    ),
    (
        "Körfez Haber",
        Source.Kind.SITEMAP,
        "https://www.korfezhaber.example/sitemap-news.xml",
        "tr",
        Source.Reach.LOCAL,
    ),
    (
        "باشگاه خبرنگاران",
        Source.Kind.FEED,
        "https://www.yjc.ir/fa/rss/allnews",
        "fa",
        Source.Reach.NATIONAL,
    ),
    ("Manual uploads", Source.Kind.MANUAL, "", "", Source.Reach.LOCAL),
]


@transaction.atomic
def load_media_demo(organisation: Organisation) -> dict[str, int]:
    for name, kind, aliases in WATCH:
        services.watch_entity_create(
            organisation=organisation, name=name, kind=kind, aliases=aliases
        )
    sources = {}
    for name, source_kind, url, lang, reach in SOURCES:
        src = Source.objects.filter(organisation=organisation, name=name).first()
        if src is None:
            src = services.source_create(
                organisation=organisation,
                name=name,
                kind=source_kind,
                url=url,
                language=lang,
                reach=reach,
                fetch_interval_minutes=60,
            )
            # Demo sources point at real sites: keep them paused so nothing is fetched unasked.
            Source.objects.filter(pk=src.pk).update(is_active=False)
        sources[name] = src
    AlertRule.objects.get_or_create(
        organisation=organisation,
        name="Negative news about the mayor",
        defaults={"kind": AlertRule.Kind.NEGATIVE_MENTION, "entity_kind": WatchEntity.Kind.MAYOR},
    )
    AlertRule.objects.get_or_create(
        organisation=organisation,
        name="Picked up by 3 outlets within an hour",
        defaults={"kind": AlertRule.Kind.PICKUP, "min_outlets": 3, "window_minutes": 60},
    )
    pages = [
        (
            "tr_bornova_1254.html",
            "Gerçek İzmir",
            "https://www.gercekizmir.com/bornova-da-yeni-iletisim-sistemi",
        ),
        (
            "tr_samandag.html",
            "Hatay Mahalli Haber",
            "https://www.hataymahallihaber.com/sosyal-belediyeler-agi-calistayi-gerceklesti",
        ),
        (
            "tr_balikesir_meta.html",
            "Körfez Haber",
            "https://www.korfezhaber.example/balikesir-benim-ailem",
        ),
        ("fa_shahrdari_1256.html", "باشگاه خبرنگاران", "https://www.yjc.ir/fa/news/7740001"),
    ]
    stored = 0
    for filename, source_name, url in pages:
        path = PAGES_DIR / filename
        if (
            path.exists()
            and services.article_ingest(
                organisation=organisation,
                data=path.read_bytes(),
                url=url,
                name=filename,
                source=sources[source_name],
            )
            is not None
        ):
            stored += 1
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        if (
            services.article_ingest(
                organisation=organisation,
                data=path.read_bytes(),
                url=f"https://seeds.kent360.example/{path.stem}",
                name=path.name,
                source=sources["Manual uploads"],
            )
            is not None
        ):
            stored += 1
    return {"watch": len(WATCH), "sources": len(sources), "articles": stored}


def load_demo() -> dict[str, int]:
    """Hook for ``kent360 demo``: the watch list, sources and seed articles of Bornova."""
    organisation = Organisation.objects.filter(slug="bornova").first()
    if organisation is None:
        return {}
    return load_media_demo(organisation)

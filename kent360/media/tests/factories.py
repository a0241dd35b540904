"""Media rows for view, API and permission tests, made through the real services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from kent360.media import services
from kent360.media.models import AlertRule, Article, RebuttalCase, Source, Story, WatchEntity
from kent360.organizations.models import Organisation, Staff

NEGATIVE_TEXT = (
    "Bornova’da çöp sorunu büyüyor\n\n"
    "Başkan İduğ’a tepki büyüyor: mahallede çöp yığınları, koku ve kirlilik sorunu "
    "vatandaşları isyan ettirdi. Şikayetler yanıtsız kaldı, ihmal iddiası gündemde. "
    "Bornova Belediyesi açıklama yapmadı. <script>alert(1)</script> yazan pankartlar asıldı."
)
POSITIVE_TEXT = (
    "Bornova’da yeni park açıldı\n\n"
    "Bornova Belediyesi Evka 3’te yeni parkı hizmete açtı. Başkan Mustafa İduğ törende "
    "mahalle sakinlerine teşekkür etti; park büyük beğeni topladı ve başarılı bulundu."
)


@dataclass
class MediaSample:
    source: Source
    entity: WatchEntity
    mayor: WatchEntity
    article: Article
    other_article: Article
    story: Story
    rule: AlertRule
    case: RebuttalCase


def make_media(organisation: Organisation, staff: Staff, *, host: str) -> MediaSample:
    """A feed source, two watched names, two articles (one negative, one positive), their
    stories, an alert rule and a tekzip case against the negative article."""
    entity = services.watch_entity_create(
        organisation=organisation, name="Bornova Belediyesi", kind="municipality"
    )
    mayor = services.watch_entity_create(
        organisation=organisation, name="Mustafa İduğ", kind="mayor", aliases=["İduğ"]
    )
    source = services.source_create(
        organisation=organisation,
        name=f"Ege Haber {host}",
        kind="feed",
        url=f"https://{host}.example/rss",
        language="tr",
    )
    now = timezone.now()
    article = services.article_ingest(
        organisation=organisation,
        data=NEGATIVE_TEXT.encode(),
        url=f"https://{host}.example/haber/cop",
        name="cop.txt",
        source=source,
        now=now,
    )
    other = services.article_ingest(
        organisation=organisation,
        data=POSITIVE_TEXT.encode(),
        url=f"https://{host}.example/haber/park",
        name="park.txt",
        source=source,
        now=now - timedelta(hours=2),
    )
    assert article is not None and other is not None
    rule = services.alert_rule_create(
        organisation=organisation,
        actor=staff,
        name="Olumsuz başkan haberi",
        kind="negative_mention",
        entity_kind="mayor",
    )
    case = services.rebuttal_open(staff=staff, article=article)
    article.refresh_from_db()
    assert article.story is not None
    return MediaSample(source, entity, mayor, article, other, article.story, rule, case)

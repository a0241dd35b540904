"""Writes of media monitoring: sources, watch list, ingesting pages, stories, tone labels,
alerts, the daily digest and rebuttal (tekzip) cases.

Every function keeps to one organisation. Ingesting is restartable: an article is keyed
by (organisation, URL), so fetching the same page again updates it instead of adding a
copy, and a failure of one page is recorded as an IngestError while the batch goes on.
"""

from __future__ import annotations

import hashlib
import logging
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from kent360.core.audit import audit
from kent360.core.errors import DomainError, InvalidTransition
from kent360.media.models import (
    Alert,
    AlertRule,
    Article,
    Digest,
    IngestError,
    Mention,
    RebuttalCase,
    RebuttalEvent,
    Source,
    Story,
    Tone,
    ToneLabel,
    WatchEntity,
)
from kent360.media.pipeline import grouping
from kent360.media.pipeline.extract import Extracted, ExtractionError, extract_document
from kent360.media.pipeline.feeds import FeedError, listing_links, parse_feed, parse_sitemap
from kent360.media.pipeline.fetch import Fetcher, FetchError
from kent360.media.pipeline.mentions import Matcher, WatchTerm
from kent360.media.pipeline.tone import tone as compute_tone
from kent360.organizations.models import Organisation, Role, Staff

log = logging.getLogger(__name__)

STORY_WINDOW = timedelta(days=7)
MAX_LINKS_PER_FETCH = 50


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def url_key(url: str) -> str:
    return hashlib.sha256(url.strip().encode()).hexdigest()


# --- watch list and sources ------------------------------------------------------------


@transaction.atomic
def watch_entity_create(
    *,
    organisation: Organisation,
    name: str,
    kind: str = WatchEntity.Kind.OTHER,
    aliases: Iterable[str] = (),
    actor: Any = None,
) -> WatchEntity:
    entity, created = WatchEntity.objects.get_or_create(
        organisation=organisation, name=name, defaults={"kind": kind, "aliases": "\n".join(aliases)}
    )
    if created:
        audit(action="media.watch.create", target=entity, actor=actor)
    return entity


def matcher_for(organisation: Organisation | None, extra: Iterable[WatchTerm] = ()) -> Matcher:
    """The organisation's active watch list (plus ad-hoc terms) compiled for matching."""
    terms = list(extra)
    if organisation is not None:
        for e in WatchEntity.objects.filter(organisation=organisation, is_active=True):
            terms.append(WatchTerm(e.name, e.alias_list, kind=e.kind, key=e.pk))
    return Matcher(terms)


@transaction.atomic
def source_create(
    *,
    organisation: Organisation,
    name: str,
    kind: str,
    url: str = "",
    language: str = "",
    reach: int = Source.Reach.LOCAL,
    fetch_interval_minutes: int = 30,
    actor: Any = None,
) -> Source:
    if kind != Source.Kind.MANUAL and not url:
        raise DomainError(_("A fetched source needs a URL."))
    source = Source.objects.create(
        organisation=organisation,
        name=name,
        kind=kind,
        url=url,
        language=language,
        reach=reach,
        fetch_interval_minutes=fetch_interval_minutes,
    )
    audit(action="media.source.create", target=source, actor=actor)
    return source


SOURCE_FIELDS = ("name", "kind", "url", "language", "reach", "fetch_interval_minutes", "is_active")


@transaction.atomic
def source_update(*, source: Source, actor: Staff, **changes: Any) -> Source:
    """Change a source's settings; a fetched source still needs a URL. Editing a source
    clears its error streak so the scheduler tries it again on the next slot."""
    if source.organisation_id != actor.organisation_id:
        raise DomainError(_("Not found."))
    unknown = set(changes) - set(SOURCE_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    for k, v in changes.items():
        setattr(source, k, v)
    if source.kind != Source.Kind.MANUAL and not source.url:
        raise DomainError(_("A fetched source needs a URL."))
    source.error_count, source.last_error = 0, ""
    source.save()
    audit(
        action="media.source.update", target=source, actor=actor, data={"fields": sorted(changes)}
    )
    return source


@transaction.atomic
def watch_entity_update(
    *,
    entity: WatchEntity,
    actor: Staff,
    name: str,
    kind: str,
    aliases: Iterable[str],
    is_active: bool = True,
) -> WatchEntity:
    """Rename, re-kind or re-alias a watched name; later pages are matched with the change
    (stored mentions stay until the article is reprocessed)."""
    if entity.organisation_id != actor.organisation_id:
        raise DomainError(_("Not found."))
    clash = (
        WatchEntity.objects.filter(organisation_id=entity.organisation_id, name=name)
        .exclude(pk=entity.pk)
        .exists()
    )
    if clash:
        raise DomainError(_("This name is already on the watch list."))
    entity.name, entity.kind, entity.is_active = name, kind, is_active
    entity.aliases = "\n".join(a.strip() for a in aliases if a.strip())
    entity.save()
    audit(action="media.watch.update", target=entity, actor=actor)
    return entity


@transaction.atomic
def alert_rule_create(
    *,
    organisation: Organisation,
    actor: Staff,
    name: str,
    kind: str,
    entity_kind: str = "",
    min_outlets: int = 3,
    window_minutes: int = 60,
) -> AlertRule:
    if kind not in AlertRule.Kind.values:
        raise DomainError(_("Unknown alert kind."))
    rule = AlertRule.objects.create(
        organisation=organisation,
        name=name,
        kind=kind,
        entity_kind=entity_kind,
        min_outlets=min_outlets,
        window_minutes=window_minutes,
    )
    audit(action="media.alert_rule.create", target=rule, actor=actor)
    return rule


@transaction.atomic
def alert_rule_set_active(*, rule: AlertRule, actor: Staff, active: bool) -> AlertRule:
    if rule.organisation_id != actor.organisation_id:
        raise DomainError(_("Not found."))
    rule.is_active = active
    rule.save(update_fields=["is_active"])
    audit(action="media.alert_rule.active", target=rule, actor=actor, data={"active": active})
    return rule


def article_fetch_url(
    *, organisation: Organisation, url: str, actor: Any = None, fetcher: Fetcher | None = None
) -> Article | None:
    """Fetch one page a press officer pasted (robots.txt and size limits apply) and ingest
    it into the organisation's manual source. None when it failed (see IngestError)."""
    source = Source.objects.filter(organisation=organisation, kind=Source.Kind.MANUAL).first()
    own = fetcher is None
    fetcher = fetcher or _fetcher()
    try:
        try:
            result = fetcher.get(url)
        except FetchError as exc:
            _record_error(
                organisation,
                source=source,
                url=url,
                stage="fetch",
                reason=exc.reason,
                message=str(exc),
            )
            return None
    finally:
        if own:
            fetcher.close()
    article = article_ingest(
        organisation=organisation,
        data=result.content,
        url=result.final_url or url,
        name=url,
        source=source,
    )
    if article is not None:
        audit(action="media.article.fetch_url", target=article, actor=actor)
    return article


def _record_error(
    organisation: Organisation,
    *,
    source: Source | None,
    url: str,
    stage: str,
    reason: str,
    message: str,
) -> IngestError:
    return IngestError.objects.create(
        organisation=organisation,
        source=source,
        url=url[:2000],
        stage=stage,
        reason=reason[:40],
        message=message[:5000],
    )


# --- ingesting -------------------------------------------------------------------------


@dataclass
class Analysis:
    extracted: Extracted
    mentions: list[Any]
    tone: Any
    signature: bytes


def analyse(extracted: Extracted, matcher: Matcher) -> Analysis:
    """Mentions, tone and story signature of an extracted article (no database)."""
    full = f"{extracted.title}\n{extracted.text}" if extracted.title else extracted.text
    return Analysis(
        extracted,
        matcher.find(full),
        compute_tone(full),
        grouping.to_bytes(grouping.minhash(extracted.text or extracted.title)),
    )


def article_ingest(
    *,
    organisation: Organisation,
    data: bytes,
    url: str = "",
    name: str = "",
    source: Source | None = None,
    now: datetime | None = None,
    matcher: Matcher | None = None,
) -> Article | None:
    """Store and process one page (HTML, text or .gz). Returns None when it failed; the
    failure is then recorded as an IngestError."""
    now = now or timezone.now()
    try:
        extracted = extract_document(
            data,
            name or url,
            url or None,
            lang=(source.language or None) if source else None,
            tz=organisation.time_zone,
            now=now,
        )
    except (ExtractionError, ValueError, UnicodeError, OSError) as exc:
        _record_error(
            organisation,
            source=source,
            url=url or name,
            stage="extract",
            reason=type(exc).__name__,
            message=str(exc),
        )
        return None
    if not extracted.text and not extracted.title:
        _record_error(
            organisation,
            source=source,
            url=url or name,
            stage="extract",
            reason="empty",
            message="no article text found",
        )
        return None
    matcher = matcher or matcher_for(organisation)
    result = analyse(extracted, matcher)
    return _article_save(
        organisation=organisation,
        source=source,
        url=url or f"upload:{name}",
        data=data,
        result=result,
        now=now,
    )


@transaction.atomic
def _article_save(
    *,
    organisation: Organisation,
    source: Source | None,
    url: str,
    data: bytes,
    result: Analysis,
    now: datetime,
) -> Article:
    ex = result.extracted
    outlet = (
        (source.name if source and source.kind != Source.Kind.MANUAL else "")
        or ex.sitename
        or urlsplit(url).netloc
        or _("Upload")
    )
    outlet = str(outlet)
    defaults = dict(
        source=source,
        url=url if url.startswith("http") else "",
        canonical_url=ex.canonical_url[:2000],
        outlet=outlet[:200],
        title=ex.title[:500],
        text=ex.text,
        author=ex.author[:200],
        published_at=ex.published_at,
        date_text=ex.date_text[:100],
        language=ex.language[:5],
        image_url=ex.image[:2000] if ex.image.startswith("http") else "",
        raw=zlib.compress(data, 6),
        signature=result.signature,
        status=Article.Status.OK,
        error="",
        fetched_at=now,
    )
    article, created = Article.objects.get_or_create(
        organisation=organisation, url_key=url_key(url), defaults=defaults
    )
    if not created:
        for k, v in defaults.items():
            if k == "fetched_at":
                continue
            setattr(article, k, v)
    if not article.tone_corrected:
        article.tone, article.tone_score = result.tone.label, result.tone.score
    article.save()
    article.mentions.all().delete()
    Mention.objects.bulk_create(
        [
            Mention(
                organisation=organisation,
                article=article,
                entity_id=m.key,
                text=m.text[:300],
                sentence=m.sentence,
                start=m.start,
                end=m.end,
                tone=compute_tone(m.sentence).label,
            )
            for m in result.mentions
            if m.key is not None
        ]
    )
    story_assign(article=article)
    transaction.on_commit(lambda: _queue_alerts(article.pk))
    return article


def _queue_alerts(article_id: int) -> None:
    from kent360.media.tasks import evaluate_alerts

    evaluate_alerts.enqueue(article_id)


def article_reprocess(*, article: Article, now: datetime | None = None) -> Article | None:
    """Run the current pipeline again on the stored raw page (after an upgrade)."""
    return article_ingest(
        organisation=article.organisation,
        data=article.raw_bytes,
        url=article.url or "",
        name="page.html" if article.raw_kind == "html" else "page.txt",
        source=article.source,
        now=now,
    )


def story_assign(*, article: Article, threshold: float | None = None) -> Story:
    """Put the article into the story of its closest reprint of the last week, or a new one."""
    threshold = threshold or _setting("KENT360_MEDIA_STORY_THRESHOLD", grouping.DEFAULT_THRESHOLD)
    index = grouping.StoryIndex(threshold)
    since = article.fetched_at - STORY_WINDOW
    others = (
        Article.objects.filter(
            organisation_id=article.organisation_id, fetched_at__gte=since, story__isnull=False
        )
        .exclude(pk=article.pk)
        .exclude(signature=b"")
        .only("id", "signature", "story_id")
    )
    for other in others:
        index.add(other.pk, grouping.from_bytes(bytes(other.signature)), other.story_id)
    sig = (
        grouping.from_bytes(bytes(article.signature)) if article.signature else grouping.minhash("")
    )
    matches = index.similar(sig)
    when = article.published_at or article.fetched_at
    old_story_id = article.story_id
    if matches:
        story = Story.objects.get(pk=int(index.story_of[matches[0][0]]))  # type: ignore[call-overload]
    elif article.story_id:
        story = article.story  # type: ignore[assignment]
    else:
        story = Story.objects.create(
            organisation_id=article.organisation_id,
            title=article.title[:500],
            first_seen_at=when,
            last_seen_at=when,
        )
    article.story = story
    article.save(update_fields=["story"])
    for sid in {story.pk, old_story_id} - {None}:
        story_refresh(story_id=sid)  # type: ignore[arg-type]
    story.refresh_from_db()
    return story


def story_refresh(*, story_id: int) -> None:
    story = Story.objects.filter(pk=story_id).first()
    if story is None:
        return
    arts = list(story.articles.all().only("published_at", "fetched_at", "outlet", "title"))
    if not arts:
        story.delete()
        return
    times = [a.published_at or a.fetched_at for a in arts]
    story.article_count = len(arts)
    story.outlet_count = len({a.outlet for a in arts})
    story.first_seen_at, story.last_seen_at = min(times), max(times)
    story.title = min(arts, key=lambda a: a.published_at or a.fetched_at).title[:500] or story.title
    story.save()


# --- fetching --------------------------------------------------------------------------


def _fetcher() -> Fetcher:
    return Fetcher(
        min_interval=_setting("KENT360_MEDIA_HOST_INTERVAL", 1.0),
        max_bytes=_setting("KENT360_MEDIA_MAX_BYTES", 10 * 1024 * 1024),
        timeout=_setting("KENT360_MEDIA_TIMEOUT", 15.0),
    )


def source_fetch(
    *, source_id: int, fetcher: Fetcher | None = None, now: datetime | None = None
) -> int:
    """Fetch one source: discover article links, fetch and ingest the new ones.

    Returns the number of articles stored. A failing page is recorded and skipped; a
    failing feed marks the source (last_error, error_count) and stores nothing.
    """
    source = Source.objects.select_related("organisation").get(pk=source_id)
    org = source.organisation
    now = now or timezone.now()
    own = fetcher is None
    fetcher = fetcher or _fetcher()
    stored = 0
    try:
        try:
            links = _discover(source, fetcher)
        except (FetchError, FeedError) as exc:
            _record_error(
                org,
                source=source,
                url=source.url,
                stage="discover",
                reason=getattr(exc, "reason", "feed"),
                message=str(exc),
            )
            Source.objects.filter(pk=source.pk).update(
                last_fetch_at=now, last_error=str(exc)[:2000], error_count=source.error_count + 1
            )
            return 0
        known = set(
            Article.objects.filter(
                organisation=org, url_key__in=[url_key(u) for u in links]
            ).values_list("url_key", flat=True)
        )
        matcher = matcher_for(org)
        for url in links[:MAX_LINKS_PER_FETCH]:
            if url_key(url) in known:
                continue
            try:
                result = fetcher.get(url)
            except FetchError as exc:
                _record_error(
                    org, source=source, url=url, stage="fetch", reason=exc.reason, message=str(exc)
                )
                continue
            if (
                article_ingest(
                    organisation=org,
                    data=result.content,
                    url=url,
                    name=url,
                    source=source,
                    now=now,
                    matcher=matcher,
                )
                is not None
            ):
                stored += 1
        Source.objects.filter(pk=source.pk).update(
            last_fetch_at=now,
            last_success_at=now,
            last_error="",
            error_count=0,
            etag=source.etag,
            last_modified=source.last_modified,
        )
    finally:
        if own:
            fetcher.close()
    return stored


def _discover(source: Source, fetcher: Fetcher) -> list[str]:
    if source.kind == Source.Kind.MANUAL:
        return []
    result = fetcher.get(source.url, etag=source.etag, last_modified=source.last_modified)
    if result.not_modified:
        return []
    source.etag, source.last_modified = result.etag[:300], result.last_modified[:100]
    if source.kind == Source.Kind.FEED:
        return [link.url for link in parse_feed(result.content)]
    if source.kind == Source.Kind.SITEMAP:
        links, nested = parse_sitemap(result.content)
        urls = [link.url for link in links]
        for sm in nested[:5]:
            try:
                urls += [link.url for link in parse_sitemap(fetcher.get(sm).content)[0]]
            except (FetchError, FeedError) as exc:
                _record_error(
                    source.organisation,
                    source=source,
                    url=sm,
                    stage="discover",
                    reason="sitemap",
                    message=str(exc),
                )
        return urls
    return [link.url for link in listing_links(result.text, result.final_url)]


def sources_due(*, now: datetime | None = None) -> list[Source]:
    now = now or timezone.now()
    due = []
    for s in Source.objects.filter(is_active=True).exclude(kind=Source.Kind.MANUAL):
        if (
            s.last_fetch_at is None
            or s.last_fetch_at + timedelta(minutes=s.fetch_interval_minutes) <= now
        ):
            due.append(s)
    return due


def media_fetch_due_sources(*, now: datetime | None = None, queue: bool = True) -> list[int]:
    """The periodic sweep: every active source whose fetch interval has elapsed is fetched
    (queued as a task, or fetched right here with ``queue=False``). Returns the source ids."""
    ids = [s.pk for s in sources_due(now=now)]
    if queue:
        from kent360.media.tasks import fetch_source

        for sid in ids:
            fetch_source.enqueue(sid)
    else:
        for sid in ids:
            source_fetch(source_id=sid, now=now)
    return ids


def upload_ingest(
    *,
    organisation: Organisation,
    name: str,
    data: bytes,
    actor: Any = None,
    now: datetime | None = None,
) -> tuple[list[Article], list[IngestError]]:
    """An uploaded .html/.txt/.gz page, a .zip of pages or a .warc(.gz) archive."""
    import io
    import zipfile

    items: list[tuple[str, str, bytes]] = []
    lower = name.lower()
    if lower.endswith(".zip"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                items = [
                    (i.filename, "", zf.read(i))
                    for i in zf.infolist()
                    if not i.is_dir() and i.file_size <= 20 * 1024 * 1024
                ]
        except zipfile.BadZipFile as exc:
            return [], [
                _record_error(
                    organisation,
                    source=None,
                    url=name,
                    stage="upload",
                    reason="bad_zip",
                    message=str(exc),
                )
            ]
    elif ".warc" in lower:
        items = list(_warc_records(data))
    else:
        items = [(name, "", data)]
    before = IngestError.objects.filter(organisation=organisation).count()
    articles = []
    matcher = matcher_for(organisation)
    for item_name, url, body in items:
        art = article_ingest(
            organisation=organisation, data=body, url=url, name=item_name, now=now, matcher=matcher
        )
        if art is not None:
            articles.append(art)
    errors = list(IngestError.objects.filter(organisation=organisation).order_by("id")[before:])
    return articles, errors


def _warc_records(data: bytes) -> Iterable[tuple[str, str, bytes]]:
    """HTTP responses of a WARC file (plain or gzipped) as (name, url, body)."""
    import gzip

    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    pos = 0
    while True:
        start = data.find(b"WARC/1.", pos)
        if start < 0:
            return
        head_end = data.find(b"\r\n\r\n", start)
        if head_end < 0:
            return
        headers = dict(
            line.split(b":", 1) for line in data[start:head_end].split(b"\r\n")[1:] if b":" in line
        )
        headers = {k.strip().lower(): v.strip() for k, v in headers.items()}
        length = int(headers.get(b"content-length", b"0"))
        block = data[head_end + 4 : head_end + 4 + length]
        pos = head_end + 4 + length
        if headers.get(b"warc-type") == b"response":
            http_end = block.find(b"\r\n\r\n")
            body = block[http_end + 4 :] if http_end >= 0 else block
            url = headers.get(b"warc-target-uri", b"").decode("utf-8", "replace")
            yield url, url, body


# --- tone labels -----------------------------------------------------------------------


@transaction.atomic
def tone_correct(
    *, staff: Staff, article: Article, label: str, mention: Mention | None = None
) -> ToneLabel:
    """A press officer corrects the tone; the correction wins and is kept as a label."""
    if article.organisation_id != staff.organisation_id:
        raise DomainError(_("Not found."))
    if label not in Tone.values:
        raise DomainError(_("Unknown tone."))
    if mention is not None:
        computed, text = mention.tone, mention.sentence
        mention.tone = label
        mention.save(update_fields=["tone"])
    else:
        computed, text = article.tone, f"{article.title}\n{article.text}"
        article.tone, article.tone_corrected = label, True
        article.save(update_fields=["tone", "tone_corrected"])
    lab = ToneLabel.objects.create(
        organisation_id=article.organisation_id,
        article=article,
        mention=mention,
        text=text,
        computed=computed,
        label=label,
        staff=staff,
    )
    audit(action="media.tone.correct", target=article, actor=staff, data={"label": label})
    return lab


# --- alerts ----------------------------------------------------------------------------


def press_recipients(organisation: Organisation) -> list[str]:
    return sorted(
        {
            s.user.email
            for s in Staff.objects.filter(
                organisation=organisation,
                is_active=True,
                role__in=[Role.PRESS_OFFICER, Role.PR_MANAGER],
            ).select_related("user")
            if s.user.email
        }
    )


def alerts_evaluate(*, article_id: int, now: datetime | None = None) -> list[Alert]:
    """Apply the organisation's alert rules to a new article; each rule fires at most once
    per article (negative mention) or per story (pick-up by ≥ N outlets within the window),
    and the press officers get an e-mail at once."""
    article = Article.objects.select_related("organisation", "story").filter(pk=article_id).first()
    if article is None:
        return []
    now = now or timezone.now()
    fired = []
    for rule in AlertRule.objects.filter(organisation_id=article.organisation_id, is_active=True):
        if rule.kind == AlertRule.Kind.NEGATIVE_MENTION:
            if article.tone != Tone.NEGATIVE:
                continue
            mentions = article.mentions.all()
            if rule.entity_kind:
                mentions = mentions.filter(entity__kind=rule.entity_kind)
            if not mentions.exists():
                continue
            subject = _("Negative news: %(title)s") % {"title": article.title}
            alert = _alert_create(rule, article=article, subject=subject)
        else:
            story = article.story
            if story is None:
                continue
            since = (article.published_at or article.fetched_at) - timedelta(
                minutes=rule.window_minutes
            )
            outlets = (
                (
                    story.articles.filter(fetched_at__gte=since)
                    | story.articles.filter(published_at__gte=since)
                )
                .values("outlet")
                .annotate(n=Count("id"))
                .count()
            )
            if outlets < rule.min_outlets:
                continue
            subject = _("Story picked up by %(n)s outlets: %(title)s") % {
                "n": outlets,
                "title": story.title,
            }
            alert = _alert_create(rule, story=story, subject=subject)
        if alert is not None:
            _alert_send(alert, article)
            fired.append(alert)
    return fired


def _alert_create(rule: AlertRule, **kw: Any) -> Alert | None:
    try:
        with transaction.atomic():
            return Alert.objects.create(
                organisation_id=rule.organisation_id,
                rule=rule,
                subject=str(kw.pop("subject"))[:300],
                **kw,
            )
    except IntegrityError:
        return None


def _alert_send(alert: Alert, article: Article) -> None:
    recipients = press_recipients(alert.rule.organisation)
    if not recipients:
        return
    body = "\n\n".join([alert.subject, article.outlet, article.url or "", article.text[:1500]])
    EmailMultiAlternatives(
        subject=f"[kent360] {alert.subject}"[:250], body=body, to=recipients
    ).send()
    alert.recipients, alert.sent_at = recipients, timezone.now()
    alert.save(update_fields=["recipients", "sent_at"])


# --- digest ----------------------------------------------------------------------------


def digest_build(
    *,
    organisation: Organisation,
    day: date | None = None,
    now: datetime | None = None,
    with_pdf: bool = True,
) -> Digest:
    """The daily digest: stories of the 24 h before ``now``, ranked by reach and relevance."""
    from kent360.media import digest as digest_mod

    now = now or timezone.now()
    day = day or timezone.localdate(now)
    html = digest_mod.render_html(organisation=organisation, now=now)
    pdf = digest_mod.render_pdf(html) if with_pdf else b""
    d, _created = Digest.objects.update_or_create(
        organisation=organisation, date=day, defaults={"html": html, "pdf": pdf}
    )
    return d


def digest_send(*, digest: Digest) -> bool:
    """E-mail the digest (HTML body, PDF attached) to the PR manager and press office, once."""
    recipients = press_recipients(digest.organisation)
    if not recipients:
        return False
    # Claim the digest first so two schedulers never send it twice.
    if not Digest.objects.filter(pk=digest.pk, sent_at__isnull=True).update(sent_at=timezone.now()):
        return False
    msg = EmailMultiAlternatives(
        subject=_("Press digest %(date)s") % {"date": digest.date.isoformat()},
        body=_("The daily press digest is attached."),
        to=recipients,
    )
    msg.attach_alternative(digest.html, "text/html")
    if digest.pdf:
        msg.attach(f"digest-{digest.date.isoformat()}.pdf", bytes(digest.pdf), "application/pdf")
    try:
        msg.send()
    except OSError:
        Digest.objects.filter(pk=digest.pk).update(sent_at=None)
        raise
    digest.refresh_from_db(fields=["sent_at"])
    return True


def media_send_due_digests(*, now: datetime | None = None) -> list[int]:
    """At the configured hour (KENT360_MEDIA_DIGEST_HOUR, local time of each organisation)
    build and send each organisation's digest once per day."""
    from zoneinfo import ZoneInfo

    now = now or timezone.now()
    hour = _setting("KENT360_MEDIA_DIGEST_HOUR", 8)
    sent = []
    for org in Organisation.objects.filter(is_active=True, media_sources__isnull=False).distinct():
        local = now.astimezone(ZoneInfo(org.time_zone))
        if (
            local.hour < hour
            or Digest.objects.filter(
                organisation=org, date=local.date(), sent_at__isnull=False
            ).exists()
        ):
            continue
        d = digest_build(organisation=org, day=local.date(), now=now)
        if digest_send(digest=d):
            sent.append(d.pk)
    return sent


# --- rebuttal (tekzip) -----------------------------------------------------------------

REQUEST_MONTHS = 2
DAILY_PUBLISH_DAYS = 3
NON_DAILY_PUBLISH_DAYS = 7
COURT_DAYS = 15


def _add_months(d: date, months: int) -> date:
    import calendar

    m = d.month - 1 + months
    y, m = d.year + m // 12, m % 12 + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def _event(case: RebuttalCase, kind: str, text: str = "", actor: Any = None) -> RebuttalEvent:
    user = getattr(actor, "user", None)
    return RebuttalEvent.objects.create(
        organisation_id=case.organisation_id, case=case, kind=kind, text=text, actor=user
    )


@transaction.atomic
def rebuttal_open(
    *,
    staff: Staff,
    article: Article,
    text: str = "",
    is_daily: bool = True,
    today: date | None = None,
) -> RebuttalCase:
    """Open a tekzip case. Press Law 5187 art. 14: the request must reach the outlet within
    two months of publication."""
    if article.organisation_id != staff.organisation_id:
        raise DomainError(_("Not found."))
    today = today or timezone.localdate()
    published = (
        timezone.localdate(article.published_at)
        if article.published_at
        else timezone.localdate(article.fetched_at)
    )
    deadline = _add_months(published, REQUEST_MONTHS)
    if today > deadline:
        raise DomainError(
            _("The two-month period for a rebuttal request ended on %(date)s.")
            % {"date": deadline.isoformat()}
        )
    case = RebuttalCase.objects.create(
        organisation_id=staff.organisation_id,
        article=article,
        text=text,
        is_daily=is_daily,
        published_on=published,
        request_deadline=deadline,
        created_by=staff,
    )
    _event(case, "open", actor=staff)
    audit(action="media.rebuttal.open", target=case, actor=staff)
    return case


def rebuttal_length_ok(case: RebuttalCase) -> bool:
    """The rebuttal may not be longer than the article it answers (art. 14)."""
    return len(case.text.split()) <= max(len(case.article.text.split()), 1)


@transaction.atomic
def rebuttal_update_text(*, staff: Staff, case: RebuttalCase, text: str) -> RebuttalCase:
    if case.state != RebuttalCase.State.DRAFT:
        raise InvalidTransition(_("Only a draft can be edited."))
    case.text = text
    case.save(update_fields=["text", "updated_at"])
    _event(case, "edit", actor=staff)
    return case


@transaction.atomic
def rebuttal_send(*, staff: Staff, case: RebuttalCase, sent_on: date | None = None) -> RebuttalCase:
    """Record that the request went to the outlet. A daily must publish within three days
    of receipt (a non-daily in its next issue, counted here as seven days); if it does not,
    the judge of peace must be asked within fifteen days after that."""
    sent_on = sent_on or timezone.localdate()
    if case.state != RebuttalCase.State.DRAFT:
        raise InvalidTransition(_("The rebuttal was already sent."))
    if not case.text.strip():
        raise DomainError(_("Write the rebuttal text first."))
    if not rebuttal_length_ok(case):
        raise DomainError(
            _("The rebuttal may not be longer than the article (%(n)s words).")
            % {"n": len(case.article.text.split())}
        )
    if sent_on > case.request_deadline:
        raise DomainError(
            _("The two-month period for a rebuttal request ended on %(date)s.")
            % {"date": case.request_deadline.isoformat()}
        )
    case.state, case.sent_on = RebuttalCase.State.SENT, sent_on
    case.publish_deadline = sent_on + timedelta(
        days=DAILY_PUBLISH_DAYS if case.is_daily else NON_DAILY_PUBLISH_DAYS
    )
    case.court_deadline = case.publish_deadline + timedelta(days=COURT_DAYS)
    case.save()
    _event(case, "sent", actor=staff)
    audit(action="media.rebuttal.send", target=case, actor=staff)
    return case


_OUTCOMES = {
    "published": (RebuttalCase.State.SENT, RebuttalCase.State.PUBLISHED),
    "refused": (RebuttalCase.State.SENT, RebuttalCase.State.REFUSED),
    "court": (RebuttalCase.State.REFUSED, RebuttalCase.State.COURT),
    "close": (None, RebuttalCase.State.CLOSED),
}


@transaction.atomic
def rebuttal_record(
    *, staff: Staff, case: RebuttalCase, outcome: str, note: str = "", today: date | None = None
) -> RebuttalCase:
    """Record what happened: published / refused (not published) / court / close."""
    today = today or timezone.localdate()
    if outcome not in _OUTCOMES:
        raise DomainError(_("Unknown outcome."))
    required, target = _OUTCOMES[outcome]
    if required is not None and case.state != required:
        raise InvalidTransition(_("This step does not follow from the case's state."))
    if outcome == "court" and case.court_deadline and today > case.court_deadline:
        raise DomainError(
            _("The fifteen days to apply to the judge of peace ended on %(date)s.")
            % {"date": case.court_deadline.isoformat()}
        )
    case.state = target
    if note:
        case.outcome = (case.outcome + "\n" + note).strip()
    case.save()
    _event(case, outcome, text=note, actor=staff)
    audit(action=f"media.rebuttal.{outcome}", target=case, actor=staff)
    return case


def rebuttal_reminders(*, today: date | None = None) -> list[RebuttalEvent]:
    """Remind the press office (by e-mail, once per case and kind) of deadlines due within
    two days: the request deadline of drafts, the outlet's publication deadline of sent
    cases, and the court deadline of sent or refused cases."""
    today = today or timezone.localdate()
    soon = today + timedelta(days=2)
    out = []
    checks = [
        ("request", RebuttalCase.State.DRAFT, "request_deadline"),
        ("publish", RebuttalCase.State.SENT, "publish_deadline"),
        ("court", RebuttalCase.State.SENT, "court_deadline"),
        ("court", RebuttalCase.State.REFUSED, "court_deadline"),
    ]
    for kind, state, field in checks:
        for case in RebuttalCase.objects.filter(
            state=state, **{f"{field}__lte": soon, f"{field}__gte": today - timedelta(days=1)}
        ):
            deadline = getattr(case, field)
            try:
                with transaction.atomic():
                    ev = _event(case, f"reminder:{kind}", text=deadline.isoformat())
            except IntegrityError:
                continue
            recipients = press_recipients(case.organisation)
            if recipients:
                EmailMultiAlternatives(
                    subject=_("Tekzip deadline %(date)s: %(title)s")
                    % {"date": deadline.isoformat(), "title": case.article.title[:120]},
                    body=_("Deadline (%(kind)s) on %(date)s for the rebuttal against %(url)s")
                    % {"kind": kind, "date": deadline.isoformat(), "url": case.article.url},
                    to=recipients,
                ).send()
            out.append(ev)
    return out

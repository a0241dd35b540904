"""Reads of media monitoring, always through the staff member asking.

Every queryset starts from the asker's organisation and the asker must belong to the press
office (see permissions); an object of another organisation is simply not found (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kent360.core.text import search_key
from kent360.media.models import (
    Alert,
    AlertRule,
    Article,
    IngestError,
    Mention,
    RebuttalCase,
    RebuttalEvent,
    Source,
    Story,
    WatchEntity,
)
from kent360.media.permissions import require_media
from kent360.organizations.models import Staff

M = TypeVar("M", bound=Model)


def _own(model: type[M], staff: Staff) -> QuerySet[M]:
    require_media(staff)
    return model._default_manager.filter(organisation_id=staff.organisation_id)


def _get(qs: QuerySet[M], pk: Any) -> M:
    try:
        return qs.get(pk=int(pk))
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


# --- articles --------------------------------------------------------------------------


@dataclass
class ArticleFilters:
    source: int | None = None
    tone: str = ""
    entity: int | None = None
    story: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""


def _day_start(day: date, tz: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(tz))


def article_list(*, staff: Staff, filters: ArticleFilters | None = None) -> QuerySet[Article]:
    """The organisation's processed articles, newest first; dates are the organisation's
    local days and match the publication time (or the fetch time when it is unknown)."""
    f = filters or ArticleFilters()
    qs = _own(Article, staff).filter(status=Article.Status.OK).select_related("source", "story")
    if f.source:
        qs = qs.filter(source_id=f.source)
    if f.tone:
        qs = qs.filter(tone=f.tone)
    if f.entity:
        qs = qs.filter(mentions__entity_id=f.entity).distinct()
    if f.story:
        qs = qs.filter(story_id=f.story)
    tz = staff.organisation.time_zone
    if f.date_from:
        start = _day_start(f.date_from, tz)
        qs = qs.filter(
            Q(published_at__gte=start) | Q(published_at__isnull=True, fetched_at__gte=start)
        )
    if f.date_to:
        end = _day_start(f.date_to + timedelta(days=1), tz)
        qs = qs.filter(Q(published_at__lt=end) | Q(published_at__isnull=True, fetched_at__lt=end))
    if f.q:
        words = search_key(f.q).split()
        for w in words[:5]:
            qs = qs.filter(Q(title__icontains=w) | Q(text__icontains=w) | Q(outlet__icontains=w))
    return qs.annotate(n_mentions=Count("mentions", distinct=True)).order_by(
        "-published_at", "-fetched_at", "-id"
    )


def article_get(*, staff: Staff, article_id: Any) -> Article:
    return _get(_own(Article, staff).select_related("source", "story"), article_id)


def article_mentions(*, staff: Staff, article: Article) -> QuerySet[Mention]:
    if article.organisation_id != staff.organisation_id:
        raise Http404
    return article.mentions.select_related("entity").order_by("start")


def highlight_mentions(text: str, mentions: list[Mention], offset: int = 0) -> SafeString:
    """``text`` HTML-escaped piece by piece, with each mention wrapped in <mark>.

    Mention offsets count from ``offset`` in the analysed text. Only the markup added here
    is trusted: every slice of the text is escaped, so a page that carried HTML in its text
    can never inject it into the desk.
    """
    out: list[str] = []
    pos = 0
    for m in sorted(mentions, key=lambda m: (m.start, -m.end)):
        start, end = m.start - offset, min(m.end - offset, len(text))
        if start < pos or start >= end:
            continue  # outside this text, or inside an earlier mention
        out.append(escape(text[pos:start]))
        out.append(
            f'<mark class="mention tone-{escape(m.tone)}" data-entity="{m.entity_id}" '
            f'title="{escape(m.entity.name)}">{escape(text[start:end])}</mark>'
        )
        pos = end
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))  # every piece above is escaped


def article_highlighted(article: Article, mentions: list[Mention]) -> tuple[SafeString, SafeString]:
    """Title and body with their mentions marked. Mentions were found in "title\ntext"."""
    body_offset = len(article.title) + 1 if article.title else 0
    return (
        highlight_mentions(article.title, mentions, 0),
        highlight_mentions(article.text, mentions, body_offset),
    )


# --- stories ---------------------------------------------------------------------------


def story_list(*, staff: Staff) -> QuerySet[Story]:
    return _own(Story, staff).order_by("-last_seen_at", "-id")


def story_get(*, staff: Staff, story_id: Any) -> Story:
    return _get(_own(Story, staff), story_id)


def story_articles(*, staff: Staff, story: Story) -> QuerySet[Article]:
    if story.organisation_id != staff.organisation_id:
        raise Http404
    return story.articles.select_related("source").order_by("published_at", "fetched_at", "id")


# --- sources ---------------------------------------------------------------------------


def source_list(*, staff: Staff, now: datetime | None = None) -> list[Source]:
    """Sources with their health: articles stored, errors of the last day, next fetch due."""
    now = now or timezone.now()
    day_ago = now - timedelta(days=1)
    sources: list[Source] = list(
        _own(Source, staff).annotate(
            n_articles=Count("articles", distinct=True),
            n_errors_day=Count("errors", filter=Q(errors__created_at__gte=day_ago), distinct=True),
        )
    )
    for s in sources:
        s.next_due = source_next_due(s, now=now)  # type: ignore[attr-defined]
    return sources


def source_next_due(source: Source, *, now: datetime) -> datetime | None:
    """None for manual or paused sources; else when the scheduler fetches it next."""
    if source.kind == Source.Kind.MANUAL or not source.is_active:
        return None
    if source.last_fetch_at is None:
        return now
    return max(source.last_fetch_at + timedelta(minutes=source.fetch_interval_minutes), now)


def source_get(*, staff: Staff, source_id: Any) -> Source:
    return _get(_own(Source, staff), source_id)


def ingest_errors(*, staff: Staff, source: Source | None = None, limit: int = 20) -> list[Any]:
    qs = _own(IngestError, staff).select_related("source")
    if source is not None:
        qs = qs.filter(source=source)
    return list(qs.order_by("-created_at", "-id")[:limit])


# --- watch list and alerts -------------------------------------------------------------


def watch_list(*, staff: Staff) -> QuerySet[WatchEntity]:
    return _own(WatchEntity, staff).annotate(n_mentions=Count("mentions")).order_by("kind", "name")


def watch_get(*, staff: Staff, entity_id: Any) -> WatchEntity:
    return _get(_own(WatchEntity, staff), entity_id)


def alert_rule_list(*, staff: Staff) -> QuerySet[AlertRule]:
    return _own(AlertRule, staff).annotate(n_alerts=Count("alerts")).order_by("name", "id")


def alert_rule_get(*, staff: Staff, rule_id: Any) -> AlertRule:
    return _get(_own(AlertRule, staff), rule_id)


def recent_alerts(*, staff: Staff, limit: int = 20) -> list[Alert]:
    return list(_own(Alert, staff).select_related("rule", "article", "story")[:limit])


# --- tekzip ----------------------------------------------------------------------------

OPEN_CASE_STATES = (
    RebuttalCase.State.DRAFT,
    RebuttalCase.State.SENT,
    RebuttalCase.State.REFUSED,
)


def rebuttal_list(*, staff: Staff, state: str = "") -> QuerySet[RebuttalCase]:
    qs = _own(RebuttalCase, staff).select_related("article")
    if state == "open":
        qs = qs.filter(state__in=OPEN_CASE_STATES)
    elif state:
        qs = qs.filter(state=state)
    return qs.order_by("-created_at", "-id")


def rebuttal_get(*, staff: Staff, case_id: Any) -> RebuttalCase:
    return _get(_own(RebuttalCase, staff).select_related("article", "created_by__user"), case_id)


def rebuttal_events(*, staff: Staff, case: RebuttalCase) -> QuerySet[RebuttalEvent]:
    if case.organisation_id != staff.organisation_id:
        raise Http404
    return case.events.select_related("actor").order_by("created_at", "id")


def rebuttal_next_deadline(case: RebuttalCase) -> tuple[str, date] | None:
    """The deadline that matters now for the case's state (kind, date)."""
    if case.state == RebuttalCase.State.DRAFT:
        return "request", case.request_deadline
    if case.state == RebuttalCase.State.SENT and case.publish_deadline:
        return "publish", case.publish_deadline
    if case.state == RebuttalCase.State.REFUSED and case.court_deadline:
        return "court", case.court_deadline
    return None

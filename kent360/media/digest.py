"""The daily press digest for the mayor's office (HTML and PDF).

Rules: the stories with an article in the 24 hours before the digest time; each story is
shown once with all its outlets; ranked by reach (sum of the outlets' reach, national
counting most) times relevance (number of watched-name mentions, plus one); grouped by
topic = the most mentioned watched entity of the story. Persian titles are laid out
right-to-left; fonts are Noto Sans / Noto Naskh Arabic so Turkish and Persian render.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from kent360.media.models import Article, Story
from kent360.organizations.models import Organisation
from kent360.social.selectors import social_mentions


def digest_stories(
    *, organisation: Organisation, now: datetime, hours: int = 24
) -> list[dict[str, Any]]:
    since = now - timedelta(hours=hours)
    recent = Q(articles__fetched_at__gte=since, articles__fetched_at__lte=now) | Q(
        articles__published_at__gte=since, articles__published_at__lte=now
    )
    stories = Story.objects.filter(recent, organisation=organisation).distinct()
    out = []
    for story in stories:
        arts = list(
            Article.objects.filter(story=story)
            .select_related("source")
            .annotate(n_mentions=Count("mentions"))
            .order_by("published_at", "fetched_at")
        )
        if not arts:
            continue
        mentions: Counter[str] = Counter()
        for a in arts:
            for name in a.mentions.values_list("entity__name", flat=True):
                mentions[name] += 1
        reach = sum(a.source.reach if a.source else 1 for a in arts)
        relevance = sum(mentions.values()) + 1
        tones = Counter(a.tone for a in arts)
        lead = arts[0]
        out.append(
            {
                "story": story,
                "articles": arts,
                "lead": lead,
                "topic": mentions.most_common(1)[0][0] if mentions else _("Other"),
                "score": reach * relevance,
                "tone": tones.most_common(1)[0][0],
                "rtl": lead.language == "fa",
                "outlets": sorted({a.outlet for a in arts}),
            }
        )
    out.sort(key=lambda s: -s["score"])  # type: ignore[operator]
    return out


def render_html(*, organisation: Organisation, now: datetime) -> str:
    stories = digest_stories(organisation=organisation, now=now)
    topics: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in stories:
        topics[s["topic"]].append(s)
    ordered = sorted(topics.items(), key=lambda kv: -max(int(s["score"]) for s in kv[1]))
    return render_to_string(
        "media/digest.html",
        {
            "organisation": organisation,
            "now": now,
            "topics": ordered,
            "count": len(stories),
            "social": list(
                social_mentions(organisation=organisation, start=now - timedelta(hours=24), end=now)
            ),
        },
    )


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()

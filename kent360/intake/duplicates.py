"""Likely duplicates of a request: same category, near in place and time, similar text.

Text similarity is the Jaccard overlap of the normalised word sets (kent360.core.text:
Turkish casing, apostrophe suffixes, Persian letters), ignoring very short words. With
both positions known the place must be within the radius and a looser text overlap is
enough; without positions the text must match more closely.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from kent360.core.text import fold_diacritics, tokens
from kent360.organizations.models import Staff
from kent360.requests.models import Request, State
from kent360.requests.selectors import request_visible

MIN_WITH_PLACE = 0.2
MIN_WITHOUT_PLACE = 0.45


@dataclass(frozen=True)
class Candidate:
    request: Request
    similarity: float
    distance_m: float | None


def word_set(text: str, lang: str | None) -> set[str]:
    return {fold_diacritics(t) for t in tokens(text, lang) if len(t) >= 3 and not t.isdigit()}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6_371_000
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(h))


def duplicate_candidates(*, staff: Staff, request: Request, limit: int = 5) -> list[Candidate]:
    if request.category_id is None or request.state == State.MERGED:
        return []
    window = timedelta(days=settings.KENT360_DUPLICATE_WINDOW_DAYS)
    radius = settings.KENT360_DUPLICATE_RADIUS_M
    qs = (
        request_visible(staff=staff)
        .filter(
            category_id=request.category_id,
            created_at__gte=request.created_at - window,
            created_at__lte=request.created_at + window,
        )
        .exclude(pk=request.pk)
        .exclude(state=State.MERGED)
        .order_by("-created_at")[:300]
    )
    mine = word_set(f"{request.subject} {request.text}", request.language)
    found = []
    for other in qs:
        sim = jaccard(mine, word_set(f"{other.subject} {other.text}", other.language))
        dist = None
        if None not in (request.latitude, request.longitude, other.latitude, other.longitude):
            dist = distance_m(request.latitude, request.longitude, other.latitude, other.longitude)  # type: ignore[arg-type]
            if dist > radius or sim < MIN_WITH_PLACE:
                continue
        elif sim < MIN_WITHOUT_PLACE:
            continue
        found.append(Candidate(other, round(sim, 2), round(dist) if dist is not None else None))
    found.sort(key=lambda c: (-c.similarity, c.distance_m or 0))
    return found[:limit]

"""Keyword rules: the router of an organisation that has no history to learn from yet.

Each category lists words that point to it (one per line, editable by admins). A keyword
matches the start of a word in the normalised text, so "çöp" matches "Çöpler" and "cop";
several words form a phrase. The confidence grows with the number of distinct keywords
found and shrinks when other categories match too: one keyword alone gives 0.5, two 0.75,
three 0.875 (times the category's share of all hits).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from kent360.core.text import search_key
from kent360.organizations.models import Category


@dataclass(frozen=True)
class KeywordMatch:
    category: Category
    hits: int
    confidence: float


def _pattern(keyword: str) -> re.Pattern[str] | None:
    key = search_key(keyword).strip()
    if not key:
        return None
    return re.compile(r"(?<!\w)" + re.escape(key))


def keyword_matches(text: str, categories: Iterable[Category]) -> list[KeywordMatch]:
    """Categories whose keywords occur in ``text``, most confident first."""
    key = search_key(text)
    hits: list[tuple[Category, int]] = []
    for category in categories:
        found = 0
        for line in (category.keywords or "").splitlines():
            pattern = _pattern(line)
            if pattern is not None and pattern.search(key):
                found += 1
        if found:
            hits.append((category, found))
    total = sum(n for _c, n in hits)
    out = [KeywordMatch(c, n, (n / total) * (1 - 0.5**n)) for c, n in hits]
    return sorted(out, key=lambda m: (-m.confidence, m.category.pk))

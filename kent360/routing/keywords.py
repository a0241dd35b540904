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
from functools import lru_cache

from kent360.core.text import search_key
from kent360.organizations.models import Category


@dataclass(frozen=True)
class KeywordMatch:
    category: Category
    hits: int
    confidence: float


@lru_cache(maxsize=4096)
def _pattern(keyword: str) -> re.Pattern[str] | None:
    key = search_key(keyword).strip()
    if not key:
        return None
    return re.compile(r"(?<!\w)" + re.escape(key))


def keyword_hits(text: str, rules: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Number of distinct keywords of each rule ``(code, keywords one per line)`` found in
    ``text``; codes without a hit are left out."""
    key = search_key(text)
    hits: dict[str, int] = {}
    for code, keywords in rules:
        found = 0
        for line in (keywords or "").splitlines():
            pattern = _pattern(line)
            if pattern is not None and pattern.search(key):
                found += 1
        if found:
            hits[code] = found
    return hits


def keyword_confidence(hits: dict[str, int]) -> dict[str, float]:
    """Confidence of each category from its keyword hits (see the module docstring)."""
    total = sum(hits.values())
    return {code: (n / total) * (1 - 0.5**n) for code, n in hits.items()}


def keyword_matches(text: str, categories: Iterable[Category]) -> list[KeywordMatch]:
    """Categories whose keywords occur in ``text``, most confident first."""
    by_code = {c.code: c for c in categories}
    hits = keyword_hits(text, [(c.code, c.keywords) for c in by_code.values()])
    confidence = keyword_confidence(hits)
    out = [KeywordMatch(by_code[code], n, confidence[code]) for code, n in hits.items()]
    return sorted(out, key=lambda m: (-m.confidence, m.category.pk))

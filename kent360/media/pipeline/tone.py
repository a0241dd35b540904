"""Lexicon-based tone (positive / negative / neutral) for Turkish, Persian and English.

Rules: words are compared in their normalised form (kent360.core.text rules); a Turkish
lexicon stem of four letters or more matches every word that starts with it ("başarı" →
"başarılı", "başarısı"), shorter stems and Persian/English entries match whole words.
A negation right after a Turkish word ("değil") or right before a Persian or English one
("نه", "not", "no") flips that word. The score is (positives − negatives) / √(words);
above +THRESHOLD is positive, below −THRESHOLD negative, otherwise neutral.
Staff corrections are stored as labels (ToneLabel) and override the computed tone.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kent360.media.pipeline.mentions import fold

LEXICON_PATH = Path(__file__).resolve().parent.parent / "data" / "tone_lexicon.tsv"
THRESHOLD = 0.08
POSITIVE, NEGATIVE, NEUTRAL = "positive", "negative", "neutral"
_WORDS = re.compile(r"[^\W\d_]+")
_NEGATE_AFTER = {"değil", "degil"}
_NEGATE_BEFORE = {"نه", "not", "no", "never", "hiç"}


@dataclass(frozen=True)
class Lexicon:
    exact: dict[str, int]
    stems: dict[str, int]
    phrases: dict[str, int]
    stem_lengths: tuple[int, ...]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    exact: dict[str, int] = {}
    stems: dict[str, int] = {}
    phrases: dict[str, int] = {}
    for line in LEXICON_PATH.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        lang, polarity, entry = line.split("\t")
        value = 1 if polarity == "+" else -1
        entry = fold(entry.strip())
        if " " in entry:
            phrases[entry] = value
        elif lang == "tr" and len(entry) >= 4:
            stems[entry] = value
        else:
            exact[entry] = value
    lengths = tuple(sorted({len(s) for s in stems}, reverse=True))
    return Lexicon(exact, stems, phrases, lengths)


@dataclass(frozen=True)
class Tone:
    label: str
    score: float
    positives: int
    negatives: int


def _word_value(word: str, lex: Lexicon) -> int:
    value = lex.exact.get(word)
    if value is not None:
        return value
    for n in lex.stem_lengths:
        if n <= len(word):
            value = lex.stems.get(word[:n])
            if value is not None:
                return value
    return 0


def tone(text: str) -> Tone:
    """The tone of ``text`` (an article or one sentence)."""
    if not text:
        return Tone(NEUTRAL, 0.0, 0, 0)
    lex = lexicon()
    folded = fold(text)
    words = _WORDS.findall(folded)
    pos = neg = 0
    for i, word in enumerate(words):
        value = _word_value(word, lex)
        if not value:
            continue
        if (i + 1 < len(words) and words[i + 1] in _NEGATE_AFTER) or (
            i > 0 and words[i - 1] in _NEGATE_BEFORE
        ):
            value = -value
        if value > 0:
            pos += 1
        else:
            neg += 1
    for phrase, value in lex.phrases.items():
        count = folded.count(phrase)
        if count:
            pos, neg = (pos + count, neg) if value > 0 else (pos, neg + count)
    score = (pos - neg) / math.sqrt(max(len(words), 1))
    label = POSITIVE if score > THRESHOLD else NEGATIVE if score < -THRESHOLD else NEUTRAL
    return Tone(label, round(score, 4), pos, neg)

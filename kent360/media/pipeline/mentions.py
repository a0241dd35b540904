"""Finding watched names (municipality, mayor, directorates, neighbourhoods ...) in news text.

Matching rules, shared by the pipeline and the CLI:
- Comparison goes through the same normalisation as kent360.core.text: Turkish casing
  ("İSTANBUL" = "istanbul", "I" = "ı"), Persian letter variants (ي/ك → ی/ک), Persian and
  Arabic digits, and ZWNJ / half-space treated as a word gap.
- A Turkish suffix after an apostrophe, straight or curly, always matches
  ("Bornova’da", "Belediyesi'nin"); without an apostrophe only a chain of known
  inflectional suffixes does ("Başkanı", "Belediyesinin", "Bornovalılar"), so "Buca" does not
  match "Bucak". A final k/ç/t/p of the name may soften to ğ/c/d/b before a suffix.
- Persian names match with or without the half-space between their parts
  ("جمالی‌نژاد", "جمالی نژاد", "جمالینژاد") and with the plural/ezafe suffixes ها/های/ی.
- Each mention keeps the sentence it occurs in as context.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kent360.core.text import APOSTROPHES, ZWNJ, normalize_persian, sentence_spans

_FAST = str.maketrans(
    {
        "İ": "i",
        "I": "ı",
        "ي": "ی",
        "ى": "ی",
        "ك": "ک",
        "ة": "ه",
        ZWNJ: " ",
        "\u00a0": " ",
        **{a: "'" for a in APOSTROPHES},
        **{p: str(i) for i, p in enumerate("۰۱۲۳۴۵۶۷۸۹")},
        **{p: str(i) for i, p in enumerate("٠١٢٣٤٥٦٧٨٩")},
    }
)
_DROPPED = re.compile(
    "[\u064b-\u065f\u0670\u0640\u200b\u200d\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00ad]"
)

# Turkish inflectional and common derivational suffixes (with buffer letters), longest first.
_TR_MORPHEMES = sorted(
    [
        "lar",
        "ler",
        "ı",
        "i",
        "u",
        "ü",
        "sı",
        "si",
        "su",
        "sü",
        "nı",
        "ni",
        "nu",
        "nü",
        "yı",
        "yi",
        "yu",
        "yü",
        "a",
        "e",
        "ya",
        "ye",
        "na",
        "ne",
        "sa",
        "se",
        "da",
        "de",
        "ta",
        "te",
        "nda",
        "nde",
        "dan",
        "den",
        "tan",
        "ten",
        "ndan",
        "nden",
        "ın",
        "in",
        "un",
        "ün",
        "nın",
        "nin",
        "nun",
        "nün",
        "yın",
        "yin",
        "yun",
        "yün",
        "la",
        "le",
        "yla",
        "yle",
        "ki",
        "li",
        "lı",
        "lu",
        "lü",
        "lık",
        "lik",
        "luk",
        "lük",
        "ğı",
        "ği",
        "ğu",
        "ğü",
        "ca",
        "ce",
        "ça",
        "çe",
        "m",
        "ım",
        "im",
        "um",
        "üm",
        "mız",
        "miz",
        "muz",
        "müz",
        "nız",
        "niz",
        "nuz",
        "nüz",
        "ız",
        "iz",
        "uz",
        "üz",
        "dır",
        "dir",
        "dur",
        "dür",
        "tır",
        "tir",
        "tur",
        "tür",
        "ydı",
        "ydi",
        "dı",
        "di",
        "du",
        "dü",
        "ta",
        "te",
        "cı",
        "ci",
        "cu",
        "cü",
        "çı",
        "çi",
        "çu",
        "çü",
    ],
    key=len,
    reverse=True,
)
_TR_SUFFIX = "(?:" + "|".join(_TR_MORPHEMES) + "){1,4}"
_FA_SUFFIX = "(?:[ \u200c]?(?:هایی|های|ها)|ای|ی)"
_SOFTEN = {"k": "[kğ]", "ç": "[çc]", "t": "[td]", "p": "[pb]"}
_WORDCHAR = r"[^\W_]"


def fold(text: str) -> str:
    """Comparison form of ``text`` with the same length (so offsets map back).

    Falls back to a slower, offset-keeping path when characters must be dropped
    (harakat, tatweel, zero-width marks).
    """
    out = text.translate(_FAST).lower()
    if len(out) == len(text) and not _DROPPED.search(out):
        return out
    chars = []
    for ch in text:
        f = ch.translate(_FAST)
        if _DROPPED.fullmatch(f):
            chars.append("\u2063")  # invisible separator: keeps the offset, never a letter
            continue
        low = f.lower()
        chars.append(low if len(low) == 1 else f)
    return "".join(chars)


def _is_persian(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def term_pattern(term: str) -> re.Pattern[str] | None:
    """The compiled pattern that finds ``term`` under the matching rules above."""
    term = normalize_persian(term).strip()
    words = [w for w in re.split(r"[\s\u200c]+", fold(term)) if w]
    words = [w.strip("'") for w in words if w.strip("'")]
    if not words:
        return None
    if _is_persian(term):
        body = r"[\s\u200c\u2063]*".join(re.escape(w) for w in words)
        suffix = f"(?:{_FA_SUFFIX})?"
    else:
        head = r"[\s\-\u2063]+".join(re.escape(w) for w in words[:-1])
        last = words[-1]
        soft = ""
        if len(last) > 2 and last[-1] in _SOFTEN:
            soft = f"|{re.escape(last[:-1])}{_SOFTEN[last[-1]]}{_TR_SUFFIX}"
        last_re = f"(?:{re.escape(last)}(?:'{_WORDCHAR}+|{_TR_SUFFIX})?{soft})"
        body = (head + r"[\s\-\u2063]+" if head else "") + last_re
        suffix = ""
    return re.compile(f"(?<!{_WORDCHAR}){body}{suffix}(?!{_WORDCHAR})")


@dataclass
class WatchTerm:
    """One watched entity and the names it goes by."""

    entity: str
    aliases: Sequence[str] = ()
    kind: str = "other"
    key: object = None
    patterns: list[re.Pattern[str]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        names = dict.fromkeys([self.entity, *self.aliases])
        self.patterns = [p for p in (term_pattern(n) for n in names if n and n.strip()) if p]


@dataclass(frozen=True)
class Mention:
    entity: str
    text: str
    sentence: str
    start: int
    end: int
    kind: str = "other"
    key: object = None

    def as_dict(self) -> dict[str, str]:
        return {"entity": self.entity, "text": self.text, "sentence": self.sentence}


class Matcher:
    """A compiled watch list; ``find(text)`` returns the mentions in order of position.

    Where two names overlap ("Bornova Belediyesi" and "Bornova"), the longer match wins.
    """

    def __init__(self, terms: Iterable[WatchTerm]) -> None:
        self.terms = [t for t in terms if t.patterns]

    def find(self, text: str) -> list[Mention]:
        if not text or not self.terms:
            return []
        folded = fold(text)
        hits: list[tuple[int, int, WatchTerm]] = []
        for term in self.terms:
            for pattern in term.patterns:
                for m in pattern.finditer(folded):
                    hits.append((m.start(), m.end(), term))
        if not hits:
            return []
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        chosen: list[tuple[int, int, WatchTerm]] = []
        last_end = -1
        for a, b, term in hits:
            if a < last_end:
                continue
            chosen.append((a, b, term))
            last_end = b
        spans = sentence_spans(text)
        out = []
        i = 0
        for a, b, term in chosen:
            while i < len(spans) and spans[i][1] <= a:
                i += 1
            if i < len(spans) and spans[i][0] <= a:
                sa, sb = spans[i]
                if sb - sa > 600:
                    sa, sb = max(sa, a - 300), min(sb, b + 300)
            else:
                sa, sb = max(0, a - 200), min(len(text), b + 200)
            out.append(
                Mention(term.entity, text[a:b], text[sa:sb].strip(), a, b, term.kind, term.key)
            )
        return out


def parse_watch_argument(value: str) -> list[WatchTerm]:
    """``"Bornova Belediyesi;Mustafa İduğ|İduğ"`` → terms; "|" separates aliases of a term."""
    terms = []
    for part in value.split(";"):
        names = [n.strip() for n in part.split("|") if n.strip()]
        if names:
            terms.append(WatchTerm(entity=names[0], aliases=names[1:]))
    return terms

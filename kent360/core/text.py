"""One place for the language rules of Turkish, Persian and English text.

Every module that compares, searches, classifies or matches text (request search,
routing, duplicate detection, media mentions) normalises through these functions so
that "İSTANBUL", "istanbul" and "İstanbul'da" meet, and so do "شهرداري" and "شهرداری".

Rules:
- Turkish casing: I→ı and İ→i when lower-casing, i→İ and ı→I when upper-casing; the
  generic ``str.lower`` turns "İ" into "i̇" (with a combining dot) and is wrong for tr.
- Apostrophe suffixes: "Bornova'da", "Belediyesi’nin" → stem "Bornova" + suffix "da";
  straight, curly and modifier apostrophes are all recognised.
- Persian: Arabic yeh/kaf (ي ك ى) → Persian (ی ک), teh marbuta and hamza forms kept,
  tatweel and diacritics (harakat) dropped, ZWNJ (half-space) normalised to one form.
- Digits: Persian (۰-۹) and Arabic-Indic (٠-٩) digits → ASCII for parsing; the reverse
  for display in Persian.
"""

from __future__ import annotations

import re
import unicodedata

APOSTROPHES = "'’‘`´ʼʻ′"
ZWNJ = "\u200c"

_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_TO_ASCII_DIGITS = str.maketrans(
    {
        **{p: str(i) for i, p in enumerate(_PERSIAN_DIGITS)},
        **{a: str(i) for i, a in enumerate(_ARABIC_DIGITS)},
    }
)
_TO_PERSIAN_DIGITS = str.maketrans({str(i): p for i, p in enumerate(_PERSIAN_DIGITS)})

_PERSIAN_LETTERS = str.maketrans(
    {
        "ي": "ی",  # Arabic yeh
        "ى": "ی",  # alef maksura
        "ك": "ک",  # Arabic kaf
        "ۀ": "ه\u0654",
        "ة": "ه",
        "ـ": "",  # tatweel
    }
)
# Arabic diacritics (fatha, damma, kasra, sukun, shadda, tanwin) and superscript alef.
_HARAKAT = re.compile("[\u064b-\u065f\u0670]")
# Zero-width joiners, non-joiners used as spaces, and bidi marks that arrive from the web.
_ZW_VARIANTS = re.compile("[\u200b\u200d\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00ad]")
_ZWNJ_RUN = re.compile(f"\\s*{ZWNJ}+\\s*")
_SPACES = re.compile(r"\s+")
_APOSTROPHE_SUFFIX = re.compile(f"([^\\W\\d_]+)[{APOSTROPHES}]([^\\W\\d_]+)")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def to_ascii_digits(text: str) -> str:
    """Persian and Arabic-Indic digits become ASCII digits; nothing else changes."""
    return text.translate(_TO_ASCII_DIGITS)


def to_persian_digits(text: str) -> str:
    """ASCII digits become Persian digits, for display in the fa locale."""
    return text.translate(_TO_PERSIAN_DIGITS)


def normalize_persian(text: str) -> str:
    """Canonical Persian letters: ي/ى→ی, ك→ک, no tatweel or harakat, one ZWNJ form.

    Digits are left alone (see :func:`to_ascii_digits`).
    """
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_PERSIAN_LETTERS)
    text = _HARAKAT.sub("", text)
    text = _ZW_VARIANTS.sub("", text)
    return _ZWNJ_RUN.sub(ZWNJ, text)


def turkish_lower(text: str) -> str:
    """Lower-case with Turkish rules: "İ"→"i", "I"→"ı" (then the ordinary rules)."""
    return text.replace("İ", "i").replace("I", "ı").lower()


def turkish_upper(text: str) -> str:
    """Upper-case with Turkish rules: "i"→"İ", "ı"→"I" (then the ordinary rules)."""
    return text.replace("i", "İ").replace("ı", "I").upper()


def casefold(text: str, lang: str | None = None) -> str:
    """Case-insensitive form of ``text``.

    For Turkish (and when the language is unknown, because Turkish is the default
    language of the platform) the dotted/dotless I rules apply; the result is then
    folded so that "ı" and "i" stay distinct only where that is safe for matching.
    """
    if lang in (None, "tr", "az"):
        return turkish_lower(text)
    return text.casefold()


def split_apostrophe_suffix(text: str) -> str:
    """ "Bornova'da" → "Bornova da": an inflectional suffix after an apostrophe is split off.

    Turkish writes suffixes of proper names after an apostrophe (straight or curly);
    splitting lets "Bornova'da" match the watch term "Bornova".
    """
    return _APOSTROPHE_SUFFIX.sub(r"\1 \2", text)


def strip_apostrophe_suffix(word: str) -> str:
    """The stem of one word: "Belediyesi’nin" → "Belediyesi"."""
    for i, ch in enumerate(word):
        if ch in APOSTROPHES and i > 0:
            return word[:i]
    return word


def fold_diacritics(text: str) -> str:
    """ASCII-ish form for lenient matching: "çğıöşü" → "cgiosu" (after casefolding).

    Used for search keys where citizens type without Turkish letters ("cop" for "çöp").
    """
    text = text.replace("ı", "i").replace("İ", "i")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) or _is_persian(ch))


def _is_persian(ch: str) -> bool:
    return "\u0600" <= ch <= "\u06ff"


def normalize(text: str, lang: str | None = None) -> str:
    """The canonical comparison form used across kent360.

    Persian letters and digits normalised, apostrophe suffixes split off, Turkish-aware
    casefolding, whitespace collapsed. ZWNJ is kept (it separates Persian morphemes).
    """
    if not text:
        return ""
    text = normalize_persian(text)
    text = to_ascii_digits(text)
    text = split_apostrophe_suffix(text)
    text = casefold(text, lang)
    return _SPACES.sub(" ", text).strip()


def search_key(text: str, lang: str | None = None) -> str:
    """A diacritic-free, case-free key for substring search ("Çöp" and "cop" meet)."""
    return fold_diacritics(normalize(text, lang)).replace(ZWNJ, " ")


def tokens(text: str, lang: str | None = None) -> list[str]:
    """Words of the normalised text (ZWNJ-joined Persian compounds split into parts)."""
    return _WORD.findall(normalize(text, lang).replace(ZWNJ, " "))


# --- sentences (added for media monitoring) -------------------------------------------

# Abbreviations after which a full stop does not end a sentence (titles before names).
_ABBREVIATIONS = frozenset(
    {
        "dr",
        "doç",
        "prof",
        "av",
        "müh",
        "yrd",
        "op",
        "uzm",
        "mr",
        "mrs",
        "ms",
        "st",
        "no",
        "vb",
        "vs",
        "bkz",
        "sn",
        "yard",
        "org",
        "gen",
        "kor",
        "alb",
        "jr",
        "sr",
        "inc",
        "ltd",
    }
)
_SENTENCE_END = re.compile(r"[.!?؟…]+[\"”’»)\]]*(?=\s|$)|\n\s*\n|\n")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text``.

    A sentence ends at ".", "!", "?", the Persian "؟" or "…" followed by a space, or at a
    line break; a full stop after a known title abbreviation ("Dr.", "Doç.", "Prof.") or
    after a single letter or a number ("3." in "3. Cadde") does not end it.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if match.group(0).startswith("."):
            before = text[start : match.start()].rsplit(None, 1)
            last = before[-1] if before else ""
            word = last.lstrip("(\"“‘'«").lower()
            if word in _ABBREVIATIONS or len(word) == 1 or word.isdigit():
                continue
        if text[start:end].strip():
            spans.append(_trim_span(text, start, end))
        start = end
    if text[start:].strip():
        spans.append(_trim_span(text, start, len(text)))
    return spans


def _trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` (see :func:`sentence_spans` for the rules)."""
    return [text[a:b] for a, b in sentence_spans(text)]


def sentence_at(text: str, offset: int, max_chars: int = 600) -> str:
    """The sentence that contains character ``offset``, cut to ``max_chars`` around it."""
    for a, b in sentence_spans(text):
        if a <= offset < b:
            if b - a > max_chars:
                half = max_chars // 2
                a, b = max(a, offset - half), min(b, offset + half)
            return text[a:b]
    return text[max(0, offset - max_chars // 2) : offset + max_chars // 2].strip()

"""Article extraction: title, body, author, publication date, language, canonical URL, image.

HTML goes through trafilatura for the body (the same algorithm as trafilatura alone, so
extraction is never worse than it); metadata is read from the page's own tags (Open
Graph, article:*, JSON-LD, <time>) and, for the date, from the visible text next to the
headline with the Turkish/Persian date rules of :mod:`.dates` — htmldate is the last
resort. Plain text (a saved page as text) is handled by a headline/paragraph heuristic.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from trafilatura import bare_extraction
from trafilatura.utils import load_html

from kent360.media.pipeline import dates

MIN_BODY = 200


class ExtractionError(Exception):
    """The input is not a page an article can be extracted from."""


@dataclass
class Extracted:
    title: str = ""
    text: str = ""
    author: str = ""
    published_at: datetime | None = None
    date_text: str = ""
    date_source: str = ""
    language: str = ""
    canonical_url: str = ""
    image: str = ""
    description: str = ""
    sitename: str = ""
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["published_at"] = self.published_at.isoformat() if self.published_at else None
        return data


# --- language ------------------------------------------------------------------------

_TR_WORDS = {
    "ve",
    "bir",
    "bu",
    "için",
    "ile",
    "da",
    "de",
    "olarak",
    "belediye",
    "başkanı",
    "daha",
    "çok",
    "gibi",
    "olan",
    "ise",
}
_EN_WORDS = {"the", "and", "of", "to", "in", "is", "that", "for", "with", "was", "on", "said"}
_WORD = re.compile(r"[^\W\d_]+")


def detect_language(text: str) -> str:
    """tr, fa, ar or en from letters and function words (good enough for news pages)."""
    sample = text[:4000]
    letters = sum(1 for c in sample if c.isalpha())
    if not letters:
        return ""
    arabic = sum(1 for c in sample if "\u0600" <= c <= "\u06ff")
    if arabic > letters * 0.3:
        return "fa" if any(c in sample for c in "پچژگی") else "ar"
    words = _WORD.findall(sample.lower())
    tr = sum(1 for w in words if w in _TR_WORDS) + 3 * sum(1 for c in sample if c in "ğşıİĞŞ")
    en = sum(1 for w in words if w in _EN_WORDS)
    if tr > en:
        return "tr"
    return "en" if en else ""


# --- HTML ------------------------------------------------------------------------------

_META_DATE_KEYS = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "publishdate",
    "pubdate",
    "date",
    "dc.date",
    "dc.date.issued",
    "sailthru.date",
    "parsely-pub-date",
    "publication_date",
    "created",
    "article.published",
)
_JSONLD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]+)"')
_JSONLD_AUTHOR = re.compile(r'"author"\s*:\s*(?:\[\s*)?\{[^{}]*?"name"\s*:\s*"([^"]+)"')
_TITLE_SEPARATORS = re.compile(r"\s+[|–—:-]\s+|\s+»\s+")


def _meta(tree: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        value = el.get("content")
        if key and value and key not in out:
            out[key] = value.strip()
    return out


def _clean(s: str | None) -> str:
    return re.sub(r"\s+", " ", s or "").strip()


def _title(tree: Any, meta: dict[str, str]) -> str:
    h1s = [_clean(h.text_content()) for h in tree.iter("h1")]
    h1s = [h for h in h1s if 8 <= len(h) <= 300]
    og = _clean(meta.get("og:title") or meta.get("twitter:title"))
    title_el = tree.find(".//title")
    head = _clean(title_el.text_content()) if title_el is not None else ""
    for h in h1s:
        if (og and h in og) or (head and h in head):
            return h
    if og:
        return og
    if h1s:
        return h1s[0]
    if head:
        parts = _TITLE_SEPARATORS.split(head)
        return max(parts, key=len) if parts else head
    return ""


def _visible_text(tree: Any) -> str:
    body = tree.find(".//body")
    root = body if body is not None else tree
    chunks = root.xpath(
        ".//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::noscript)]"
    )
    return "\n".join(c.strip() for c in chunks if c.strip())


def _find_anchor(haystack: str, title: str) -> int | None:
    if not title:
        return None
    probe = title[:40]
    pos = haystack.find(probe)
    return pos if pos >= 0 else None


def _doc_text(doc: Any) -> str:
    """The body text of trafilatura's result (a Document; a dict with as_dict=True)."""
    if doc is None:
        return ""
    text = doc.get("text") if isinstance(doc, dict) else doc.text
    return text or ""


def extract_html(
    html: str | bytes,
    url: str | None = None,
    *,
    lang: str | None = None,
    tz: str | None = None,
    now: datetime | None = None,
    include_comments: bool = False,
) -> Extracted:
    """Extract the article from an HTML page; raises ExtractionError for non-pages."""
    if isinstance(html, bytes):
        from kent360.media.pipeline.fetch import decode_bytes

        html = decode_bytes(html)
    if not html or not html.strip():
        raise ExtractionError("empty document")
    if "\x00" in html[:10000]:
        raise ExtractionError("binary content, not HTML")
    tree = load_html(html)
    if tree is None:
        raise ExtractionError("not an HTML document")
    meta = _meta(tree)
    result = Extracted()
    result.title = _title(tree, meta)
    result.description = _clean(meta.get("og:description") or meta.get("description"))
    result.sitename = _clean(meta.get("og:site_name"))
    result.image = meta.get("og:image") or meta.get("twitter:image") or ""
    canonical = tree.xpath("//link[@rel='canonical']/@href")
    result.canonical_url = (
        (canonical[0].strip() if canonical else "") or meta.get("og:url", "") or (url or "")
    )
    result.author = _clean(
        meta.get("author") or meta.get("article:author") or meta.get("dc.creator")
    )
    if result.author.startswith("http"):
        result.author = ""
    html_lang = tree.get("lang") or meta.get("og:locale") or meta.get("content-language") or ""
    html_lang = html_lang.split("-")[0].split("_")[0].lower()

    doc = bare_extraction(tree, url=url, with_metadata=False, include_comments=include_comments)
    text = _doc_text(doc)
    if len(text) < MIN_BODY:
        doc2 = bare_extraction(
            tree, url=url, with_metadata=False, favor_recall=True, include_comments=include_comments
        )
        text2 = _doc_text(doc2)
        if len(text2) > len(text):
            text = text2
    first, _, rest = text.partition("\n")
    if result.title and _clean(first) == result.title:
        text = rest.lstrip()
    result.text = text
    if not text:
        result.warnings.append("no article body found")
    result.language = (
        lang
        or (html_lang if html_lang in ("tr", "fa", "en", "ar") else "")
        or detect_language(result.title + "\n" + text)
    )
    if not result.author:
        scripts = " ".join(
            s.text or "" for s in tree.iter("script") if s.get("type") == "application/ld+json"
        )
        m = _JSONLD_AUTHOR.search(scripts)
        if m:
            result.author = _clean(m.group(1))
    _date_from_html(tree, meta, result, tz=tz, now=now)
    if result.language == "fa":
        result.title, result.text = _persian_letters(result.title), _persian_letters(result.text)
    return result


_ARABIC_TO_PERSIAN = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک"})


def _persian_letters(text: str) -> str:
    """Persian text from windows-1256 sites uses Arabic yeh/kaf; store the Persian letters."""
    return text.translate(_ARABIC_TO_PERSIAN)


def _date_from_html(
    tree: Any, meta: dict[str, str], result: Extracted, *, tz: str | None, now: datetime | None
) -> None:
    zone = tz or dates.zone_for(result.language)
    for key in _META_DATE_KEYS:
        if key in meta:
            value = dates.parse_date(meta[key], lang=result.language, tz=zone, now=now)
            if value:
                result.published_at, result.date_text, result.date_source = value, meta[key], "meta"
                return
    scripts = " ".join(
        s.text or "" for s in tree.iter("script") if s.get("type") == "application/ld+json"
    )
    m = _JSONLD_DATE.search(scripts)
    if m:
        value = dates.parse_date(m.group(1), lang=result.language, tz=zone, now=now)
        if value:
            result.published_at, result.date_text, result.date_source = value, m.group(1), "json-ld"
            return
    for el in tree.iter("time"):
        raw = el.get("datetime") or el.get("content") or ""
        if raw:
            value = dates.parse_date(raw, lang=result.language, tz=zone, now=now)
            if value:
                result.published_at, result.date_text, result.date_source = value, raw, "time"
                return
    visible = _visible_text(tree)
    found = dates.publication_date(
        visible, anchor=_find_anchor(visible, result.title), lang=result.language, tz=zone, now=now
    )
    if found:
        result.published_at, result.date_text, result.date_source = found.value, found.text, "text"
        return
    from htmldate import find_date

    raw = find_date(
        tree, extensive_search=False, original_date=True, outputformat="%Y-%m-%dT%H:%M:%S"
    )
    if raw:
        value = dates.parse_date(raw, lang=result.language, tz=zone, now=now)
        if value:
            result.published_at, result.date_text, result.date_source = value, raw, "htmldate"


# --- plain text ------------------------------------------------------------------------

_BOILERPLATE = re.compile(
    r"^(paylaş|etiket|yorum|üye yorum|yorumları gör|facebook yorum|kategorideki diğer|ilgili haber|"
    r"bu haber henüz|çok okunan|son dakika|mutlaka okuyun|diğer haberler|"
    r"مشاهده|اخبار مرتبط|نظرات|برچسب|share|related|comments?)",
    re.IGNORECASE,
)
LONG_LINE = 180


def _is_headline(line: str) -> bool:
    words = line.split()
    if not (3 <= len(words) <= 30) or not (15 <= len(line) <= 250):
        return False
    if line.rstrip()[-1:] in ":;" or _BOILERPLATE.match(line):
        return False
    # A line that carries a full date is a dateline ("Yayınlanma Tarihi : ..."), not a headline.
    return not any(not f.kind.startswith("relative") for f in dates.find_dates(line))


def extract_text(
    text: str, *, lang: str | None = None, tz: str | None = None, now: datetime | None = None
) -> Extracted:
    """Extract the article from a page saved as plain text (menus and footers included).

    The headline is the headline-shaped line nearest before the first long paragraph (or,
    as Persian agencies print the lead first, the first one after it); the body runs from
    there to the first block of short lines or a comments/related-news marker.
    """
    lines = [re.sub(r"[ \t\u00a0]+", " ", ln).strip() for ln in text.replace("\r", "").split("\n")]
    nonempty = [(i, ln) for i, ln in enumerate(lines) if ln]
    result = Extracted()
    first_long = next((k for k, (_, ln) in enumerate(nonempty) if len(ln) >= LONG_LINE), None)
    title_k: int | None = None
    if first_long is not None:
        for k in range(first_long - 1, max(-1, first_long - 4), -1):
            if _is_headline(nonempty[k][1]):
                title_k = k
                break
        if title_k is None:
            for k in range(first_long + 1, min(len(nonempty), first_long + 4)):
                if _is_headline(nonempty[k][1]) and any(
                    len(ln) >= LONG_LINE for _, ln in nonempty[k + 1 : k + 3]
                ):
                    title_k = k
                    break
    elif nonempty:
        title_k = next((k for k, (_, ln) in enumerate(nonempty) if _is_headline(ln)), 0)
    if title_k is not None:
        result.title = nonempty[title_k][1]
    start = (
        min(k for k in (title_k, first_long) if k is not None)
        if (title_k is not None or first_long is not None)
        else 0
    )
    body: list[str] = []
    seen: set[str] = set()
    short_run = 0
    for k in range(start, len(nonempty)):
        ln = nonempty[k][1]
        if k == title_k:
            continue
        if _BOILERPLATE.match(ln):
            if body:
                break
            continue
        if len(ln) < 100:
            short_run += 1
            if short_run >= 3 and body:
                break
            following = [x for _, x in nonempty[k + 1 : k + 3]]
            if not any(len(x) >= LONG_LINE for x in following):
                continue
        else:
            short_run = 0
        if ln in seen or (ln == result.title):
            continue
        seen.add(ln)
        body.append(ln)
    # A teaser (title + lead) printed before the article repeats its first paragraph.
    body = [
        b for i, b in enumerate(body) if not any(o != b and o.startswith(b) for o in body[i + 1 :])
    ]
    result.text = "\n".join(body)
    result.language = lang or detect_language(text)
    if result.language == "fa":
        result.title, result.text = _persian_letters(result.title), _persian_letters(result.text)
    zone = tz or dates.zone_for(result.language)
    joined = "\n".join(lines)
    anchor = joined.find(result.title) if result.title else -1
    found = dates.publication_date(
        joined, anchor=anchor if anchor >= 0 else None, lang=result.language, tz=zone, now=now
    )
    if found:
        result.published_at, result.date_text, result.date_source = found.value, found.text, "text"
    return result


def read_document(data: bytes, name: str = "") -> tuple[str, str]:
    """(kind, text) of a file: "html" or "text"; .gz is unpacked, the charset detected.
    Binary data (NUL bytes, many control characters) is refused with ExtractionError."""
    from kent360.media.pipeline.fetch import decode_bytes, looks_binary

    if name.endswith(".gz") or data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
        name = name[:-3] if name.endswith(".gz") else name
    if looks_binary(data):
        # An image or other binary file in an upload is an error, not an article of noise.
        raise ExtractionError("binary file, not a text page")
    text = decode_bytes(data)
    lowered = name.lower()
    if lowered.endswith((".html", ".htm", ".xhtml")):
        return "html", text
    if lowered.endswith(".txt"):
        return "text", text
    head = text[:2000].lower()
    return (
        ("html", text)
        if ("<html" in head or "<body" in head or "<!doctype" in head)
        else ("text", text)
    )


def extract_document(
    data: bytes,
    name: str = "",
    url: str | None = None,
    *,
    lang: str | None = None,
    tz: str | None = None,
    now: datetime | None = None,
) -> Extracted:
    kind, text = read_document(data, name)
    if kind == "html":
        result = extract_html(text, url, lang=lang, tz=tz, now=now)
    else:
        result = extract_text(text, lang=lang, tz=tz, now=now)
        result.canonical_url = url or ""
    return result


__all__ = [
    "Extracted",
    "ExtractionError",
    "detect_language",
    "extract_document",
    "extract_html",
    "extract_text",
    "read_document",
]

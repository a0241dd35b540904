"""Finding article URLs in RSS/Atom feeds, (news) sitemaps and listing pages.

Rules: a feed or sitemap that is not well-formed XML (or yields no entries at all) is an
error of that source, never silently empty; a listing page's article links are the
same-site links whose path looks like an article (a long slug or a numeric id), not
category, tag, author or paging links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit, urlunsplit

import feedparser
from lxml import etree

from kent360.media.pipeline import dates


class FeedError(Exception):
    """A feed or sitemap that cannot be read."""


@dataclass(frozen=True)
class Link:
    url: str
    title: str = ""
    published_at: datetime | None = None


def parse_feed(data: bytes) -> list[Link]:
    parsed = feedparser.parse(data)
    entries = parsed.entries or []
    exc = parsed.get("bozo_exception")
    if parsed.bozo and not isinstance(exc, feedparser.CharacterEncodingOverride):
        raise FeedError(f"invalid feed XML: {exc}")
    if not entries and not parsed.get("feed"):
        raise FeedError("not a feed")
    out = []
    for e in entries:
        url = e.get("link") or ""
        if not url:
            continue
        published = None
        st = e.get("published_parsed") or e.get("updated_parsed")
        if st:
            y, mo, d, h, mi, se = st[:6]
            published = datetime(y, mo, d, h, mi, se, tzinfo=UTC)
        out.append(Link(url, (e.get("title") or "").strip(), published))
    return out


_NS_SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_NS_NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def parse_sitemap(data: bytes) -> tuple[list[Link], list[str]]:
    """(article links, nested sitemap URLs) of a sitemap, sitemap index or news sitemap."""
    try:
        root = etree.fromstring(
            data, parser=etree.XMLParser(resolve_entities=False, no_network=True)
        )
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"invalid sitemap XML: {exc}") from exc
    links: list[Link] = []
    nested: list[str] = []
    for sm in root.iter(f"{_NS_SM}sitemap"):
        loc = sm.findtext(f"{_NS_SM}loc")
        if loc:
            nested.append(loc.strip())
    for u in root.iter(f"{_NS_SM}url"):
        loc = (u.findtext(f"{_NS_SM}loc") or "").strip()
        if not loc:
            continue
        title = (u.findtext(f"{_NS_NEWS}news/{_NS_NEWS}title") or "").strip()
        raw = u.findtext(f"{_NS_NEWS}news/{_NS_NEWS}publication_date") or u.findtext(
            f"{_NS_SM}lastmod"
        )
        published = dates.parse_date(raw) if raw else None
        links.append(Link(loc, title, published))
    if not links and not nested:
        raise FeedError("sitemap without <url> or <sitemap> entries")
    return links, nested


_SKIP = re.compile(
    r"/(tag|tags|etiket|kategori|category|categories|author|yazar|page|sayfa|arama|search|"
    r"login|giris|uye|video-galeri|foto-galeri)(/|$)|\.(jpg|jpeg|png|gif|pdf|css|js)$",
    re.IGNORECASE,
)
_ARTICLE = re.compile(r"\d{4,}|[^/]*[-_][^/]*[-_][^/]*[-_][^/]{2,}")


def listing_links(html: str, base_url: str) -> list[Link]:
    """Article-looking links of a listing page, absolute, de-duplicated, in page order."""
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        raise FeedError(f"unreadable listing page: {exc}") from exc
    host = urlsplit(base_url).netloc
    seen: set[str] = set()
    out = []
    for a in tree.iter("a"):
        href = a.get("href")
        if not href or href.startswith(("#", "mailto:", "javascript:", "tel:")):
            continue
        parts = urlsplit(urljoin(base_url, href))
        if parts.netloc != host or parts.scheme not in ("http", "https"):
            continue
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
        if url in seen or _SKIP.search(parts.path) or not _ARTICLE.search(parts.path):
            continue
        seen.add(url)
        out.append(Link(url, re.sub(r"\s+", " ", a.text_content()).strip()))
    return out

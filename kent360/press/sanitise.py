"""Server-side cleaning of rich text from the editor: only a small set of tags survives."""

from __future__ import annotations

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "div",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "del",
    "s",
    "a",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "img",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}}


def clean_html(html: str) -> str:
    """Editor output minus scripts, event handlers, styles and javascript: links."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    ).strip()


def plain_text(html: str) -> str:
    """The words of a sanitised body (for search, e-mail text parts and social previews)."""
    return " ".join(nh3.clean(html or "", tags=set()).split())

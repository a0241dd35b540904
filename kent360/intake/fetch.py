"""Downloading a photo a citizen's app points to (Open311 ``media_url``).

The URL comes from outside, so the download must not become a way into the city hall's
network (SSRF): only http/https, no redirects that are not checked again, no private,
loopback, link-local or reserved address — checked both on the resolved names and on
the address actually connected to — unless an administrator lists that network in
``KENT360_MEDIA_FETCH_ALLOWED_NETWORKS``. The body is read up to the attachment size
limit and must be a real photo by content; the stored copy carries no EXIF.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from kent360.core import netguard
from kent360.core.errors import DomainError
from kent360.intake.images import CleanPhoto, clean_photo

MAX_REDIRECTS = 3


class FetchError(DomainError):
    """The media could not be fetched; the message says why (kept on the inbound item).

    ``temporary`` marks failures worth trying again later: the server unreachable or
    timing out, a 5xx or 429 answer. A refused address, a 4xx, or a body that is not a
    photo will not get better by waiting.
    """

    def __init__(self, message: Any, *, temporary: bool = False) -> None:
        super().__init__(message)
        self.temporary = temporary


@dataclass(frozen=True)
class Fetched:
    url: str
    photo: CleanPhoto


def _check_url(url: str) -> None:
    try:
        netguard.check_url(url)
    except netguard.Refused as exc:
        if exc.kind == "scheme":
            raise FetchError(
                _("Only http and https addresses can be fetched: %(url)s") % {"url": url}
            ) from exc
        if exc.kind == "unknown_host":
            raise FetchError(_("The host %(host)s is unknown.") % {"host": exc.host}) from exc
        raise FetchError(
            _("%(host)s is a private network address; it is not fetched.") % {"host": exc.host}
        ) from exc


def _check_peer(response: httpx.Response, url: str) -> None:
    """The address really connected to (a DNS answer may change between check and use)."""
    try:
        netguard.check_peer(response)
    except netguard.Refused as exc:
        raise FetchError(
            _("%(url)s resolved to a private network address; it is not fetched.") % {"url": url}
        ) from exc


def _read_limited(response: httpx.Response, limit: int) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise FetchError(
            _("The media is too large (at most %(mb)d MB).") % {"mb": limit // (1024 * 1024)}
        )
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise FetchError(
                _("The media is too large (at most %(mb)d MB).") % {"mb": limit // (1024 * 1024)}
            )
        chunks.append(chunk)
    return b"".join(chunks)


def fetch_photo(url: str) -> Fetched:
    """Download ``url`` and return it as a clean photo, or raise :class:`FetchError`."""
    limit = settings.KENT360_MAX_ATTACHMENT_BYTES
    timeout = httpx.Timeout(settings.KENT360_MEDIA_FETCH_TIMEOUT)
    current = url.strip()
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            _check_url(current)
            try:
                with client.stream("GET", current, headers={"Accept": "image/*"}) as response:
                    _check_peer(response, current)
                    if response.is_redirect and "location" in response.headers:
                        current = urljoin(current, response.headers["location"])
                        continue
                    if response.status_code != 200:
                        raise FetchError(
                            _("The media server answered %(status)d for %(url)s.")
                            % {"status": response.status_code, "url": current},
                            temporary=response.status_code >= 500 or response.status_code == 429,
                        )
                    data = _read_limited(response, limit)
            except httpx.HTTPError as exc:
                raise FetchError(
                    _("The media could not be downloaded: %(error)s") % {"error": str(exc)[:300]},
                    temporary=isinstance(exc, httpx.TransportError),
                ) from exc
            name = unquote(urlsplit(current).path.rsplit("/", 1)[-1]) or "media"
            try:
                photo = clean_photo(name[:120], data, max_bytes=limit)
            except DomainError as exc:
                raise FetchError(str(exc.message)) from exc
            return Fetched(url=current, photo=photo)
    raise FetchError(_("Too many redirects for %(url)s.") % {"url": url})

"""A polite HTTP fetcher for news sources.

Rules: robots.txt is obeyed (a missing robots.txt allows everything); requests to one
host are spaced by at least ``min_interval`` seconds; conditional GET with the stored
ETag / Last-Modified (a 304 is "not modified", not an error); connect/read timeouts; a
response larger than ``max_bytes`` is refused while it streams in; bytes are decoded by
BOM, then declared charset (header, then <meta>) if it decodes cleanly, then UTF-8, then a
choice between windows-1254 (Turkish) and windows-1256 (Persian/Arabic) by which gives the
more plausible letters; binary content served as text is refused.
"""

from __future__ import annotations

import codecs
import re
import threading
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from kent360.core import netguard

USER_AGENT = "kent360-media/1.0 (+https://github.com/kent360; municipal press monitoring)"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


class FetchError(Exception):
    """A fetch that yielded no usable document; ``reason`` is a short machine code."""

    def __init__(self, message: str, *, reason: str = "error", status: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.status = status


@dataclass
class FetchResult:
    url: str
    final_url: str
    status: int
    content: bytes
    content_type: str
    charset: str | None
    etag: str
    last_modified: str
    not_modified: bool = False

    @property
    def text(self) -> str:
        return decode_bytes(self.content, self.charset)


_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_TR_LETTERS = set("ğĞşŞıİçÇöÖüÜ")
_ALIASES = {"iso-8859-9": "windows-1254", "latin5": "windows-1254", "iso-8859-6": "windows-1256"}


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first 8 KB: not a text page."""
    head = data[:8192]
    if not head:
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) * 0.05


def _plausibility(text: str, codec: str) -> float:
    letters = sum(1 for c in text if c.isalpha())
    if codec == "cp1256":
        good = sum(1 for c in text if "\u0600" <= c <= "\u06ff")
    else:
        good = sum(1 for c in text if c in _TR_LETTERS)
    odd = sum(1 for c in text if not c.isprintable() and c not in "\n\r\t")
    return (good - 3 * odd) / max(letters, 1)


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Bytes of a page → text (rules in the module docstring)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    candidates = [_codec(declared)]
    m = _META_CHARSET.search(data[:4096])
    if m:
        candidates.append(_codec(m.group(1).decode("ascii", "ignore")))
    non_ascii = any(b > 127 for b in data)
    for codec in candidates:
        if codec is None:
            continue
        if codec in ("utf-8", "ascii"):
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                continue
        # A single-byte charset never fails: trust it unless the bytes are valid UTF-8.
        if non_ascii:
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                pass
        return data.decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    options = []
    for codec in ("cp1254", "cp1256"):
        text = data.decode(codec, errors="replace")
        options.append((_plausibility(text, codec), text))
    return max(options, key=lambda o: o[0])[1]


def _refused(exc: netguard.Refused) -> FetchError:
    if exc.kind == "scheme":
        return FetchError(f"unsupported URL: {exc.host}", reason="bad_url")
    if exc.kind == "unknown_host":
        return FetchError(f"unknown host: {exc.host}", reason="dns")
    return FetchError(
        f"{exc.host} is a private network address; it is not fetched", reason="private_address"
    )


def _guard_request(request: httpx.Request) -> None:
    # Runs before each hop, redirects included: a public page cannot bounce us inward.
    try:
        netguard.check_url(str(request.url))
    except netguard.Refused as exc:
        raise _refused(exc) from exc


def _guard_response(response: httpx.Response) -> None:
    try:
        netguard.check_peer(response)
    except netguard.Refused as exc:
        raise _refused(exc) from exc


class Fetcher:
    """One fetcher per worker; thread-safe per-host spacing and a robots.txt cache."""

    def __init__(
        self,
        *,
        user_agent: str = USER_AGENT,
        timeout: float = 15.0,
        max_bytes: int = DEFAULT_MAX_BYTES,
        min_interval: float = 1.0,
        respect_robots: bool = True,
        public_only: bool = True,
    ) -> None:
        """``public_only``: refuse private, loopback and link-local addresses (see
        :mod:`kent360.core.netguard`), for every redirect hop and robots.txt alike."""
        self.user_agent = user_agent
        self.max_bytes = max_bytes
        self.min_interval = min_interval
        self.respect_robots = respect_robots
        self.client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            follow_redirects=True,
            headers={"User-Agent": user_agent, "Accept-Language": "tr,fa;q=0.9,en;q=0.8"},
            event_hooks={"request": [_guard_request], "response": [_guard_response]}
            if public_only
            else {},
        )
        self._last: dict[str, float] = {}
        self._robots: dict[str, RobotFileParser | None] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _wait_turn(self, host: str) -> None:
        with self._lock:
            now = time.monotonic()
            wait = self._last.get(host, 0.0) + self.min_interval - now
            self._last[host] = max(now, now + wait)
        if wait > 0:
            time.sleep(wait)

    def allowed(self, url: str) -> bool:
        if not self.respect_robots:
            return True
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if root not in self._robots:
            parser: RobotFileParser | None = RobotFileParser()
            try:
                self._wait_turn(parts.netloc)
                resp = self.client.get(urljoin(root, "/robots.txt"))
                if resp.status_code == 200:
                    parser.parse(resp.text.splitlines())  # type: ignore[union-attr]
                else:
                    parser = None
            except httpx.HTTPError:
                parser = None
            self._robots[root] = parser
        parser = self._robots[root]
        return True if parser is None else parser.can_fetch(self.user_agent, url)

    def get(self, url: str, *, etag: str = "", last_modified: str = "") -> FetchResult:
        """Fetch ``url``; raises FetchError (robots, HTTP error, timeout, too large, binary)."""
        if urlsplit(url).scheme not in ("http", "https"):
            raise FetchError(f"unsupported URL scheme: {url}", reason="bad_url")
        if not self.allowed(url):
            raise FetchError(f"disallowed by robots.txt: {url}", reason="robots")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        self._wait_turn(urlsplit(url).netloc)
        try:
            with self.client.stream("GET", url, headers=headers) as resp:
                if resp.status_code == 304:
                    return FetchResult(
                        url,
                        str(resp.url),
                        304,
                        b"",
                        "",
                        None,
                        etag,
                        last_modified,
                        not_modified=True,
                    )
                if resp.status_code >= 400:
                    raise FetchError(
                        f"HTTP {resp.status_code} for {url}", reason="http", status=resp.status_code
                    )
                length = resp.headers.get("Content-Length")
                if length and length.isdigit() and int(length) > self.max_bytes:
                    raise FetchError(
                        f"too large: {length} bytes > {self.max_bytes}", reason="too_large"
                    )
                chunks, size = [], 0
                for chunk in resp.iter_raw():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise FetchError(
                            f"too large: more than {self.max_bytes} bytes", reason="too_large"
                        )
                    chunks.append(chunk)
                raw = b"".join(chunks)
                encoding = resp.headers.get("Content-Encoding", "").lower()
                if encoding in ("gzip", "deflate", "br"):
                    decoder = httpx._decoders.SUPPORTED_DECODERS[encoding]()
                    raw = decoder.decode(raw) + decoder.flush()
                    if len(raw) > self.max_bytes:
                        raise FetchError("too large after decompression", reason="too_large")
                ctype = resp.headers.get("Content-Type", "")
                charset = None
                if "charset=" in ctype.lower():
                    charset = ctype.lower().split("charset=", 1)[1].split(";")[0].strip()
                if ctype.split(";")[0].strip().lower() in (
                    "text/html",
                    "text/plain",
                    "application/xhtml+xml",
                ) and looks_binary(raw):
                    raise FetchError(f"binary content served as {ctype}", reason="binary")
                return FetchResult(
                    url,
                    str(resp.url),
                    resp.status_code,
                    raw,
                    ctype,
                    charset,
                    resp.headers.get("ETag", ""),
                    resp.headers.get("Last-Modified", ""),
                )
        except httpx.TimeoutException as exc:
            raise FetchError(f"timeout fetching {url}", reason="timeout") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"{type(exc).__name__}: {exc}", reason="network") from exc

"""Which network addresses kent360 may fetch from on someone else's say-so (SSRF guard).

URLs typed by staff (a news page, a feed) or sent by citizens' apps (an Open311
``media_url``) must not let a request reach the city hall's own network: the metadata
service, the database, an intranet page. Only public addresses are fetched, checked on
every name resolution and on the address actually connected to, unless an administrator
lists a network in ``KENT360_MEDIA_FETCH_ALLOWED_NETWORKS`` (a city's own media server).
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [
        ipaddress.ip_network(n.strip(), strict=False)
        for n in settings.KENT360_MEDIA_FETCH_ALLOWED_NETWORKS
        if n.strip()
    ]


def address_allowed(address: IPAddress) -> bool:
    """Public addresses only, plus the networks an administrator allowed explicitly."""
    if any(address in net for net in _allowed_networks()):
        return True
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


class Refused(Exception):
    """The URL leads to an address kent360 does not fetch from; ``kind`` says why."""

    def __init__(self, kind: str, host: str) -> None:
        super().__init__(f"{kind}: {host}")
        self.kind = kind  # "scheme", "unknown_host" or "private"
        self.host = host


def check_url(url: str) -> None:
    """Raise :class:`Refused` unless every address ``url``'s host resolves to is allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("scheme", url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise Refused("unknown_host", parts.hostname) from exc
    for info in infos:
        if not address_allowed(ipaddress.ip_address(info[4][0])):
            raise Refused("private", parts.hostname)


def check_peer(response: Any) -> None:
    """Raise :class:`Refused` if an httpx response came from a disallowed address (a DNS
    answer may change between :func:`check_url` and the connection)."""
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if peer and not address_allowed(ipaddress.ip_address(peer[0])):
        raise Refused("private", str(response.request.url.host))

"""The address a request comes from: the one answer the audit trail, django-axes and the throttles share.

``X-Forwarded-For`` is whatever the client chose to send, unless a proxy we run wrote it. So it is read only
when the request reaches us from one of ``WPSNAP_TRUSTED_PROXIES`` (addresses or networks, comma-separated;
``unix`` for a proxy on the same machine talking over a unix socket, where ``REMOTE_ADDR`` is empty). Each
proxy appends the address it was reached from, so the header is read from the right: the first address that
is not one of our proxies is the client's. Anything a client wrote to the left of it is ignored.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings

type _Network = ipaddress.IPv4Network | ipaddress.IPv6Network

UNIX_SOCKET = "unix"


@lru_cache(maxsize=8)
def _trusted(entries: tuple[str, ...]) -> tuple[tuple[_Network, ...], bool]:
    networks = tuple(ipaddress.ip_network(entry, strict=False) for entry in entries if entry != UNIX_SOCKET)
    return networks, UNIX_SOCKET in entries


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket (::ffff:192.0.2.1) is the IPv4 client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_ip(request: Any) -> str | None:
    """The client's address, or None when there is none to tell (no request, or a unix socket that is
    not a trusted proxy)."""
    if request is None:
        return None
    networks, unix_trusted = _trusted(tuple(getattr(settings, "WPSNAP_TRUSTED_PROXIES", ())))
    peer = _address(request.META.get("REMOTE_ADDR") or "")

    def trusted(address: Any) -> bool:
        if address is None:
            return unix_trusted
        return any(address in network for network in networks)

    if not trusted(peer):
        return str(peer) if peer is not None else None
    found = peer
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(hop)
        if address is None:
            # Not an address where our own proxies write one: stop at the last hop they vouched for.
            break
        found = address
        if not trusted(address):
            break
    return str(found) if found is not None else None

"""The client's address for the login throttle: the TCP peer, or, when that peer is a proxy the
settings trust, the nearest address in X-Forwarded-For that is not one of those proxies.

X-Forwarded-For is written by whoever sends the request, so without a trusted proxy in front it is
ignored: otherwise an attacker would pick a fresh "address" for every try.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(spec: str) -> tuple[Network, ...]:
    """Comma-separated addresses or CIDR networks; raises ValueError on a malformed entry."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip())


class TrustedProxies:
    """The proxies (load balancers, ingress) whose X-Forwarded-For entries are believed."""

    def __init__(self, networks: Sequence[Network] = ()) -> None:
        self._networks = tuple(networks)

    def trusts(self, address: str) -> bool:
        try:
            parsed = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(parsed in network for network in self._networks)

    def client_address(self, peer: str | None, forwarded_for: Iterable[str]) -> str | None:
        """`peer` unless it is trusted; then the right-most X-Forwarded-For hop no trusted proxy wrote."""
        if peer is None or not self.trusts(peer):
            return peer
        hops = [hop.strip() for header in forwarded_for for hop in header.split(",") if hop.strip()]
        nearest = peer
        for hop in reversed(hops):
            if not self.trusts(hop):
                return hop if _is_address(hop) else nearest
            nearest = hop
        return nearest


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True

"""Which of a project's IP lists holds an address: the most specific network wins, so a
denied /16 with one allowed /32 inside lets that address through."""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable


class IpLists:
    """A project's IP lists, held in memory: networks by IP version and prefix length, so
    that finding the one holding an address costs an integer shift per prefix length in
    use, not one network object per possible prefix."""

    def __init__(self, entries: Iterable[tuple[str, str]]) -> None:
        """`entries`: (canonical network, list) pairs."""
        self._tables: dict[tuple[int, int], dict[int, str]] = defaultdict(dict)
        for network, name in entries:
            parsed = ipaddress.ip_network(network)
            table = self._tables[(parsed.version, parsed.prefixlen)]
            table[int(parsed.network_address) >> (parsed.max_prefixlen - parsed.prefixlen)] = name
        # Most specific first, so a /32 allowed inside a denied /16 wins.
        self._prefixes = sorted(self._tables, key=lambda key: -key[1])

    def __len__(self) -> int:
        return sum(len(table) for table in self._tables.values())

    def list_of(self, ip: str | None) -> str:
        """`allow`, `deny`, or "" when no list holds the address (or it is no address)."""
        if not self._prefixes or not ip:
            return ""
        address = _address(ip)
        if address is None:
            return ""
        value, bits = int(address), address.max_prefixlen
        for version, prefix in self._prefixes:
            if version == address.version:
                found = self._tables[(version, prefix)].get(value >> (bits - prefix))
                if found is not None:
                    return found
        return ""


def _address(ip: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def canonical_network(value: str) -> str:
    """An address or a network as stored: `203.0.113.7` → `203.0.113.7/32`; host bits of a
    network are cleared (`203.0.113.7/24` → `203.0.113.0/24`). ValueError otherwise."""
    network = ipaddress.ip_network(value.strip(), strict=False)
    if isinstance(network, ipaddress.IPv6Network) and network.network_address.ipv4_mapped:
        mapped = network.network_address.ipv4_mapped
        network = ipaddress.ip_network(f"{mapped}/{max(network.prefixlen - 96, 0)}", strict=False)
    return str(network)

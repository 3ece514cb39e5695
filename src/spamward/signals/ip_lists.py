"""Which of a project's IP lists holds an address: the most specific network wins, so a
denied /16 with one allowed /32 inside lets that address through."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping


def containing_networks(ip: str) -> list[str]:
    """Every CIDR network that contains `ip`, most specific first ([] if it is no IP)."""
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(ip)
    except ValueError:
        return []
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    bits = address.max_prefixlen

    return [
        str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))
        for prefix in range(bits, -1, -1)
    ]


def ip_list_of(ip: str | None, listed: Callable[[Iterable[str]], Mapping[str, str]]) -> str:
    """`allow`, `deny`, or "" when no list holds the address."""
    networks = containing_networks(ip or "")
    if not networks:
        return ""
    found = listed(networks)
    return next((found[network] for network in networks if network in found), "")


def canonical_network(value: str) -> str:
    """An address or a network as stored: `203.0.113.7` → `203.0.113.7/32`; host bits of a
    network are cleared (`203.0.113.7/24` → `203.0.113.0/24`). ValueError otherwise."""
    network = ipaddress.ip_network(value.strip(), strict=False)
    if isinstance(network, ipaddress.IPv6Network) and network.network_address.ipv4_mapped:
        mapped = network.network_address.ipv4_mapped
        network = ipaddress.ip_network(f"{mapped}/{max(network.prefixlen - 96, 0)}", strict=False)
    return str(network)

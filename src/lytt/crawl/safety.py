"""Which URLs and addresses the crawler may fetch.

Two checks, both needed:

* `check_url` looks at the URL alone (scheme, host, port) before anything is sent.
* `AddressPolicy.refusal` classifies each IP address a host resolves to. The fetcher's network backend
  (see `lytt.crawl.transport`) resolves host names itself and connects only to an address this policy
  allows, so a DNS answer that changes between check and connect (rebinding), or a redirect to an
  internal host, cannot get round it.

Loopback, private, link-local, CGNAT, multicast, reserved and unspecified addresses are refused unless
private feeds are allowed (`LYTT_ALLOW_PRIVATE_FEEDS=1`, for tests and intranets). Cloud metadata endpoints
are refused even then: no feed lives there, and reaching them from a crawler is the classic SSRF prize.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import SplitResult, urlsplit

from lytt.crawl.errors import UnsafeURL

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOWED_SCHEMES = frozenset({"http", "https"})
#: Ports below 1024 are system services; feeds live on the web ports (and anything unprivileged).
ALLOWED_LOW_PORTS = frozenset({80, 443})

METADATA_ADDRESSES = frozenset(
    {
        ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack, ...
        ipaddress.ip_address("169.254.170.2"),  # AWS ECS task metadata
        ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
        ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
    }
)

# Checked in order; the first match names the reason. Anything else that is not globally routable is
# refused as "reserved".
_NAMED_NETWORKS: tuple[tuple[str, IPNetwork], ...] = tuple(
    (name, ipaddress.ip_network(net))
    for name, net in (
        ("unspecified", "0.0.0.0/8"),
        ("loopback", "127.0.0.0/8"),
        ("private", "10.0.0.0/8"),
        ("CGNAT", "100.64.0.0/10"),
        ("link-local", "169.254.0.0/16"),
        ("private", "172.16.0.0/12"),
        ("private", "192.168.0.0/16"),
        ("multicast", "224.0.0.0/4"),
        ("broadcast", "255.255.255.255/32"),
        ("reserved", "240.0.0.0/4"),
        ("unspecified", "::/128"),
        ("loopback", "::1/128"),
        ("IPv6 unique local", "fc00::/7"),
        ("IPv6 link-local", "fe80::/10"),
        ("IPv6 site-local", "fec0::/10"),
        ("multicast", "ff00::/8"),
    )
)


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address carried inside an IPv6 one (mapped, 6to4, NAT64), which is what gets reached."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in ipaddress.ip_network("64:ff9b::/96"):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def classify(address: IPAddress) -> str | None:
    """Why `address` is not a public internet address ("loopback", "private", ...), or None if it is."""
    inner = embedded_ipv4(address)
    if inner is not None:
        reason = classify(inner)
        return f"{reason} (inside IPv6 {address})" if reason else None
    if address in METADATA_ADDRESSES:
        return "cloud metadata"
    for name, network in _NAMED_NETWORKS:
        if address.version == network.version and address in network:
            return name
    if not address.is_global:
        return "reserved"
    return None


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which addresses may be connected to.

    `allow_private` opens everything non-public except metadata endpoints; `extra_allowed` opens specific
    networks only (an intranet feed host, or a test server on 127.0.0.1 while the rest stays closed).
    """

    allow_private: bool = False
    extra_allowed: tuple[IPNetwork, ...] = field(default_factory=tuple)

    @classmethod
    def from_settings(cls) -> AddressPolicy:
        from django.conf import settings

        return cls(allow_private=bool(getattr(settings, "ALLOW_PRIVATE_FEEDS", False)))

    def refusal(self, address: IPAddress) -> str | None:
        """The reason `address` is refused, or None when the crawler may connect to it."""
        if address in METADATA_ADDRESSES or (
            (inner := embedded_ipv4(address)) is not None and inner in METADATA_ADDRESSES
        ):
            return "cloud metadata"
        reason = classify(address)
        if reason is None or self.allow_private:
            return None
        if any(address.version == net.version and address in net for net in self.extra_allowed):
            return None
        return reason

    def check_addresses(self, url: str, addresses: Iterable[str]) -> list[str]:
        """The addresses of `addresses` that may be connected to; UnsafeURL if none may."""
        allowed: list[str] = []
        refused: list[tuple[str, str]] = []
        for text in addresses:
            reason = _refusal(self, text)
            if reason is None:
                allowed.append(text)
            else:
                refused.append((text, reason))
        if not allowed:
            if not refused:
                raise UnsafeURL("the host has no addresses", url=url)
            text, reason = refused[0]
            raise UnsafeURL(
                f"refused to connect to {text} ({reason} address); "
                "set LYTT_ALLOW_PRIVATE_FEEDS=1 to crawl private networks",
                url=url,
                address=text,
            )
        return allowed


#: Parsing and classifying addresses was a sixth of the fetcher's CPU per conditional request, and the same
#: hosts and addresses come back all the time (many feeds per host), so both are remembered.
_MEMO = 8192


@functools.lru_cache(maxsize=_MEMO)
def _refusal(policy: AddressPolicy, text: str) -> str | None:
    """`policy.refusal` of an address written as text (an IPv6 zone suffix ignored)."""
    return policy.refusal(ipaddress.ip_address(text.split("%", 1)[0]))


@functools.lru_cache(maxsize=_MEMO)
def parse_ip(host: str) -> IPAddress | None:
    """The host as an IP address when it is a literal (brackets stripped), else None."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def check_url(url: str, policy: AddressPolicy | None = None) -> SplitResult:
    """Refuse URLs the crawler must never fetch, judging by the URL alone.

    Scheme http/https, a host, a port that is 80, 443 or unprivileged (>= 1024), and, when the host is an
    IP literal, an address the policy allows. Credentials in the URL are allowed (some private feeds use
    them); they are never logged (see `lytt.feeds.feed_urls.redact_url`). Host names are checked again at
    connect time, after resolution.
    """
    policy = policy or AddressPolicy()
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL(f"not a valid URL ({exc})", url=url) from None
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise UnsafeURL(f"scheme {parts.scheme or '(none)'!r} is not http or https", url=url)
    host = parts.hostname
    if not host:
        raise UnsafeURL("the URL has no host", url=url)
    if port is not None and port < 1024 and port not in ALLOWED_LOW_PORTS:
        raise UnsafeURL(f"port {port} is a system service port (only 80, 443 or >= 1024)", url=url)
    address = parse_ip(host)
    if address is not None:
        policy.check_addresses(url, [str(address)])
    return parts

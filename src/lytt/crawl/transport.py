"""An aiohttp connector that checks every address it connects to (see `lytt.crawl.safety`).

Two layers, both at connect time:

* `GuardedResolver` resolves the host name once, drops the addresses the policy refuses and hands aiohttp
  only the checked ones; aiohttp connects to those addresses (there is no second DNS lookup an attacker
  could answer differently). TLS still verifies the certificate against the host name: aiohttp passes the
  URL's host as SNI and as the name to check, whatever address it connected to.
* `GuardedSocketFactory` creates every socket aiohttp connects, and sees the exact address the socket is
  about to connect to. It refuses what the policy refuses, so anything that bypasses the resolver (aiohttp
  does not resolve IP literals, for one) meets the same check before a single byte leaves.

Proxies are not supported (`trust_env=False` in the fetcher): a proxy would resolve names where the policy
cannot see.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Awaitable, Callable

import aiohttp
import certifi
from aiohappyeyeballs import AddrInfoType
from aiohttp.abc import AbstractResolver, ResolveResult

from lytt.crawl.errors import FetchError, UnsafeURL
from lytt.crawl.safety import AddressPolicy, parse_ip

#: host, port → the IP addresses to try, in order.
Resolver = Callable[[str, int], Awaitable[list[str]]]


class DNSFailure(FetchError):
    """The host name does not resolve (NXDOMAIN, no addresses, resolver timeout)."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message, url=url, kind="dns")


class RefusedAddress(OSError):
    """The socket factory refused to connect to an address; carries the policy's `UnsafeURL`.

    An OSError so that aiohttp treats it like any failed connection attempt (and tries the next address)
    and reports it as the cause of its `ClientConnectorError`, where the fetcher finds it again.
    """

    def __init__(self, refusal: UnsafeURL) -> None:
        self.refusal = refusal
        super().__init__(refusal.detail)


async def system_resolver(host: str, port: int) -> list[str]:
    """Resolve with the system resolver (getaddrinfo in a thread), IPv4 and IPv6, duplicates removed."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise DNSFailure(f"cannot resolve host {host!r} ({exc})") from None
    addresses: list[str] = []
    for _family, _type, _proto, _canonname, sockaddr in infos:
        address = str(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


class GuardedResolver(AbstractResolver):
    """Resolves once and returns only the addresses the policy allows (UnsafeURL when none is allowed)."""

    def __init__(
        self, policy: AddressPolicy, resolver: Resolver | None = None, timeout: float = 10.0
    ) -> None:
        self._policy = policy
        self._resolver = resolver or system_resolver
        self._timeout = timeout

    async def _addresses(self, host: str, port: int) -> list[str]:
        literal = parse_ip(host)
        if literal is not None:
            return [str(literal)]
        try:
            addresses = await asyncio.wait_for(self._resolver(host, port), self._timeout)
        except TimeoutError:
            raise DNSFailure(f"resolving {host!r} timed out after {self._timeout:g}s") from None
        if not addresses:
            raise DNSFailure(f"host {host!r} has no addresses")
        return addresses

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses = await self._addresses(host, port)
        allowed = self._policy.check_addresses(f"{host}:{port}", addresses)
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in allowed
        ]

    async def close(self) -> None:
        return None


class GuardedSocketFactory:
    """Creates aiohttp's sockets, refusing any whose destination address the policy refuses."""

    def __init__(self, policy: AddressPolicy) -> None:
        self._policy = policy

    def __call__(self, addr_info: AddrInfoType) -> socket.socket:
        family, type_, proto, _canonname, sockaddr = addr_info
        address, port = str(sockaddr[0]), int(sockaddr[1])
        try:
            self._policy.check_addresses(f"{address}:{port}", [address])
        except UnsafeURL as refusal:
            raise RefusedAddress(refusal) from None
        return socket.socket(family=family, type=type_, proto=proto)


def tls_context() -> ssl.SSLContext:
    """Certificates checked against Mozilla's CA bundle (certifi), as httpx did, and the host name checked:
    the crawler trusts the same CAs whatever the machine's own store holds."""
    return ssl.create_default_context(cafile=certifi.where())


def guarded_connector(
    policy: AddressPolicy,
    *,
    resolver: Resolver | None = None,
    limit: int = 100,
    limit_per_host: int = 0,
    resolve_timeout: float = 10.0,
) -> aiohttp.TCPConnector:
    """A connection pool whose every connection went through `GuardedResolver` and `GuardedSocketFactory`.

    No DNS cache: a new connection resolves again (idle connections are kept alive and reused, so this is
    once per connection, not per request), and a rebinding answer meets the policy like the first did.
    """
    return aiohttp.TCPConnector(
        ssl=tls_context(),
        resolver=GuardedResolver(policy, resolver, timeout=resolve_timeout),
        socket_factory=GuardedSocketFactory(policy),
        use_dns_cache=False,
        limit=limit,
        limit_per_host=limit_per_host,
        enable_cleanup_closed=False,
    )

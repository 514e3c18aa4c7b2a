"""An httpx transport that checks every address it connects to (see `lytt.crawl.safety`).

The network backend resolves the host name itself, drops the addresses the policy refuses, and connects to
one of the addresses it checked: there is no second DNS lookup an attacker could answer differently. TLS
still verifies the certificate against the host name (httpcore passes the origin's host as SNI), so
connecting by IP changes nothing for HTTPS.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable

import httpcore
import httpx

from lytt.crawl.errors import FetchError, UnsafeURL
from lytt.crawl.safety import AddressPolicy, parse_ip

#: host, port → the IP addresses to try, in order.
Resolver = Callable[[str, int], Awaitable[list[str]]]


class DNSFailure(FetchError):
    """The host name does not resolve (NXDOMAIN, no addresses, resolver timeout)."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message, url=url, kind="dns")


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


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """A network backend that connects only to addresses the policy allows."""

    def __init__(self, policy: AddressPolicy, resolver: Resolver | None = None) -> None:
        self._policy = policy
        self._resolver = resolver or system_resolver
        self._inner = httpcore.AnyIOBackend()

    async def _addresses(self, host: str, port: int, timeout: float | None) -> list[str]:
        literal = parse_ip(host)
        if literal is not None:
            return [str(literal)]
        try:
            addresses = await asyncio.wait_for(self._resolver(host, port), timeout)
        except TimeoutError:
            raise DNSFailure(f"resolving {host!r} timed out after {timeout}s") from None
        if not addresses:
            raise DNSFailure(f"host {host!r} has no addresses")
        return addresses

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._addresses(host, port, timeout)
        allowed = self._policy.check_addresses(f"{host}:{port}", addresses)
        last_error: Exception | None = None
        for address in allowed:
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None  # check_addresses never returns an empty list
        raise last_error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise UnsafeURL("the crawler never connects to unix sockets", url=path)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (so its exception mapping and streaming stay), over a `GuardedBackend`.

    httpx does not take a network backend as an argument, so the connection pool it builds is replaced by
    an identical one that has the guarded backend. Proxies are not supported: a proxy would do the DNS
    lookup where the policy cannot see it.
    """

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        resolver: Resolver | None = None,
        limits: httpx.Limits | None = None,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        super().__init__(limits=limits, verify=verify, trust_env=False)
        ssl_context = httpx.create_ssl_context(verify=verify, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=GuardedBackend(policy, resolver),
        )

"""Feed URL sanitising as gpodder.net does it: pure functions, no Django.

A client's URL is stripped of surrounding whitespace; only http and https URLs with a host are kept.
Anything else is rejected, and the API reports it in ``update_urls`` as ``[url, ""]``.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

MAX_URL_LENGTH = 2000


APP_SCHEMES = ("feed", "itpc", "pcast", "podcast", "podcasts")
DEFAULT_PORTS = {"http": 80, "https": 443}


def sanitize_url(raw: str) -> str | None:
    """Return the cleaned URL, or None when it cannot be a feed or media URL.

    The same canonical form as the catalogue's feed URLs (`lytt.catalog.sources.normalise_feed_url`), so
    that a subscription finds its show: podcast-app schemes (``itpc://``, ``feed:https://``...) become
    http(s); scheme and host are lower-cased, a trailing dot, a default port and the fragment dropped; an
    empty path becomes "/"; spaces inside are percent-encoded. Path and query are kept as sent, because
    servers often treat them case-sensitively.
    """
    text = raw.strip()
    if not text or ":" not in text or any(c in text for c in "\x00\r\n\t"):
        return None
    scheme, rest = text.split(":", 1)
    scheme = scheme.lower()
    if scheme in APP_SCHEMES:
        inner = rest.split(":", 1)[0].lower() if ":" in rest else ""
        scheme, rest = (inner, rest[len(inner) + 1 :]) if inner in DEFAULT_PORTS else ("http", rest)
    if scheme not in DEFAULT_PORTS:
        return None
    try:
        parts = urlsplit(f"{scheme}:{rest.replace(' ', '%20')}")
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or "%" in host:
        return None
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    userinfo = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    url = urlunsplit((scheme, userinfo + host, parts.path or "/", parts.query, ""))
    return url if len(url) <= MAX_URL_LENGTH else None

"""Feed and media URLs: resolving them, their canonical form, and spotting and hiding the secrets some carry.

Feeds hold URLs in every state: relative to xml:base or the feed URL, protocol-relative, wrapped in spaces
and newlines, with podcast-app schemes (``feed:``, ``itpc:``, ``pcast:``, ``podcast:``) or with schemes that
must never reach a page (``javascript:``, ``data:``). `resolve_url` turns all of that into an absolute
http(s) URL or None. Private (paid or per-subscriber) feeds carry a token in the query or path;
`is_private_feed_url` recognises them and `redact_url` hides the secret for logs. `normalise_feed_url` is
the one form a feed URL is stored and compared in, whether an operator, an OPML file or a podcast app sent it.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

_HTTP = ("http://", "https://")
# WHATWG URL parsing drops ASCII tabs and newlines anywhere in a URL; other controls make it junk.
_TAB_NEWLINE = str.maketrans("", "", "\t\n\r")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UNSAFE_CHAR = re.compile(r"[\x00-\x20\x7f]")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
# Podcast-app schemes that mean "subscribe to this http(s) feed".
_APP_SCHEMES = frozenset({"feed", "itpc", "pcast", "podcast", "podcasts"})
MAX_URL_LENGTH = 8192
MAX_FEED_URL_LENGTH = 2000  # what the catalogue and the accounts' tables store
_DEFAULT_PORTS = {"http": 80, "https": 443}

# Query parameters whose value is a credential.
SECRET_PARAMS = frozenset(
    {
        "token",
        "key",
        "auth",
        "secret",
        "apikey",
        "api_key",
        "api-key",
        "access_token",
        "accesstoken",
        "auth_token",
        "authtoken",
        "feed_token",
        "private_token",
        "privatetoken",
        "password",
        "passwd",
        "pass",
        "pw",
        "sig",
        "signature",
        "session",
        "sessionid",
        "subscriber_token",
        "code",
    }
)
# The cases follow the private-feed blocklist Podcast Index keeps (github.com/Podcastindex-org/
# private-feed-blocklist), written as host and path rules.
# Hosts (matched as the host or a parent domain) that only serve per-subscriber feeds.
PRIVATE_HOSTS = (
    "supercast.com",
    "supercast.tech",
    "memberful.com",
    "memberfulcontent.com",
    "supportingcast.fm",
    "supportingcast.co",
    "supportingcast.cc",
    "glow.fm",
    "steadyhq.com",
    "subscribestar.com",
    "buymeacoffee.com",
    "private.captivate.fm",
    "rss.stratechery.com",
)
# Host and path prefix pairs: private feeds on hosts that also serve public pages.
PRIVATE_HOST_PATHS = (
    ("patreon.com", "/rss"),
    ("my.slate.com", "/subscriptions"),
    ("babylonbee.com", "/premium-feed"),
)
# Host and path segment pairs: a subscriber's feed somewhere in the path.
PRIVATE_HOST_SEGMENTS = (
    ("substack.com", "private"),
    ("redcircle.com", "pf"),
    ("podcache.net", "pf"),
)
# Host and query key pairs: a subscriber's id in the query on a host whose other feeds are public.
PRIVATE_HOST_KEYS = (("npr.org", "uid"), ("castos.com", "uuid"))
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
REDACTED = "REDACTED"
# A path segment that looks like a generated secret: long, letters and digits mixed.
_TOKENISH = re.compile(r"^(?=[^/]*\d)(?=[^/]*[A-Za-z])[A-Za-z0-9_\-.~%=]{16,}$")


def resolve_url(value: str | None, base: str | None) -> str | None:
    """`value` as an absolute http(s) URL, resolved against `base` (xml:base or the feed URL).

    Protocol-relative URLs become https; podcast-app schemes (``feed://host/x``, ``itpc://``,
    ``feed:https://host/x``) become http(s); spaces inside are percent-encoded. Anything else (no host,
    ``javascript:``, ``data:``, ``mailto:``, a relative URL without a usable base) is None.
    """
    if not value:
        return None
    url = value.strip()
    if not url or len(url) > MAX_URL_LENGTH:
        return None
    if url.startswith(_HTTP) and not _UNSAFE_CHAR.search(url):
        return url if _has_host(url) else None
    url = url.translate(_TAB_NEWLINE)
    if _CONTROL.search(url):
        return None
    url = url.replace(" ", "%20")
    if url.startswith("//"):
        url = "https:" + url
    match = _SCHEME.match(url)
    if match:
        scheme = match.group(1).lower()
        if scheme in _APP_SCHEMES:
            rest = url[match.end() :]
            if rest.startswith("//"):
                url = "http:" + rest
            else:
                return resolve_url(rest, None)
        elif scheme in ("http", "https"):
            url = scheme + ":" + url[match.end() :]
        else:
            return None
    else:
        if not base:
            return None
        base = base.strip()
        if not base.lower().startswith(_HTTP):
            return None
        try:
            url = urljoin(base, url)
        except ValueError:
            return None
    return url if url.lower().startswith(_HTTP) and _has_host(url) else None


#: An http(s) URL whose authority is a plain host name (no user, no port): it has a host, as
#: `urlsplit` would find, without taking the URL apart (a directory import checks millions of them).
_PLAIN_HOST = re.compile(r"https?://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.?(?=[/?#]|\Z)")


#: An http(s) URL's host name when nothing but a port follows it in the authority.
_PLAIN_AUTHORITY = re.compile(r"https?://([A-Za-z0-9.-]+)(?::\d*)?(?=[/?#]|\Z)")


def _has_host(url: str) -> bool:
    if _PLAIN_HOST.match(url):
        return True
    parts = _split(url)
    return parts is not None and bool(parts.hostname)


def _split(url: str) -> SplitResult | None:
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return None
    return parts


def _domains(host: str) -> frozenset[str]:
    """The host and its parent domains: the domains a host rule matches it under."""
    labels = host.split(".")
    return frozenset(".".join(labels[i:]) for i in range(len(labels)))


_PRIVATE_HOSTS = frozenset(PRIVATE_HOSTS)
#: Every domain a host or path rule names: a host under none of them is no subscriber's feed.
_POD_CO = "feed.pod.co"  # private feeds: two UUIDs in a row
_RULE_DOMAINS = _PRIVATE_HOSTS.union(
    [_POD_CO],
    (
        domain
        for rules in (PRIVATE_HOST_PATHS, PRIVATE_HOST_SEGMENTS, PRIVATE_HOST_KEYS)
        for domain, _ in rules
    ),
)


def _secret_query_keys(query: str) -> bool:
    for part in query.split("&"):
        key = part.split("=", 1)[0].strip().lower()
        if key in SECRET_PARAMS:
            return True
    return False


def _subscriber_feed(parts: SplitResult) -> bool:
    """Is this a per-subscriber feed by where it lives (its host, path or a host's own query key)?"""
    host = (parts.hostname or "").lower()
    if not host:
        return False
    domains = _domains(host)
    if domains.isdisjoint(_RULE_DOMAINS):
        return False  # the common case, in a set lookup per label (a dump has millions of feed URLs)
    if not domains.isdisjoint(_PRIVATE_HOSTS):
        return True
    path = parts.path.lower()
    segments = [segment for segment in path.split("/") if segment]
    keys = {part.split("=", 1)[0].strip().lower() for part in parts.query.split("&") if part}
    return (
        any(
            domain in domains and (path == prefix or path.startswith((prefix + "/", prefix + "-")))
            for domain, prefix in PRIVATE_HOST_PATHS
        )
        or any(domain in domains and part in segments for domain, part in PRIVATE_HOST_SEGMENTS)
        or any(domain in domains and key in keys for domain, key in PRIVATE_HOST_KEYS)
        or (host == _POD_CO and len(segments) >= 2 and all(_UUID.match(s) for s in segments[:2]))
    )


def is_private_feed_url(url: str) -> bool:
    """Does the URL carry a credential (a token parameter, user:password, or a subscriber-only host)?"""
    plain = _PLAIN_AUTHORITY.match(url)
    if plain and "?" not in url and _domains(plain[1].lower()).isdisjoint(_RULE_DOMAINS):
        return False  # no user, no query, a host no rule names: public without taking the URL apart
    parts = _split(url)
    if parts is None:
        return False
    if parts.password is not None or (parts.username and parts.scheme in ("http", "https")):
        return True
    if parts.query and _secret_query_keys(parts.query):
        return True
    return _subscriber_feed(parts)


def redact_url(url: str) -> str:
    """The URL with its secrets replaced by ``REDACTED``, safe to log. Public URLs come back unchanged.

    Redacts the values of credential query parameters, the password (or token-only username) in the
    authority, and, on subscriber-only hosts, every query value and every token-like path segment.
    """
    parts = _split(url)
    if parts is None:
        return url
    private_host = _subscriber_feed(parts)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user, sep, _password = userinfo.partition(":")
        netloc = f"{user}:{REDACTED}@{hostport}" if sep else f"{REDACTED}@{hostport}"
    query = parts.query
    if query:
        pieces = []
        for piece in query.split("&"):
            key, sep, value = piece.partition("=")
            if sep and value and (private_host or key.strip().lower() in SECRET_PARAMS):
                piece = f"{key}={REDACTED}"
            elif not sep and private_host and _TOKENISH.match(piece):
                piece = REDACTED
            pieces.append(piece)
        query = "&".join(pieces)
    path = parts.path
    if private_host and path:
        path = "/".join(REDACTED if _TOKENISH.match(seg) else seg for seg in path.split("/"))
    if (netloc, query, path) == (parts.netloc, parts.query, parts.path):
        return url
    return SplitResult(parts.scheme, netloc, path, query, parts.fragment).geturl()


class InvalidFeedURL(ValueError):
    """A string that cannot be a feed URL; the message names it (redacted) and says why."""


def shown_url(raw: str) -> str:
    """`raw` as it may appear in messages: tokens redacted, the query cut when the URL cannot be parsed."""
    text = raw.strip()
    if not text:
        return repr(raw)
    try:
        urlsplit(text).port  # noqa: B018 - raises on what redact_url cannot take apart
    except ValueError:
        return text.split("?", 1)[0] + ("?..." if "?" in text else "")
    return redact_url(text)


#: A feed URL `normalise_feed_url` leaves as it is (unless it ends in an empty query): http(s), a
#: lower-case host name without a port or a trailing dot, a path, and printable ASCII but "#" after.
_CANONICAL = re.compile(r"https?://[a-z0-9-]+(?:\.[a-z0-9-]+)*/[!\"$-~]*\Z")


def normalise_feed_url(raw: str) -> str:
    """The canonical form of a feed URL, or `InvalidFeedURL` saying what is wrong with it.

    Podcast-app schemes (``feed:``, ``itpc:``, ``pcast:``, ``podcast:``, ``feed:https://``) become http(s);
    the scheme and host are lower-cased, a trailing dot, a default port and the fragment dropped, an empty
    path becomes "/", spaces are percent-encoded. The path and query are kept as given: servers may treat
    them case-sensitively. The URL is redacted for the message (`shown_url`) only when it is refused:
    redacting costs more than normalising.
    """
    text = raw.strip()
    if _CANONICAL.match(text) and not text.endswith("?") and len(text) <= MAX_FEED_URL_LENGTH:
        return text  # already in the canonical form (most URLs of a directory dump are)
    if not text:
        raise InvalidFeedURL("empty URL")
    scheme = text.split(":", 1)[0].lower() if ":" in text else ""
    if scheme not in ("http", "https", *_APP_SCHEMES):
        what = f"scheme {scheme!r}" if scheme and "/" not in scheme else "no http(s) scheme"
        raise InvalidFeedURL(f"{shown_url(raw)}: not an http(s) URL ({what})")
    rest = text[len(scheme) + 1 :]
    if scheme in _APP_SCHEMES:
        inner = rest.split(":", 1)[0].lower() if ":" in rest else ""
        scheme, rest = (inner, rest[len(inner) + 1 :]) if inner in _DEFAULT_PORTS else ("http", rest)
    if any(c in rest for c in "\x00\r\n\t"):
        raise InvalidFeedURL(f"{shown_url(raw)}: contains control characters")
    try:
        parts = urlsplit(f"{scheme}:{rest.replace(' ', '%20')}")
        port = parts.port
    except ValueError as error:
        raise InvalidFeedURL(f"{shown_url(raw)}: {error}") from None
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or "%" in host:
        raise InvalidFeedURL(f"{shown_url(raw)}: no valid host name")
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme):
        host = f"{host}:{port}"
    auth = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    url = urlunsplit((parts.scheme.lower(), auth + host, parts.path or "/", parts.query, ""))
    if len(url) > MAX_FEED_URL_LENGTH:
        raise InvalidFeedURL(f"{shown_url(raw)[:80]}...: longer than {MAX_FEED_URL_LENGTH} characters")
    return url

"""Namespace and tag names: every spelling real feeds use, mapped to one short key.

Feeds write the same namespace in many ways (http or https, trailing slash, odd capitalisation, old
Podcasting 2.0 URIs) and sometimes use a well-known prefix without declaring it. The parser never compares
raw URIs: `split_tag` turns any lxml tag into ``(key, local)`` where ``key`` is ``""`` for RSS and Atom core
elements (RSS 1.0's namespace counts as core) or a short name such as ``"itunes"``, and ``local`` is the
lower-cased local name.
"""

from __future__ import annotations

# Canonical URI (scheme, "www." and trailing "/" removed, lower case) -> key.
_URI_KEYS: dict[str, str] = {
    "itunes.com/dtds/podcast-1.0.dtd": "itunes",
    "podcastindex.org/namespace/1.0": "podcast",
    "github.com/podcastindex-org/podcast-namespace/blob/main/docs/1.0.md": "podcast",
    "purl.org/rss/1.0/modules/content": "content",
    "search.yahoo.com/mrss": "media",
    "tools.search.yahoo.com/mrss": "media",
    "w3.org/2005/atom": "atom",
    "purl.org/atom/ns#": "atom",
    "podlove.org/simple-chapters": "psc",
    "purl.org/rss/1.0/modules/syndication": "sy",
    "google.com/schemas/play-podcasts/1.0": "googleplay",
    "purl.org/dc/elements/1.1": "dc",
    "purl.org/dc/terms": "dcterms",
    "w3.org/1999/02/22-rdf-syntax-ns#": "rdf",
    "w3.org/xml/1998/namespace": "xml",
    # RSS 1.0 / 0.90 core elements live in a namespace; treat them as plain RSS.
    "purl.org/rss/1.0": "",
    "my.netscape.com/rdf/simple/0.9": "",
    "backend.userland.com/rss2": "",
}

# The URIs Lytt declares for well-known prefixes that a feed uses without declaring them.
WELL_KNOWN_PREFIXES: dict[str, str] = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "media": "http://search.yahoo.com/mrss/",
    "atom": "http://www.w3.org/2005/Atom",
    "psc": "http://podlove.org/simple-chapters",
    "sy": "http://purl.org/rss/1.0/modules/syndication/",
    "googleplay": "http://www.google.com/schemas/play-podcasts/1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "georss": "http://www.georss.org/georss",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "slash": "http://purl.org/rss/1.0/modules/slash/",
}

_CACHE_LIMIT = 4096
_tag_cache: dict[str, tuple[str, str]] = {}
_uri_cache: dict[str, str] = {}


def namespace_key(uri: str) -> str:
    """The short key for a namespace URI; unknown namespaces keep their URI as the key."""
    key = _uri_cache.get(uri)
    if key is not None:
        return key
    canon = uri.strip().lower()
    if "://" in canon:
        canon = canon.split("://", 1)[1]
    canon = canon.removeprefix("www.").rstrip("/")
    key = "podcast" if canon.startswith("podcastindex.org/namespace/1.0") else _URI_KEYS.get(canon, uri)
    if len(_uri_cache) >= _CACHE_LIMIT:
        _uri_cache.clear()
    _uri_cache[uri] = key
    return key


def split_tag(tag: str) -> tuple[str, str]:
    """``"{uri}Name"`` or ``"prefix:Name"`` (undeclared prefix, recovered) -> ``(key, "name")``."""
    hit = _tag_cache.get(tag)
    if hit is not None:
        return hit
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        result = (namespace_key(uri), local.lower())
    elif ":" in tag:
        prefix, _, local = tag.partition(":")
        prefix = prefix.lower()
        result = (prefix if prefix in WELL_KNOWN_PREFIXES else prefix + ":", local.lower())
    else:
        result = ("", tag.lower())
    if len(_tag_cache) >= _CACHE_LIMIT:
        _tag_cache.clear()
    _tag_cache[tag] = result
    return result


def namespace_uri(tag: str) -> str | None:
    """The raw namespace URI of an lxml tag, or None."""
    if tag.startswith("{"):
        return tag[1:].partition("}")[0]
    return None

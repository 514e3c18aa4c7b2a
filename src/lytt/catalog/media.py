"""Media URLs of catalogue rows as listeners' browsers and apps must fetch them.

The bundled sample catalogue (`lytt.web.sample`) names its artwork and audio under `SAMPLE_ORIGIN`, a
reserved `.invalid` host that nothing can resolve, because no one address is right for every server: Lytt
serves those files itself, so every page and API (web, api, sync: hence here, inward of all three) publishes
them under the site's root: `LYTT_PUBLIC_URL` when set, else the host the request came to.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static

SAMPLE_ORIGIN = "https://sample.lytt.invalid/"
#: Generated sample audio: `SAMPLE_ORIGIN + "audio/<tone>/<seconds>.wav"` is served at this path.
SAMPLE_AUDIO_PATH = "sample/audio/"
#: The sample feeds themselves: `SAMPLE_ORIGIN + "feeds/<name>.xml"` is served at this path, with every
#: sample URL in it published under the site's root, so that podcast apps can subscribe to it.
SAMPLE_FEED_PATH = "sample/feeds/"
_AUDIO = "audio/"
_FEEDS = "feeds/"


def sample_path(url: str) -> str | None:
    """The root-relative path where Lytt serves a sample media URL; None for any other URL."""
    if not url.startswith(SAMPLE_ORIGIN):
        return None
    rest = url[len(SAMPLE_ORIGIN) :]
    if rest.startswith(_AUDIO):
        return "/" + SAMPLE_AUDIO_PATH + rest[len(_AUDIO) :]
    if rest.startswith(_FEEDS):
        return "/" + SAMPLE_FEED_PATH + rest[len(_FEEDS) :]
    return static("lytt/sample/" + rest)


def site_root(request: HttpRequest) -> str:
    """The site's absolute root URL, ending in "/": `LYTT_PUBLIC_URL`'s origin, else the request's host."""
    configured: str | None = getattr(settings, "LYTT_PUBLIC_ROOT", None)
    return configured or request.build_absolute_uri("/")


def public_media_url(url: str, root: str) -> str:
    """`url` as clients should fetch it: a sample file's absolute URL under `root` (`site_root`), anything
    else unchanged."""
    path = sample_path(url)
    return url if path is None else root + path.lstrip("/")


def sample_alias(url: str) -> str | None:
    """The stored sample URL that `url` is a published copy of under any site root (an app syncing a
    sample feed or episode sends the URL it subscribed to: `.../sample/feeds/<name>.xml`,
    `.../sample/audio/<tone>/<seconds>.wav`), or None. For lookups where the site's root is not at hand;
    only the sample catalogue's own stored URLs can match what it returns."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.query or parts.fragment:
        return None
    for path, stored in ((SAMPLE_FEED_PATH, _FEEDS), (SAMPLE_AUDIO_PATH, _AUDIO)):
        _, marker, rest = parts.path.rpartition("/" + path)
        if marker and rest and ".." not in rest:
            return SAMPLE_ORIGIN + stored + rest
    return None


def stored_media_url(url: str, root: str) -> str:
    """The inverse of `public_media_url` for sample audio and feeds: the stored enclosure or feed URL a
    client's URL names."""
    for path, stored in ((SAMPLE_AUDIO_PATH, _AUDIO), (SAMPLE_FEED_PATH, _FEEDS)):
        prefix = root + path
        if url.startswith(prefix):
            return SAMPLE_ORIGIN + stored + url[len(prefix) :]
    return url

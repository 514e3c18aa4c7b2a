"""What a publisher's feed lets Lytt list: pure decisions on a parsed feed, applied by ingest.

- A show is blocked when the feed asks platforms not to list it: ``<podcast:block>`` for every platform or for
  an id Lytt answers to (`Lytt's service ids`, ``LYTT_SERVICE_IDS``), or ``<itunes:block>``/
  ``<googleplay:block>``. A ``podcast:block`` naming one of Lytt's ids wins over the others, in either
  direction: it is the publisher speaking to Lytt in particular.
- An item is listed as an episode only when it has something to play: an audio or video enclosure (also
  from Media RSS), or a ``podcast:alternateEnclosure``, and is not blocked itself (``<itunes:block>``).
"""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import urlsplit

from lytt.feeds.model import Enclosure, Episode, Feed

#: The ids a ``podcast:block id="..."`` may name to speak to this platform, unless the operator sets others.
DEFAULT_SERVICE_IDS = ("lytt",)

#: Declared types that are documents or pictures, not something to play.
_NOT_PLAYABLE_TYPES = ("image/", "text/", "application/pdf", "application/epub", "application/msword")
_NOT_PLAYABLE_EXACT = {"application/json", "application/xml", "application/rss+xml", "application/atom+xml"}
#: File name endings that say audio or video whatever the declared type (publishers mislabel files).
_MEDIA_SUFFIXES = (
    ".mp3", ".m4a", ".m4b", ".aac", ".ogg", ".oga", ".opus", ".wav", ".flac",
    ".mp4", ".m4v", ".mov", ".webm", ".mkv", ".m3u8",
)  # fmt: skip


def blocked(feed: Feed, service_ids: Collection[str] = DEFAULT_SERVICE_IDS) -> bool:
    """Does the feed ask not to be listed here?"""
    for service in service_ids:
        verdict = feed.platform_blocks.get(service.lower())
        if verdict is not None:
            return verdict
    return feed.platform_blocks.get("", False) or feed.block


def playable(enclosure: Enclosure | None) -> bool:
    """Is this enclosure audio or video, judged by its declared type and then its file name?"""
    if enclosure is None or not enclosure.url.strip():
        return False
    kind = (enclosure.type or "").strip().lower()
    if not kind.startswith(_NOT_PLAYABLE_TYPES) and kind not in _NOT_PLAYABLE_EXACT:
        return True
    return urlsplit(enclosure.url).path.lower().endswith(_MEDIA_SUFFIXES)


def listed(episode: Episode) -> bool:
    """Is this item an episode Lytt lists?"""
    if episode.block:
        return False
    return playable(episode.enclosure) or any(
        uri.strip() for alternate in episode.alternate_enclosures for uri in alternate.sources
    )

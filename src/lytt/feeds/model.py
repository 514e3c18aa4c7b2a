"""The typed result of parsing a feed.

These dataclasses are the contract between the parser (`lytt.feeds`) and everything that consumes feeds
(ingest, the `lytt parse --json` command, tests). Missing values are ``None`` (or an empty list), never "".
Times are timezone-aware UTC datetimes.

``description_text`` of an episode or a feed is the plain text of its ``description_html`` unless it was
set to a text: it is worked out on each read (`notes_text`), not kept. A parsed feed's notes are its
largest part, and keeping their text too made a large parsed feed's peak memory markedly larger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol, TypeVar

from lytt.feeds.notes_text import notes_text

EpisodeType = Literal["full", "trailer", "bonus"]
ShowType = Literal["episodic", "serial"]
FeedFormat = Literal["rss", "atom", "rdf"]


@dataclass(slots=True)
class Owner:
    name: str | None = None
    email: str | None = None


@dataclass(slots=True)
class Enclosure:
    url: str
    type: str | None = None
    length: int | None = None


@dataclass(slots=True)
class AlternateEnclosure:
    """podcast:alternateEnclosure with its sources (the first source's URL is the one to play)."""

    type: str | None = None
    length: int | None = None
    bitrate: float | None = None
    height: int | None = None
    lang: str | None = None
    title: str | None = None
    rel: str | None = None
    default: bool = False
    sources: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Funding:
    url: str
    text: str | None = None


@dataclass(slots=True)
class Transcript:
    url: str
    type: str | None = None
    language: str | None = None
    rel: str | None = None


@dataclass(slots=True)
class Chapter:
    start_seconds: float
    title: str | None = None
    href: str | None = None
    image: str | None = None


@dataclass(slots=True)
class Chapters:
    """podcast:chapters (a URL to a JSON chapters file) and/or inline Podlove Simple Chapters."""

    url: str | None = None
    type: str | None = None
    inline: list[Chapter] = field(default_factory=list)


@dataclass(slots=True)
class Person:
    name: str
    role: str | None = None
    group: str | None = None
    href: str | None = None
    img: str | None = None


@dataclass(slots=True)
class Soundbite:
    start_seconds: float
    duration_seconds: float
    title: str | None = None


@dataclass(slots=True)
class Location:
    name: str
    geo: str | None = None
    osm: str | None = None


@dataclass(slots=True)
class ValueRecipient:
    name: str | None
    type: str
    address: str
    split: int
    custom_key: str | None = None
    custom_value: str | None = None
    fee: bool = False


@dataclass(slots=True)
class ValueTimeSplit:
    """podcast:valueTimeSplit: from `start_time` for `duration` seconds, `remote_percentage` of the value
    goes to another feed's item (`remote_feed_guid`, `remote_item_guid`) or to these `recipients`."""

    start_time: float
    duration: float
    remote_start_time: float = 0.0
    remote_percentage: int = 100
    remote_feed_guid: str | None = None
    remote_feed_url: str | None = None
    remote_item_guid: str | None = None
    recipients: list[ValueRecipient] = field(default_factory=list)


@dataclass(slots=True)
class Value:
    """podcast:value: how listeners can pay the show (e.g. Lightning keysend splits)."""

    type: str
    method: str
    suggested: str | None = None
    recipients: list[ValueRecipient] = field(default_factory=list)
    time_splits: list[ValueTimeSplit] = field(default_factory=list)


@dataclass(slots=True)
class Trailer:
    url: str
    title: str | None = None
    published: datetime | None = None
    length: int | None = None
    type: str | None = None
    season: int | None = None


@dataclass(slots=True)
class Txt:
    text: str
    purpose: str | None = None


@dataclass(slots=True)
class PodrollItem:
    feed_guid: str | None = None
    feed_url: str | None = None


@dataclass(slots=True)
class License:
    name: str
    url: str | None = None


@dataclass(slots=True)
class UnknownElement:
    """An element the parser does not model, kept so that nothing in a feed is silently lost."""

    namespace: str | None
    name: str
    attributes: dict[str, str] = field(default_factory=dict)
    text: str | None = None
    children: list[UnknownElement] = field(default_factory=list)


class _HasNotes(Protocol):
    description_html: str | None
    description_text: str | None


_WithNotes = TypeVar("_WithNotes", bound=type[_HasNotes])


def _text_of_notes_unless_set(cls: _WithNotes) -> _WithNotes:
    """`cls.description_text` read as the text of `description_html` while its slot holds None."""
    slot = cls.__dict__["description_text"]

    def text(self: _HasNotes) -> str | None:
        stored: str | None = slot.__get__(self, cls)
        return stored if stored is not None else notes_text(self.description_html)

    setattr(cls, "description_text", property(text, slot.__set__, doc=_text_of_notes_unless_set.__doc__))  # noqa: B010
    return cls


@_text_of_notes_unless_set
@dataclass(slots=True)
class Episode:
    guid: str | None = None
    title: str | None = None
    link: str | None = None
    published: datetime | None = None
    published_raw: str | None = None  # kept when the date could not be parsed
    duration_seconds: int | None = None
    enclosure: Enclosure | None = None
    alternate_enclosures: list[AlternateEnclosure] = field(default_factory=list)
    episode_number: int | None = None  # itunes:episode, else podcast:episode
    episode_display: str | None = None  # podcast:episode display="..."
    season: int | None = None
    season_name: str | None = None
    episode_type: EpisodeType | None = None
    explicit: bool | None = None
    block: bool = False
    image: str | None = None
    author: str | None = None
    subtitle: str | None = None
    keywords: list[str] = field(default_factory=list)
    description_html: str | None = None  # sanitised
    description_text: str | None = None  # the text of description_html unless set (module docstring)
    transcripts: list[Transcript] = field(default_factory=list)
    chapters: Chapters | None = None
    persons: list[Person] = field(default_factory=list)
    soundbites: list[Soundbite] = field(default_factory=list)
    location: Location | None = None
    license: License | None = None
    value: Value | None = None
    images: list[str] = field(default_factory=list)  # podcast:images srcset entries
    txt: list[Txt] = field(default_factory=list)
    unknown: list[UnknownElement] = field(default_factory=list)


@_text_of_notes_unless_set
@dataclass(slots=True)
class Feed:
    format: FeedFormat = "rss"
    title: str | None = None
    link: str | None = None
    feed_url: str | None = None  # the URL it was fetched from, when known
    self_url: str | None = None  # atom:link rel="self"
    hub_url: str | None = None  # WebSub hub
    description_html: str | None = None
    description_text: str | None = None  # the text of description_html unless set (module docstring)
    subtitle: str | None = None
    author: str | None = None
    owner: Owner | None = None
    image: str | None = None
    language: str | None = None
    copyright: str | None = None
    generator: str | None = None
    categories: list[tuple[str, str | None]] = field(default_factory=list)  # (main, sub)
    keywords: list[str] = field(default_factory=list)
    explicit: bool | None = None
    type: ShowType | None = None
    block: bool = False  # itunes:block or googleplay:block
    platform_blocks: dict[str, bool] = field(default_factory=dict)  # podcast:block: id ("" = all) -> yes
    complete: bool = False
    new_feed_url: str | None = None
    podcast_guid: str | None = None
    locked: bool = False
    locked_owner: str | None = None
    funding: list[Funding] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    location: Location | None = None
    license: License | None = None
    medium: str | None = None
    trailers: list[Trailer] = field(default_factory=list)
    txt: list[Txt] = field(default_factory=list)
    podroll: list[PodrollItem] = field(default_factory=list)
    value: Value | None = None
    images: list[str] = field(default_factory=list)
    published: datetime | None = None  # channel pubDate
    last_build: datetime | None = None  # lastBuildDate / atom:updated
    ttl_minutes: int | None = None
    skip_hours: list[int] = field(default_factory=list)
    skip_days: list[str] = field(default_factory=list)
    update_period: str | None = None  # sy:updatePeriod
    update_frequency: int | None = None  # sy:updateFrequency
    episodes: list[Episode] = field(default_factory=list)
    unknown: list[UnknownElement] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # recovered problems, e.g. "recovered broken XML"

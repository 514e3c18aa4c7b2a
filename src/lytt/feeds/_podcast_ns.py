"""The Podcasting 2.0 namespace (https://podcastindex.org/namespace/1.0), for channels and items.

Each handler takes ``(el, target, state, ctx)``: `target` is the `Feed` or `Episode` being built and `state`
a dict of candidates that the RSS/Atom finishers choose from. Elements this module does not model stay in
``target.unknown``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lytt.feeds._common import Context, Element, attr, attributes, text, to_bool, to_float, to_int, unknown
from lytt.feeds.dates import parse_date
from lytt.feeds.model import (
    AlternateEnclosure,
    Chapters,
    Episode,
    Feed,
    Funding,
    License,
    Location,
    Person,
    PodrollItem,
    Soundbite,
    Trailer,
    Transcript,
    Txt,
    Value,
    ValueRecipient,
    ValueTimeSplit,
)

Target = Feed | Episode
Handler = Callable[[Element, Any, dict[str, Any], Context], None]


def _guid(el: Element, target: Target, state: dict[str, Any], ctx: Context) -> None:
    if isinstance(target, Feed):
        state.setdefault("podcast_guid", text(el))
    else:
        target.unknown.append(unknown(el))


def _locked(el: Element, target: Target, state: dict[str, Any], ctx: Context) -> None:
    if not isinstance(target, Feed):
        target.unknown.append(unknown(el))
    else:
        target.locked = bool(to_bool(text(el)))
        target.locked_owner = attr(el, "owner")


def _block(el: Element, target: Target, state: dict[str, Any], ctx: Context) -> None:
    """podcast:block: "yes" or "no" for every platform, or with ``id`` for one (a service slug)."""
    verdict = to_bool(text(el))
    if not isinstance(target, Feed) or verdict is None:
        target.unknown.append(unknown(el))
        return
    platform = (attr(el, "id") or "").strip().lower()
    target.platform_blocks.setdefault(platform, verdict)


def _funding(el: Element, target: Target, state: dict[str, Any], ctx: Context) -> None:
    url = ctx.url(attr(el, "url"), el)
    if not isinstance(target, Feed):
        target.unknown.append(unknown(el))
    elif url:
        target.funding.append(Funding(url=url, text=text(el)))


def _transcript(el: Element, target: Target, state: dict[str, Any], ctx: Context) -> None:
    values = attributes(el)
    url = ctx.url(values.get("url"), el)
    if not isinstance(target, Episode):
        target.unknown.append(unknown(el))
    elif url:
        target.transcripts.append(
            Transcript(
                url=url,
                type=ctx.shared(values.get("type") or None),
                language=ctx.shared(values.get("language") or None),
                rel=ctx.shared(values.get("rel") or None),
            )
        )


def _chapters(el: Element, target: Target, state: dict[str, Any], ctx: Context) -> None:
    url = ctx.url(attr(el, "url"), el)
    if not isinstance(target, Episode):
        target.unknown.append(unknown(el))
    elif url:
        if target.chapters is None:
            target.chapters = Chapters()
        if target.chapters.url is None:
            target.chapters.url = url
            target.chapters.type = ctx.shared(attr(el, "type"))


def _person(el: Element, target: Target, state: dict[str, Any], ctx: Context) -> None:
    name = text(el)
    if name:
        values = attributes(el)
        target.persons.append(
            Person(
                name=ctx.shared(name),
                role=ctx.shared((values.get("role") or "host").lower()),
                group=ctx.shared((values.get("group") or "cast").lower()),
                href=ctx.shared(ctx.url(values.get("href"), el)),
                img=ctx.shared(ctx.url(values.get("img"), el)),
            )
        )


def _season(el: Element, target: Target, state: dict[str, Any], ctx: Context) -> None:
    state.setdefault("podcast_season", to_int(text(el)))
    if isinstance(target, Episode):
        target.season_name = ctx.shared(attr(el, "name"))


def _episode(el: Element, target: Target, state: dict[str, Any], ctx: Context) -> None:
    value = text(el)
    state.setdefault("podcast_episode", to_int(value))
    if isinstance(target, Episode):
        target.episode_display = attr(el, "display") or (value if value and to_int(value) is None else None)


def _soundbite(el: Element, target: Target, state: dict[str, Any], ctx: Context) -> None:
    values = attributes(el)
    start = to_float(values.get("starttime"))
    duration = to_float(values.get("duration"))
    if not isinstance(target, Episode):
        target.unknown.append(unknown(el))
    elif start is not None and duration is not None:
        target.soundbites.append(
            Soundbite(start_seconds=start, duration_seconds=duration, title=ctx.shared(text(el)))
        )


def _location(el: Element, target: Target, state: dict[str, Any], ctx: Context) -> None:
    name = text(el)
    if name and target.location is None:
        values = attributes(el)
        target.location = Location(
            name=ctx.shared(name),
            geo=ctx.shared(values.get("geo") or None),
            osm=ctx.shared(values.get("osm") or None),
        )


def _trailer(el: Element, target: Target, state: dict[str, Any], ctx: Context) -> None:
    url = ctx.url(attr(el, "url"), el)
    if not isinstance(target, Feed):
        target.unknown.append(unknown(el))
    elif url:
        target.trailers.append(
            Trailer(
                url=url,
                title=text(el),
                published=parse_date(attr(el, "pubdate")),
                length=to_int(attr(el, "length")),
                type=attr(el, "type"),
                season=to_int(attr(el, "season")),
            )
        )


def _license(el: Element, target: Target, state: dict[str, Any], ctx: Context) -> None:
    name = text(el)
    if name and target.license is None:
        target.license = License(name=name, url=ctx.url(attr(el, "url"), el))


def _medium(el: Element, target: Target, state: dict[str, Any], ctx: Context) -> None:
    value = text(el)
    if not isinstance(target, Feed):
        target.unknown.append(unknown(el))
    elif value:
        target.medium = value.lower()


def _alternate_enclosure(el: Element, target: Target, state: dict[str, Any], ctx: Context) -> None:
    if not isinstance(target, Episode):
        target.unknown.append(unknown(el))
        return
    sources: list[str] = []
    for child in el:
        tag = child.tag
        if isinstance(tag, str) and tag.lower().endswith("source"):
            url = ctx.url(attr(child, "uri"), child)
            if url:
                sources.append(url)
    values = attributes(el)
    target.alternate_enclosures.append(
        AlternateEnclosure(
            type=ctx.shared(values.get("type") or None),
            length=to_int(values.get("length")),
            bitrate=to_float(values.get("bitrate")),
            height=to_int(values.get("height")),
            lang=ctx.shared(values.get("lang") or None),
            title=ctx.shared(values.get("title") or None),
            rel=ctx.shared(values.get("rel") or None),
            default=bool(to_bool(values.get("default"))),
            sources=sources,
        )
    )


def _images(el: Element, target: Target, state: dict[str, Any], ctx: Context) -> None:
    srcset = attr(el, "srcset")
    if not srcset:
        return
    for candidate in srcset.split(","):
        url = ctx.url(candidate.strip().split(" ", 1)[0], el)
        if url:
            target.images.append(url)


def _txt(el: Element, target: Target, state: dict[str, Any], ctx: Context) -> None:
    value = text(el)
    if value:
        target.txt.append(Txt(text=value, purpose=attr(el, "purpose")))


def _podroll(el: Element, target: Target, state: dict[str, Any], ctx: Context) -> None:
    if not isinstance(target, Feed):
        target.unknown.append(unknown(el))
        return
    for child in el:
        if isinstance(child.tag, str) and child.tag.lower().endswith("remoteitem"):
            guid = attr(child, "feedGuid")
            url = ctx.url(attr(child, "feedUrl"), child)
            if guid or url:
                target.podroll.append(PodrollItem(feed_guid=guid, feed_url=url))


def _recipient(el: Element) -> ValueRecipient | None:
    address = attr(el, "address")
    recipient_type = attr(el, "type")
    if not address or not recipient_type:
        return None
    return ValueRecipient(
        name=attr(el, "name"),
        type=recipient_type,
        address=address,
        split=to_int(attr(el, "split")) or 0,
        custom_key=attr(el, "customKey"),
        custom_value=attr(el, "customValue"),
        fee=bool(to_bool(attr(el, "fee"))),
    )


def _time_split(el: Element, ctx: Context) -> ValueTimeSplit | None:
    """podcast:valueTimeSplit; None without its required startTime and duration."""
    start = to_float(attr(el, "startTime"))
    duration = to_float(attr(el, "duration"))
    if start is None or duration is None:
        return None
    percentage = to_int(attr(el, "remotePercentage"))
    split = ValueTimeSplit(
        start_time=start,
        duration=duration,
        remote_start_time=to_float(attr(el, "remoteStartTime")) or 0.0,
        remote_percentage=100 if percentage is None else max(0, min(percentage, 100)),
    )
    for child in el:
        if not isinstance(child.tag, str):
            continue
        name = child.tag.lower()
        if name.endswith("remoteitem"):
            split.remote_feed_guid = attr(child, "feedGuid")
            split.remote_feed_url = ctx.url(attr(child, "feedUrl"), child)
            split.remote_item_guid = attr(child, "itemGuid")
        elif name.endswith("valuerecipient") and (recipient := _recipient(child)) is not None:
            split.recipients.append(recipient)
    return split


def _value(el: Element, target: Target, state: dict[str, Any], ctx: Context) -> None:
    kind = attr(el, "type")
    method = attr(el, "method")
    if not kind or not method or target.value is not None:
        return
    value = Value(type=kind, method=method, suggested=attr(el, "suggested"))
    for child in el:
        if not isinstance(child.tag, str):
            continue
        name = child.tag.lower()
        if name.endswith("valuerecipient"):
            if (recipient := _recipient(child)) is not None:
                value.recipients.append(recipient)
        elif name.endswith("valuetimesplit"):
            if (split := _time_split(child, ctx)) is not None:
                value.time_splits.append(split)
        else:
            target.unknown.append(unknown(child))
    target.value = value


HANDLERS: dict[str, Handler] = {
    "guid": _guid,
    "locked": _locked,
    "block": _block,
    "funding": _funding,
    "transcript": _transcript,
    "chapters": _chapters,
    "person": _person,
    "season": _season,
    "episode": _episode,
    "soundbite": _soundbite,
    "location": _location,
    "trailer": _trailer,
    "license": _license,
    "medium": _medium,
    "alternateenclosure": _alternate_enclosure,
    "images": _images,
    "txt": _txt,
    "podroll": _podroll,
    "value": _value,
}

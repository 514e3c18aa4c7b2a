"""RSS 2.0 / 0.9x / 1.0 elements and the extensions feeds put in them (iTunes, Google Play, content,
Media RSS, Dublin Core, syndication, Podlove Simple Chapters, atom:link), plus the finishers that turn
the collected candidates into an `Episode` or a `Feed`.

Handlers are looked up by ``(namespace key, lower-case local name)`` (see `_ns.split_tag`). They record
candidates in a state dict, first value wins; the finishers apply the precedence rules (content:encoded
over description over itunes:summary, itunes:image over Media RSS thumbnails, and so on) once the whole
element has been seen, so the order of elements inside an item does not matter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lytt.feeds import _podcast_ns
from lytt.feeds._common import (
    Context,
    Element,
    attr,
    attributes,
    inner_html,
    parse_npt,
    text,
    to_bool,
    to_float,
    to_int,
    unknown,
)
from lytt.feeds._ns import split_tag
from lytt.feeds.dates import parse_date
from lytt.feeds.durations import parse_duration
from lytt.feeds.html import sanitize_html, text_to_html
from lytt.feeds.html_text import unescape
from lytt.feeds.model import Chapter, Chapters, Enclosure, Episode, EpisodeType, Feed, Owner

Handler = Callable[[Element, Any, dict[str, Any], Context], None]
Table = dict[tuple[str, str], Handler]

_EPISODE_TYPES: dict[str, EpisodeType] = {"full": "full", "trailer": "trailer", "bonus": "bonus"}
_DESCRIPTION_ORDER = (
    "content_encoded",
    "description",
    "itunes_summary",
    "atom_content",
    "atom_summary",
    "media_description",
    "googleplay_description",
)
_DAYS = {
    "monday": "Monday",
    "tuesday": "Tuesday",
    "wednesday": "Wednesday",
    "thursday": "Thursday",
    "friday": "Friday",
    "saturday": "Saturday",
    "sunday": "Sunday",
}


# -- handler factories ---------------------------------------------------------------------------------


def first_text(key: str) -> Handler:
    def handle(el: Element, target: Any, state: dict[str, Any], ctx: Context) -> None:
        if key not in state:
            value = text(el)
            if value is not None:
                state[key] = value

    return handle


def first_html(key: str) -> Handler:
    def handle(el: Element, target: Any, state: dict[str, Any], ctx: Context) -> None:
        if key not in state:
            value = inner_html(el)
            if value is not None:
                state[key] = value

    return handle


def first_url(key: str, attribute: str | None = None) -> Handler:
    """A URL from an attribute (or the element text as a fallback, which real feeds do)."""

    def handle(el: Element, target: Any, state: dict[str, Any], ctx: Context) -> None:
        if key not in state:
            raw = attr(el, attribute) if attribute else None
            value = ctx.url(raw or text(el), el)
            if value is not None:
                state[key] = value

    return handle


def keep_unknown(el: Element, target: Any, state: dict[str, Any], ctx: Context) -> None:
    target.unknown.append(unknown(el))


# -- shared handlers -----------------------------------------------------------------------------------


def _enclosure(el: Element, target: Any, state: dict[str, Any], ctx: Context) -> None:
    """The first enclosure, unless it is not media (a cover image, a PDF) and a later one is."""
    current = state.get("enclosure")
    if current is not None and _is_media(current.type):
        return
    values = attributes(el)
    url = ctx.url(values.get("url"), el)
    if not url:
        return
    kind = ctx.shared(values.get("type") or None)
    if current is None or _is_media(kind):
        state["enclosure"] = Enclosure(url=url, type=kind, length=to_int(values.get("length")))


def _is_media(kind: str | None) -> bool:
    return kind is None or kind.lower().startswith(("audio/", "video/"))


def _guid(el: Element, target: Any, state: dict[str, Any], ctx: Context) -> None:
    if "guid" not in state:
        value = text(el)
        if value is not None:
            state["guid"] = value
            permalink = attr(el, "isPermaLink")
            state["guid_is_permalink"] = None if permalink is None else permalink.lower() != "false"


def _atom_link(el: Element, target: Any, state: dict[str, Any], ctx: Context) -> None:
    rel = (attr(el, "rel") or "alternate").lower()
    url = ctx.url(attr(el, "href"), el)
    if not url:
        return
    if rel == "alternate":
        state.setdefault("atom_link", url)
    elif rel == "enclosure":
        state.setdefault(
            "atom_enclosure", Enclosure(url=url, type=attr(el, "type"), length=to_int(attr(el, "length")))
        )
    elif rel == "self":
        state.setdefault("self_url", url)
    elif rel == "hub":
        state.setdefault("hub_url", url)
    else:
        target.unknown.append(unknown(el))


def _itunes_image(el: Element, target: Any, state: dict[str, Any], ctx: Context) -> None:
    if "itunes_image" not in state:
        url = ctx.url(attr(el, "href") or attr(el, "url") or text(el), el)
        if url:
            state["itunes_image"] = url


def _keywords(el: Element, target: Any, state: dict[str, Any], ctx: Context) -> None:
    value = text(el)
    if value and not target.keywords:
        words = (word.strip() for word in value.split(","))
        target.keywords = [ctx.shared(word) for word in words if word]


def _media_content(el: Element, target: Any, state: dict[str, Any], ctx: Context) -> None:
    values = attributes(el)
    url = ctx.url(values.get("url"), el)
    if not url:
        return
    kind = ctx.shared(values.get("type") or None)
    medium = values.get("medium", "").lower()
    if medium == "image" or (kind or "").startswith("image/"):
        state.setdefault("media_image", url)
    elif "media_enclosure" not in state and (
        medium in ("audio", "video") or (kind or "").startswith(("audio/", "video/"))
    ):
        state["media_enclosure"] = Enclosure(url=url, type=kind, length=to_int(values.get("filesize")))
        duration = to_float(values.get("duration"))
        if duration is not None:
            state.setdefault("media_duration", round(duration))
    for child in el:
        if isinstance(child.tag, str):
            _dispatch_media_child(child, target, state, ctx)


def _media_group(el: Element, target: Any, state: dict[str, Any], ctx: Context) -> None:
    for child in el:
        if isinstance(child.tag, str):
            _dispatch_media_child(child, target, state, ctx)


def _dispatch_media_child(el: Element, target: Any, state: dict[str, Any], ctx: Context) -> None:
    key = split_tag(el.tag)
    if key[0] == "media":
        handler = _MEDIA.get(key[1])
        if handler is not None:
            handler(el, target, state, ctx)


def _media_thumbnail(el: Element, target: Any, state: dict[str, Any], ctx: Context) -> None:
    if "media_thumbnail" not in state:
        url = ctx.url(attr(el, "url"), el)
        if url:
            state["media_thumbnail"] = url


def _media_description(el: Element, target: Any, state: dict[str, Any], ctx: Context) -> None:
    if "media_description" not in state:
        value = inner_html(el)
        if value is not None:
            if (attr(el, "type") or "plain").lower() != "html":
                value = text_to_html(value)
            state["media_description"] = value


_MEDIA: dict[str, Handler] = {
    "content": _media_content,
    "group": _media_group,
    "thumbnail": _media_thumbnail,
    "description": _media_description,
    "title": first_text("media_title"),
    "keywords": _keywords,
}


def _psc_chapters(el: Element, target: Any, state: dict[str, Any], ctx: Context) -> None:
    if not isinstance(target, Episode):
        target.unknown.append(unknown(el))
        return
    inline: list[Chapter] = []
    for child in el:
        if not (isinstance(child.tag, str) and split_tag(child.tag)[1] == "chapter"):
            continue
        values = attributes(child)
        start = parse_npt(values.get("start"))
        if start is None:
            continue
        inline.append(
            Chapter(
                start_seconds=start,
                title=ctx.shared(values.get("title") or None),
                href=ctx.shared(ctx.url(values.get("href"), child)),
                image=ctx.shared(ctx.url(values.get("image"), child)),
            )
        )
    if not inline:
        return
    inline.sort(key=lambda chapter: chapter.start_seconds)
    if target.chapters is None:
        target.chapters = Chapters()
    if not target.chapters.inline:
        target.chapters.inline = inline


def _block(el: Element, target: Any, state: dict[str, Any], ctx: Context) -> None:
    if to_bool(text(el)):
        target.block = True


def _extension_table() -> Table:
    """Handlers shared by RSS items and Atom entries (and, where meaningful, channels)."""
    table: Table = {
        ("content", "encoded"): first_html("content_encoded"),
        ("itunes", "title"): first_text("itunes_title"),
        ("itunes", "author"): first_text("itunes_author"),
        ("itunes", "subtitle"): first_text("itunes_subtitle"),
        ("itunes", "summary"): first_html("itunes_summary"),
        ("itunes", "image"): _itunes_image,
        ("itunes", "duration"): first_text("itunes_duration"),
        ("itunes", "explicit"): first_text("itunes_explicit"),
        ("itunes", "episode"): first_text("itunes_episode"),
        ("itunes", "season"): first_text("itunes_season"),
        ("itunes", "episodetype"): first_text("itunes_episode_type"),
        ("itunes", "block"): _block,
        ("itunes", "keywords"): _keywords,
        ("googleplay", "description"): first_html("googleplay_description"),
        ("googleplay", "explicit"): first_text("googleplay_explicit"),
        ("googleplay", "image"): first_url("googleplay_image", "href"),
        ("googleplay", "author"): first_text("googleplay_author"),
        ("googleplay", "block"): _block,
        ("dc", "creator"): first_text("dc_creator"),
        ("dc", "date"): first_text("dc_date"),
        ("dcterms", "created"): first_text("dc_date"),
        ("psc", "chapters"): _psc_chapters,
        ("atom", "link"): _atom_link,
    }
    for local, handler in _MEDIA.items():
        table[("media", local)] = handler
    for local, handler in _podcast_ns.HANDLERS.items():
        table[("podcast", local)] = handler
    return table


EXTENSIONS = _extension_table()

ITEM: Table = {
    **EXTENSIONS,
    ("", "title"): first_text("title"),
    ("", "link"): first_url("link", "href"),
    ("", "guid"): _guid,
    ("", "pubdate"): first_text("pubdate"),
    ("", "description"): first_html("description"),
    ("", "author"): first_text("author"),
    ("", "enclosure"): _enclosure,
}


# -- channel handlers ----------------------------------------------------------------------------------


def _owner(el: Element, target: Feed, state: dict[str, Any], ctx: Context) -> None:
    if target.owner is not None:
        return
    name = email = None
    for child in el:
        if not isinstance(child.tag, str):
            continue
        local = split_tag(child.tag)[1]
        if local == "name":
            name = text(child)
        elif local == "email":
            email = text(child)
    if name or email:
        target.owner = Owner(name=name, email=email)


def _googleplay_owner(el: Element, target: Feed, state: dict[str, Any], ctx: Context) -> None:
    state.setdefault("googleplay_owner", text(el))


def _itunes_category(el: Element, target: Feed, state: dict[str, Any], ctx: Context) -> None:
    main = attr(el, "text") or text(el)
    if not main:
        return
    subs = [
        attr(child, "text")
        for child in el
        if isinstance(child.tag, str) and split_tag(child.tag)[1] == "category" and attr(child, "text")
    ]
    categories = state.setdefault("itunes_categories", [])
    if not subs:
        categories.append((main, None))
    categories.extend((main, sub) for sub in subs)


def _rss_category(el: Element, target: Feed, state: dict[str, Any], ctx: Context) -> None:
    value = text(el) or attr(el, "term")
    if value:
        state.setdefault("rss_categories", []).append((value, None))


def _rss_image(el: Element, target: Feed, state: dict[str, Any], ctx: Context) -> None:
    if "rss_image" in state:
        return
    for child in el:
        if isinstance(child.tag, str) and split_tag(child.tag)[1] == "url":
            url = ctx.url(text(child), child)
            if url:
                state["rss_image"] = url
            return
    url = ctx.url(attr(el, "href") or attr(el, "url") or text(el), el)
    if url:
        state["rss_image"] = url


def _skip_hours(el: Element, target: Feed, state: dict[str, Any], ctx: Context) -> None:
    hours = (to_int(text(child)) for child in el if isinstance(child.tag, str))
    target.skip_hours = sorted({hour for hour in hours if hour is not None and 0 <= hour <= 24})


def _skip_days(el: Element, target: Feed, state: dict[str, Any], ctx: Context) -> None:
    days = ((text(child) or "").lower() for child in el if isinstance(child.tag, str))
    target.skip_days = [_DAYS[day] for day in dict.fromkeys(days) if day in _DAYS]


def _complete(el: Element, target: Feed, state: dict[str, Any], ctx: Context) -> None:
    target.complete = bool(to_bool(text(el)))


def _redirect(el: Element, target: Feed, state: dict[str, Any], ctx: Context) -> None:
    """The old ``<redirect><newLocation>URL</newLocation></redirect>`` move notice."""
    for child in el:
        if isinstance(child.tag, str) and split_tag(child.tag)[1] == "newlocation":
            url = ctx.url(text(child), child)
            if url is not None:
                state.setdefault("redirect_url", url)
            return


def _late_item(el: Element, target: Feed, state: dict[str, Any], ctx: Context) -> None:
    """An item the streaming pass did not see as one (odd case, e.g. <Item>)."""
    state.setdefault("late_items", []).append(el)


CHANNEL: Table = {
    **EXTENSIONS,
    ("", "title"): first_text("title"),
    ("", "link"): first_url("link", "href"),
    ("", "description"): first_html("description"),
    ("", "language"): first_text("language"),
    ("", "copyright"): first_text("copyright"),
    ("", "pubdate"): first_text("pubdate"),
    ("", "lastbuilddate"): first_text("lastbuilddate"),
    ("", "generator"): first_text("generator"),
    ("", "ttl"): first_text("ttl"),
    ("", "image"): _rss_image,
    ("", "skiphours"): _skip_hours,
    ("", "skipdays"): _skip_days,
    ("", "category"): _rss_category,
    ("", "item"): _late_item,
    ("", "redirect"): _redirect,
    ("dc", "language"): first_text("dc_language"),
    ("dc", "rights"): first_text("dc_rights"),
    ("itunes", "owner"): _owner,
    ("itunes", "category"): _itunes_category,
    ("itunes", "type"): first_text("itunes_type"),
    ("itunes", "complete"): _complete,
    ("itunes", "new-feed-url"): first_url("new_feed_url"),
    ("googleplay", "owner"): _googleplay_owner,
    ("googleplay", "email"): _googleplay_owner,
    ("googleplay", "category"): _itunes_category,
    ("sy", "updateperiod"): first_text("update_period"),
    ("sy", "updatefrequency"): first_text("update_frequency"),
}


# -- dispatch and finishing ----------------------------------------------------------------------------


_RESOLVED: dict[int, dict[str, Handler | None]] = {}


def collect(el: Element, target: Any, table: Table, ctx: Context) -> dict[str, Any]:
    """Run the handler of every child element; unhandled elements go to ``target.unknown``."""
    # Raw tag -> handler, per table: most feeds use a few dozen distinct tags, so this skips the
    # namespace normalisation for all but the first occurrence of each.
    resolved = _RESOLVED.get(id(table))
    if resolved is None or len(resolved) > 4096:
        resolved = _RESOLVED[id(table)] = {}
    state: dict[str, Any] = {}
    for child in el:
        tag = child.tag
        try:
            handler = resolved[tag]
        except KeyError:
            if not isinstance(tag, str):  # comments, entity references
                continue
            handler = resolved[tag] = table.get(split_tag(tag))
        if handler is None:
            target.unknown.append(unknown(child))
        else:
            handler(child, target, state, ctx)
    return state


def _notes(state: dict[str, Any], base: str | None) -> str | None:
    """The sanitised notes; their text is read from them when asked for (the model's docstring)."""
    for key in _DESCRIPTION_ORDER:
        raw = state.get(key)
        if raw:
            if "<" not in raw and "&" in raw:
                # Show notes are HTML: without tags, "Tom &amp; Jerry" is text with entities in it,
                # which the sanitiser's plain-text path would otherwise escape a second time.
                raw = unescape(raw)
            html = sanitize_html(raw, base_url=base)
            if html:
                return html
    return None


def _date(state: dict[str, Any], *keys: str) -> tuple[Any, str | None]:
    for key in keys:
        raw = state.get(key)
        if raw:
            parsed = parse_date(raw)
            return parsed, (None if parsed is not None else raw)
    return None, None


def _guid_link(guid: str | None, permalink: bool | None, el: Element, ctx: Context) -> str | None:
    """The item's guid as its link, when the guid is one: ``isPermaLink="true"`` (resolved against xml:base),
    or no attribute (RSS 2.0's default) and already an absolute http(s) URL."""
    if not guid or permalink is False:
        return None
    link = ctx.url(guid, el) if permalink else guid
    return link if link and link.startswith(("http://", "https://")) else None


def finish_episode(el: Element, episode: Episode, state: dict[str, Any], ctx: Context) -> None:
    """Apply precedence rules and normalisation to the candidates collected from one item/entry."""
    get = state.get
    episode.title = get("title") or get("itunes_title") or get("media_title")
    enclosure = get("enclosure") or get("media_enclosure") or get("atom_enclosure")
    episode.enclosure = enclosure
    guid = get("guid")
    link = get("link") or get("atom_link") or _guid_link(guid, get("guid_is_permalink"), el, ctx)
    episode.link = link
    episode.guid = guid or link or (enclosure.url if enclosure else None)
    episode.published, episode.published_raw = _date(state, "pubdate", "published", "dc_date", "updated")
    duration = parse_duration(get("itunes_duration"))
    episode.duration_seconds = duration if duration is not None else get("media_duration")
    itunes_episode = to_int(get("itunes_episode"))
    episode.episode_number = itunes_episode if itunes_episode is not None else get("podcast_episode")
    itunes_season = to_int(get("itunes_season"))
    episode.season = itunes_season if itunes_season is not None else get("podcast_season")
    episode.episode_type = _EPISODE_TYPES.get((get("itunes_episode_type") or "").lower())
    explicit = to_bool(get("itunes_explicit"))
    episode.explicit = explicit if explicit is not None else to_bool(get("googleplay_explicit"))
    episode.image = (
        get("itunes_image")
        or get("media_thumbnail")
        or get("media_image")
        or get("googleplay_image")
        or (episode.images[0] if episode.images else None)
    )
    episode.author = ctx.shared(
        get("itunes_author") or get("dc_creator") or get("author") or get("googleplay_author")
    )
    episode.subtitle = get("itunes_subtitle")
    episode.description_html = _notes(state, ctx.base(el))


def finish_channel(el: Element, feed: Feed, state: dict[str, Any], ctx: Context) -> None:
    get = state.get
    feed.title = get("title") or get("itunes_title")
    feed.link = get("link") or get("atom_link")
    feed.self_url = get("self_url")
    feed.hub_url = get("hub_url")
    feed.subtitle = get("itunes_subtitle") or get("subtitle")
    feed.author = get("itunes_author") or get("googleplay_author") or get("dc_creator") or get("author")
    if feed.owner is None and get("googleplay_owner"):
        feed.owner = Owner(name=None, email=get("googleplay_owner"))
    feed.image = (
        get("itunes_image")
        or get("rss_image")
        or get("media_thumbnail")
        or get("media_image")
        or get("googleplay_image")
        or (feed.images[0] if feed.images else None)
        or get("atom_logo")
        or get("atom_icon")
    )
    feed.language = get("language") or get("dc_language")
    feed.copyright = get("copyright") or get("dc_rights")
    feed.generator = get("generator")
    categories = get("itunes_categories") or get("rss_categories") or []
    feed.categories = list(dict.fromkeys(categories))
    explicit = to_bool(get("itunes_explicit"))
    feed.explicit = explicit if explicit is not None else to_bool(get("googleplay_explicit"))
    show_type = (get("itunes_type") or "").lower()
    feed.type = "serial" if show_type == "serial" else "episodic" if show_type == "episodic" else None
    feed.new_feed_url = get("new_feed_url") or get("redirect_url")
    feed.podcast_guid = get("podcast_guid")
    feed.published, _ = _date(state, "pubdate", "dc_date")
    feed.last_build, _ = _date(state, "lastbuilddate", "updated")
    feed.ttl_minutes = to_int(get("ttl"))
    period = (get("update_period") or "").lower()
    feed.update_period = period if period in ("hourly", "daily", "weekly", "monthly", "yearly") else None
    feed.update_frequency = to_int(get("update_frequency"))
    feed.description_html = _notes(state, ctx.base(el))

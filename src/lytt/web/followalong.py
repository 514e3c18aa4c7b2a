"""Chapters and transcripts on the episode page, rendered server-side (readable without JavaScript).

A two-hour transcript is a few thousand lines, so its lines are not a template loop (a `{% for %}` with
its context pushes and variable lookups per line cost more than the rest of the page): `transcript_lines`
joins escaped strings, and the result depends on nothing but the stored lines, so it is kept in the cache
per attachment and fetch time, in every language alike. The words around it (headings, labels) are in
the template. Every line with a time is ``<p data-seek="S">`` with a ``?t=`` link: the player seeks on a
click anywhere in it, and `static/lytt/follow-along.js` highlights and follows the line being heard.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape
from typing import Any

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from lytt.web.formatting import format_clock
from lytt.web.media import playable_url

CACHE_SECONDS = 3600
_IMAGE_SIZE = 'width="48" height="48" loading="lazy"'
_LINK_REL = "nofollow noopener noreferrer external"


def _seconds(value: float) -> str:
    """A start time as the page writes it for scripts: whole seconds without a fraction, else three places."""
    return str(int(value)) if value == int(value) else f"{value:.3f}".rstrip("0")


def transcript_lines(items: Sequence[Sequence[Any]]) -> SafeString:
    """Stored lines ([start, end, speaker, text]) as HTML paragraphs. The speaker is named when it changes."""
    out: list[str] = []
    append = out.append
    previous: str | None = None
    for start, _end, speaker, text in items:
        who = ""
        if speaker and speaker != previous:
            who = f'<b class="speaker">{escape(speaker, quote=False)}</b> '
        previous = speaker
        if start is None:
            append(f"<p>{who}{escape(text, quote=False)}</p>")
        else:
            append(
                f'<p data-seek="{_seconds(start)}">{who}<a href="?t={int(start)}">{format_clock(start)}</a> '
                f"{escape(text, quote=False)}</p>"
            )
    return mark_safe("\n".join(out))


def cached(key: str, build: Callable[[], str]) -> SafeString:
    """A rendered fragment from the cache, built (and kept for `CACHE_SECONDS`) on a miss. Keys name the
    stored file's id and version, so new content is a new key."""
    html = cache.get(key)
    if html is None:
        html = str(build())
        cache.set(key, html, CACHE_SECONDS)
    return mark_safe(html)


def chapter_list(items: Sequence[Mapping[str, Any]], link_label: str) -> SafeString:
    """Chapters (stored or inline: `Episode.chapters`' shape) as list items: a seek link with the start and
    title, the image, and the chapter's own link. Built in Python like the transcript: forty chapters as
    a template loop cost as much as the rest of the page."""
    label = escape(link_label)
    out: list[str] = []
    for item in items:
        start = float(item.get("start_seconds") or 0)
        title = escape(str(item.get("title") or ""))
        image = playable_url(item.get("image"))
        href = playable_url(item.get("href"))
        seek = f'data-seek="{_seconds(start)}" href="?t={int(start)}"'
        clock = format_clock(start)
        parts = [
            f'<li><a class="chapter__seek" {seek}><span class="timestamp">{clock}</span> '
            f'<span class="chapter__title">{title}</span></a>'
        ]
        if image:
            parts.append(f' <img class="chapter__img" src="{escape(image)}" alt="" {_IMAGE_SIZE}>')
        if href:
            parts.append(
                f' <a class="chapter__link" href="{escape(href)}" rel="{_LINK_REL}">'
                f'{label}<span class="visually-hidden">: {title}</span></a>'
            )
        parts.append("</li>")
        out.append("".join(parts))
    return mark_safe("\n".join(out))

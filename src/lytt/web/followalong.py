"""Chapters and transcripts on the episode page, rendered server-side (readable without JavaScript).

A two-hour transcript is a few thousand lines, so its lines are not a template loop (a `{% for %}` with
its context pushes and variable lookups per line cost more than the rest of the page): `transcript_lines`
joins escaped strings, and the result depends on nothing but the stored lines, so it is kept in the cache
per attachment and fetch time, in every language alike. The words around it (headings, labels) are in
the template. Every line with a time is ``<p data-seek="S">`` with a ``?t=`` link: the player seeks on a
click anywhere in it, and `static/lytt/follow-along.js` highlights and follows the line being heard.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from lytt.web.formatting import format_clock
from lytt.web.media import playable_url

CACHE_SECONDS = 3600


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


def cached_transcript_lines(attachment_id: int, version: str, items: Sequence[Sequence[Any]]) -> SafeString:
    key = f"lytt:transcript:{attachment_id}:{version}"
    html = cache.get(key)
    if html is None:
        html = transcript_lines(items)
        cache.set(key, str(html), CACHE_SECONDS)
    return mark_safe(html)


def chapter_rows(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Chapters (stored or inline, `Episode.chapters`' shape) as the template shows them."""
    rows = []
    for item in items:
        start = float(item.get("start_seconds") or 0)
        rows.append(
            {
                "seek": _seconds(start),
                "t": int(start),
                "clock": format_clock(start),
                "title": item.get("title") or "",
                "href": playable_url(item.get("href")),
                "image": playable_url(item.get("image")),
            }
        )
    return rows

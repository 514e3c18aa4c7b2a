"""Chapters and transcripts on the episode page, rendered server-side (readable without JavaScript).

A two-hour transcript is a few thousand lines, so its lines are not a template loop (a `{% for %}` with
its context pushes and variable lookups per line cost more than the rest of the page): `transcript_lines`
joins escaped strings. Even so, rendering them and decoding the stored lines costs more than the rest of
the page, so a stored file is rendered once, when it is stored (`on_attachment_stored`, connected to
``attachment_stored``), and the HTML kept beside it; the page reads that (`stored_html`). Only a file
whose HTML is missing or was made by another version of the renderers (`RENDERERS`) is rendered on a
page view, and kept in the cache per attachment and fetch time. Transcript HTML is the same in every
language; a chapter list's one translated word (the link's label) is stored as `LINK_LABEL` and put in
per page. The words around them (headings, labels) are in the template.

Every line with a time is ``<p data-seek="S">`` with a ``?t=`` link: the player seeks on a click anywhere
in it, and `static/lytt/follow-along.js` highlights and follows the line being heard.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from html import escape
from typing import Any

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from lytt.catalog import attachments
from lytt.web.formatting import format_clock
from lytt.web.media import playable_url

CACHE_SECONDS = 3600
# What rendered a stored file's HTML: change one when its renderer's markup changes, and pages render
# the files stored before from their items until they are stored again.
RENDERERS: dict[str, str] = {
    attachments.Kind.TRANSCRIPT: "transcript-lines-1",
    attachments.Kind.CHAPTERS: "chapter-list-1",
}
# Stands for the chapter link's translated label in stored HTML: markup, which escaped text never holds.
LINK_LABEL = "<lytt-link-label>"
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
    return with_link_label(_chapter_items(items), link_label)


def with_link_label(html: str, link_label: str) -> SafeString:
    return mark_safe(html.replace(LINK_LABEL, escape(link_label)))


def _chapter_items(items: Sequence[Mapping[str, Any]]) -> str:
    label = LINK_LABEL
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
    return "\n".join(out)


def render_stored(kind: str, items: Sequence[Any]) -> str:
    """A stored file's content as its page shows it (chapters with `LINK_LABEL` for the label)."""
    if kind == attachments.Kind.TRANSCRIPT:
        return str(transcript_lines(items))
    return _chapter_items(items)


def on_attachment_stored(
    sender: Any, attachment_id: int, kind: str, items: Sequence[Any], version: datetime, **kwargs: Any
) -> None:
    """Keep the HTML of newly stored content beside it (see the module's doc)."""
    if kind in RENDERERS:
        attachments.store_html(attachment_id, version, render_stored(kind, items), RENDERERS[kind])


def stored_html(stored: attachments.Stored) -> str:
    """A stored file's HTML: the one kept with it, or, when that is missing or outdated, rendered from
    its items here (and cached per file and version)."""
    if stored.html_renderer == RENDERERS.get(stored.kind) and stored.html_renderer:
        return stored.html
    file_id = stored.id
    return cached(
        f"lytt:follow-along:{stored.kind}:{file_id}:{stored.version}",
        lambda: render_stored(stored.kind, attachments.items_of(file_id)),
    )

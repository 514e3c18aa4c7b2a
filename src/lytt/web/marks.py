"""Episode rows' play buttons and the listener's progress marks on them.

Lists are rendered once and shared (cached fragments, the anonymous page cache), so a row carries no
listener's data: only its play button (a link to the episode page, which the player turns into "play
here") and a placeholder, ``<!--lytt-mark:ID-->``. `MarksMiddleware` fills the placeholders of a
signed-in listener's page from one query (their positions in the episodes on the page) with a mark
(a progress bar, "12 min left" or "Played"), a form to mark the episode played or unplayed, and the queue's
"Play next" / "Add to queue" form (`lytt.web.queue`). Signed out, the placeholders stay comments; lists.js
draws marks from the browser's own positions and queue.js makes the queue's buttons. A signed-in page's
follow button is a placeholder too, ``<!--lytt-follow:ID:SLUG-->``, filled in the same statement.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth.models import User
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lytt.accounts.services import Position, page_state
from lytt.accounts.templatetags.lytt_accounts import follow_form
from lytt.web.formatting import format_clock, iso_time
from lytt.web.media import playable_url

_PLACEHOLDER = re.compile(rb"<!--lytt-mark:(\d+)-->")
_FOLLOW_PLACEHOLDER = re.compile(rb"<!--lytt-follow:(\d+):([-\w]+)-->")
_TOKEN = "lytt.page_csrf_token"


class ListedModel(Protocol):
    """What `row_actions_for` reads of an episode (a catalogue Episode with its show)."""

    pk: int
    slug: str
    title: str
    enclosure_url: str
    image_url: str
    duration_seconds: int | None

    @property
    def show(self) -> Any: ...


def placeholder(episode_id: int) -> str:
    return f"<!--lytt-mark:{int(episode_id)}-->"


def follow_placeholder(show_id: int, slug: str) -> str:
    """Where a signed-in listener's follow button goes: filled with the marks, in their statement."""
    if not re.fullmatch(r"[-\w]+", slug, re.ASCII):
        raise ValueError(f"a show slug for a follow placeholder must be a slug, not {slug!r}")
    return f"<!--lytt-follow:{int(show_id)}:{slug}-->"


def page_token(request: HttpRequest) -> str:
    """The response's masked CSRF token, made once: Django's `get_token` masks the secret anew on every
    call, and one masked token per response is all its BREACH protection asks for. The templates get it
    through `csrf_context`, so the page's forms and its marks' forms carry the same one.

    `get_token` also has the response send the CSRF cookie again, only to restart its year, on every page
    with a form (each signed-in page): a browser that sent the very secret in use keeps its cookie, and
    a new or rotated secret (no cookie yet, signing in) is still sent."""
    made = request.META.get(_TOKEN)
    if made is not None and made[0] == request.META.get("CSRF_COOKIE"):
        return str(made[1])
    token = get_token(request)  # a secret rotated since (sign-in) gets a token of its own
    secret = request.META.get("CSRF_COOKIE")
    if secret is not None and request.COOKIES.get(settings.CSRF_COOKIE_NAME) == secret:
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
    request.META[_TOKEN] = (secret, token)
    return token


def csrf_context(request: HttpRequest) -> dict[str, Any]:
    """A context processor: Django's `csrf_token`, lazily, as `page_token` (listed after Django's own)."""
    return {"csrf_token": SimpleLazyObject(lambda: page_token(request))}


def row_actions(
    *,
    episode_id: int,
    url: str,
    src: str,
    title: str,
    show: str,
    artwork: str,
    duration: int | None,
    label: str | None = None,
) -> SafeString:
    """A row's actions: the play button (a link to the episode page without JavaScript) and the mark's
    place. Other row actions (the queue's) go beside the button, inside `.row-actions`."""
    data = {
        "play-episode": str(int(episode_id)),
        "src": src,
        "title": title,
        "show": show,
        "url": url,
        "artwork": artwork,
        "duration": str(duration or ""),
    }
    attributes = "".join(f' data-{name}="{escape(value)}"' for name, value in data.items() if value)
    text = escape(label or _("Play"))
    return mark_safe(
        f'<div class="row-actions" data-episode-id="{int(episode_id)}">'
        f'<a class="play-button" href="{escape(url)}"{attributes}>'
        f'<span class="play-button__icon" aria-hidden="true">▶</span> <span class="play-button__label">{text}'
        f'</span><span class="visually-hidden">: {escape(title)}</span></a>{placeholder(episode_id)}</div>'
    )


def row_actions_for(episode: ListedModel, url: str, label: str | None = None) -> SafeString:
    """`row_actions` of a catalogue episode whose show is loaded (`episode.show`)."""
    show = episode.show
    return row_actions(
        episode_id=episode.pk,
        url=url,
        src=playable_url(episode.enclosure_url),
        title=episode.title,
        show=show.title,
        artwork=playable_url(episode.image_url or show.image_url),
        duration=episode.duration_seconds,
        label=label,
    )


def resume_label(position: int) -> str:
    return _("Resume at %(time)s") % {"time": format_clock(position)}


@dataclass(frozen=True, slots=True)
class RowTexts:
    """What every row's mark and forms say in one language and URL prefix, looked up once per process:
    a signed-in page has a mark and two forms on each of its rows."""

    played: str
    minutes_left: str
    resume: str
    played_action: str
    queue_action: str
    mark_played: str
    mark_unplayed: str
    play_next: str
    add_to_queue: str


def row_texts() -> RowTexts:
    """The `RowTexts` of the active language and URL prefix."""
    return _row_texts(get_language() or "", get_script_prefix(), get_urlconf())


@functools.lru_cache(maxsize=64)
def _row_texts(language: str, prefix: str, urlconf: str | None) -> RowTexts:
    """Keyed by what the texts depend on (the active language, the URL prefix and URLconf)."""
    return RowTexts(
        played=_("Played"),
        minutes_left=_("%(minutes)s min left"),
        resume=_("Resume at %(time)s"),
        played_action=escape(reverse("accounts:played", urlconf=urlconf)),
        queue_action=escape(reverse("web:queue_add", urlconf=urlconf)),
        mark_played=escape(_("Mark as played")),
        mark_unplayed=escape(_("Mark as unplayed")),
        play_next=escape(_("Play next")),
        add_to_queue=escape(_("Add to queue")),
    )


@receiver(setting_changed)
def _forget_row_texts(**kwargs: Any) -> None:
    """Tests that change languages or URL settings must not see old texts."""
    _row_texts.cache_clear()


def mark_text(position: int, total: int | None, finished: bool, texts: RowTexts | None = None) -> str:
    """'Played', '12 min left', or 'Resume at 20:00' when the length is unknown;
    '' for an episode not started. Minutes are rounded, and at least one."""
    texts = texts or row_texts()
    if finished:
        return texts.played
    if position <= 0:
        return ""
    if total and total > position:
        return texts.minutes_left % {"minutes": max(1, round((total - position) / 60))}
    return texts.resume % {"time": format_clock(position)}


def mark_html(progress: Position, duration: int | None = None, texts: RowTexts | None = None) -> str:
    """The mark of one position; its data-known-* attributes let the player compare it with the browser's."""
    total = progress.total or duration
    text = mark_text(progress.position, total, progress.finished, texts)
    state = "played" if progress.finished else "started" if progress.position > 0 else "new"
    share = 100 if progress.finished else (min(100, round(100 * progress.position / total)) if total else 0)
    bar = f'<progress max="100" value="{share}" aria-hidden="true"></progress>' if state != "new" else ""
    icon = '<span aria-hidden="true">✓ </span>' if progress.finished else ""
    total_data = f' data-total="{total}"' if total else ""
    return (
        f'<span class="listen-mark listen-mark--{state}" data-known-position="{progress.position}"'
        f' data-known-at="{iso_time(progress.timestamp)}"'
        f' data-known-finished="{"true" if progress.finished else "false"}"'
        f'{total_data}>{bar}<span class="listen-mark__text">{icon}{escape(text)}</span></span>'
    )


def _hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{name}" value="{escape(value)}">'


def played_forms(csrf_token: str, back: str, texts: RowTexts | None = None) -> Callable[[int, bool], str]:
    """The button that marks an episode played (or, once played, unplayed): a POST that works without JS.
    The form's fixed parts are made once per page; each row only adds its episode."""
    texts = texts or row_texts()
    head = (
        f'<form class="played-form" method="post" action="{texts.played_action}">'
        f"{_hidden('csrfmiddlewaretoken', csrf_token)}{_hidden('next', back)}"
    )
    tails = {
        played: f'<input type="hidden" name="played" value="{"0" if played else "1"}">'
        f'<button type="submit" class="link-button">'
        f"{texts.mark_unplayed if played else texts.mark_played}</button></form>"
        for played in (False, True)
    }
    return lambda episode_id, played: (
        f'{head}<input type="hidden" name="episode" value="{int(episode_id)}">{tails[played]}'
    )


def queue_form(csrf_token: str, back: str, texts: RowTexts | None = None) -> Callable[[int], str]:
    """A row's "Play next" and "Add to queue" buttons: one POST form to the queue that works without JS
    (queue.js sends it with fetch and announces the change). Made once per page, like `played_forms`."""
    texts = texts or row_texts()
    head = (
        f'<form class="queue-form" method="post" action="{texts.queue_action}">'
        f"{_hidden('csrfmiddlewaretoken', csrf_token)}{_hidden('next', back)}"
    )
    tail = (
        f'<button type="submit" name="where" value="next" class="link-button queue-form__next">'
        f"{texts.play_next}</button>"
        f'<button type="submit" name="where" value="last" class="link-button queue-form__last">'
        f"{texts.add_to_queue}</button></form>"
    )
    return lambda episode_id: f'{head}<input type="hidden" name="episode" value="{int(episode_id)}">{tail}'


def overlay(body: bytes, user: User, csrf_token: str, back: str) -> bytes:
    """Fill a page's placeholders with `user`'s follow buttons and marks: one query for all of them."""
    ids = {int(found) for found in _PLACEHOLDER.findall(body)}
    shows = {int(show_id): slug.decode() for show_id, slug in _FOLLOW_PLACEHOLDER.findall(body)}
    if not ids and not shows:
        return body
    followed, known = page_state(user, shows, ids)
    if shows:
        buttons = {
            show_id: follow_form(slug, show_id in followed, csrf_token, back).encode()
            for show_id, slug in shows.items()
        }
        body = _FOLLOW_PLACEHOLDER.sub(lambda match: buttons[int(match.group(1))], body)
    if not ids:
        return body
    texts = row_texts()
    form = played_forms(csrf_token, back, texts)
    queue = queue_form(csrf_token, back, texts)
    filled: dict[int, bytes] = {}
    for episode_id in ids:
        progress = known.get(episode_id)
        mark = mark_html(progress, texts=texts) if progress is not None else ""
        played = progress is not None and progress.finished
        filled[episode_id] = (mark + form(episode_id, played) + queue(episode_id)).encode()
    return _PLACEHOLDER.sub(lambda match: filled[int(match.group(1))], body)


class MarksMiddleware:
    """Fills a signed-in listener's follow buttons and marks into HTML pages (see the module's doc)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            not isinstance(user, User)
            or response.streaming
            or not response.get("Content-Type", "").startswith("text/html")
            or b"<!--lytt-" not in response.content
        ):
            return response
        response.content = overlay(response.content, user, page_token(request), request.get_full_path())
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response

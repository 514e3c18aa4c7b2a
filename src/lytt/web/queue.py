"""The listening queue ("Up next") on the website: its page and the small endpoints the player uses.

Signed in, the account's queue (`lytt.accounts.listening`) is the truth: `/me/queue/` lists it with a form
per row (move up, move down, remove) that works without JavaScript; `queue.js` reads `/me/queue.json` and
posts to the same endpoints with `Accept: application/json`, getting the new queue back. Signed out, the
queue lives in the browser (`queue.js`, localStorage) and the page only frames it; at sign-in the browser
posts it to `carry/`, which merges it into the account's (`listening.merged_queue`). Every change is a
CSRF-checked POST; answers are never cached.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from lytt.accounts import listening
from lytt.accounts.models import PlayProgress, QueueEntry
from lytt.web.formatting import iso_time
from lytt.web.media import playable_url

View = Callable[..., HttpResponse]


class QueueRequestError(ValueError):
    """A queue form or request with a missing or malformed field; the message names it."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def _uncached(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    patch_vary_headers(response, ["Cookie"])
    return response


def _listener(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_active else None


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _episode_id(request: HttpRequest, field: str = "episode", required: bool = True) -> int | None:
    raw = str(request.POST.get(field, "")).strip()
    if not raw and not required:
        return None
    if not raw.isdigit() or not 0 < int(raw) < 2**62:
        raise QueueRequestError(f"'{field}' must be an episode id, not {raw!r}", field)
    return int(raw)


def _index(request: HttpRequest) -> int:
    raw = str(request.POST.get("to", "")).strip()
    if not raw.lstrip("-").isdigit():
        raise QueueRequestError(f"'to' must be a place in the queue (0 is first), not {raw!r}", "to")
    return max(0, int(raw))


def _episode_ids(request: HttpRequest) -> list[int]:
    raw = str(request.POST.get("episodes", "")).strip()
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if not all(p.isdigit() and 0 < int(p) < 2**62 for p in parts):
        raise QueueRequestError(
            f"'episodes' must be episode ids separated by commas, not {raw[:80]!r}", "episodes"
        )
    return [int(p) for p in parts]


def _known(progress: PlayProgress | None) -> dict[str, Any] | None:
    if progress is None:
        return None
    return {"position": progress.position, "at": iso_time(progress.timestamp), "finished": progress.finished}


def queue_items(user: User) -> list[dict[str, Any]]:
    """The queue as the player plays it: what a row's play button carries (`lytt.web.marks.row_actions`)
    and the listener's newest position."""
    items = []
    for entry, progress in listening.queued_episodes(user):
        items.append(_item(entry, progress))
    return items


def _item(entry: QueueEntry, progress: PlayProgress | None) -> dict[str, Any]:
    episode = entry.episode
    show = episode.show
    return {
        "id": str(episode.pk),
        "title": episode.title,
        "show": show.title,
        "url": reverse("web:episode", args=[show.slug, episode.slug]),
        "src": playable_url(episode.enclosure_url),
        "artwork": playable_url(episode.image_url or show.image_url),
        "duration": episode.duration_seconds or 0,
        "known": _known(progress),
    }


def _queue_json(user: User, status: int = 200) -> HttpResponse:
    return _uncached(JsonResponse({"episodes": queue_items(user)}, status=status))


def _error(request: HttpRequest, message: str, field: str, status: int = 400) -> HttpResponse:
    return _uncached(JsonResponse({"error": {"message": message, "field": field}}, status=status))


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(str(target))
    return redirect("web:queue")


def _change(apply: Callable[[HttpRequest, User], object]) -> View:
    """A queue change behind a CSRF-checked POST: signed in only; the new queue as JSON for scripts, else
    back to `next` (or the queue page) for forms."""

    @require_POST
    def view(request: HttpRequest) -> HttpResponse:
        user = _listener(request)
        if user is None:
            if _wants_json(request):
                return _error(request, "sign in to keep a queue on your account", "user", 403)
            return redirect(f"{reverse('accounts:login')}?next={reverse('web:queue')}")
        try:
            apply(request, user)
        except (QueueRequestError, listening.ListeningError) as exc:
            return _error(request, str(exc), exc.field)
        return _queue_json(user) if _wants_json(request) else _back(request)

    view.__doc__ = apply.__doc__
    return view


def _add(request: HttpRequest, user: User) -> None:
    """Add `episode` to play next (`where=next`) or last; `playing`: the episode the player plays."""
    where = request.POST.get("where", "last")
    if where not in ("next", "last"):
        raise QueueRequestError(f"'where' must be 'next' or 'last', not {where!r}", "where")
    episode = _episode_id(request)
    assert episode is not None
    listening.add_to_queue(
        user, episode, "next" if where == "next" else "last", _episode_id(request, "playing", False)
    )


def _move(request: HttpRequest, user: User) -> None:
    """Move the queued `episode` to place `to` (0 is first), or, from scripts, right `before` or `after` a
    neighbour when that is still queued (`listening.queue_moved`)."""
    episode = _episode_id(request)
    assert episode is not None
    before = _episode_id(request, "before", False)
    after = _episode_id(request, "after", False)
    listening.move_in_queue(user, episode, _index(request), before=before, after=after)


def _remove(request: HttpRequest, user: User) -> None:
    """Take `episode` out of the queue (nothing happens when it is not there: the player removes an episode
    that ended whether it came from the queue or not)."""
    episode = _episode_id(request)
    assert episode is not None
    listening.remove_from_queue(user, episode)


def _clear(request: HttpRequest, user: User) -> None:
    """Empty the queue."""
    listening.clear_queue(user)


def _carry(request: HttpRequest, user: User) -> None:
    """Merge the queue this browser kept while signed out (`episodes`, ids in order) into the account's."""
    listening.carry_into_queue(user, _episode_ids(request))


queue_add = _change(_add)
queue_move = _change(_move)
queue_remove = _change(_remove)
queue_clear = _change(_clear)
queue_carry = _change(_carry)


@require_GET
def queue_json(request: HttpRequest) -> HttpResponse:
    """`{"episodes": [...]}`, first to play first (`queue_items`); 403 when signed out."""
    user = _listener(request)
    if user is None:
        return _error(request, "signed out, the queue is kept in the browser", "user", 403)
    return _queue_json(user)


@require_GET
def queue_page(request: HttpRequest) -> HttpResponse:
    """Up next: the account's queue with forms to reorder and remove, or, signed out, the frame queue.js
    fills from the browser's."""
    user = _listener(request)
    episodes = [entry.episode for entry, _ in listening.queued_episodes(user)] if user is not None else []
    response = render(request, "lytt/queue.html", {"episodes": episodes, "signed_in": user is not None})
    return _uncached(response)

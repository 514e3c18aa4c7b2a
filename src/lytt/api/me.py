"""The listener's own data under /api/v1/me/: queue, play progress and bookmarks.

A request is the listener's when it carries `Authorization: Bearer TOKEN` (a personal token from the
account page or `lytt user token NAME`) or the website's session cookie. A browser sends the cookie by
itself, so unsafe methods on the cookie need Django's CSRF token, as forms do; a bearer token is only ever
sent on purpose, so it needs none. Every query is filtered by the authenticated user: another listener's
bookmark id is a 404, never a 403, so ids reveal nothing. Changes go through `lytt.accounts.listening`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from ninja import Path, Query, Router
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from lytt.accounts import listening, tokens
from lytt.accounts.models import Bookmark, PlayProgress
from lytt.api.cursor import decode, encode
from lytt.api.errors import ApiError, RateLimited, error_response, error_responses, refuse_nul
from lytt.api.me_schemas import (
    BookmarkIn,
    BookmarkOut,
    BookmarkPage,
    ProgressPage,
    QueueAddIn,
    QueueIn,
    QueueOut,
)
from lytt.api.params import DateTime
from lytt.api.ratelimit import listener_limit
from lytt.catalog.media import public_media_url, site_root
from lytt.catalog.models import MAX_ID
from lytt.ratelimit import hit

MAX_LIMIT = 100
NOT_SIGNED_IN = "sign in, or send Authorization: Bearer TOKEN (make a token on your account page)"


class Unauthenticated(Exception):
    """No listener: answered with 401 and a `WWW-Authenticate: Bearer` challenge."""


def _admitted(request: HttpRequest, user: User) -> User:
    refuse_nul(request)
    decision = hit(f"user:{user.pk}", listener_limit())
    if not decision.allowed:
        raise RateLimited(decision.retry_after, decision.limit)
    return user


def bearer_token(request: HttpRequest) -> str | None:
    """The token of an `Authorization: Bearer` header (not one of a Podcast Index-style signed request)."""
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or "X-Auth-Key" in request.headers:
        return None
    return token.strip()


def token_user(token: str) -> User:
    """The listener a personal token belongs to; Unauthenticated (401) for an unknown or revoked one."""
    user = tokens.user_for_token(token)
    if user is None:
        raise Unauthenticated("unknown or revoked token")
    return user


class BearerToken(HttpBearer):
    """`Authorization: Bearer TOKEN` with a personal token."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        return _admitted(request, token_user(token.strip()))


class SessionCookie(APIKeyCookie):
    """The website's session; unsafe methods need the CSRF token (header X-CSRFToken), as Django forms do."""

    def __init__(self) -> None:
        self.param_name = settings.SESSION_COOKIE_NAME
        # CSRF is checked below, once the session is known to be signed in: without one the answer is 401.
        super().__init__(csrf=False)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if not key or not isinstance(user, User) or not user.is_active:
            return None
        if check_csrf(request) is not None:
            raise ApiError(403, "CSRF check failed: send the csrftoken cookie's value as X-CSRFToken")
        return _admitted(request, user)


router = Router(auth=[BearerToken(), SessionCookie()], tags=["me"])


def unauthenticated(message: str) -> HttpResponse:
    """401 with a `WWW-Authenticate: Bearer` challenge, for a request without a listener."""
    response = error_response(401, message)
    response["WWW-Authenticate"] = 'Bearer realm="Lytt"'
    return response


def _private(response: HttpResponse) -> None:
    """A listener's data: never kept by shared caches, and different per cookie or token."""
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Authorization", "Cookie"])


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def _listening_error(exc: listening.ListeningError) -> ApiError:
    return ApiError(400, str(exc), field=exc.field)


def _queue(request: HttpRequest) -> dict[str, Any]:
    """The queue as apps read it: enclosure URLs playable (sample audio under this site's root)."""
    root = site_root(request)
    episodes = []
    for entry, heard in listening.queued_episodes(_user(request)):
        episode = entry.episode
        episodes.append(
            {
                "id": episode.pk,
                "title": episode.title,
                "show_id": episode.show_id,
                "show_title": episode.show.title,
                "url": f"/podcast/{episode.show.slug}/{episode.slug}/",
                "enclosure_url": public_media_url(episode.enclosure_url, root),
                "enclosure_type": episode.enclosure_type,
                "duration_seconds": episode.duration_seconds,
                "position": heard.position if heard else 0,
                "finished": heard.finished if heard else False,
                "added_at": entry.added_at,
            }
        )
    return {"episodes": episodes}


@router.get("/queue", response={200: QueueOut, **error_responses()})
def get_queue(request: HttpRequest, response: HttpResponse) -> Any:
    """The listener's queue ("Up next"), first to play first."""
    _private(response)
    return _queue(request)


@router.put("/queue", response={200: QueueOut, **error_responses(403, 413)})
def put_queue(request: HttpRequest, response: HttpResponse, payload: QueueIn) -> Any:
    """Replace the whole queue: these episodes in this order; queued episodes left out are removed.
    400 names unknown or repeated ids."""
    _private(response)
    try:
        listening.replace_queue(_user(request), payload.episodes)
    except listening.ListeningError as exc:
        raise _listening_error(exc) from None
    return _queue(request)


@router.post("/queue", response={200: QueueOut, **error_responses(403, 413)})
def add_to_queue(request: HttpRequest, response: HttpResponse, payload: QueueAddIn) -> Any:
    """Add an episode to play next, or last. An episode already queued moves there (it is never in the
    queue twice). 400 for an unknown episode."""
    _private(response)
    try:
        listening.add_to_queue(_user(request), payload.episode, payload.position)
    except listening.ListeningError as exc:
        raise _listening_error(exc) from None
    return _queue(request)


@router.delete("/queue", response={204: None, **error_responses(403)})
def clear_queue(request: HttpRequest) -> Any:
    """Empty the queue. (To remove several episodes at once, PUT the queue without them: a body on
    DELETE has no defined meaning in HTTP, and some clients and proxies drop it.)"""
    listening.clear_queue(_user(request))
    return HttpResponse(status=204)


@router.delete("/queue/{episode_id}", response={204: None, **error_responses(403, 404)})
def remove_from_queue(request: HttpRequest, episode_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    """Take one episode out of the queue; 404 when it is not in it."""
    if not listening.remove_from_queue(_user(request), episode_id):
        raise ApiError(404, f"episode {episode_id} is not in the queue", field="episode_id")
    return HttpResponse(status=204)


@router.get("/progress", response={200: ProgressPage, **error_responses()})
def get_progress(
    request: HttpRequest,
    response: HttpResponse,
    since: DateTime | None = None,
    episode: int | None = Query(None, ge=1, le=MAX_ID),
    cursor: str | None = None,
    limit: int = Query(20, ge=1, le=MAX_LIMIT),
) -> Any:
    """Each episode's newest play position, most recently heard first. `since` keeps positions from that
    time on (by the client's clock, as apps report them; UTC when it has no offset); `episode` keeps one
    episode's."""
    _private(response)
    rows = PlayProgress.objects.filter(user=_user(request))
    if since is not None:
        rows = rows.filter(timestamp__gte=since if since.tzinfo else since.replace(tzinfo=UTC))
    if episode is not None:
        rows = rows.filter(episode_id=episode)
    if cursor:
        position = decode("progress", cursor)
        when, last_id = datetime.fromisoformat(str(position.get("t"))), int(position.get("id", 0))
        rows = rows.filter(Q(timestamp__lt=when) | Q(timestamp=when, pk__lt=last_id))
    page = list(rows.order_by("-timestamp", "-pk")[: limit + 1])
    next_cursor = None
    if len(page) > limit:
        last = page[limit - 1]
        next_cursor = encode("progress", {"t": last.timestamp.isoformat(), "id": last.pk})
    items = [
        {
            "episode_id": p.episode_id,
            "position": p.position,
            "total": p.total,
            "started": p.started,
            "finished": p.finished,
            "updated_at": p.timestamp,
        }
        for p in page[:limit]
    ]
    return {"items": items, "next_cursor": next_cursor}


def _bookmark(bookmark: Bookmark) -> dict[str, Any]:
    episode = bookmark.episode
    return {
        "id": bookmark.pk,
        "episode_id": episode.pk,
        "episode_title": episode.title,
        "show_title": episode.show.title,
        "url": f"/podcast/{episode.show.slug}/{episode.slug}/?t={bookmark.position}",
        "position": bookmark.position,
        "note": bookmark.note,
        "created_at": bookmark.created_at,
    }


@router.get("/bookmarks", response={200: BookmarkPage, **error_responses()})
def list_bookmarks(
    request: HttpRequest,
    response: HttpResponse,
    episode: int | None = Query(None, ge=1, le=MAX_ID),
    cursor: str | None = None,
    limit: int = Query(20, ge=1, le=MAX_LIMIT),
) -> Any:
    """The listener's bookmarks, newest first; `episode` keeps one episode's."""
    _private(response)
    rows = Bookmark.objects.filter(user=_user(request)).select_related("episode", "episode__show")
    if episode is not None:
        rows = rows.filter(episode_id=episode)
    if cursor:
        rows = rows.filter(pk__lt=int(decode("bookmarks", cursor).get("id", 0)))
    page = list(rows.order_by("-pk")[: limit + 1])
    next_cursor = encode("bookmarks", {"id": page[limit - 1].pk}) if len(page) > limit else None
    return {"items": [_bookmark(b) for b in page[:limit]], "next_cursor": next_cursor}


@router.post("/bookmarks", response={201: BookmarkOut, **error_responses(403, 413)})
def add_bookmark(request: HttpRequest, payload: BookmarkIn) -> Any:
    """Keep a moment of an episode, with an optional note. 400 for an unknown episode."""
    try:
        bookmark = listening.add_bookmark(_user(request), payload.episode, payload.position, payload.note)
    except listening.ListeningError as exc:
        raise _listening_error(exc) from None
    bookmark = Bookmark.objects.select_related("episode", "episode__show").get(pk=bookmark.pk)
    return 201, _bookmark(bookmark)


@router.delete("/bookmarks/{bookmark_id}", response={204: None, **error_responses(403, 404)})
def delete_bookmark(request: HttpRequest, bookmark_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    """Delete one of the listener's bookmarks; 404 when they have none with that id."""
    if not listening.delete_bookmark(_user(request), bookmark_id):
        raise ApiError(404, f"no bookmark with id {bookmark_id}", field="bookmark_id")
    return HttpResponse(status=204)

"""Bookmarks on the website: the listener's bookmarks page (every kept moment, newest first, each linking to
its time), and keeping or deleting one from an episode page.

The episode page's form works without JavaScript: it posts the episode, a time ("12:34") and a note, and
comes back to the page (``next``) with a message. bookmarks.js sends the same form with
``Accept: application/json`` and gets the new list item as HTML (one template for both), or the error and the
field at fault.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lytt.accounts import listening
from lytt.accounts.models import Bookmark
from lytt.accounts.views import _safe_next, _user
from lytt.catalog.models import Episode

PAGE = 200
MESSAGE_TAG = "bookmark"  # the episode page shows only the messages with this tag, beside the form


@login_required
@require_GET
def bookmarks_page(request: HttpRequest) -> HttpResponse:
    bookmarks = list(
        Bookmark.objects.filter(user=_user(request))
        .select_related("episode__show")
        .order_by("-created_at", "-id")[:PAGE]
    )
    return render(request, "accounts/bookmarks.html", {"bookmarks": bookmarks})


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    """To the page the form was on (its bookmarks section), else `fallback`."""
    target = _safe_next(request) or fallback
    return redirect(target.split("#", 1)[0] + "#bookmarks")


def episode_path(episode: Episode) -> str:
    return reverse("web:episode", args=[episode.show.slug, episode.slug])


def bookmark_item(request: HttpRequest, bookmark: Bookmark, episode: Episode, next_url: str) -> str:
    """One bookmark as the episode page lists it (accounts/_bookmark_item.html)."""
    context: dict[str, Any] = {"bookmark": bookmark, "episode_url": episode_path(episode), "next": next_url}
    return render_to_string("accounts/_bookmark_item.html", context, request=request)


@require_POST
def add_bookmark(request: HttpRequest) -> HttpResponse:
    """Keep a moment of an episode: ``episode`` (id), ``time`` ("12:34") and an optional ``note``."""
    raw = str(request.POST.get("episode", ""))
    episode = (
        Episode.objects.select_related("show").filter(pk=int(raw), show__hidden=False).first()
        if raw.isdigit() and len(raw) < 12
        else None
    )
    if not request.user.is_authenticated:
        if _wants_json(request):
            return JsonResponse({"error": "sign in to keep bookmarks"}, status=403)
        back = _safe_next(request) or (episode_path(episode) if episode else "/")
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': back})}")
    if episode is None:
        return JsonResponse({"error": f"no episode with id {raw[:20]!r}", "field": "episode"}, status=400)
    try:
        position = listening.bookmark_position(str(request.POST.get("time", "")))
        bookmark = listening.add_bookmark(
            _user(request), episode.pk, position, str(request.POST.get("note", ""))
        )
    except listening.ListeningError as exc:
        if _wants_json(request):
            return JsonResponse({"error": str(exc), "field": exc.field}, status=400)
        messages.error(request, _error_text(exc), extra_tags=MESSAGE_TAG)
        return _back(request, episode_path(episode))
    if _wants_json(request):
        next_url = _safe_next(request) or episode_path(episode)
        return JsonResponse(
            {
                "id": bookmark.pk,
                "episode": episode.pk,
                "position": bookmark.position,
                "note": bookmark.note,
                "html": bookmark_item(request, bookmark, episode, next_url),
            },
            status=201,
        )
    messages.success(request, _("The bookmark was kept."), extra_tags=MESSAGE_TAG)
    return _back(request, episode_path(episode))


def _error_text(exc: listening.ListeningError) -> str:
    if exc.field == "time":
        return _("The time must look like 12:34 or 1:02:03.")
    if exc.field == "note":
        return _("The note is too long (at most %(count)d characters).") % {"count": listening.MAX_NOTE}
    return _("The bookmark could not be kept.")


@login_required
@require_POST
def delete_bookmark(request: HttpRequest, bookmark_id: int) -> HttpResponse:
    """Delete one of the listener's bookmarks; back to ``next`` (an episode page), else the bookmarks page.
    For ``Accept: application/json``: 204, or 404 when they have none with that id."""
    deleted = listening.delete_bookmark(_user(request), bookmark_id)
    if _wants_json(request):
        return (
            HttpResponse(status=204) if deleted else JsonResponse({"error": "no such bookmark"}, status=404)
        )
    if deleted:
        messages.success(request, _("The bookmark was deleted."), extra_tags=MESSAGE_TAG)
    if _safe_next(request):
        return _back(request, reverse("accounts:bookmarks"))
    return redirect("accounts:bookmarks")

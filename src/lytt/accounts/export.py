"""A listener's data export (`/me/export.json`): everything Lytt keeps about their account, as JSON.

Episodes are named by catalogue id, title, show and enclosure URL, so that another app can match them
without Lytt. Tokens are listed by name only: their hashes are of no use to anyone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from lytt.accounts.models import ApiToken, Bookmark, EpisodeAction, Follow, PlayProgress, QueueEntry
from lytt.catalog.models import Episode

FORMAT_VERSION = 1


def _episode(episode: Episode) -> dict[str, Any]:
    return {
        "episode_id": episode.pk,
        "episode_title": episode.title,
        "show_title": episode.show.title,
        "enclosure_url": episode.enclosure_url,
        "guid": episode.guid,
    }


def export_data(user: User) -> dict[str, Any]:
    """The listener's data as JSON-ready values."""
    return {
        "format": "lytt-listener-export",
        "version": FORMAT_VERSION,
        "exported_at": timezone.now(),
        "account": {"username": user.username, "email": user.email, "joined": user.date_joined},
        "follows": [
            {"show": f.show.title, "page": f"/podcast/{f.show.slug}/", "since": f.created_at}
            for f in Follow.objects.filter(user=user).select_related("show").order_by("created_at", "id")
        ],
        "subscriptions": [
            {"url": url, "active": active, "since": since}
            for url, active, since in user.subscriptions.order_by("created_at", "id").values_list(
                "url", "active", "created_at"
            )
        ],
        "queue": [
            {**_episode(q.episode), "added_at": q.added_at}
            for q in QueueEntry.objects.filter(user=user).select_related("episode__show").order_by("position")
        ],
        "bookmarks": [
            {**_episode(b.episode), "position": b.position, "note": b.note, "created_at": b.created_at}
            for b in Bookmark.objects.filter(user=user).select_related("episode__show").order_by("created_at")
        ],
        "progress": [
            {
                **_episode(p.episode),
                "position": p.position,
                "total": p.total,
                "finished": p.finished,
                "updated_at": p.timestamp,
            }
            for p in PlayProgress.objects.filter(user=user)
            .select_related("episode__show")
            .order_by("timestamp")
        ],
        "episode_actions": [
            {
                "podcast": a.podcast_url,
                "episode": a.episode_url,
                "action": a.action,
                "timestamp": a.timestamp,
                "device": a.device.device_id if a.device else None,
                "started": a.started,
                "position": a.position,
                "total": a.total,
            }
            for a in EpisodeAction.objects.filter(user=user)
            .select_related("device")
            .order_by("timestamp", "id")
        ],
        "devices": [
            {"id": d.device_id, "caption": d.caption, "type": d.type}
            for d in user.devices.order_by("device_id")
        ],
        "api_tokens": [
            {"name": t.name, "created_at": t.created_at, "last_used_at": t.last_used_at}
            for t in ApiToken.objects.filter(user=user).order_by("created_at")
        ],
    }


@login_required
@require_GET
def export_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    response = JsonResponse(export_data(user), json_dumps_params={"ensure_ascii": False, "indent": 1})
    stamp = dt.date.today().isoformat()
    response["Content-Disposition"] = f'attachment; filename="lytt-{user.get_username()}-{stamp}.json"'
    return response

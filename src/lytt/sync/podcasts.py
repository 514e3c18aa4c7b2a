"""Podcast and episode objects in gpodder.net's JSON shapes, built from catalogue rows."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from lytt.catalog.media import public_media_url, site_root
from lytt.catalog.models import Episode, Show


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def podcast_json(request: HttpRequest, url: str, show: Show | None, subscribers: int) -> dict[str, Any]:
    """gpodder.net's podcast object. A feed not crawled yet has only its URL."""
    if show is None:
        return {
            "url": url,
            "title": "",
            "author": "",
            "description": "",
            "website": "",
            "subscribers": subscribers,
            "subscribers_last_week": subscribers,
            "logo_url": None,
            "scaled_logo_url": None,
            "mygpo_link": "",
        }
    return {
        "url": url,
        "title": show.title,
        "author": show.author,
        "description": show.description_text,
        "website": show.link,
        "subscribers": subscribers,
        # Lytt keeps no weekly snapshots of follower counts; the current count stands in for it.
        "subscribers_last_week": subscribers,
        "logo_url": public_media_url(show.image_url, site_root(request)) or None,
        "scaled_logo_url": public_media_url(show.image_url, site_root(request)) or None,
        "mygpo_link": _absolute(request, f"/podcast/{show.slug}/"),
    }


def episode_json(request: HttpRequest, episode: Episode, podcast_url: str) -> dict[str, Any]:
    """gpodder.net's episode object (episode data and the updates API)."""
    return {
        "title": episode.title,
        "url": public_media_url(episode.enclosure_url, site_root(request)),
        "podcast_title": episode.show.title,
        "podcast_url": podcast_url,
        "description": episode.description_text,
        "website": episode.link,
        "released": episode.published_at.strftime("%Y-%m-%dT%H:%M:%S") if episode.published_at else None,
        "mygpo_link": _absolute(request, f"/podcast/{episode.show.slug}/{episode.slug}/"),
    }

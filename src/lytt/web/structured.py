"""schema.org JSON-LD for show and episode pages (PodcastSeries, PodcastEpisode)."""

from __future__ import annotations

import json
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from lytt.web.formatting import excerpt, iso_duration

_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def ld_json(data: dict[str, Any]) -> SafeString:
    """A <script type="application/ld+json"> element; <, > and & are escaped so no text can end it."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{body}</script>')  # escaped above


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def series(
    *, name: str, url: str, description: str, image: str, author: str, feed_url: str | None
) -> dict[str, Any]:
    return _clean(
        {
            "@context": "https://schema.org",
            "@type": "PodcastSeries",
            "name": name,
            "url": url,
            "description": excerpt(description, 500),
            "image": image,
            "author": {"@type": "Person", "name": author} if author else None,
            "webFeed": feed_url,
        }
    )


def episode(
    *,
    name: str,
    url: str,
    description: str,
    date_published: str | None,
    duration_seconds: int | None,
    audio_url: str,
    audio_type: str,
    image: str,
    series_name: str,
    series_url: str,
    episode_number: int | None,
) -> dict[str, Any]:
    media = _clean({"@type": "AudioObject", "contentUrl": audio_url, "encodingFormat": audio_type})
    return _clean(
        {
            "@context": "https://schema.org",
            "@type": "PodcastEpisode",
            "name": name,
            "url": url,
            "description": excerpt(description, 500),
            "datePublished": date_published,
            "timeRequired": iso_duration(duration_seconds),
            "episodeNumber": episode_number,
            "image": image,
            "associatedMedia": media if audio_url else None,
            "partOfSeries": {"@type": "PodcastSeries", "name": series_name, "url": series_url},
        }
    )

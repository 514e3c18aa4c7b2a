"""URLs of artwork and audio as the browser should fetch them (`lytt.catalog.media` maps sample files)."""

from __future__ import annotations

from django.http import HttpRequest

from lytt.catalog.media import public_media_url, sample_path, site_root


def playable_url(url: str | None, request: HttpRequest | None = None) -> str:
    """`url`, or for a sample file its URL on this site: absolute with a request, root-relative without."""
    if not url or not url.lower().startswith(("https://", "http://")):
        return ""  # javascript:, data: and the like never become a link or a source
    if request is None:
        return sample_path(url) or url
    return public_media_url(url, site_root(request))

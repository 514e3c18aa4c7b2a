"""URLs of artwork and audio as the browser should fetch them.

The bundled sample catalogue's feeds name their files under `SAMPLE_ORIGIN` (a reserved `.invalid` host:
nothing outside can ever resolve it); pages rewrite those to the running server's static files, so the
sample plays offline whatever host and port `lytt serve` listens on.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.templatetags.static import static

SAMPLE_ORIGIN = "https://sample.lytt.invalid/"


def playable_url(url: str | None, request: HttpRequest | None = None) -> str:
    """`url`, or for a sample file its static URL: absolute with a request, root-relative without."""
    if not url or not url.lower().startswith(("https://", "http://")):
        return ""  # javascript:, data: and the like never become a link or a source
    if url.startswith(SAMPLE_ORIGIN):
        path = static("lytt/sample/" + url[len(SAMPLE_ORIGIN) :])
        return request.build_absolute_uri(path) if request is not None else path
    return url

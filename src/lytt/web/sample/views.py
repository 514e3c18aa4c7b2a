"""Serve the sample catalogue's generated audio (`audio.py`) with byte ranges (`lytt.web.ranges`), and its
feeds, with their sample URLs published under this site, so podcast apps can subscribe to them."""

from __future__ import annotations

import hashlib
import re

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils.html import escape
from django.views.decorators.http import require_safe

from lytt.catalog.media import SAMPLE_ORIGIN, public_media_url, site_root
from lytt.web.ranges import answer_range
from lytt.web.sample import audio
from lytt.web.sample.loader import FEEDS_DIR

_SAMPLE_URL = re.compile(re.escape(SAMPLE_ORIGIN.encode()) + rb"[^\s\"'<>]*")
FEED_CONTENT_TYPE = "application/rss+xml; charset=utf-8"

# The bytes are a pure function of the URL: any cache may keep them. Not `public`, so the in-process page
# cache (`lytt.web.pagecache`), which is for pages, passes them through.
_CACHE_CONTROL = "max-age=86400"


@require_safe
def sample_audio(request: HttpRequest, tone: str, seconds: int) -> HttpResponseBase:
    try:
        audio.check(tone, seconds)
    except audio.SampleAudioError as exc:
        raise Http404(str(exc)) from exc
    etag = f'"{tone}-{seconds}-{audio.VERSION}"'
    size = audio.wav_size(seconds)
    if_range = request.headers.get("If-Range")
    answer = answer_range(request.headers.get("Range"), size, if_range_ok=if_range in (None, etag))
    response: HttpResponseBase
    if answer.status == 416 or request.method == "HEAD":
        response = HttpResponse(status=answer.status, content_type=audio.CONTENT_TYPE)
    else:
        response = StreamingHttpResponse(
            audio.iter_wav(tone, seconds, answer.start, answer.stop),
            status=answer.status,
            content_type=audio.CONTENT_TYPE,
        )
    response["Content-Length"] = str(answer.stop - answer.start)
    if answer.content_range is not None:
        response["Content-Range"] = answer.content_range
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Cache-Control"] = _CACHE_CONTROL
    response["Access-Control-Allow-Origin"] = "*"  # any web player may fetch it, as from a podcast host
    return response


def published_feed(data: bytes, root: str) -> bytes:
    """A bundled feed as this site publishes it: every sample URL (self link, artwork, audio, chapters,
    transcripts) made absolute under `root` (`lytt.catalog.media.public_media_url`), XML-escaped."""

    def publish(match: re.Match[bytes]) -> bytes:
        return str(escape(public_media_url(match.group().decode(), root))).encode()

    return _SAMPLE_URL.sub(publish, data)


@require_safe
def sample_feed(request: HttpRequest, name: str) -> HttpResponse:
    path = FEEDS_DIR / f"{name}.xml"
    if not path.is_file() or path.parent != FEEDS_DIR:
        raise Http404(f"no sample feed named {name!r}")
    body = published_feed(path.read_bytes(), site_root(request))
    response = HttpResponse(body, content_type=FEED_CONTENT_TYPE)
    response["ETag"] = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    response["Cache-Control"] = "max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"  # web podcast players may read it, as any public feed
    return response

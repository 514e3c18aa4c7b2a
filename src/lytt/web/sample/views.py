"""Serve the sample catalogue's generated audio (`audio.py`) with byte ranges (`lytt.web.ranges`)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.views.decorators.http import require_safe

from lytt.web.ranges import answer_range
from lytt.web.sample import audio

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

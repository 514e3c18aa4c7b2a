"""Sample audio from a real HTTP server: byte ranges over the wire (httpx) and playback in real Chromium.

Uses the live server of `test_browser` (WhiteNoise in the middleware, as in production), on SQLite and on
PostgreSQL, with the bundled sample catalogue loaded through the real parser and ingest.
"""

from __future__ import annotations

import io
import time
import wave
from typing import Any

import httpx
import pytest
from tests.web.test_browser import browser, lytt_server, reference_url  # noqa: F401 (fixtures)

from lytt.catalog.models import Episode

LONG = "Neither Free Nor Fair"  # 1:27:12 in its feed


def _episode(title: str) -> Episode:
    return Episode.objects.select_related("show").get(title=title)


def test_sample_audio_over_http(lytt_server: str, reference_url: str) -> None:  # noqa: F811
    episode = _episode(LONG)
    api = httpx.get(f"{lytt_server}/api/v1/episodes/{episode.pk}", timeout=10).json()
    url = api["enclosure_url"]
    assert url == f"{lytt_server}/sample/audio/tone-a/5232.wav"
    page = httpx.get(f"{lytt_server}/podcast/{episode.show.slug}/{episode.slug}/", timeout=10).text
    assert f'data-src="{url}"' in page
    size = api["enclosure_length"]

    head = httpx.head(url, timeout=10)
    assert head.status_code == 200
    assert int(head.headers["content-length"]) == size == 44 + 8000 * 5232
    assert (head.headers["content-type"], head.headers["accept-ranges"]) == ("audio/wav", "bytes")
    assert head.content == b""

    first = httpx.get(url, headers={"Range": "bytes=0-43"}, timeout=10)
    assert (first.status_code, first.headers["content-range"]) == (206, f"bytes 0-43/{size}")
    with wave.open(io.BytesIO(first.content)) as reader:
        assert reader.getnframes() / reader.getframerate() == api["duration_seconds"] == 5232

    started = time.monotonic()
    last_minute = httpx.get(url, headers={"Range": f"bytes={size - 480_000}-"}, timeout=10)
    assert time.monotonic() - started < 5  # the end of an hour and a half, not the hour and a half
    assert last_minute.status_code == 206
    assert last_minute.headers["content-range"] == f"bytes {size - 480_000}-{size - 1}/{size}"
    assert len(last_minute.content) == 480_000

    partial_head = httpx.head(url, headers={"Range": "bytes=100-"}, timeout=10)
    assert (partial_head.status_code, partial_head.headers["content-length"]) == (206, str(size - 100))

    beyond = httpx.get(url, headers={"Range": f"bytes={size}-{size + 10}"}, timeout=10)
    assert (beyond.status_code, beyond.headers["content-range"]) == (416, f"bytes */{size}")

    with httpx.stream("GET", url, headers={"Range": "bytes=0-9,100-109"}, timeout=10) as several:
        assert several.status_code == 200  # several ranges: the whole file, which RFC 9110 allows
        assert int(several.headers["content-length"]) == size
        assert len(next(several.iter_bytes())) > 0


@pytest.mark.browser
def test_chromium_plays_and_seeks_to_the_end_of_a_long_sample(
    browser: Any,  # noqa: F811
    lytt_server: str,  # noqa: F811
    reference_url: str,  # noqa: F811
) -> None:
    episode = _episode(LONG)
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{lytt_server}/podcast/{episode.show.slug}/{episode.slug}/")
    assert "1h 27min" in page.locator("main").inner_text()
    audio = "document.getElementById('lytt-audio')"

    page.locator(".play-episode").click()
    page.wait_for_function(f"{audio}.currentTime > 0.3 && !{audio}.paused", timeout=10_000)
    assert abs(page.evaluate(f"{audio}.duration") - 5232) < 1  # 1:27:12, as the page says
    assert page.evaluate(f"{audio}.src").endswith("/sample/audio/tone-a/5232.wav")

    # Seek to 1h 10min and near the end: Chromium asks for a byte range there, and playback goes on.
    for target in (70 * 60, 5232 - 20):
        page.evaluate(f"{audio}.currentTime = {target}")
        page.wait_for_function(f"!{audio}.seeking && {audio}.currentTime > {target} + 1", timeout=15_000)
        assert page.evaluate(f"{audio}.currentTime") < target + 15
    assert not page.evaluate(f"{audio}.paused")
    page.wait_for_function(f"{audio}.ended || {audio}.currentTime > 5232 - 1", timeout=30_000)
    assert not errors
    context.close()

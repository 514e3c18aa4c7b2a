from __future__ import annotations

import pytest
from django.test import RequestFactory

from lytt.web.media import SAMPLE_ORIGIN, playable_url


def test_sample_files_resolve_to_static_urls() -> None:
    assert playable_url(SAMPLE_ORIGIN + "tone-a.wav") == "/static/lytt/sample/tone-a.wav"
    request = RequestFactory().get("/", HTTP_HOST="lytt.example:8000")
    assert (
        playable_url(SAMPLE_ORIGIN + "x.png", request) == "http://lytt.example:8000/static/lytt/sample/x.png"
    )


def test_other_urls_pass_through() -> None:
    assert playable_url("https://cdn.example/a.mp3") == "https://cdn.example/a.mp3"
    assert playable_url("HTTP://cdn.example/a.mp3") == "HTTP://cdn.example/a.mp3"


@pytest.mark.parametrize(
    "url", [None, "", "javascript:alert(1)", "data:text/html,x", "//evil.example/x", "ftp://x/y"]
)
def test_unsafe_or_empty_urls_become_empty(url: str | None) -> None:
    assert playable_url(url) == ""

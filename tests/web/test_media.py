from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from lytt.web.media import playable_url

SAMPLE = "https://sample.lytt.invalid/"


def test_sample_files_resolve_to_this_site() -> None:
    assert playable_url(SAMPLE + "audio/tone-a/60.wav") == "/sample/audio/tone-a/60.wav"
    assert playable_url(SAMPLE + "x.png") == "/static/lytt/sample/x.png"
    request = RequestFactory().get("/", HTTP_HOST="lytt.example:8000")
    assert playable_url(SAMPLE + "x.png", request) == "http://lytt.example:8000/static/lytt/sample/x.png"
    assert (
        playable_url(SAMPLE + "audio/tone-b/4512.wav", request)
        == "http://lytt.example:8000/sample/audio/tone-b/4512.wav"
    )


@override_settings(LYTT_PUBLIC_ROOT="https://lytt.example.org/")
def test_the_public_url_wins_over_the_request_host() -> None:
    request = RequestFactory().get("/", HTTP_HOST="10.0.0.5:8000")
    assert (
        playable_url(SAMPLE + "audio/tone-a/60.wav", request)
        == "https://lytt.example.org/sample/audio/tone-a/60.wav"
    )


def test_other_urls_pass_through() -> None:
    assert playable_url("https://cdn.example/a.mp3") == "https://cdn.example/a.mp3"
    assert playable_url("HTTP://cdn.example/a.mp3") == "HTTP://cdn.example/a.mp3"
    request = RequestFactory().get("/", HTTP_HOST="lytt.example")
    assert playable_url("https://cdn.example/a.mp3", request) == "https://cdn.example/a.mp3"


@pytest.mark.parametrize(
    "url", [None, "", "javascript:alert(1)", "data:text/html,x", "//evil.example/x", "ftp://x/y"]
)
def test_unsafe_or_empty_urls_become_empty(url: str | None) -> None:
    assert playable_url(url) == ""

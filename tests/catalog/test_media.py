"""Sample media URLs: stored under a reserved host, published under the site's root, and back."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from lytt.catalog.media import SAMPLE_ORIGIN, public_media_url, sample_path, site_root, stored_media_url

ROOT = "https://lytt.example.org/"


@pytest.mark.parametrize(
    ("stored", "path"),
    [
        (SAMPLE_ORIGIN + "audio/tone-a/5232.wav", "/sample/audio/tone-a/5232.wav"),
        (SAMPLE_ORIGIN + "kodekveld.png", "/static/lytt/sample/kodekveld.png"),
        ("https://cdn.example/a.mp3", None),
        ("https://sample.lytt.invalid.example/a.mp3", None),
        ("", None),
    ],
)
def test_sample_path(stored: str, path: str | None) -> None:
    assert sample_path(stored) == path


def test_public_and_stored_urls_are_inverse_for_sample_audio() -> None:
    stored = SAMPLE_ORIGIN + "audio/tone-b/600.wav"
    public = public_media_url(stored, ROOT)
    assert public == "https://lytt.example.org/sample/audio/tone-b/600.wav"
    assert stored_media_url(public, ROOT) == stored
    assert public_media_url("https://cdn.example/a.mp3", ROOT) == "https://cdn.example/a.mp3"
    assert stored_media_url("https://cdn.example/a.mp3", ROOT) == "https://cdn.example/a.mp3"
    assert stored_media_url("https://elsewhere.example/sample/audio/tone-b/600.wav", ROOT).startswith(
        "https://else"
    )
    assert public_media_url("", ROOT) == ""


def test_site_root_is_the_public_url_else_the_request_host() -> None:
    request = RequestFactory().get("/podcast/x/", HTTP_HOST="192.168.1.20:8000")
    assert site_root(request) == "http://192.168.1.20:8000/"
    with override_settings(LYTT_PUBLIC_ROOT=ROOT):
        assert site_root(request) == ROOT


@pytest.mark.parametrize(
    ("url", "alias"),
    [
        (
            "https://lytt.example/sample/feeds/kodekveld.xml",
            "https://sample.lytt.invalid/feeds/kodekveld.xml",
        ),
        (
            "http://intranet:8000/lytt/sample/audio/tone-a/60.wav",
            "https://sample.lytt.invalid/audio/tone-a/60.wav",
        ),
        ("https://lytt.example/sample/feeds/", None),
        ("https://lytt.example/sample/feeds/x.xml?token=1", None),
        ("https://lytt.example/sample/feeds/../x.xml", None),
        ("https://feeds.example/kodekveld.xml", None),
        ("ftp://lytt.example/sample/feeds/kodekveld.xml", None),
    ],
)
def test_sample_alias_names_the_stored_sample_url(url: str, alias: str | None) -> None:
    from lytt.catalog.media import sample_alias

    assert sample_alias(url) == alias

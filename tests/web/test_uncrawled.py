"""A show listed from the Podcast Index dump says, in both languages, that its feed has not been read."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from tests.catalog.pidumps import pi_row, write_rows

from lytt.catalog.models import FeedSource, Show
from lytt.catalog.podcastindex import import_dump
from lytt.catalog.podcastindex_dump import open_dump

pytestmark = pytest.mark.django_db
ENGLISH = "Lytt has not read this show's feed yet. Its episodes appear here after the first crawl."
BOKMAL = (
    "Lytt har ikke lest strømmen til denne podkasten ennå. Episodene kommer her etter første gjennomgang."
)


def page(client: Client, slug: str, language: str) -> str:
    response = client.get(f"/podcast/{slug}/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_the_show_page_says_the_feed_awaits_its_first_crawl(client: Client, tmp_path: Path) -> None:
    cache.clear()
    with open_dump(write_rows(tmp_path / "dump.db", [pi_row(1, title="Fjellpodden")])) as dump:
        import_dump(dump)
    show = Show.objects.get()
    english, norwegian = page(client, show.slug, "en"), page(client, show.slug, "nb")
    assert "<h1>Fjellpodden</h1>" in english
    assert ENGLISH in english
    assert BOKMAL in norwegian
    assert "https://feeds.example.com/1.xml" in english  # the feed link is there already
    FeedSource.objects.update(status="active", last_success_at=timezone.now())
    Show.objects.update(updated_at=timezone.now() + timedelta(seconds=1))  # as an ingest would
    assert ENGLISH not in page(client, show.slug, "en")

"""The bundled sample catalogue in the gpodder.net directory: listed like any live feed on a fresh
install, found by the real mygpoclient's PublicClient, and never shown to the operator as dead."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from mygpoclient import public

from lytt.catalog.models import Category, FeedSource
from lytt.cli import main
from lytt.search import rebuild
from lytt.web.sample import load_sample_catalogue

KODEKVELD = "http://testserver/sample/feeds/kodekveld.xml"  # served by Lytt, under the site's root
STORED = "https://sample.lytt.invalid/feeds/kodekveld.xml"  # the bundled source's own URL


@pytest.fixture
def sample(db: None) -> None:
    from lytt.catalog.taxonomy import sync_categories

    sync_categories(Category)  # a transactional test (live server) flushes the migration's taxonomy
    assert load_sample_catalogue().loaded
    rebuild()


@pytest.mark.django_db
def test_every_directory_list_includes_the_sample_shows(sample: None) -> None:
    client = Client()
    found = client.get("/search.json", {"q": "kodekveld"}).json()
    assert [p["url"] for p in found] == [KODEKVELD]
    assert found[0]["title"] == "Kodekveld"
    assert found[0]["logo_url"].startswith("http://testserver/static/")  # published under the site
    top = client.get("/toplist/100.json").json()
    assert len(top) == FeedSource.objects.count() == 7
    assert all(p["url"].startswith("http://testserver/sample/feeds/") for p in top)
    tags = client.get("/api/2/tags/50.json").json()
    assert tags
    tagged = client.get(f"/api/2/tag/{tags[0]['tag']}/50.json").json()
    assert len(tagged) == tags[0]["usage"]
    for url in (KODEKVELD, STORED):
        data = client.get("/api/2/data/podcast.json", {"url": url})
        assert (data.status_code, data.json()["title"]) == (200, "Kodekveld")
    assert KODEKVELD in client.get("/toplist/10.txt").content.decode()


@pytest.mark.django_db
def test_sample_feeds_look_bundled_not_dead_to_the_operator(
    sample: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert set(FeedSource.objects.values_list("status", flat=True)) == {FeedSource.Status.BUNDLED}
    assert main(["feeds"]) == 0
    out = capsys.readouterr().out
    assert out.count("│ bundled │") == 7  # the status column of every row
    assert "│ retired " not in out
    assert "│ error " not in out
    assert main(["feeds", "--status", "bundled"]) == 0
    assert "7 feed(s)" in capsys.readouterr().out
    assert main(["feeds", "--failing"]) == 0
    assert "0 feed(s)" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_gpodders_public_client_finds_a_sample_show_on_a_fresh_install(
    sample: None, live_server: Any
) -> None:
    client = public.PublicClient(root_url=live_server.url)
    found = client.search_podcasts("kodekveld")
    served = f"{live_server.url}/sample/feeds/kodekveld.xml"
    assert [(p.url, p.title) for p in found] == [(served, "Kodekveld")]
    assert found[0].logo_url.startswith(live_server.url)
    toplist = client.get_toplist(count=10)
    assert served in {p.url for p in toplist}
    tags = client.get_toptags(count=5)
    assert tags
    assert client.get_podcasts_of_a_tag(tags[0].tag, count=50)
    assert client.get_podcast_data(served).title == "Kodekveld"

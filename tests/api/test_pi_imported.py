"""The Podcast Index endpoints answer for shows imported from the Podcast Index dump, before any crawl:
by iTunes id and by podcast GUID, which only the dump gives."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from tests.api.conftest import call
from tests.api.pi_shapes import check
from tests.catalog.pidumps import pi_row, write_rows

from lytt.catalog.podcastindex import import_dump
from lytt.catalog.podcastindex_dump import open_dump

pytestmark = pytest.mark.django_db
Signed = Callable[..., dict[str, str]]
GUID = "917393e3-1b1e-5cef-ace4-edaa54e1f810"


@pytest.fixture
def imported(tmp_path: Path) -> None:
    rows = [
        pi_row(1, title="Fjellpodden", itunesId=1441923632, podcastGuid=GUID),
        pi_row(2, title="Without ids", itunesId="", podcastGuid=None),
        pi_row(3, title="Dead one", itunesId=555, dead=1),
    ]
    with open_dump(write_rows(tmp_path / "dump.db", rows)) as dump:
        import_dump(dump)


def test_byitunesid_finds_the_imported_show(client: Client, imported: None, signed: Signed) -> None:
    status, body = call(client, "podcasts/byitunesid", signed(), id=1441923632)
    assert status == 200
    check("/podcasts/byitunesid", body)
    feed = body["feed"]
    assert (feed["title"], feed["itunesId"], feed["podcastGuid"]) == ("Fjellpodden", 1441923632, GUID)
    assert (feed["url"], feed["episodeCount"], feed["dead"]) == ("https://feeds.example.com/1.xml", 0, 0)
    assert call(client, "podcasts/byitunesid", signed(), id=555)[1]["feed"] == {}  # dead: not listed


def test_byguid_finds_the_imported_show(client: Client, imported: None, signed: Signed) -> None:
    status, body = call(client, "podcasts/byguid", signed(), guid=GUID.upper())
    assert status == 200
    by_itunes = call(client, "podcasts/byitunesid", signed(), id=1441923632)[1]  # the spec's shape, held
    assert body["feed"] == by_itunes["feed"]  # (pi_shapes has no podcasts/byguid of its own)
    assert (body["feed"]["title"], body["feed"]["itunesId"]) == ("Fjellpodden", 1441923632)


def test_aponly_keeps_the_feeds_with_an_itunes_id(client: Client, imported: None, signed: Signed) -> None:
    every = call(client, "search/byterm", signed(), q="fjellpodden without")[1]
    assert call(client, "search/byterm", signed(), q="fjellpodden")[1]["count"] == 1
    found = call(client, "search/byterm", signed(), q="fjellpodden", aponly="")[1]
    assert [f["itunesId"] for f in found["feeds"]] == [1441923632]
    without = call(client, "search/byterm", signed(), q="without", aponly="")[1]
    assert (without["count"], every["status"]) == (0, "true")

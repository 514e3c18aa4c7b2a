"""Podcast Index endpoints against the upstream spec (Podcastindex-org/docs-api, docs/pi_api.json).

Each test pins one place where Lytt used to differ from the spec: a parameter's range or meaning, a
field's type, or what an error or a miss looks like.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.api.conftest import call, make_episode, make_show

from lytt.api.podcastindex import views
from lytt.search import rebuild

pytestmark = pytest.mark.django_db
Signed = Callable[..., dict[str, str]]


def test_401_body_is_a_json_string(client: Client, catalogue: dict[str, Any], signed: Signed) -> None:
    response = client.get("/api/1.0/stats/current", **signed(date="12"))  # type: ignore[arg-type]
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert isinstance(json.loads(response.content), str)


def test_missing_user_agent_is_401_as_for_the_other_security_headers(
    client: Client, catalogue: dict[str, Any], signed: Signed
) -> None:
    headers = {k: v for k, v in signed().items() if k != "HTTP_USER_AGENT"}
    response = client.get("/api/1.0/stats/current", **headers)  # type: ignore[arg-type]
    assert response.status_code == 401
    assert "User-Agent" in response.json()


@pytest.mark.parametrize("path", ["search/byterm", "search/bytitle", "search/byperson"])
def test_search_max_goes_to_1000(
    client: Client, catalogue: dict[str, Any], signed: Signed, path: str
) -> None:
    status, body = call(client, path, signed(), q="python", max=1000)
    assert status == 200
    assert body["status"] == "true"
    assert call(client, path, signed(), q="python", max=1001)[0] == 400


def test_search_reads_past_one_engine_page(
    client: Client, catalogue: dict[str, Any], signed: Signed, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_show("Python bytes", feed_url="https://example.com/bytes.xml")
    make_show("Python weekly", feed_url="https://example.com/weekly.xml")
    rebuild()
    monkeypatch.setattr(views, "MAX_LIMIT", 2)
    body = call(client, "search/byterm", signed(), q="python", max=3)[1]
    assert body["count"] == 3
    assert len({f["id"] for f in body["feeds"]}) == 3


def test_val_filters_by_value_block_type_and_any_means_any_block(
    client: Client, catalogue: dict[str, Any], signed: Signed, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_show("Python without value", feed_url="https://example.com/novalue.xml")
    make_show("Python on hive", extra={"value": {"type": "hive", "method": "hive", "recipients": []}})
    rebuild()

    def titles(**params: Any) -> set[str]:
        return {f["title"] for f in call(client, "search/byterm", signed(), q="python", **params)[1]["feeds"]}

    assert titles() == {"Talk Python To Me", "Python without value", "Python on hive"}
    assert titles(val="any") == {"Talk Python To Me", "Python on hive"}
    assert titles(val="lightning") == {"Talk Python To Me"}
    assert titles(val="HIVE") == {"Python on hive"}
    assert titles(val="webmonetization") == set()
    # The filter reads on past feeds it drops instead of answering fewer than `max`.
    monkeypatch.setattr(views, "MAX_LIMIT", 1)
    assert len(titles(val="any", max=2)) == 2


def test_aponly_finds_no_feeds_as_lytt_has_no_itunes_ids_and_similar_is_accepted(
    client: Client, catalogue: dict[str, Any], signed: Signed
) -> None:
    body = call(client, "search/byterm", signed(), q="python", aponly="")[1]
    assert (body["status"], body["feeds"], body["count"]) == ("true", [], 0)
    assert call(client, "search/byterm", signed(), q="python", aponly="false")[1]["count"] == 1
    assert call(client, "search/byterm", signed(), q="python", similar="")[1]["count"] == 1
    assert call(client, "search/bytitle", signed(), q="python", similar="true")[1]["count"] == 1


@pytest.mark.parametrize(("value", "count"), [("", 0), ("1", 0), ("true", 0), ("True", 0), ("false", 1)])
def test_flags_take_no_value_or_a_boolean(
    client: Client, catalogue: dict[str, Any], signed: Signed, value: str, count: int
) -> None:
    assert call(client, "search/byterm", signed(), q="valg", clean=value)[1]["count"] == count


def test_pretty_indents_and_refuses_non_booleans(
    client: Client, catalogue: dict[str, Any], signed: Signed
) -> None:
    pretty = client.get("/api/1.0/stats/current", {"pretty": ""}, **signed())  # type: ignore[arg-type]
    assert b'\n  "status": "true"' in pretty.content
    status, body = call(client, "stats/current", signed(), pretty="-58800")
    assert (status, body["status"]) == (400, "false")


def test_feed_value_and_funding_are_null_when_the_feed_has_none(
    client: Client, catalogue: dict[str, Any], signed: Signed
) -> None:
    feed = call(client, "podcasts/byfeedid", signed(), id=catalogue["valg"].pk)[1]["feed"]
    assert feed["value"] is None
    assert feed["funding"] is None
    found = call(client, "search/byterm", signed(), q="valg")[1]["feeds"][0]
    assert found["value"] is None
    assert found["funding"] is None


def test_episode_soundbite_and_value_are_null_when_absent(
    client: Client, catalogue: dict[str, Any], signed: Signed
) -> None:
    valg_episode = catalogue["episodes"][3]
    episode = call(client, "episodes/byid", signed(), id=valg_episode.pk)[1]["episode"]
    assert episode["soundbite"] is None
    assert episode["soundbites"] == []
    assert episode["value"] is None
    python_episode = call(client, "episodes/byid", signed(), id=catalogue["episodes"][0].pk)[1]["episode"]
    assert python_episode["value"]["model"]["type"] == "lightning"  # the feed's block


def test_transcript_types_are_the_specs_enum(
    client: Client, catalogue: dict[str, Any], signed: Signed
) -> None:
    episode = make_episode(
        catalogue["python"],
        "Transcribed",
        transcripts=[
            {"url": "https://example.com/t.xml", "type": "application/xml"},
            {"url": "https://example.com/t.srt", "type": "application/x-subrip"},
            {"url": "https://example.com/t.json", "type": "application/json"},
        ],
    )
    item = call(client, "episodes/byid", signed(), id=episode.pk)[1]["episode"]
    assert item["transcripts"] == [
        {"url": "https://example.com/t.srt", "type": "application/srt"},
        {"url": "https://example.com/t.json", "type": "application/json"},
    ]
    assert item["transcriptUrl"] == "https://example.com/t.xml"


def test_misses_answer_empty_objects_and_episode_byid_id_is_an_integer(
    client: Client, catalogue: dict[str, Any], signed: Signed
) -> None:
    for path, params in [
        ("podcasts/byfeedid", {"id": 999999}),
        ("podcasts/byfeedurl", {"url": "https://example.com/nothing.xml"}),
        ("podcasts/byguid", {"guid": "00000000-0000-0000-0000-000000000000"}),
    ]:
        status, body = call(client, path, signed(), **params)
        assert (status, body["status"], body["feed"]) == (200, "true", {})
    body = call(client, "episodes/byid", signed(), id=999999)[1]
    assert body["id"] == 999999
    assert body["episode"] == {}
    found = call(client, "episodes/byid", signed(), id=catalogue["episodes"][0].pk)[1]
    assert found["id"] == catalogue["episodes"][0].pk
    body = call(client, "episodes/byguid", signed(), guid="nope", feedid=catalogue["python"].pk)[1]
    assert body["episode"] == {}
    assert body["id"] == str(catalogue["python"].pk)


def test_episodes_byfeedid_newest_keeps_each_feeds_latest_episode(
    client: Client, catalogue: dict[str, Any], signed: Signed
) -> None:
    ids = f"{catalogue['python'].pk},{catalogue['valg'].pk}"
    body = call(client, "episodes/byfeedid", signed(), id=ids, newest="")[1]
    assert [i["title"] for i in body["items"]] == ["Python packaging", "Partilederdebatten"]
    assert body["query"] == [str(catalogue["python"].pk), str(catalogue["valg"].pk)]
    assert call(client, "episodes/byfeedid", signed(), id=ids, newest="false")[1]["count"] == 4
    # With `since`, the newest episode since then: none for a feed with nothing that recent.
    since = int(catalogue["episodes"][0].published_at.timestamp()) - 1
    body = call(client, "episodes/byfeedid", signed(), id=ids, newest="", since=since)[1]
    assert [i["title"] for i in body["items"]] == ["Python packaging"]


def test_lang_unknown_means_feeds_without_a_language(
    client: Client, catalogue: dict[str, Any], signed: Signed
) -> None:
    make_show("No language", language="", latest_episode_at=timezone.now() - timedelta(days=2))

    def titles(path: str, **params: Any) -> set[str]:
        return {f["title"] for f in call(client, path, signed(), **params)[1]["feeds"]}

    assert titles("recent/feeds", lang="unknown") == {"No language"}
    assert titles("recent/feeds", lang="NB,Unknown") == {"No language", "Valgkamp"}
    assert titles("podcasts/trending", lang="unknown") <= {"No language"}
    assert "No language" not in titles("recent/feeds", lang="en")


def test_unknown_categories_match_nothing_in_cat_and_exclude_nothing_in_notcat(
    client: Client, catalogue: dict[str, Any], signed: Signed
) -> None:
    status, body = call(client, "recent/feeds", signed(), cat="nonsense")
    assert (status, body["feeds"], body["count"]) == (200, [], 0)
    assert call(client, "recent/feeds", signed(), notcat="nonsense")[1]["count"] == 2
    assert call(client, "podcasts/trending", signed(), cat="nonsense")[1]["feeds"] == []


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("podcasts/byfeedid", {"id": "-1"}),
        ("podcasts/byfeedid", {"id": "9" * 25}),
        ("episodes/byid", {"id": "-1"}),
        ("episodes/byid", {"id": "9" * 25}),
        ("episodes/byfeedid", {"id": "-5," + "9" * 25}),
        ("episodes/byguid", {"guid": "guid-1", "feedid": "9" * 25}),
        ("podcasts/trending", {"since": "9" * 25}),
        ("recent/feeds", {"since": "9" * 25}),
        ("episodes/byfeedid", {"id": "1", "since": "9" * 25}),
        ("recent/episodes", {"before": "0"}),
        ("recent/episodes", {"before": "-9" + "9" * 25}),
    ],
)
def test_integers_no_row_or_date_can_have_find_nothing(
    client: Client, catalogue: dict[str, Any], signed: Signed, path: str, params: dict[str, str]
) -> None:
    """The spec types these as plain integers: any integer is a valid request, answered with no match."""
    status, body = call(client, path, signed(), **params)
    assert status == 200
    assert body["status"] == "true"
    found = [body[key] for key in ("feed", "episode", "feeds", "items") if key in body]
    assert found == [type(value)() for value in found]


def test_integers_past_either_end_still_work_as_bounds(
    client: Client, catalogue: dict[str, Any], signed: Signed
) -> None:
    assert call(client, "recent/feeds", signed(), since="-" + "9" * 25)[1]["count"] == 2
    assert call(client, "recent/episodes", signed(), before="9" * 25)[1]["count"] == 3


@pytest.mark.parametrize(
    ("path", "params", "empty"),
    [
        ("search/byterm", {"q": ""}, "feeds"),
        ("search/bytitle", {"q": " "}, "feeds"),
        ("search/byperson", {"q": ""}, "items"),
        ("podcasts/byfeedurl", {"url": ""}, "feed"),
        ("podcasts/byguid", {"guid": ""}, "feed"),
        ("episodes/byfeedid", {"id": ""}, "items"),
        ("episodes/byguid", {"guid": "", "feedid": "1"}, "episode"),
    ],
)
def test_required_text_sent_empty_finds_nothing(
    client: Client, catalogue: dict[str, Any], signed: Signed, path: str, params: dict[str, str], empty: str
) -> None:
    """An empty string is a string the spec allows; only a parameter left out is a 400."""
    make_show("No guid at all", podcast_guid="")
    status, body = call(client, path, signed(), **params)
    assert (status, body["status"]) == (200, "true")
    assert not body[empty]
    status, body = call(client, path, signed(), **{k: v for k, v in params.items() if v.strip()})
    assert (status, body["status"]) == (400, "false")


def test_byperson_also_finds_people_named_in_titles_descriptions_and_feed_authors(
    client: Client, catalogue: dict[str, Any], signed: Signed
) -> None:
    make_episode(catalogue["valg"], "Valgvake", description_text="Med Jonas Gahr Støre i studio.")
    rebuild()

    def titles(q: str) -> set[str]:
        return {i["title"] for i in call(client, "search/byperson", signed(), q=q)[1]["items"]}

    assert titles("Brett Cannon") == {"Python packaging"}  # a podcast:person tag
    assert titles("Jonas Gahr Støre") == {"Valgvake"}  # only in the description
    assert {"Python packaging", "Django at scale"} <= titles("Michael Kennedy")  # the feed's author

"""The row builder in C (`_crows`, from _crows.c) against the Python one it stands in for
(`rows.python_episode_row`): the same row, or the same error, for every item.

The tests that need the extension skip when it is not built, except under CI (CI=true) and the test
command (LYTT_REQUIRE_C=1), where a missing extension fails them.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import examples
from tests.feeds.conftest import c_reader_required

from lytt.catalog import rows
from lytt.feeds import parse_feed
from lytt.feeds.model import (
    AlternateEnclosure,
    Chapter,
    Chapters,
    Enclosure,
    Episode,
    License,
    Location,
    Person,
    Soundbite,
    Transcript,
    Txt,
)

CI = c_reader_required()
C_ROW = rows.C_EPISODE_ROW

pytestmark = pytest.mark.skipif(
    C_ROW is None and not CI,
    reason="the C extension _crows is not built or is turned off (LYTT_PURE_PYTHON=1)",
)

ROOT = Path(__file__).resolve().parents[2]
FEEDS = [
    *sorted((ROOT / "src/lytt/web/sample/feeds").glob("*.xml")),
    *sorted((ROOT / "tests/feeds/data").glob("*.xml")),
]


def outcome(build: Callable[[Episode], Any], item: Episode) -> Any:
    """A build's row, or the type and text of what it raised."""
    try:
        return build(item)
    except Exception as exc:
        return (type(exc), str(exc))


def assert_same_row(item: Episode) -> Any:
    assert C_ROW is not None, "the C extension lytt.catalog._crows is not built"
    python = outcome(rows.python_episode_row, item)
    assert outcome(C_ROW, item) == python
    return python


def test_the_c_builder_is_the_one_in_use() -> None:
    assert rows.episode_row is C_ROW


@pytest.mark.parametrize("path", FEEDS, ids=lambda path: path.name)
def test_same_rows_for_every_item_of_the_test_feeds(path: Path) -> None:
    feed = parse_feed(path.read_bytes(), url=f"https://example.com/{path.name}")
    assert feed.episodes
    for item in feed.episodes:
        assert isinstance(assert_same_row(item), rows.EpisodeRow)


# Text with what the cleaning rules act on: NULs, surrounding whitespace (ASCII and not), non-ASCII
# letters, lone surrogates (orjson refuses them; the hash then takes another path), long runs.
_PIECES = st.sampled_from(
    [
        "a",
        "Ø",
        "æ",
        "é",
        "😀",
        " ",
        "\t",
        "\n",
        "\x00",
        "\u00a0",
        "\u2003",
        "\x1c",
        "-",
        "_",
        ".",
        "&",
        "\ud800",
    ]
)
TEXT = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.lists(_PIECES, max_size=12).map("".join),
    st.integers(0, 2500).map(lambda n: "word " * n),
)
NUMBER = st.one_of(
    st.none(),
    st.integers(-(2**64), 2**64),
    st.sampled_from([0, 2**31 - 1, 2**31, -(2**31) + 1, -(2**31), 2**63 - 1, 2**63, -1]),
)
WHEN = st.one_of(st.none(), st.datetimes(timezones=st.just(UTC)))


@st.composite
def items(draw: st.DrawFn) -> Episode:
    """Items shaped as the parser makes them, each field often empty and sometimes at its limits."""
    maybe = lambda strategy: draw(st.one_of(st.none(), strategy))  # noqa: E731
    item = Episode(
        guid=draw(TEXT),
        title=draw(TEXT),
        link=draw(TEXT),
        published=draw(WHEN),
        published_raw=draw(TEXT),
        duration_seconds=draw(NUMBER),
        enclosure=maybe(st.builds(Enclosure, url=st.text(max_size=8), type=TEXT, length=NUMBER)),
        episode_number=draw(NUMBER),
        season=draw(NUMBER),
        episode_type=draw(st.sampled_from([None, "full", "trailer", "bonus", ""])),
        explicit=draw(st.sampled_from([None, True, False])),
        block=draw(st.booleans()),
        image=draw(TEXT),
        author=draw(TEXT),
        subtitle=draw(TEXT),
        keywords=draw(st.lists(st.text(max_size=5), max_size=3)),
        description_html=draw(TEXT),
        transcripts=draw(st.lists(st.builds(Transcript, url=st.text(max_size=5), type=TEXT), max_size=2)),
        chapters=maybe(
            st.builds(
                Chapters,
                url=TEXT,
                type=TEXT,
                inline=st.lists(st.builds(Chapter, start_seconds=st.floats(0, 1e4), title=TEXT), max_size=2),
            )
        ),
        persons=draw(st.lists(st.builds(Person, name=st.text(max_size=6), role=TEXT, href=TEXT), max_size=2)),
        soundbites=draw(
            st.lists(st.builds(Soundbite, start_seconds=st.floats(0, 100), duration_seconds=st.floats(0, 60)))
        ),
        location=maybe(st.builds(Location, name=st.text(max_size=5))),
        license=maybe(st.builds(License, name=st.text(max_size=5))),
        images=draw(st.lists(st.text(max_size=5), max_size=2)),
        txt=draw(st.lists(st.builds(Txt, text=st.text(max_size=5)), max_size=1)),
        alternate_enclosures=draw(
            st.lists(st.builds(AlternateEnclosure, sources=st.lists(st.text(max_size=4))), max_size=1)
        ),
        episode_display=draw(TEXT),
        season_name=draw(TEXT),
    )
    if draw(st.booleans()):
        item.description_text = draw(TEXT)
    return item


@settings(max_examples=examples(400), suppress_health_check=[HealthCheck.too_slow])
@given(items())
def test_same_row_for_generated_items(item: Episode) -> None:
    assert_same_row(item)


@given(st.text(alphabet=st.characters(max_codepoint=127), min_size=1, max_size=300))
def test_same_slug_for_ascii_titles(title: str) -> None:
    row = assert_same_row(Episode(guid="g", title=title))
    assert row.slug_base == rows.slug_base(row.title, rows.EPISODE_SLUG_MAX, "episode")


@pytest.mark.parametrize(
    "title",
    [
        "-_ _-",  # nothing left: the fallback
        "__init__ -- a talk",
        "word " * 30,  # cut at the last dash before 120 characters
        "x" * 130,  # no dash to cut at
        "a" * 119 + "-" + "b" * 5,
        "a" * 120,
        "Hva er \x1cgalt med\x1f oss?",
    ],
)
def test_same_slug_at_the_edges(title: str) -> None:
    assert_same_row(Episode(guid="g", title=title))


@pytest.mark.parametrize(
    "item",
    [
        Episode(),  # nothing to identify it by
        Episode(guid="  \t"),  # a blank guid: the enclosure, then title and date decide
        Episode(guid=" ", enclosure=Enclosure(url="https://x/1.mp3")),
        Episode(title="Only a title", published=datetime(2024, 5, 21, tzinfo=UTC)),
        Episode(published_raw="someday"),
        Episode(guid="g", title="", published_raw="  "),  # the title falls back twice
    ],
    ids=repr,
)
def test_same_keys_and_titles_without_a_guid(item: Episode) -> None:
    assert_same_row(item)


@pytest.mark.parametrize(
    "item",
    [
        Episode(guid="g", duration_seconds=12.5),  # type: ignore[arg-type]
        Episode(guid="g", season=True),  # type: ignore[arg-type]
        Episode(guid="g", title=b"bytes"),  # type: ignore[arg-type]
        Episode(guid=42),  # type: ignore[arg-type]
        Episode(guid="g", enclosure=Enclosure(url=None)),  # type: ignore[arg-type]
        Episode(guid="g", author=0),  # type: ignore[arg-type]
        Episode(guid="g", keywords=[{"a": 1}, ("t", None), 2.5]),  # type: ignore[list-item]
    ],
    ids=repr,
)
def test_values_of_other_types_get_what_python_gives(item: Episode) -> None:
    # Not what the parser makes; the C code hands such an item to Python whole, or a value to its helper.
    assert_same_row(item)


def test_the_rows_of_a_feed_are_the_same_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    feed = parse_feed(FEEDS[0].read_bytes())
    with_c = rows.episode_rows(feed)
    monkeypatch.setattr(rows, "episode_row", rows.python_episode_row)
    assert rows.episode_rows(feed) == with_c


def test_a_field_list_the_c_code_was_not_written_for_is_refused() -> None:
    from lytt.catalog import _crows

    arguments: dict[str, Any] = {
        "python_row": rows.python_episode_row,
        "match_key": rows.match_key,
        "content_hash": rows.content_hash,
        "person_rows": rows.person_rows,
        "jsonable": rows._jsonable,
        "slug_base": rows.slug_base,
        "sha256": __import__("hashlib").sha256,
        "row_type": rows.EpisodeRow,
        "fields": (*rows.EPISODE_FIELDS, "new_field"),
        "extra": rows._EPISODE_EXTRA,
        "unset": rows._UNSET,
        "slug_table": rows._ASCII_SLUG,
        "slug_dropped": rows._ASCII_DROPPED,
    }
    with pytest.raises(TypeError, match="EPISODE_FIELDS"):
        _crows.configure(**arguments)
    with pytest.raises(ValueError, match="256 bytes"):
        _crows.configure(**(arguments | {"fields": rows.EPISODE_FIELDS, "slug_table": b"short"}))
    assert rows.episode_row(Episode(guid="still configured")) is not None


def test_pure_python_turns_the_c_builder_off() -> None:
    code = "from lytt.catalog import rows; print(rows.episode_row is rows.python_episode_row)"
    env = {"LYTT_PURE_PYTHON": "1", "PATH": ""}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "True"

"""Podcasting 2.0 JSON chapters files."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lytt.feeds import AttachmentError, AttachmentTooLarge, Chapter, parse_chapters

URL = "https://cdn.example/show/ep1/chapters.json"


def test_chapters_in_order_with_resolved_links_and_toc_false_left_out() -> None:
    data = json.dumps(
        {
            "version": "1.2.0",
            "chapters": [
                {
                    "startTime": 95.5,
                    "title": "News &amp; <b>views</b>",
                    "img": "img/2.jpg",
                    "url": "https://x.example/",
                },
                {"startTime": 0, "title": "Intro", "endTime": 95.5},
                {
                    "startTime": 50,
                    "title": "Silent art change",
                    "toc": False,
                    "img": "https://cdn.example/a.png",
                },
                {"startTime": 120, "url": "javascript:alert(1)"},
                {"title": "no start"},
                "not an object",
            ],
        }
    ).encode()
    assert parse_chapters(data, url=URL) == [
        Chapter(0.0, "Intro", None, None),
        Chapter(95.5, "News & views", "https://x.example/", "https://cdn.example/show/ep1/img/2.jpg"),
        Chapter(120.0, None, None, None),
    ]


def test_empty_chapters_list_is_an_empty_table() -> None:
    assert parse_chapters(b'{"version": "1.2.0", "chapters": []}', url=URL) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not valid JSON"),
        (b"<html>", "not valid JSON"),
        (b'{"version": "1.2.0"}', 'no "chapters" list'),
        (b'{"chapters": {"a": 1}}', 'no "chapters" list'),
        (b"[]", "not an object"),
    ],
)
def test_bad_files_name_the_url(data: bytes, message: str) -> None:
    with pytest.raises(AttachmentError, match=message) as raised:
        parse_chapters(data, url=URL)
    assert str(raised.value).startswith(URL)


def test_caps() -> None:
    with pytest.raises(AttachmentTooLarge, match="byte cap"):
        parse_chapters(b" " * 101, url=URL, max_bytes=100)
    many = json.dumps({"chapters": [{"startTime": i} for i in range(11)]}).encode()
    with pytest.raises(AttachmentTooLarge, match="more than 10 chapters"):
        parse_chapters(many, url=URL, max_chapters=10)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(["chapters", "startTime", "title", "img", "url", "toc"]), inner, max_size=4
            )
        ),
        max_leaves=20,
    )
)
def test_any_json_gives_sorted_chapters_or_an_error(document: object) -> None:
    try:
        chapters = parse_chapters(json.dumps(document).encode(), url=URL)
    except AttachmentError:
        return
    starts = [chapter.start_seconds for chapter in chapters]
    assert starts == sorted(set(starts))
    assert all(start >= 0 for start in starts)

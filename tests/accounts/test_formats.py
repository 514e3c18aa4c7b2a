"""Subscription list formats (pure)."""

from __future__ import annotations

import pytest

from lytt.accounts.formats import FormatError, opml_document, urls_from_json, urls_from_opml, urls_from_text


def test_opml_round_trip() -> None:
    doc = opml_document("Mine", [("Dagens & co", "https://a.org/f?x=1&y=2"), ("B", "https://b.org/f")])
    assert urls_from_opml(doc) == (["https://a.org/f?x=1&y=2", "https://b.org/f"], [])


def test_opml_nested_and_rejected() -> None:
    doc = (
        b'<opml version="1.0"><body><outline text="group"><outline xmlUrl="https://a.org/f"/>'
        b'<outline xmlUrl="mailto:x@y"/></outline><outline text="no url"/></body></opml>'
    )
    assert urls_from_opml(doc) == (["https://a.org/f"], ["mailto:x@y"])


def test_opml_entities_are_not_expanded() -> None:
    doc = (
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<opml><body><outline xmlUrl="https://a.org/&x;"/></body></opml>'
    )
    accepted, _rejected = urls_from_opml(doc)
    assert all("root:" not in url for url in accepted)


@pytest.mark.parametrize("doc", [b"", b"<opml", b"<rss/>"])
def test_opml_errors(doc: bytes) -> None:
    with pytest.raises(FormatError):
        urls_from_opml(doc)


def test_json_and_text() -> None:
    assert urls_from_json(b'["https://a.org/f", "https://a.org/f", "x"]') == (["https://a.org/f"], ["x"])
    assert urls_from_text(b"https://a.org/f\r\n\r\nhttps://b.org/f\n") == (
        ["https://a.org/f", "https://b.org/f"],
        [],
    )
    with pytest.raises(FormatError):
        urls_from_json(b'{"a": 1}')
    with pytest.raises(FormatError):
        urls_from_text(b"\xff\xfe")


def test_opml_as_apps_export_it_is_read_but_a_cut_document_is_refused() -> None:
    exported = b'<opml version="2.0"><body><outline text="Caf&eacute;" xmlUrl="https://a.org/f?a=1&b=2"/></body></opml>'
    assert urls_from_opml(exported) == (["https://a.org/f?a=1&b=2"], [])
    with pytest.raises(FormatError, match="line 1"):
        urls_from_opml(exported[:-20])

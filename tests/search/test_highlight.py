"""Highlighting: escape first, then <mark> the matching words."""

from __future__ import annotations

from lytt.search.highlight import highlight, snippet


def test_marks_matching_words_case_and_diacritics_insensitively() -> None:
    assert highlight("Kaffe på Café Ørn", [("cafe", False), ("ørn", False)]) == (
        "Kaffe på <mark>Café</mark> <mark>Ørn</mark>"
    )


def test_escapes_html_in_the_text_and_never_marks_markup() -> None:
    html = highlight('<script>alert("x")</script> script', [("script", False)])
    assert "<script>" not in html
    assert html == (
        "&lt;<mark>script</mark>&gt;alert(&quot;x&quot;)&lt;/<mark>script</mark>&gt; <mark>script</mark>"
    )


def test_prefix_and_stem_like_matches() -> None:
    assert (
        highlight("Podcasting podcasts", [("pod", True)]) == "<mark>Podcasting</mark> <mark>podcasts</mark>"
    )
    assert highlight("fotballen", [("fotball", False)]) == "<mark>fotballen</mark>"
    assert highlight("pod", [("podcast", False)]) == "pod"


def test_snippet_centres_on_the_first_match_with_ellipses() -> None:
    words = " ".join(f"w{i}" for i in range(100))
    text = f"{words} needle {words}"
    result = snippet(text, [("needle", False)], size=10)
    assert result.startswith("… ")
    assert result.endswith(" …")
    assert "<mark>needle</mark>" in result
    assert len(result.split()) <= 14


def test_snippet_of_empty_text() -> None:
    assert snippet("", [("x", False)]) == ""
    assert snippet("short text", []) == "short text"

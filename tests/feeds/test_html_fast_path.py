"""Show notes' verified fast path (notes already inside the safe subset skip nh3) and notes_text, the text
of notes sanitised earlier."""

from __future__ import annotations

import re
import time
from unittest import mock

import nh3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.feeds.test_html import assert_safe

from lytt.feeds import html as html_module
from lytt.feeds import notes_text as notes_text_module
from lytt.feeds import safe_notes as safe_notes_module
from lytt.feeds.html import sanitize_html, sanitize_with_text
from lytt.feeds.html_text import html_to_text
from lytt.feeds.notes_text import notes_text

REL = 'rel="noopener noreferrer nofollow"'


def clean(html: str, base_url: str | None = None) -> str:
    result = sanitize_html(html, base_url=base_url)
    assert result is not None
    return result


# --- the verified fast path: notes already inside the safe subset skip nh3 --------------------------------

BASE = "https://ex.com/feed.xml"
_CANONICAL = nh3.Cleaner(
    tags=set(html_module.ALLOWED_TAGS),
    attributes={tag: set(attrs) for tag, attrs in html_module.ALLOWED_ATTRIBUTES.items()},
    link_rel=safe_notes_module.LINK_REL,
    url_schemes=set(html_module.URL_SCHEMES),
)


def via_nh3(html: str, base_url: str | None = BASE) -> tuple[str | None, str | None]:
    """The two-step result of before the fast path: nh3 on everything, then html_to_text of its output."""
    with mock.patch.object(safe_notes_module, "_safe_notes", return_value=None):
        cleaned = sanitize_html(html, base_url=base_url)
    return cleaned, html_to_text(cleaned)


def assert_same_as_nh3(html: str, base_url: str | None = BASE) -> tuple[str | None, str | None]:
    """The one-pass result means what nh3's does (equal once both are serialised by nh3), same text."""
    fast_html, fast_text = sanitize_with_text(html, base_url=base_url)
    slow_html, slow_text = via_nh3(html, base_url)
    assert fast_text == slow_text
    assert (fast_html is None) == (slow_html is None)
    if fast_html is not None and slow_html is not None:
        assert _CANONICAL.clean(fast_html) == _CANONICAL.clean(slow_html)
        assert all(REL in link for link in re.findall(r"<a\b[^>]*>", fast_html))
    return fast_html, fast_text


ACCEPTED = [
    "<p>In this episode: <strong>news</strong> &amp; <em>views</em>.</p>",
    '<p>Read <a href="https://ex.com/a?b=1&amp;c=2" title="The &amp; article">the article</a>.</p>',
    "<p>a</p>\n<ul><li>00:00 Intro</li><li>03:12 <b>Main</b></li></ul>\n<p>b</p>",
    "<ol><li>one<ul><li>nested</li></ul></li><li>two</li></ol>",
    "<dl><dt>Host</dt><dd>Ann</dd><dd>Bo</dd><dt>Guest</dt><dd>Cy</dd></dl>",
    "<h1>Big</h1><h2>Less</h2><h3>Small</h3><p>x</p>",
    "<blockquote><p>quoted</p></blockquote><pre>code  here</pre><hr><p>after</p>",
    "<div><p>one<br>two<br/>three<br />four</p></div>",
    '<p><img src="https://cdn.ex.com/a.png" alt="A" title="T"> caption</p><img src=\'https://ex.com/b\'/>',
    "<a>no href</a> and <a href='mailto:me@ex.com'>mail</a> and <a href=\"http://ex.com:8080/x#y\" >x</a>",
    "<p>a &gt; b &lt; c &nbsp; &ndash; &#39;quoted&#39; &hearts; Tom & Jerry > them</p>",
    '<p><a href="https://ex.com"><strong>bold link</strong></a><sub>2</sub><sup>3</sup></p>',
    "<span>only inline</span> <small>s</small> <code>c</code> <u>u</u> <s>s</s> <i>i</i>",
    "<p>\n  Whitespace\t\tinside\r\n  and <b> around </b>  \n</p>",
    '<p><a\nhref="https://ex.com/n">newline</a> <a\r\nhref="https://ex.com/r"\n>crlf</a></p>',
]

REJECTED = [
    "<p>x<ul><li>y</li></ul></p>",  # a list closes the paragraph in HTML5
    "<p>one<p>two</p></p>",
    "<b><i>x</b></i>",  # misnested
    "<p>open",
    "</div><p>x</p><div>",  # would close the page's element
    "<li>outside a list</li>",
    "<ul><li>a<li>b</li></li></ul>",
    "<dt>outside</dt>",
    '<a href="https://a.com"><a href="https://b.com">x</a></a>',
    "<h3>a<h4>b</h4></h3>",
    '<p class="x">attribute</p>',
    '<a href="https://ex.com" onclick="alert(1)">x</a>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="/relative">x</a>',
    '<a href="HTTPS://EX.COM">x</a>',
    '<a href="https://ex.com/&quot;x">x</a>',
    '<a href="https://xn--bad.com/">x</a>',
    '<a href="https://1.2.3.999/">x</a>',
    "<a href=https://ex.com>x</a>",
    '<a\thref="https://ex.com">x</a>',
    '<img src="https://ex.com/a.png" onerror="alert(1)">',
    "<P>upper</P>",
    "<p>x<!-- comment --></p>",
    "<p>x<script>alert(1)</script></p>",
    "<p>3 < 4</p>",
    "<table><tr><td>x</td></tr></table>",
    "</br>",
    "<pre>\n\nindented</pre>",  # HTML5 drops the first line break; nh3 decides what is left
]


@pytest.mark.parametrize("html", ACCEPTED)
def test_notes_in_the_safe_subset_take_the_fast_path(html: str) -> None:
    assert safe_notes_module._safe_parts(html) is not None
    assert_same_as_nh3(html)
    assert_same_as_nh3(html, None)


@pytest.mark.parametrize("html", REJECTED)
def test_notes_outside_the_safe_subset_go_to_nh3(html: str) -> None:
    assert safe_notes_module._safe_parts(html) is None
    assert sanitize_with_text(html, base_url=BASE) == via_nh3(html)


def test_fast_path_output_is_nh3_byte_for_byte_on_canonical_input() -> None:
    html = (
        '<p>Intro <a href="https://ex.com/x?a=1&amp;b=2" title="t">link</a>, <a>bare</a>.</p>'
        "<ul><li>one</li><li>two</li></ul><h2>Credits</h2>"
    )
    assert sanitize_with_text(html) == via_nh3(html, None)
    assert sanitize_html(html) == via_nh3(html, None)[0]


_PIECES = st.sampled_from(
    [
        '<a\nhref="https://ex.com/n">', '<a\r\ntitle="t">',
        "<p>", "</p>", "<b>", "</b>", "<em>", "</em>", "<ul>", "</ul>", "<ol>", "</ol>", "<li>", "</li>",
        "<div>", "</div>", "<h1>", "</h1>", "<h3>", "</h3>", "<blockquote>", "</blockquote>", "<pre>",
        "</pre>", "<dl>", "</dl>", "<dt>", "</dt>", "<dd>", "</dd>", "<br>", "<br/>", "<hr>", "</a>",
        '<a href="https://ex.com/p?q=1&amp;r=2">', '<a title="x">', "<a>", '<a href="/rel">',
        '<a href="javascript:alert(1)">', '<a href="https://ex.com" onclick="alert(1)">',
        '<img src="https://ex.com/i.png" alt="i">', '<img src="x" onerror="alert(1)">',
        "<script>SECRET()</script>", "<style>SECRET{}</style>", "<!-- SECRET -->", "<table><td>",
        '<span style="x">', "</span>", "<P>", "</P>", "&amp;", "&lt;", "&gt;", "&nbsp;", "&ndash;",
        "&#39;", " ", "\n", "\n\n", "\t", "\u00a0", "word", "Tom & Jerry", "a > b", "<", ">", "é",
    ]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(_PIECES, max_size=24).map("".join))
def test_one_pass_notes_equal_the_two_step_result(html: str) -> None:
    out_html, out_text = assert_same_as_nh3(html)
    assert_safe(out_html)
    if out_text is not None:
        assert "SECRET" not in out_text
        if "&lt;" not in html and not re.search("<(?![a-zA-Z/!])", html):  # a stray "<" is text
            for tag in ("<p>", "<b>", "<li>", "<a ", "<a>", "<img", "<script", "<style", "<!--", "<span"):
                assert tag not in out_text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([p for p in ACCEPTED if "<a>" not in p]), min_size=1, max_size=6))
def test_safe_notes_concatenated_stay_on_the_fast_path(pieces: list[str]) -> None:
    html = "".join(pieces)
    assert safe_notes_module._safe_parts(html) is not None
    assert_same_as_nh3(html)


_LEAVES = st.sampled_from(
    ["word", " ", "\n", "Tom &amp; Jerry", "a > b", "&nbsp;", "&eacute;", "<br>", "<hr>", "é", "\t",
     '<img src="https://ex.com/i.png" alt="i">']
)  # fmt: skip
_ELEMENTS = ("p", "b", "em", "ul", "ol", "li", "div", "h1", "h3", "blockquote", "pre", "dl", "dt", "dd", "a")


def _element(tag: str, children: list[str]) -> str:
    start = '<a href="https://ex.com/x">' if tag == "a" else f"<{tag}>"
    return start + "".join(children) + f"</{tag}>"


_TREES = st.recursive(
    _LEAVES,
    lambda children: st.builds(_element, st.sampled_from(_ELEMENTS), st.lists(children, max_size=4)),
    max_leaves=24,
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_TREES, max_size=4).map("".join))
def test_balanced_trees_mean_the_same_on_both_paths(html: str) -> None:
    """Balanced markup, allowed tags in any nesting: some the HTML5 tree builder would rearrange (a list
    in a paragraph), which the fast path must leave to nh3; either way the result is nh3's."""
    assert_same_as_nh3(html)


def test_deeply_nested_notes_leave_the_fast_path_and_stay_fast() -> None:
    deep = "<b>" * 20_000 + "x" + "</b>" * 20_000
    shallow = "<b>" * 20 + "x" + "</b>" * 20
    assert safe_notes_module._safe_parts(shallow) is not None
    start = time.process_time()
    assert safe_notes_module._safe_parts(deep) is None
    assert sanitize_with_text(deep)[1] == "x"
    assert time.process_time() - start < 2.0


@pytest.mark.parametrize(
    "html",
    [
        '<p class="intro">x</p>',
        '<p style="white-space:pre-wrap;">x</p>',
        '<a href="/episodes/1">relative</a>',
        "<p>x</p><!-- generated -->",
        '<a href="https://ex.com" target="_blank">x</a>',
    ],
)
def test_common_unsafe_shapes_are_ruled_out_before_the_split(html: str) -> None:
    with mock.patch.object(safe_notes_module, "_SAFE_TAG_SPLIT") as split:
        assert safe_notes_module._safe_parts(html) is None
    split.split.assert_not_called()
    assert sanitize_with_text(html, base_url=BASE) == via_nh3(html)


# --- notes_text: the text of notes sanitised earlier ------------------------------------------------------


def assert_notes_text_matches(html: str, base_url: str | None = BASE) -> None:
    """The fast path in use (C when built) and the Python one read the same text as sanitising gave."""
    cleaned, text = sanitize_with_text(html, base_url=base_url)
    assert text == html_to_text(cleaned)
    with mock.patch.object(safe_notes_module, "_safe_notes", safe_notes_module._safe_notes_python):
        assert notes_text(cleaned) == text


@pytest.mark.parametrize("html", ACCEPTED + REJECTED)
def test_notes_text_is_the_text_sanitising_gave(html: str) -> None:
    assert_notes_text_matches(html)
    assert_notes_text_matches(html, None)


@pytest.mark.parametrize(
    "html",
    [
        '<p>Write rel="noopener noreferrer nofollow" in a link, <a href="https://ex.com/">like this</a>.</p>',
        '<p>Text: <a href="https://ex.com/"> rel="noopener noreferrer nofollow"</a></p>',
        "Plain text notes with https://ex.com/a link\n\nand a second paragraph",
        "<p>Only <img src='https://ex.com/i.png'> an image</p>",
        '<p><a href="https://ex.com/a" rel="nofollow">their own rel</a></p>',
    ],
)
def test_notes_text_of_notes_that_spell_rel_or_were_text(html: str) -> None:
    assert_notes_text_matches(html)


def test_notes_text_of_nothing() -> None:
    assert notes_text(None) is None
    assert notes_text("") is None


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.lists(_PIECES, max_size=24).map("".join), st.lists(_TREES, max_size=4).map("".join)))
def test_notes_text_equals_the_text_of_the_sanitised_notes(html: str) -> None:
    assert_notes_text_matches(html)


def test_notes_text_reads_notes_of_the_safe_subset_in_one_pass() -> None:
    cleaned = sanitize_html(ACCEPTED[1], base_url=BASE)
    assert cleaned is not None
    assert REL in cleaned
    with mock.patch.object(notes_text_module, "html_to_text", side_effect=AssertionError("the slow path")):
        assert notes_text(cleaned) == "Read the article."

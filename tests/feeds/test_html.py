"""Show notes: sanitize_html keeps a safe subset and nothing else; html_to_text and excerpt."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lytt.feeds.html import sanitize_html, text_to_html
from lytt.feeds.html_text import excerpt, html_to_text

REL = 'rel="noopener noreferrer nofollow"'


def clean(html: str, base_url: str | None = None) -> str:
    result = sanitize_html(html, base_url=base_url)
    assert result is not None
    return result


# --- sanitize_html: what is kept -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "<p>para</p>",
        "<p>a<br>b</p>",
        "<strong>s</strong>",
        "<b>b</b>",
        "<em>e</em>",
        "<i>i</i>",
        "<u>u</u>",
        "<ul><li>one</li></ul>",
        "<ol><li>one</li></ol>",
        "<blockquote>q</blockquote>",
        "<h3>h</h3>",
        "<h4>h</h4>",
        "<code>c</code>",
        "<pre>p</pre>",
        "<hr>",
        "<span>s</span>",
    ],
)
def test_keeps_the_safe_subset(html: str) -> None:
    assert clean(html) == html if html != "<hr>" else sanitize_html(html) is None


def test_links_get_rel() -> None:
    assert clean('<a href="https://ex.com/x">x</a>') == f'<a href="https://ex.com/x" {REL}>x</a>'
    assert clean('<a href="mailto:me@ex.com">me</a>') == f'<a href="mailto:me@ex.com" {REL}>me</a>'


def test_existing_rel_and_target_are_replaced() -> None:
    out = clean('<a href="https://ex.com" rel="opener" target="_blank">x</a>')
    assert out == f'<a href="https://ex.com" {REL}>x</a>'


def test_images_keep_src_and_alt_only() -> None:
    out = clean('<img src="https://ex.com/a.png" alt="A" width="10" style="x" onload="evil()">')
    assert out == '<img src="https://ex.com/a.png" alt="A">'


def test_top_headings_are_demoted() -> None:
    assert clean("<h1>A</h1><h2>B</h2>") == "<h3>A</h3><h3>B</h3>"


def test_span_loses_style_and_class() -> None:
    assert clean('<span style="color:red" class="x" id="y">s</span>') == "<span>s</span>"


# --- sanitize_html: what is removed ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>a<script>alert(1)</script>b</p>", "<p>ab</p>"),
        ("<style>p{}</style><p>x</p>", "<p>x</p>"),
        ('<p onclick="evil()">x</p>', "<p>x</p>"),
        ('<iframe src="https://ex.com"></iframe><p>x</p>', "<p>x</p>"),
        ('<form action="/x"><input name="a"><button>go</button></form><p>x</p>', "<p>x</p>"),
        ('<object data="x.swf"></object><embed src="y"><p>x</p>', "<p>x</p>"),
        ("<!-- secret --><p>x</p>", "<p>x</p>"),
        ("<table><tr><td>cell</td></tr></table>", "cell"),
        ("<font color=red>x</font>", "x"),
    ],
)
def test_removes_the_dangerous(html: str, expected: str) -> None:
    assert clean(html) == expected


@pytest.mark.parametrize(
    "href",
    ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "vbscript:x", "file:///etc/passwd"],
)
def test_only_http_https_mailto_urls(href: str) -> None:
    assert clean(f'<a href="{href}">x</a>') == f"<a {REL}>x</a>"
    assert clean(f'<img src="{href}" alt="a">') == '<img alt="a">'


def test_relative_urls_resolve_against_base() -> None:
    base = "https://ex.com/shows/feed.xml"
    assert clean('<a href="ep1.html">x</a>', base) == f'<a href="https://ex.com/shows/ep1.html" {REL}>x</a>'
    assert clean('<a href="/about">x</a>', base) == f'<a href="https://ex.com/about" {REL}>x</a>'
    assert clean('<img src="../img/a.png">', base) == '<img src="https://ex.com/img/a.png">'


def test_relative_urls_without_base_are_dropped() -> None:
    assert clean('<a href="/about">x</a>') == f"<a {REL}>x</a>"
    assert clean('<a href="/about">x</a>', "not a url") == f"<a {REL}>x</a>"


def test_absolute_urls_ignore_base() -> None:
    out = clean('<a href="https://other.org/x">x</a>', "https://ex.com/feed")
    assert out == f'<a href="https://other.org/x" {REL}>x</a>'


@pytest.mark.parametrize(
    "html", [None, "", "   ", "<p></p>", "<p> &nbsp; </p><br>", "<script>x</script>", "<hr>"]
)
def test_empty_result_is_none(html: str | None) -> None:
    assert sanitize_html(html) is None


def test_image_only_notes_are_kept() -> None:
    assert clean('<p><img src="https://ex.com/a.png"></p>') == '<p><img src="https://ex.com/a.png"></p>'


# --- sanitize_html: plain text -----------------------------------------------------------------------------


def test_plain_text_becomes_paragraphs() -> None:
    assert clean("First para\nsecond line\n\nSecond para") == (
        "<p>First para<br>second line</p><p>Second para</p>"
    )


def test_plain_text_is_escaped() -> None:
    assert clean("Tom & Jerry: 1 < 2 > 0") == "<p>Tom &amp; Jerry: 1 &lt; 2 &gt; 0</p>"


def test_plain_text_with_entities_is_unescaped_once() -> None:
    assert clean("Tom &amp; Jerry&#39;s show &lt;3") == "<p>Tom &amp; Jerry's show &lt;3</p>"


def test_doubly_escaped_markup_is_sanitised() -> None:
    assert clean(
        "&lt;p&gt;Hi &lt;b onclick=x&gt;there&lt;/b&gt;&lt;script&gt;x()&lt;/script&gt;&lt;/p&gt;"
    ) == ("<p>Hi <b>there</b></p>")


def test_text_to_html_links_carry_rel() -> None:
    assert (
        text_to_html("see https://ex.com/a.")
        == f'<p>see <a href="https://ex.com/a" {REL}>https://ex.com/a</a>.</p>'
    )


def test_text_to_html_keeps_entities_literal() -> None:
    assert text_to_html("a &amp; b") == "<p>a &amp;amp; b</p>"


def test_plain_text_urls_are_linked() -> None:
    out = clean("Notes: https://ex.com/ep?a=1&b=2. More at http://ex.org")
    assert out == (
        f'<p>Notes: <a href="https://ex.com/ep?a=1&amp;b=2" {REL}>https://ex.com/ep?a=1&amp;b=2</a>. '
        f'More at <a href="http://ex.org" {REL}>http://ex.org</a></p>'
    )


def test_inline_markup_with_newlines_keeps_its_breaks() -> None:
    out = clean('Intro with <b>bold</b>\nnext line\n\n<a href="https://ex.com">link</a>')
    assert out == f'<p>Intro with <b>bold</b><br>next line</p><p><a href="https://ex.com" {REL}>link</a></p>'


def test_block_markup_newlines_are_whitespace() -> None:
    assert clean("<p>one\ntwo</p>") == "<p>one\ntwo</p>"


def test_text_to_html_strips_and_skips_empty_blocks() -> None:
    assert text_to_html("\n\n a \n\n\n\n b \n") == "<p>a</p><p>b</p>"


# --- sanitize_html: hostile input ----------------------------------------------------------------------

XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="jav\tascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<body onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<iframe src=javascript:alert(1)></iframe>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<<script>alert(1);//<</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<p title="</p><script>alert(1)</script>">x</p>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<a href="https://ok.com" onmouseover="alert(1)">x</a>',
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<!--<script>alert(1)</script>-->",
    '<img src="x" alt="" onerror="alert(1)"/>',
    "<isindex type=image src=1 onerror=alert(1)>",
    "<textarea><script>alert(1)</script></textarea>",
    "<xmp><script>alert(1)</script></xmp>",
    "<template><script>alert(1)</script></template>",
]

_BAD_URL = re.compile(r"=\s*[\"'`]?\s*(?:javascript|vbscript|data):")
_QUOTED = re.compile(r'"[^"]*"')
_EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)


def assert_safe(out: str | None) -> None:
    if out is None:
        return
    lowered = out.lower()
    assert "<script" not in lowered
    assert not _BAD_URL.search(lowered)
    assert not _EVENT_HANDLER.search(_QUOTED.sub('""', out))
    for tag in ("<iframe", "<object", "<embed", "<form", "<style", "<svg", "<meta", "<link", "<base"):
        assert tag not in lowered


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_xss_vectors(vector: str) -> None:
    assert_safe(sanitize_html(vector))
    assert_safe(sanitize_html(vector, base_url="https://ex.com/feed.xml"))
    assert_safe(sanitize_html("Some text\n\n" + vector))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(XSS_VECTORS), st.text(max_size=40)), max_size=8).map("".join))
def test_hostile_mixtures_stay_safe(html: str) -> None:
    assert_safe(sanitize_html(html))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' &;:abcdefghijklmnoprstvx\n")), max_size=120))
def test_tag_soup_stays_safe(html: str) -> None:
    assert_safe(sanitize_html(html, base_url="https://ex.com/"))


def test_large_and_pathological_input_is_fast() -> None:
    cases = [
        "<" * 300_000,
        "<a " * 100_000,
        "<!--" * 100_000,
        "<script>" * 50_000,
        "<sCrIpT>" * 50_000,
        "<p>x\n" * 100_000,
        "<a" + " " * 500_000,
        "x" + " " * 500_000 + "y",
        "&amp" * 100_000,
    ]
    start = time.process_time()  # CPU time: the limit is about complexity, not about a busy machine
    for html in cases:
        assert_safe(sanitize_html(html))
        html_to_text(html)
    assert time.process_time() - start < 5.0


# --- html_to_text ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (None, None),
        ("", None),
        ("<p> </p>", None),
        ("plain text", "plain text"),
        ("  lots   of\t space  ", "lots of space"),
        ("one\ntwo\n\nthree", "one two\n\nthree"),
        ("Tom &amp; Jerry &eacute;&#233;&#xE9;", "Tom & Jerry ééé"),
        ("<p>Hello <b>world</b></p><p>Second</p>", "Hello world\n\nSecond"),
        ("<p>line<br>break</p>", "line\nbreak"),
        ("<div>a</div><div>b</div>", "a\n\nb"),
        ("<p>x</p><ul><li>a</li><li>b</li></ul><p>y</p>", "x\n\na\nb\n\ny"),
        ("<h1>Title</h1>Body", "Title\n\nBody"),
        ("<p>a</p><script>var x = '<p>';</script><style>p{}</style><p>b</p>", "a\n\nb"),
        ("<p>one\n  two</p>", "one two"),
        ("a&nbsp;b", "a b"),
        ("<p>1 &lt; 2</p>", "1 < 2"),
        ("<!-- c --><p>x</p>", "x"),
        ("unclosed <b>bold", "unclosed bold"),
        ("a < b", "a < b"),
        ("a <3 b > c", "a <3 b > c"),
        ("<P>Hi<BR>there</P><SCRIPT>x</SCRIPT><Ul><LI>a<LI>b</UL>", "Hi\nthere\n\na\nb"),
        ("<header>H</header><p>x", "H\n\nx"),
        ("<p>a</p><sCRIPT>hidden()</ScRiPt><pRe>b</pRE>", "a\n\nb"),
        ("x<!-- never closed <p>y</p>", "x"),
        ("<p>x</p><script>never closed <p>y", "x"),
        ("<p>İstanbul <b>x</b></p><style>s</style>", "İstanbul x"),
        ("&lt;script&gt; is text", "<script> is text"),
        ("<p>a</p>\n\n\n<p>b</p>", "a\n\nb"),
        ("<p>a\t\u2003 b&nbsp;&nbsp;c\u3000</p><p>\u2028</p><p>d</p>", "a b c\n\nd"),
        ("<p>  lead</p>   <br>  <br>  <br>  <p>tail  </p>", "lead\n\ntail"),
    ],
)
def test_html_to_text(html: str | None, expected: str | None) -> None:
    assert html_to_text(html) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_html_to_text_never_leaves_tags_from_markup(text: str) -> None:
    result = html_to_text(f"<p><b>{text}</b></p>")
    assert result is None or ("<b>" not in result and "<p>" not in result) or "<b>" in text or "<p>" in text


# --- excerpt ---------------------------------------------------------------------------------------------


def test_excerpt_short_text_is_unchanged() -> None:
    assert excerpt("Short text.") == "Short text."


def test_excerpt_collapses_whitespace() -> None:
    assert excerpt("a\n\nb   c") == "a b c"


def test_excerpt_cuts_on_word_boundary() -> None:
    text = "The quick brown fox jumps over the lazy dog"
    assert excerpt(text, 20) == "The quick brown fox…"
    assert excerpt(text, 16) == "The quick brown…"


def test_excerpt_drops_trailing_punctuation_before_ellipsis() -> None:
    assert excerpt("Hello, world, and more words here", 14) == "Hello, world…"


def test_excerpt_cuts_a_long_word_hard() -> None:
    assert excerpt("x" * 50, 10) == "x" * 9 + "…"


@pytest.mark.parametrize("text", [None, "", "   \n "])
def test_excerpt_empty_is_none(text: str | None) -> None:
    assert excerpt(text) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=600), st.integers(min_value=2, max_value=300))
def test_excerpt_length_and_prefix(text: str, max_chars: int) -> None:
    result = excerpt(text, max_chars)
    collapsed = " ".join(text.split())
    if not collapsed:
        assert result is None
        return
    assert result is not None
    assert len(result) <= max_chars
    if len(collapsed) <= max_chars:
        assert result == collapsed
    else:
        assert result.endswith("…")
        assert collapsed.startswith(result[:-1])

"""Hostile show notes against the verified fast path: whatever it lets through equals nh3's output.

The fast path (`safe_notes.fast_path`: its checks in C when `_cnotes` is built, else in Python) decides which
notes skip nh3, so it is a security decision. Its one rule: for notes it accepts, what it returns is what
nh3 returns for the same notes, as an HTML5 parser reads them (html5lib, which is neither of the two): the
same elements, attributes and text; and the same plain text. Serialising may differ (``<br/>`` against
``<br>``, a character against its reference), meaning may not.

The corpus is written here, in the style of the well-known XSS filter-evasion lists and of html5lib's
sanitizer tests (script and event handlers, URL schemes hidden by case, entities, whitespace and control
characters, broken quoting, parser states that swallow markup, misnesting), each vector alone and planted
inside notes that the fast path would otherwise accept; hypothesis then plants vectors at any place of
generated safe notes, cuts them in two, and mutates safe notes character by character.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import html5lib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import examples
from tests.feeds.notes_strategies import GOOD_NOTES, mutated_good

from lytt.feeds import html as html_module
from lytt.feeds import safe_notes as safe_notes_module
from lytt.feeds.html_text import html_to_text

BASES = (None, "https://feeds.example.org/show/feed.xml")

# One vector per line of thought; none is taken from another project's files.
SCRIPT = [
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<script src=https://evil.example/x.js></script>",
    "<scr<script>ipt>alert(1)</script>",
    "<script/x>alert(1)</script>",
    "<script\n>alert(1)</script\n>",
    "<<script>alert(1)//<</script>",
    "<p><script>alert(1)</script></p>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mi><script>alert(1)</script></mi></math>",
]
HANDLERS = [
    '<img src="https://ex.com/a.jpg" onerror="alert(1)">',
    "<img src=x onerror=alert(1)>",
    '<img src="https://ex.com/a.jpg"onerror="alert(1)">',
    '<a href="https://ex.com/"onclick="alert(1)">x</a>',
    '<a href="https://ex.com/" onmouseover="alert(1)">x</a>',
    '<p onclick="alert(1)">x</p>',
    "<body onload=alert(1)>",
    '<svg onload="alert(1)">',
    "<details open ontoggle=alert(1)>",
    '<img/src="https://ex.com/a.jpg"/onerror=alert(1)>',
    '<img src="https://ex.com/a.jpg" alt="x" onerror="alert(1)">',
    '<a title="x" onfocus="alert(1)" autofocus href="https://ex.com/">x</a>',
]
SCHEMES = [
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href="java&#9;script:alert(1)">x</a>',
    '<a href="java&#x0A;script:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href="jav&#0000097;script:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<a href="https&#58;//ex.com/">x</a>',
    '<a href="https:ex.com/">x</a>',
    '<a href="//evil.example/">x</a>',
    '<a href="/relative/path">x</a>',
    '<a href="?q=1">x</a>',
    '<a href="https://evil.example\\@ex.com/">x</a>',
    '<a href="https://ex.com/&quot;onmouseover=&quot;alert(1)">x</a>',
    "<a href=https://ex.com/ onmouseover=alert(1)>x</a>",
    "<a href=`javascript:alert(1)`>x</a>",
    '<a href="https://xn--80ak6aa92e.com/">x</a>',
    '<img src="javascript:alert(1)">',
    '<img src="https://ex.com/a.jpg?x=&lt;script&gt;">',
    '<a href="mailto:a@ex.com?body=&#x3C;script&#x3E;">x</a>',
]
QUOTING = [
    '<a href="https://ex.com/" title="a"b">x</a>',
    "<a href='https://ex.com/' title='it's'>x</a>",
    '<a href="https://ex.com/" title="<script>alert(1)</script>">x</a>',
    '<a href="https://ex.com/" title="x>y">x</a>',
    '<a href="https://ex.com/" title="&lt;b&gt;">x</a>',
    '<img src="https://ex.com/a.jpg" alt="""><script>alert(1)</script>">',
    '<a href="https://ex.com/ title="x">x</a>',
    '<a href="https://ex.com/"" title="x">x</a>',
    '<a href="https://ex.com/" title=x y=z>x</a>',
    '<a  href="https://ex.com/">x</a>',
    '<a href = "https://ex.com/">x</a>',
    '<a href="https://ex.com/" href="javascript:alert(1)">x</a>',
    '<a HREF="https://ex.com/">x</a>',
    '<a href="https://ex.com/" title="x" / >x</a>',
    '<img src="https://ex.com/a.jpg" / / >',
]
PARSER_STATES = [
    "<!-- <script>alert(1)</script> -->",
    "<!--><script>alert(1)</script>-->",
    "<!---->x<!-- -- -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<?xml version='1.0'?><p>x</p>",
    "<!DOCTYPE html><p>x</p>",
    "<textarea><script>alert(1)</script></textarea>",
    "<title><script>alert(1)</script></title>",
    "<noscript><p title='</noscript><img src=x onerror=alert(1)>'></noscript>",
    "<xmp><script>alert(1)</script></xmp>",
    "<plaintext><p>x",
    "<style>p{background:url(javascript:alert(1))}</style>",
    "<iframe src='javascript:alert(1)'></iframe>",
    "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
    "<object data='javascript:alert(1)'></object>",
    "<embed src='https://evil.example/x.swf'>",
    "<base href='https://evil.example/'>",
    "<meta http-equiv='refresh' content='0;url=javascript:alert(1)'>",
    "<form action='https://evil.example/'><button>x</button></form>",
    "<template><script>alert(1)</script></template>",
    "<select><option><script>alert(1)</script></option></select>",
    "<table><tr><td><script>alert(1)</script></td></tr></table>",
    "<frameset><frame src='javascript:alert(1)'></frameset>",
    "<p>a</p\n><p>b</p>",
    "</p><p>x",
    "<p>x</P>",
    "<P>x</p>",
    "<p>x",
    "x</p>",
    "</br>",
    "<br></br>",
    "<img>x</img>",
    "<hr>x</hr>",
]
MISNESTING = [
    "<p><div>x</div></p>",
    "<p><ul><li>x</li></ul></p>",
    "<a href='https://ex.com/'><a href='https://ex.com/b'>x</a></a>",
    "<a href='https://ex.com/'><p>x</p></a>",
    "<h3><h4>x</h4></h3>",
    "<li>x</li>",
    "<ul><p>x</p></ul>",
    "<ul><li><li>x</li></li></ul>",
    "<b><i>x</b></i>",
    "<strong><p>x</p></strong>",
    "<dl><li>x</li></dl>",
    "<dt>x</dt>",
    "<pre>\nx</pre>",
    "<pre>\r\nx</pre>",
    "<blockquote><p>x</blockquote></p>",
    "<div>" * 40 + "x" + "</div>" * 40,
    "<span>" * 33 + "x" + "</span>" * 33,
]
CHARACTERS = [
    "<p>a\x00b</p>",
    "<a href='https://ex.com/\x00'>x</a>",
    "<p>\u2028<b>x</b>\u2029</p>",
    "<p>\ufeffx</p>",
    "<p>&#0;&#x0;</p>",
    "<p>&#xD800;&#55296;</p>",
    "<p>&#1114112;&#x110000;</p>",
    "<p>&amp;lt;script&amp;gt;</p>",
    "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
    "<p>&ltscript&gt;</p>",
    "<p>&NotAnEntity;&nbsp&nbsp;</p>",
    "<p>\x0c<b>x</b>\x0b</p>",
    "<a href='https://ex.com/\u202e'>x</a>",
    "<a href='https://ex.com/\u00a0'>x</a>",
    "<a href='https://ＥＸ.com/'>x</a>",
    "<ｓｃｒｉｐｔ>alert(1)</ｓｃｒｉｐｔ>",
    "<p>x</p>" + "\u3000" * 3,
    "<p>a&#13;b</p>",
    "<p>a&#3;b&#x7f;c&#xFFFE;</p>",
    "a&NewLine;b<hr>",
    "&#12;<hr>",
    "&Tab;<p>x</p>",
    "<p>x</p>&#x2003;",
    "<p>x</p>&emsp",
    "<h1>x</h1><h2>y</h2>",
]
HOSTILE = SCRIPT + HANDLERS + SCHEMES + QUOTING + PARSER_STATES + MISNESTING + CHARACTERS

# Notes the fast path accepts as they are; a vector planted in them must not ride along.
CARRIERS = [
    "<p>In this episode: <strong>news</strong> &amp; <em>views</em>. {}</p>",
    '<p>Read <a href="https://ex.com/a?b=1&amp;c=2" title="The article">{}the article</a>.</p>',
    "<ul><li>00:00 Intro</li><li>{}</li><li>12:30 Interview</li></ul>",
    '<p>Art:</p><p><img src="https://img.ex.com/a.jpg" alt="Cover">{}</p><hr><p>Bye</p>',
    "<h3>Links</h3>{}<blockquote><p>A quote</p></blockquote>",
    "<dl><dt>Host</dt><dd>{}Ann</dd></dl><p>x<br>y</p>",
]


def tree(html: str) -> Any:
    """What an HTML5 parser builds from `html` as a fragment: (tag, attributes, text, children, tail)."""
    root = html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)

    def walk(element: Any) -> Any:
        return (
            element.tag,
            tuple(sorted(element.attrib.items())),
            element.text or "",
            tuple(walk(child) for child in element),
            element.tail or "",
        )

    return walk(root)


def via_nh3(source: str, base_url: str | None) -> str:
    """What `_clean_markup` gives for `source` when nh3 cleans it."""
    return safe_notes_module.finish_notes(html_module._cleaner_for(base_url).clean(source))


def held_to_the_rule(source: str, base_url: str | None) -> bool:
    """Assert the rule for `source`; True when the fast path let it through."""
    for with_text in (False, True):
        safe = safe_notes_module.fast_path(source, with_text)
        if safe is None:
            return False
        expected = via_nh3(source, base_url)
        assert tree(safe[0]) == tree(expected), (source, safe[0], expected)
        if with_text:
            assert safe[1] == html_to_text(expected), (source, safe[1])
    return True


def corpus() -> Iterator[str]:
    yield from HOSTILE
    for carrier in CARRIERS:
        yield carrier.format("")
        for vector in HOSTILE:
            yield carrier.format(vector)


CORPUS = list(corpus())


@pytest.mark.parametrize("base_url", BASES)
def test_whatever_the_fast_path_lets_through_of_the_corpus_is_what_nh3_gives(base_url: str | None) -> None:
    accepted = [source for source in CORPUS if held_to_the_rule(source, base_url)]
    # Not vacuous: the carriers themselves are accepted, so each comparison above ran on them at least.
    assert set(accepted) >= {carrier.format("") for carrier in CARRIERS}


@pytest.mark.parametrize("vector", SCRIPT + HANDLERS + SCHEMES[:14] + PARSER_STATES[:23])
def test_no_vector_that_nh3_changes_rides_the_fast_path(vector: str) -> None:
    for carrier in CARRIERS:
        source = carrier.format(vector)
        if via_nh3(source, None) != source:
            assert safe_notes_module.fast_path(source, False) is None, source


@st.composite
def planted(draw: st.DrawFn) -> str:
    """Generated safe notes with a hostile vector planted at any character position."""
    notes = draw(GOOD_NOTES)
    at = draw(st.integers(0, len(notes)))
    return notes[:at] + draw(st.sampled_from(HOSTILE)) + notes[at:]


@st.composite
def sliced(draw: st.DrawFn) -> str:
    """A vector cut into safe notes: part of it at one place, the rest at another."""
    notes, vector = draw(GOOD_NOTES), draw(st.sampled_from(HOSTILE))
    cut = draw(st.integers(0, len(vector)))
    first, second = sorted((draw(st.integers(0, len(notes))), draw(st.integers(0, len(notes)))))
    return notes[:first] + vector[:cut] + notes[first:second] + vector[cut:] + notes[second:]


@settings(max_examples=examples(400), deadline=None)
@given(st.one_of(planted(), sliced(), mutated_good()), st.sampled_from(BASES))
def test_whatever_the_fast_path_lets_through_of_generated_notes_is_what_nh3_gives(
    source: str, base_url: str | None
) -> None:
    held_to_the_rule(source, base_url)

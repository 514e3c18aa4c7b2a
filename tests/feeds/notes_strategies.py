"""Hypothesis strategies for show notes: generated, hostile, built safe, and mutated (test_cnotes.py).

Notes built to be inside the safe subset take the fast path, so that their exact HTML and text are compared;
the others check that the C and Python paths reject the same notes.
"""

from __future__ import annotations

from hypothesis import strategies as st

SPACES = [
    " ", "  ", "\n", "\r\n", "\r", "\t", "\f", "\v", "\u00a0", "\u2003", "\u3000", "\x1c", "\x85", "\u2028",
    "\u200b",
]  # fmt: skip
ENTITIES = [
    "&amp;", "&lt;", "&gt;", "&quot;", "&nbsp;", "&nbsp", "&eacute;", "&eacute", "&hearts;", "&ndash;",
    "&#39;", "&#x27;", "&#X41;", "&#0;", "&#13;", "&#10;", "&#128;", "&#150;", "&#x80;", "&#55296;",
    "&#xD800;", "&#1114112;", "&#x110000;", "&#99999999999999999999;", "&#65", "&#x41", "&#;", "&#x;",
    "&#xg;", "&", "& ", "&;", "&#", "&notit;", "&ampxyz;", "&amp;amp;", "&ltx", "&nGt;", "&NewLine;",
    "&Tab;", "&ThickSpace;", "&unknown;", "&CounterClockwiseContourIntegral;", "&AMP", "&a\u00e9;",
    "&\u00e9;", "&" + "x" * 40 + ";", "&amp" + "y" * 30, "&#0000000000065;", "&#x0000041;", "&lt\u2003",
    "&#xfffe;", "&#11;", "&#x1F600;", "&#x85;",
]  # fmt: skip
WORDS = ["word", "Tom", "é", "café", "🎵", "x=y", "a>b", "'q'", '"q"', "1;2", "#", "/", "\\", "id=", "rel"]
_TEXT = st.lists(st.sampled_from(SPACES + ENTITIES + WORDS), max_size=6).map("".join)
_HOSTS = [
    "ex.com", "a.b-c.example", "EX.COM", "x1.io", "xn--bad.com", "sub.xN--x.com", "1.2.3.4", "ex..com",
    "ex.com.", "-x.com", "a",
]  # fmt: skip
_URL_TAILS = [
    "", "/", "/p?q=1&amp;r=2", "/a#frag", "?x", "#", "/é", "/a b", "/a\u2003b", "/a\u00a0b", "/a&b", "/a&amp",
    "/a\\b", "/a'b", "/\x1c", "/\u200b",
]  # fmt: skip
URLS = st.one_of(
    st.builds(
        "".join,
        st.tuples(
            st.sampled_from(["https://", "http://", "HTTPS://", "ftp://", "//", "javascript:", ""]),
            st.sampled_from(_HOSTS),
            st.sampled_from(["", ":8080", ":1", ":12345", ":", ":x"]),
            st.sampled_from(_URL_TAILS),
        ),
    ),
    st.sampled_from(["mailto:me@ex.com", "mailto:", "mailto:a&amp;b", "mailto:a b", "/relative", "ep1.html"]),
)
_WS_IN_TAG = st.sampled_from(["", " ", "  ", "\n", "\r\n", "\t", "\f", " \n\t", "\v"])


def _quoted(value: str, quote: str) -> str:
    return quote + value + quote


@st.composite
def _link_start(draw: st.DrawFn) -> str:
    attrs = []
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(["href", "href", "title", "HREF", "onclick", "rel", "src"]))
        value = draw(URLS) if name in ("href", "src") else draw(_TEXT)
        quote = draw(st.sampled_from(['"', "'", ""]))
        attrs.append(draw(_WS_IN_TAG) + name + "=" + _quoted(value, quote))
    if draw(st.booleans()):
        return "<a>"
    return (
        "<a"
        + draw(st.sampled_from([" ", "\n", "\r", "\r\n", "\t"]))
        + "".join(attrs)
        + draw(_WS_IN_TAG)
        + ">"
    )


@st.composite
def _image(draw: st.DrawFn) -> str:
    attrs = []
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(["src", "alt", "title", "width"]))
        value = draw(URLS) if name == "src" else draw(_TEXT)
        attrs.append(draw(_WS_IN_TAG) + name + "=" + _quoted(value, draw(st.sampled_from(['"', "'"]))))
    return "<img" + "".join(attrs) + draw(_WS_IN_TAG) + draw(st.sampled_from(["", "/"])) + ">"


_VOID = st.one_of(
    st.builds(
        lambda name, ws, slash: f"<{name}{ws}{slash}>",
        st.sampled_from(["br", "hr"]),
        _WS_IN_TAG,
        st.sampled_from(["", "/"]),
    ),
    _image(),
)
_LEAVES = st.one_of(_TEXT, _VOID)
_PAIRED = (
    "p", "div", "ul", "ol", "li", "h1", "h2", "h3", "h6", "blockquote", "pre", "dl", "dt", "dd", "a",
    "strong", "b", "em", "i", "u", "s", "sub", "sup", "small", "code", "span",
)  # fmt: skip


def _element(name: str, link_start: str, children: list[str]) -> str:
    return (link_start if name == "a" else f"<{name}>") + "".join(children) + f"</{name}>"


_TREES = st.recursive(
    _LEAVES,
    lambda children: st.builds(
        _element, st.sampled_from(_PAIRED), _link_start(), st.lists(children, max_size=4)
    ),
    max_leaves=30,
)
NOTES = st.lists(_TREES, max_size=5).map("".join)

_HOSTILE = [
    "<", ">", "</", "<!--", "-->", "<script>", "</script>", "<P>", "</P>", "<A HREF='https://ex.com'>",
    "<Br>", "<table>", "<td>", "</li>", "<li>", "<dt>", "</dd>", "</p>", "<p>", "</a>", "<a>", "<hr>",
    "</hr>", "</br>",
    " class=x", ' style="x"', ' id="y"', " rel=z", 'href="/x"', "<pre>\n", "<pre>\r", "<a\thref='x'>",
    "<img/src=x>", "<svg/onload=alert(1)>", "<imgx>", "<h7>", "<b/>", "<p/>", "\x00", "&#", "&",
    "<![CDATA[x]]>", "<?xml?>",
]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, html: str | None = None) -> str:
    """A generated note with nesting mistakes and hostile fragments spliced in, tags cut or uppercased."""
    if html is None:
        html = draw(NOTES)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(html)))
        kind = draw(st.integers(0, 3))
        if kind == 0:
            html = html[:at] + draw(st.sampled_from(_HOSTILE)) + html[at:]
        elif kind == 1:
            html = html[:at] + html[at + draw(st.integers(1, 6)) :]
        elif kind == 2:
            html = html[:at] + html[at : at + 8].upper() + html[at + 8 :]
        else:
            html = html[:at] + draw(st.sampled_from(SPACES + ENTITIES)) + html[at:]
    return html


# Notes built to be inside the safe subset (HTML5 nesting, allowed attributes, valid URLs), so that most of
# them take the fast path and their exact HTML and text are compared, not only the verdict.
_GOOD_URLS = st.builds(
    "".join,
    st.tuples(
        st.sampled_from(["https://", "http://"]),
        st.sampled_from(["ex.com", "a.b-c.example", "EX.Com", "x1.io", "a", "xn-x.com", "a-.b", "0.ex"]),
        st.sampled_from(["", ":8080", ":1", ":0000"]),
        st.one_of(
            st.just(""),
            st.builds(
                "".join,
                st.tuples(
                    st.sampled_from(["/", "?", "#"]),
                    st.lists(
                        st.one_of(
                            st.sampled_from(["&amp;", "a", "=", "é", "%20", "/", ";", "\u200b", "🎵"]),
                            st.characters(
                                exclude_characters="\"'<>&\\",
                                exclude_categories=["Zs", "Zl", "Zp", "Cc", "Cs"],
                            ),
                        ),
                        max_size=8,
                    ).map("".join),
                ),
            ),
        ),
    ),
) | st.sampled_from(["mailto:me@ex.com", "mailto:a&amp;b?subject=x"])
_GOOD_VALUES = st.lists(
    st.one_of(
        st.sampled_from(["&amp;", " ", "\n", "\t", "'", "x", "é", "=", "/"]),
        st.characters(exclude_characters="\"'<>&"),
    ),
    max_size=6,
).map("".join)
_TAG_WS = st.sampled_from([" ", "  ", "\n", "\r\n", "\t", "\f", " \n\t"])


@st.composite
def _good_link_start(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 4)) == 0:
        return "<a>"
    attrs = []
    for _ in range(draw(st.integers(0, 3))):
        quote = draw(st.sampled_from(['"', "'"]))
        if draw(st.booleans()):
            attrs.append("href=" + _quoted(draw(_GOOD_URLS), quote))
        else:
            attrs.append("title=" + _quoted(draw(_GOOD_VALUES).replace(quote, ""), quote))
    separators = [draw(_TAG_WS) for _ in attrs]
    opening = draw(st.sampled_from([" ", "\n", "\r", "\r\n", " \t"]))
    body = "".join(sep + attr for sep, attr in zip(separators, attrs, strict=True)).lstrip(" \t\n\r\f")
    return "<a" + opening + body + draw(st.sampled_from(["", " ", "\n", "\t "])) + ">"


@st.composite
def _good_image(draw: st.DrawFn) -> str:
    attrs = []
    for _ in range(draw(st.integers(0, 3))):
        quote = draw(st.sampled_from(['"', "'"]))
        name = draw(st.sampled_from(["src", "alt", "title"]))
        value = draw(_GOOD_URLS) if name == "src" else draw(_GOOD_VALUES).replace(quote, "")
        attrs.append(draw(_TAG_WS) + name + "=" + _quoted(value, quote))
    return "<img" + "".join(attrs) + draw(st.sampled_from(["", " ", "/", " /", "\n/"])) + ">"


_GOOD_VOID = st.one_of(st.sampled_from(["<br>", "<br/>", "<br />", "<br\n>", "<br\t/>"]), _good_image())
_INLINE_NAMES = ("strong", "b", "em", "i", "u", "s", "sub", "sup", "small", "code", "span")


@st.composite
def _inline(draw: st.DrawFn, depth: int, links: bool = True) -> str:
    items = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.integers(0, 3 if depth > 0 else 1))
        if kind == 0:
            items.append(draw(_TEXT))
        elif kind == 1:
            items.append(draw(_GOOD_VOID))
        elif kind == 3 and links:
            items.append(draw(_good_link_start()) + draw(_inline(depth - 1, links=False)) + "</a>")
        else:
            name = draw(st.sampled_from(_INLINE_NAMES))
            items.append(f"<{name}>" + draw(_inline(depth - 1, links)) + f"</{name}>")
    return "".join(items)


@st.composite
def _flow(draw: st.DrawFn, depth: int) -> str:
    items = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.integers(0, 6 if depth > 0 else 0))
        space = draw(st.sampled_from(["", "", "\n", " \n "]))
        if kind == 0:
            items.append(draw(_inline(depth)))
        elif kind == 1:
            name = draw(st.sampled_from(["p", "p", "h1", "h2", "h3", "h5", "pre"]))
            items.append(f"<{name}>" + draw(_inline(depth - 1)) + f"</{name}>")
        elif kind == 2:
            name = draw(st.sampled_from(["ul", "ol"]))
            count = draw(st.integers(0, 3))
            inner = "".join(space + "<li>" + draw(_flow(depth - 1)) + "</li>" for _ in range(count))
            items.append(f"<{name}>{inner}{space}</{name}>")
        elif kind == 3:
            count = draw(st.integers(0, 3))
            names = [draw(st.sampled_from(["dt", "dd"])) for _ in range(count)]
            inner = "".join(f"{space}<{name}>" + draw(_flow(depth - 1)) + f"</{name}>" for name in names)
            items.append(f"<dl>{inner}</dl>")
        elif kind == 4:
            name = draw(st.sampled_from(["div", "blockquote"]))
            items.append(f"<{name}>" + draw(_flow(depth - 1)) + f"</{name}>")
        elif kind == 5:
            items.append("<hr>")
        else:
            items.append(draw(_TEXT))
        items.append(space)
    return "".join(items)


GOOD_NOTES = _flow(4)


@st.composite
def mutated_good(draw: st.DrawFn) -> str:
    return draw(mutated(draw(GOOD_NOTES)))

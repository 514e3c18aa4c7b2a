"""Long CDATA sections lifted out of the bytes before libxml2 reads them (`lytt.feeds._clift`), and put back.

Every parse test already runs lifted (the `item_reader` fixture's "c") and unlifted ("python"). Here the
lifter itself: hypothesis writes documents from XML's lexical pieces (tags whose quoted attributes hold
`>` and `]]>`, comments and processing instructions that spell CDATA, sections of every length and
shape), cuts them into chunks anywhere, and the lifted, restored tree must be the tree lxml builds from
the bytes as they came. Then the cases the lifter must leave alone, and parse_feed's fallback.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from tests.conftest import examples
from tests.feeds.conftest import c_reader_required

from lytt.feeds import FeedSyntaxError, _lift, parse_feed
from lytt.feeds import parse as parse_module
from lytt.feeds._lift import MIN_LENGTH, LiftError

if _lift.new_lifter() is None:
    if c_reader_required():
        raise RuntimeError("the C module lytt.feeds._clift is not built")
    pytest.skip("the C module lytt.feeds._clift is not built here or is turned off", allow_module_level=True)

LONG = "<p>Show notes &amp; links: <a href='https://example.org/?a=1&b=2'>here</a></p>\n" * 4


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True, remove_pis=True
    )


def _lifted(doc: bytes, cuts: Sequence[int] = (), *, direct: bool = True) -> tuple[bytes, _lift.Lifter]:
    lifter = _lift.new_lifter()
    assert lifter is not None
    if not direct:
        lifter = type(lifter)(_lift.new_prefix(), MIN_LENGTH, direct=False)  # type: ignore[call-arg]
    bounds = [0, *sorted(cuts), len(doc)]
    out = b"".join(lifter.feed(doc[a:b]) for a, b in itertools.pairwise(bounds))
    return out + lifter.close(), lifter


def _restored_tree(doc: bytes, cuts: Sequence[int] = (), *, direct: bool = True) -> bytes:
    out, lifter = _lifted(doc, cuts, direct=direct)
    root = etree.fromstring(out, _parser())
    lifter.restore(root)
    assert lifter.pending == 0
    return bytes(etree.tostring(root))


def _plain_tree(doc: bytes) -> bytes:
    return bytes(etree.tostring(etree.fromstring(doc, _parser())))


def _section(body: str) -> bytes:
    return b"<d><![CDATA[" + body.encode() + b"]]></d>"


# -- documents from XML's lexical pieces ----------------------------------------------------------------

_TEXT_PIECES = [
    *("a", " ", "\n", "é", "’", "]", "]]", ">", "<", "&", "\r\n", "\r", "<![CDATA[", "--", "?>", "x" * 150)
]
_cdata_body = (
    st.lists(st.sampled_from(_TEXT_PIECES), max_size=12).map("".join).filter(lambda t: "]]>" not in t)
)
_long_body = st.tuples(_cdata_body, st.just(LONG), _cdata_body).map("".join).filter(lambda t: "]]>" not in t)
_attr_value = st.sampled_from(["", "plain", ">", "]]>", "a>b", "-->", "?>", "'", '"', "&lt;![CDATA[x"])


def _attrs(values: list[str]) -> str:
    """Attributes k0, k1... with these values, quoted with ' or " (values may hold the other quote)."""
    quoted = (f"'{v}'" if "'" not in v else f'"{v}"' for v in values)
    return " ".join(f"k{n}={q}" for n, q in enumerate(quoted))


_char_data = st.sampled_from(["text", " ", "\n", "&amp;", "&lt;![CDATA[", "]", ">", "é"])
_comment = st.sampled_from(["", " <![CDATA[ ", " <d><![CDATA[" + LONG + "]]></d> ", " ]]> ", "<!"]).map(
    lambda t: f"<!--{t}-->"
)
_pi = st.sampled_from(["", " <![CDATA[ ", " <d><![CDATA[" + LONG + "]]></d> ", " ]]> "]).map(
    lambda t: f"<?pi{t}?>"
)
_cdata = st.one_of(_cdata_body, _long_body).map(lambda t: f"<![CDATA[{t}]]>")


def _elements(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    sole_section = st.tuples(
        st.sampled_from(["d", "x:d"]), st.lists(_attr_value, max_size=2), _long_body
    ).map(lambda t: f"<{t[0]} {_attrs(t[1])}><![CDATA[{t[2]}]]></{t[0]}>")
    mixed = st.tuples(st.lists(_attr_value, max_size=2), st.lists(children, max_size=4)).map(
        lambda t: f"<e {_attrs(t[0])}>{''.join(t[1])}</e>"
    )
    empty = st.lists(_attr_value, max_size=2).map(lambda values: f"<e {_attrs(values)}/>")
    return st.one_of(sole_section, mixed, empty)


_content = st.recursive(
    st.one_of(_char_data, _comment, _pi, _cdata),
    lambda inner: st.one_of(inner, _elements(inner)),
    max_leaves=12,
)


@st.composite
def _documents(draw: st.DrawFn) -> bytes:
    prolog = draw(st.sampled_from(["", '<?xml version="1.0" encoding="utf-8"?>\n', "<!-- before -->"]))
    body = "".join(draw(st.lists(_content, max_size=8)))
    return f'{prolog}<r xmlns:x="urn:x">{body}</r>'.encode()


@pytest.mark.parametrize("direct", [True, False], ids=["libxml2", "lxml"])
@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=_documents(), data=st.data())
def test_the_restored_tree_is_the_tree_of_the_bytes_as_they_came(
    direct: bool, doc: bytes, data: st.DataObject
) -> None:
    """Put back by libxml2's own call (when lxml exports it, as its wheels do) or by lxml's setNodeText."""
    cuts = data.draw(st.lists(st.integers(0, len(doc)), max_size=6))
    assert _restored_tree(doc, cuts, direct=direct) == _plain_tree(doc)


@settings(max_examples=examples(200), deadline=None)
@given(body=_long_body, cut=st.integers(0, 10_000))
def test_a_sole_long_section_is_lifted_wherever_the_chunks_are_cut(body: str, cut: int) -> None:
    doc = b"<r><x/>" + _section(body) + b"</r>"
    out, lifter = _lifted(doc, [min(cut, len(doc))])
    assert lifter.pending == 1
    assert LONG.encode() not in out
    assert _restored_tree(doc, [min(cut, len(doc))]) == _plain_tree(doc)


def test_a_section_is_lifted_when_a_chunk_ends_right_after_its_start_tag() -> None:
    doc = b"<r><x/>" + _section(LONG) + b"</r>"
    out, lifter = _lifted(doc, [doc.index(b"<![CDATA[")])
    assert (lifter.pending, LONG.encode() in out) == (1, False)


# -- what stays where it is -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "doc",
    [
        pytest.param(b"<r><d> <![CDATA[" + LONG.encode() + b"]]></d></r>", id="text before"),
        pytest.param(b"<r><d><![CDATA[" + LONG.encode() + b"]]> </d></r>", id="text after"),
        pytest.param(b"<r><d><![CDATA[" + LONG.encode() + b"]]><e/></d></r>", id="element after"),
        pytest.param(b"<r><d/><![CDATA[" + LONG.encode() + b"]]></r>", id="after an empty element"),
        pytest.param(b"<r><d></d><![CDATA[" + LONG.encode() + b"]]></r>", id="after an end tag"),
        pytest.param(b"<r><d><![CDATA[" + b"x" * (MIN_LENGTH - 1) + b"]]></d></r>", id="short"),
        pytest.param(b"<r><!-- <d><![CDATA[" + LONG.encode() + b"]]></d> --></r>", id="in a comment"),
        pytest.param(b"<r><?pi <d><![CDATA[" + LONG.encode() + b"]]></d> ?></r>", id="in a PI"),
        pytest.param(
            b'<!DOCTYPE r SYSTEM "r.dtd"><r><d><![CDATA[' + LONG.encode() + b"]]></d></r>",
            id="after a doctype",
        ),
    ],
)
def test_sections_that_are_not_long_and_the_whole_content_of_an_element_stay(doc: bytes) -> None:
    out, lifter = _lifted(doc)
    assert (out, lifter.pending) == (doc, 0)


@pytest.mark.parametrize("bad", ["\x01", "\x1f", "\ufffe", "\uffff"])
def test_sections_holding_characters_xml_forbids_stay_for_libxml2_to_refuse(bad: str) -> None:
    doc = b"<r>" + _section(LONG + bad) + b"</r>"
    out, lifter = _lifted(doc)
    assert (out, lifter.pending) == (doc, 0)


@pytest.mark.parametrize("direct", [True, False], ids=["libxml2", "lxml"])
@pytest.mark.parametrize("tail", ["\t", "\n", "é’", "\ud7ff", "\ue000", "\ufffd", "\U00010000"])
def test_sections_holding_allowed_edge_characters_are_lifted(tail: str, direct: bool) -> None:
    doc = b"<r>" + _section(LONG + tail) + b"</r>"
    assert _lifted(doc)[1].pending == 1
    assert _restored_tree(doc, direct=direct) == _plain_tree(doc)


@pytest.mark.parametrize("direct", [True, False], ids=["libxml2", "lxml"])
def test_line_ends_are_normalised_as_xml_does(direct: bool) -> None:
    doc = b"<r>" + _section(LONG + "a\r\nb\rc\r\r\nd\r") + b"</r>"
    assert _restored_tree(doc, direct=direct) == _plain_tree(doc)
    out, lifter = _lifted(doc)
    root = etree.fromstring(out, _parser())
    lifter.restore(root)
    assert (root.findtext("d") or "").endswith("a\nb\nc\n\nd\n")


def test_a_section_longer_than_the_carry_limit_turns_lifting_off_and_is_read_as_it_came() -> None:
    huge = "y" * 300_000
    doc = b"<r>" + _section(LONG) + _section(huge) + _section(LONG) + b"</r>"
    cuts = list(range(1 << 15, len(doc), 1 << 15))
    out, lifter = _lifted(doc, cuts)
    assert lifter.pending == 1  # the first; lifting is off from the huge one on
    assert huge.encode() in out
    assert _restored_tree(doc, cuts) == _plain_tree(doc)


# -- restore's checks -------------------------------------------------------------------------------------


def test_a_marker_that_is_not_the_whole_content_of_its_element_is_an_error() -> None:
    out, lifter = _lifted(b"<r>" + _section(LONG) + b"</r>")
    root = etree.fromstring(out, _parser())
    root[0].append(etree.Element("extra"))
    with pytest.raises(LiftError, match="not the whole content"):
        lifter.restore(root)


def test_a_changed_marker_is_an_error() -> None:
    out, lifter = _lifted(b"<r>" + _section(LONG) + b"</r>")
    changed = re.sub(rb"(lytt-cdata-[0-9a-f]+-)0", rb"\g<1>7", out)
    with pytest.raises(LiftError, match="missing"):
        lifter.restore(etree.fromstring(changed, _parser()))
    spelled = re.sub(rb"(lytt-cdata-[0-9a-f]+-)0", rb"\g<1>0x", out)
    with pytest.raises(LiftError, match="changed"):
        lifter.restore(etree.fromstring(spelled, _parser()))


def test_a_marker_of_another_parse_is_text() -> None:
    first, _ = _lifted(b"<r>" + _section(LONG) + b"</r>")
    out, lifter = _lifted(first)
    root = etree.fromstring(out, _parser())
    lifter.restore(root)
    assert (root.findtext("d") or "").startswith("lytt-cdata-")


def test_restore_takes_only_elements_and_the_prefix_is_checked() -> None:
    lifter = _lift.new_lifter()
    assert lifter is not None
    with pytest.raises(TypeError):
        lifter.restore("<r/>")
    with pytest.raises(TypeError):
        lifter.feed("<r/>")  # type: ignore[arg-type]
    lifter_type = type(lifter)
    with pytest.raises(ValueError, match="plain text"):
        lifter_type(b"bad]]>prefix", MIN_LENGTH)
    with pytest.raises(ValueError, match="longer than a marker"):
        lifter_type(b"lytt-cdata-x-", 8)


# -- parse_feed ---------------------------------------------------------------------------------------------

FEED = (
    "<rss xmlns:content='http://purl.org/rss/1.0/modules/content/'"
    " xmlns:itunes='http://www.itunes.com/dtds/podcast-1.0.dtd'><channel><title>Show</title>"
    "<description><![CDATA[{long}]]></description><itunes:summary><![CDATA[{long}]]></itunes:summary>"
    "<item><title>One</title><guid>1</guid><description><![CDATA[{long}]]></description>"
    "<content:encoded><![CDATA[{long}]]></content:encoded></item>{tail}</channel></rss>"
)


def _both(doc: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    lifted = parse_feed(doc)
    with monkeypatch.context() as patch:
        patch.setattr(_lift, "new_lifter", lambda: None)
        plain = parse_feed(doc)
    return lifted, plain


def test_parse_feed_lifted_gives_the_feed_parsed_unlifted(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = FEED.format(long=LONG + "é’\r\n", tail="").encode()
    lifted, plain = _both(doc, monkeypatch)
    assert lifted == plain
    assert "Show notes" in (lifted.description_text or "")  # type: ignore[attr-defined]


@pytest.mark.parametrize("bad", ["\x01", "\uffff"])
def test_notes_holding_characters_xml_forbids_parse_as_they_do_unlifted(
    bad: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = FEED.format(long=LONG + bad, tail="").encode()
    lifted, plain = _both(doc, monkeypatch)
    assert lifted == plain


def test_a_broken_feed_reports_positions_in_the_bytes_as_they_came(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = FEED.format(long=LONG, tail="<item><title>Two</title>").encode() + b"\n<broken"
    errors = []
    for lift in (True, False):
        with monkeypatch.context() as patch:
            if not lift:
                patch.setattr(_lift, "new_lifter", lambda: None)
            try:
                errors.append(parse_feed(doc).warnings)
            except FeedSyntaxError as exc:
                errors.append([str(exc)])
    assert errors[0] == errors[1]
    unclosed_item_line = doc.count(b"\n")  # the lifted bytes hold none of the notes' line ends
    assert any(f"line {unclosed_item_line}," in message for message in errors[0]), errors[0]


def test_a_lift_that_fails_is_read_again_without_lifting(monkeypatch: pytest.MonkeyPatch) -> None:
    real = _lift.new_lifter

    class Failing:
        def __init__(self) -> None:
            self.inner = real()
            self.pending = 0

        def feed(self, chunk: bytes) -> bytes:
            assert self.inner is not None
            return self.inner.feed(chunk)

        def close(self) -> bytes:
            assert self.inner is not None
            return self.inner.close()

        def restore(self, el: object) -> None:
            raise LiftError("lost")

    doc = FEED.format(long=LONG, tail="").encode()
    monkeypatch.setattr(_lift, "new_lifter", Failing)
    feed = parse_feed(doc)
    monkeypatch.undo()
    assert feed == parse_feed(doc)
    assert feed.episodes[0].description_html is not None
    assert "lytt-cdata" not in feed.episodes[0].description_html


def test_libxml2s_own_call_is_found_in_lxmls_wheel() -> None:
    """lxml's wheels export libxml2's API; without it every section is put back through lxml, slower."""
    from lytt.feeds import _clift

    if not _clift.DIRECT and not c_reader_required():
        pytest.skip("this lxml does not export libxml2's xmlNodeSetContentLen")
    assert _clift.DIRECT == 1


def test_libxml2s_own_call_has_the_signature_of_the_libxml2_that_runs() -> None:
    """libxml2 2.13 made xmlNodeSetContentLen return int (before: void); calling it through the other
    signature is undefined behaviour. The C code calls it as the headers it was built with declare it, so
    those must be the headers of the libxml2 that runs (the CI's sanitizer pass runs on lxml 5.3.0, whose
    libxml2 2.12 has the void one)."""
    from lytt.feeds import _clift

    major, minor, patch = etree.LIBXML_VERSION[:3]
    assert major * 10000 + minor * 100 + patch == _clift.LIBXML_VERSION


def _passes(doc: bytes, monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, bool, bool]]:
    """(repair, recover, lifted) of every pass parse_feed makes over `doc`."""
    passes: list[tuple[bool, bool, bool]] = []
    real = parse_module._Pass

    def spy(*args: object, **kwargs: object) -> object:
        passes.append((bool(kwargs["repair"]), bool(kwargs["recover"]), kwargs.get("lifter") is not None))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(parse_module, "_Pass", spy)
    parse_feed(doc)
    return passes


def test_a_feed_that_needs_repairs_is_still_read_lifted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bare ampersands and HTML entities outside CDATA are common; their repair pass runs lifted too."""
    doc = FEED.format(long=LONG, tail="<item><title>Q&A &nbsp;special</title><guid>2</guid></item>").encode()
    assert _passes(doc, monkeypatch) == [(False, False, True), (True, False, True)]
    monkeypatch.undo()
    lifted, plain = _both(doc, monkeypatch)
    assert lifted == plain


def test_a_feed_beyond_repair_is_recovered_from_the_bytes_as_they_came(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    doc = FEED.format(long=LONG, tail="<item><title>Two</title>").encode()
    assert _passes(doc, monkeypatch) == [
        (False, False, True),
        (True, False, True),
        (False, False, False),
        (True, False, False),
        (True, True, False),
    ]

"""Transcript files: WebVTT, SRT, Podcasting 2.0 JSON and HTML into plain-text cues; hostile input."""

from __future__ import annotations

import contextlib
import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lytt.feeds import AttachmentError, AttachmentTooLarge, Cue, lines, parse_transcript, transcript_text
from lytt.feeds.transcripts import clock_seconds, preference

URL = "https://cdn.example/ep1/transcript"

VTT = b"""WEBVTT
Kind: captions

NOTE a comment that is not a cue

intro
00:00:00.000 --> 00:00:05.000 align:start
<v John>Podcasting 2.0 is <i>really</i> changing the game &amp; more.

00:05.000 --> 00:10.000
<v.loud Tom Jones>Yeah, absolutely.

00:00:10.000 --> 00:00:15.500
No voice here.
"""

SRT = b"""1
00:00:00,000 --> 00:00:02,760
Sarah: In today's episode,
you'll learn whether or not you

2
00:00:02,760 --> 00:00:06,090
should have a <font color="red">podcast</font> trailer.

3
00:00:19,080 --> 00:00:21,450
Gillian: Hi Buzzsprout, Gillian
here from breaking through
"""


def test_webvtt_cues_have_times_voices_and_plain_text() -> None:
    parsed = parse_transcript(VTT, url=URL, declared_type="text/vtt")
    assert parsed.format == "vtt"
    assert parsed.cues == [
        Cue(0.0, 5.0, "John", "Podcasting 2.0 is really changing the game & more."),
        Cue(5.0, 10.0, "Tom Jones", "Yeah, absolutely."),
        Cue(10.0, 15.5, None, "No voice here."),
    ]


def test_srt_speakers_carry_over_to_the_next_card_and_tags_are_dropped() -> None:
    parsed = parse_transcript(SRT, url=URL, declared_type="application/x-subrip")
    assert parsed.format == "srt"
    assert [(c.start, c.speaker, c.text) for c in parsed.cues] == [
        (0.0, "Sarah", "In today's episode, you'll learn whether or not you"),
        (2.76, "Sarah", "should have a podcast trailer."),
        (19.08, "Gillian", "Hi Buzzsprout, Gillian here from breaking through"),
    ]


def test_json_segments_word_by_word_merge_into_lines() -> None:
    words = [
        ("Darth Vader", 0.5, 0.75, "I"),
        ("Darth Vader", 1, 1.25, "am"),
        ("Darth Vader", 1.5, 2.0, "your"),
        ("Darth Vader", 2.25, 2.5, "father.\n"),
        ("Luke", 2.75, 3.0, "Nooooo"),
    ]
    data = json.dumps(
        {
            "version": "1.0.0",
            "segments": [{"speaker": s, "startTime": a, "endTime": b, "body": t} for s, a, b, t in words],
        }
    ).encode()
    parsed = parse_transcript(data, url=URL, declared_type="application/json")
    assert parsed.format == "json"
    assert len(parsed.cues) == 5
    assert lines(parsed.cues) == [
        Cue(0.5, 2.5, "Darth Vader", "I am your father."),
        Cue(2.75, 3.0, "Luke", "Nooooo"),
    ]


def test_html_transcript_in_the_specs_shape() -> None:
    data = b"""<html><body><cite>Kevin:</cite><time>0:00</time><p>We have an update planned.</p>
    <cite>Alban :</cite><time>1:02:09</time><p>You're <b>triggering</b> Tom.<script>alert(1)</script></p>
    </body></html>"""
    parsed = parse_transcript(data, url=URL, declared_type="text/html")
    assert parsed.cues == [
        Cue(0.0, None, "Kevin", "We have an update planned."),
        Cue(3729.0, None, "Alban", "You're triggering Tom."),
    ]


def test_html_paragraphs_with_leading_timestamps_and_untimed_ones() -> None:
    data = b"<p>[00:01:05] Anna: Hello there.</p><p>Just text, no time.</p>"
    parsed = parse_transcript(data, url=URL, declared_type="text/html")
    assert parsed.cues == [
        Cue(65.0, None, "Anna", "Hello there."),
        Cue(None, None, None, "Just text, no time."),
    ]


def test_the_bytes_decide_the_format_over_a_wrong_declared_type() -> None:
    assert parse_transcript(VTT, url=URL, declared_type="text/plain").format == "vtt"
    assert parse_transcript(SRT, url=URL, declared_type="application/octet-stream").format == "srt"
    assert parse_transcript(SRT, url=URL, declared_type="text/vtt").format == "srt"


def test_encodings_bom_charset_and_cp1252_fallback() -> None:
    text = "WEBVTT\n\n00:00.000 --> 00:01.000\nBlåbærsyltetøy\n"
    assert parse_transcript(text.encode("utf-16"), url=URL).cues[0].text == "Blåbærsyltetøy"
    assert parse_transcript(text.encode("cp1252"), url=URL).cues[0].text == "Blåbærsyltetøy"
    latin = parse_transcript(text.encode("iso-8859-1"), url=URL, content_type="text/vtt; charset=ISO-8859-1")
    assert latin.cues[0].text == "Blåbærsyltetøy"


def test_malformed_timings_are_skipped_with_a_warning_naming_the_line() -> None:
    data = b"WEBVTT\n\n00:00:99.000 --> 00:01.000\nbad\n\n00:02.000 --> 00:03.000\ngood\n"
    parsed = parse_transcript(data, url=URL)
    assert [cue.text for cue in parsed.cues] == ["good"]
    assert parsed.warnings == ["line 3: malformed timing '00:00:99.000 --> 00:01.000' skipped"]


@pytest.mark.parametrize(
    ("data", "declared", "message"),
    [
        (b"", "text/vtt", "no cues"),
        (b"WEBVTT\n\nNOTE only a note\n", "text/vtt", "no cues with text in this VTT"),
        (b"{not json", "application/json", "not valid JSON"),
        (b"[1, 2]", "application/json", "not an object"),
        (b'{"version": "1.0.0"}', "application/json", 'no "segments" list'),
        (b"just some words", "text/plain", "not a transcript format"),
        (b"\x00\x01\x02binary", None, "binary data"),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", "not"),
    ],
)
def test_bad_files_raise_an_error_naming_the_url(data: bytes, declared: str | None, message: str) -> None:
    with pytest.raises(AttachmentError, match=message) as raised:
        parse_transcript(data, url=URL, declared_type=declared)
    assert str(raised.value).startswith(URL)


def test_caps_on_bytes_and_cues() -> None:
    with pytest.raises(AttachmentTooLarge, match="byte cap"):
        parse_transcript(b"WEBVTT\n\n" + b"x" * 200, url=URL, max_bytes=100)
    many = b"WEBVTT\n\n" + b"".join(b"00:00.000 --> 00:01.000\nword\n\n" for _ in range(20))
    with pytest.raises(AttachmentTooLarge, match="more than 10 cues"):
        parse_transcript(many, url=URL, max_cues=10)
    segments = json.dumps({"segments": [{"startTime": 1, "body": "a"}] * 11}).encode()
    with pytest.raises(AttachmentTooLarge, match="more than 10 cues"):
        parse_transcript(segments, url=URL, max_cues=10)


def test_json_times_that_are_not_numbers_are_left_out() -> None:
    data = json.dumps(
        {
            "segments": [
                {"startTime": True, "body": "a"},
                {"startTime": "NaN", "body": "b"},
                {"startTime": 1e300, "body": "c"},
                {"startTime": "2.5", "endTime": 1, "body": "d"},
            ]
        }
    ).encode()
    cues = parse_transcript(data, url=URL).cues
    assert [(cue.start, cue.end) for cue in cues] == [(None, None), (None, None), (None, None), (2.5, None)]


def test_clock_seconds() -> None:
    assert clock_seconds("01:02:03.5") == 3723.5
    assert clock_seconds("2:03,25") == 123.25
    assert clock_seconds("75:00") == 4500.0
    assert clock_seconds("1:75:00") is None
    assert clock_seconds("1:00:60") is None
    assert clock_seconds("soon") is None


def test_preference_puts_timed_formats_before_html() -> None:
    types = ["text/html", "application/srt", "text/vtt", "application/json", "text/plain"]
    assert sorted(types, key=preference) == [
        "application/json",
        "text/vtt",
        "application/srt",
        "text/html",
        "text/plain",
    ]


def test_transcript_text_is_one_line_per_cue() -> None:
    assert transcript_text([Cue(0, 1, None, "one"), Cue(1, 2, "A", "two")]) == "one\ntwo"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from([None, "text/vtt", "application/json", "text/html"]))
def test_any_bytes_give_clean_cues_or_an_attachment_error(data: bytes, declared: str | None) -> None:
    try:
        parsed = parse_transcript(data, url=URL, declared_type=declared)
    except AttachmentError:
        return
    assert parsed.cues
    for cue in parsed.cues:
        assert cue.text
        assert cue.text == " ".join(cue.text.split())
        assert cue.start is None or cue.start >= 0
        assert cue.end is None or (cue.start is not None and cue.end >= cue.start)


@pytest.mark.parametrize(
    "data",
    [
        b"WEBVTT\n\n" + b"<" * 1_000_000,
        b"WEBVTT\n\n00:00.000 --> " + b"0" * 1_000_000,
        b"<p>" + b"1:" * 500_000,
        b"1\n" + b"00:00:00,000 --> 00:00:01,000\n" * 100_000,
    ],
)
def test_hostile_input_is_read_in_linear_time(data: bytes) -> None:
    started = time.monotonic()
    with contextlib.suppress(AttachmentError):
        parse_transcript(data, url=URL)
    assert time.monotonic() - started < 5


_word = st.text(alphabet=st.characters(whitelist_categories=("L", "N")), min_size=1, max_size=12)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3600 * 3), st.sampled_from(["A", "B"]), _word), min_size=1, max_size=60)
)
def test_webvtt_round_trip_and_lines_keep_every_word_in_order(cues: list[tuple[int, str, str]]) -> None:
    cues.sort()

    def stamp(seconds: int) -> str:
        return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.000"

    body = "WEBVTT\n\n" + "".join(
        f"{stamp(start)} --> {stamp(start + 1)}\n<v {speaker}>{word}\n\n" for start, speaker, word in cues
    )
    parsed = parse_transcript(body.encode(), url=URL).cues
    assert [(c.start, c.speaker, c.text) for c in parsed] == [(float(s), sp, w) for s, sp, w in cues]
    merged = lines(parsed)
    assert " ".join(line.text for line in merged).split() == [w for _, _, w in cues]
    assert all(line.start is not None for line in merged)
    assert [line.start for line in merged] == sorted(line.start or 0 for line in merged)

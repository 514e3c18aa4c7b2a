"""Episode transcripts: WebVTT, SRT, Podcasting 2.0 JSON and HTML files in, a list of plain-text cues out.

Pure: bytes in, `Cue`s out, no I/O. The formats are the four the Podcasting 2.0 ``podcast:transcript``
tag names (podcast-namespace, transcripts/transcripts.md). The format is recognised from the bytes first
(a ``WEBVTT`` header, a JSON object, markup, ``-->`` timings), since hosts often serve these files as
``text/plain`` or ``application/octet-stream``, and from the declared type only when the bytes do not say.

Cue text is plain text: tags (WebVTT's ``<v>``, ``<i>``, SRT's ``<font>``, markup in JSON bodies) are
removed and entities decoded here, so whoever shows a cue only has to escape it. `lines` merges cues into
readable lines (Podcasting 2.0 JSON files often carry one word per segment) for pages and search.

Hostile input is bounded: a byte cap, a cap on cues, linear-time patterns, lxml's HTML parser without
network access. Every failure is an `AttachmentError` naming the URL and what was wrong.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import lxml.etree
import lxml.html

from lytt.feeds._xml import _codec_name, content_type_charset
from lytt.feeds.errors import AttachmentError, AttachmentTooLarge
from lytt.feeds.html_text import unescape

MAX_BYTES = 10 * 1024 * 1024
MAX_CUES = 200_000  # raw cues or segments in one file (a word-per-segment JSON of 20 hours)
MAX_SPEAKER = 100
MAX_WARNINGS = 10
#: A merged line ends at a sentence end, a speaker change, a pause, or this many characters.
LINE_CHARS = 300
LINE_GAP_SECONDS = 2.0

FORMATS = ("json", "vtt", "srt", "html")
#: Preference when an episode offers several transcripts: timed formats first, HTML last.
_PREFERENCE = {"json": 0, "vtt": 1, "srt": 2, "html": 3}
_TYPES = {
    "application/json": "json",
    "text/json": "json",
    "text/vtt": "vtt",
    "application/x-subrip": "srt",
    "application/srt": "srt",
    "text/srt": "srt",
    "text/x-srt": "srt",
    "text/html": "html",
    "application/xhtml+xml": "html",
}

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_TIMING = re.compile(
    r"^\s*(?P<start>(?:\d{1,3}:)?\d{1,2}:\d{1,2}(?:[.,]\d{1,3})?)\s*-->\s*"
    r"(?P<end>(?:\d{1,3}:)?\d{1,2}:\d{1,2}(?:[.,]\d{1,3})?)(?:[ \t].*)?$"
)
_CLOCK = re.compile(r"^(?:(\d{1,3}):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?$")
_VOICE = re.compile(r"^\s*<v(?:\.[^\s>]*)?[ \t]+([^>]{1,200})>")
_TAG = re.compile(r"<[^<>]{0,500}>")
_SPACES = re.compile(r"\s+")
_SPEAKER_PREFIX = re.compile(r"^([^\s:][^:\n]{0,40}?)\s*:\s+(?=\S)")
_LEADING_TIME = re.compile(r"^\s*[\[(]?((?:\d{1,3}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)[\])]?\s*[-–—:]?\s*")
_SENTENCE_END = (".", "!", "?", "…", '."', '!"', '?"', ".”", "!”", "?”", ".)", ":")


@dataclass(frozen=True, slots=True)
class Cue:
    """One piece of a transcript. `start`/`end` are seconds (None when the file gives no time, as HTML
    transcripts may); `text` is plain text, never markup."""

    start: float | None
    end: float | None
    speaker: str | None
    text: str


@dataclass(slots=True)
class ParsedTranscript:
    format: str  # one of FORMATS
    cues: list[Cue]
    warnings: list[str] = field(default_factory=list)


def format_of(declared_type: str | None) -> str | None:
    """The format a MIME type (the feed's ``type`` attribute or a Content-Type) names, or None."""
    if not declared_type:
        return None
    base = declared_type.split(";", 1)[0].strip().lower()
    return _TYPES.get(base)


def preference(declared_type: str | None) -> int:
    """Sort key for choosing among an episode's transcripts: JSON, WebVTT, SRT, then HTML, then unknown."""
    return _PREFERENCE.get(format_of(declared_type) or "", len(_PREFERENCE))


def parse_transcript(
    data: bytes,
    *,
    url: str | None = None,
    declared_type: str | None = None,
    content_type: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_cues: int = MAX_CUES,
) -> ParsedTranscript:
    """Parse a transcript file. `declared_type` is the feed's ``type`` attribute, `content_type` the HTTP
    header (its charset is honoured). Raises `AttachmentError` (naming `url`) when nothing usable is in it."""
    source = url or "transcript"
    if len(data) > max_bytes:
        raise AttachmentTooLarge(f"{len(data):,} bytes is over the {max_bytes:,}-byte cap", source=source)
    text = decode_text(data, source=source, content_type=content_type)
    kind = sniff(text) or format_of(declared_type) or format_of(content_type)
    if kind is None:
        raise AttachmentError(
            f"not a transcript format Lytt reads (type {declared_type or content_type or 'unknown'}; "
            "expected WebVTT, SRT, JSON or HTML)",
            source=source,
        )
    warnings: list[str] = []
    if kind == "json":
        cues = _json_cues(text, source, max_cues)
    elif kind == "html":
        cues = _html_cues(text, source, max_cues)
    else:
        cues = _timed_cues(text, kind, source, max_cues, warnings)
    if not cues:
        raise AttachmentError(f"no cues with text in this {kind.upper()} transcript", source=source)
    return ParsedTranscript(kind, cues, warnings[:MAX_WARNINGS])


def decode_text(data: bytes, *, source: str, content_type: str | None = None) -> str:
    """Text of a file: BOM, then the HTTP charset, then UTF-8, else cp1252 (what mislabelled files mean).
    Binary data (NUL bytes without a UTF-16 BOM) is refused."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace")
    if b"\x00" in data[:4096]:
        raise AttachmentError("binary data, not text (NUL bytes)", source=source)
    charset = _codec_name(content_type_charset(content_type))
    if charset is not None and charset not in ("utf-8", "ascii"):
        try:
            return data.decode(charset)
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff(text: str) -> str | None:
    """The format the text itself shows, or None."""
    head = text[:4096].lstrip()
    if head.startswith("WEBVTT"):
        return "vtt"
    if head.startswith("{"):
        return "json"
    if head.startswith("<"):
        return "html"
    if any(_TIMING.match(line) for line in head.splitlines()[:20]):
        return "srt"
    return None


def clock_seconds(value: str) -> float | None:
    """Seconds of "HH:MM:SS.mmm", "MM:SS,mmm", "M:SS"; None when minutes or seconds are 60 or more."""
    match = _CLOCK.match(value.strip())
    if match is None:
        return None
    hours, minutes, seconds, fraction = match.groups()
    if (int(minutes) >= 60 and hours is not None) or int(seconds) >= 60:
        return None
    total = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    return total + int(fraction.ljust(3, "0")) / 1000 if fraction else float(total)


def plain(markup: str) -> str:
    """Cue markup to plain text: tags removed, entities decoded, whitespace collapsed."""
    if "<" in markup:
        markup = _TAG.sub(" ", markup)
    if "&" in markup:
        markup = unescape(markup)
    return _SPACES.sub(" ", markup).strip()


def _speaker(value: str | None) -> str | None:
    if not value:
        return None
    name = plain(value)[:MAX_SPEAKER]
    return name or None


def _too_many(source: str, max_cues: int) -> AttachmentError:
    return AttachmentTooLarge(f"more than {max_cues:,} cues", source=source)


# -- WebVTT and SRT -------------------------------------------------------------------------------------


def _blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line number, lines) of each blank-line-separated block."""
    block: list[str] = []
    first = 0
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        if line.strip():
            if not block:
                first = number
            block.append(line)
        elif block:
            yield first, block
            block = []
    if block:
        yield first, block


def _timed_cues(text: str, kind: str, source: str, max_cues: int, warnings: list[str]) -> list[Cue]:
    cues: list[Cue] = []
    speaker: str | None = None
    for number, lines in _blocks(text):
        timing_at = next((i for i, line in enumerate(lines[:3]) if "-->" in line), None)
        if timing_at is None:
            continue  # the WEBVTT header, NOTE, STYLE and REGION blocks, SRT junk between cards
        match = _TIMING.match(lines[timing_at])
        start = clock_seconds(match.group("start")) if match else None
        end = clock_seconds(match.group("end")) if match else None
        if start is None:
            if len(warnings) < MAX_WARNINGS:
                warnings.append(
                    f"line {number + timing_at}: malformed timing {lines[timing_at][:60]!r} skipped"
                )
            continue
        if end is not None and end < start:
            end = None
        body = "\n".join(lines[timing_at + 1 :])
        voice = _VOICE.match(body)
        cue_speaker = _speaker(voice.group(1)) if voice else None
        words = plain(body)
        if not cue_speaker:
            prefix = _SPEAKER_PREFIX.match(words)
            if prefix and len(prefix.group(1).split()) <= 3:
                cue_speaker = _speaker(prefix.group(1))
                words = words[prefix.end() :]
        if cue_speaker:
            speaker = cue_speaker
        elif kind == "vtt":
            speaker = None  # WebVTT names each cue's voice; SRT cards go on with the last named speaker
        if not words:
            continue
        if len(cues) >= max_cues:
            raise _too_many(source, max_cues)
        cues.append(Cue(start, end, speaker, words))
    cues.sort(key=lambda cue: cue.start or 0.0)
    return cues


# -- Podcasting 2.0 JSON --------------------------------------------------------------------------------


def json_seconds(value: object) -> float | None:
    """A JSON time: a finite non-negative number (bool is not one), or a numeric string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            number: object = float(value.strip())
        except ValueError:
            return clock_seconds(value)
        value = number
    if isinstance(value, int | float) and math.isfinite(value) and 0 <= value < 10**7:
        return round(float(value), 3)
    return None


def load_json_object(text: str, *, source: str, what: str) -> dict[str, object]:
    """A JSON document that must be an object; errors name the source."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise AttachmentError(f"{what} is not valid JSON ({exc})", source=source) from None
    if not isinstance(document, dict):
        raise AttachmentError(f"{what} JSON is not an object", source=source)
    return document


def _json_cues(text: str, source: str, max_cues: int) -> list[Cue]:
    document = load_json_object(text, source=source, what="transcript")
    segments = document.get("segments")
    if not isinstance(segments, list):
        raise AttachmentError('transcript JSON has no "segments" list', source=source)
    if len(segments) > max_cues:
        raise _too_many(source, max_cues)
    cues: list[Cue] = []
    for segment in segments:
        if not isinstance(segment, dict):
            continue
        body = segment.get("body")
        if not isinstance(body, str):
            continue
        words = plain(body)
        if not words:
            continue
        start = json_seconds(segment.get("startTime"))
        end = json_seconds(segment.get("endTime"))
        if start is not None and end is not None and end < start:
            end = None
        speaker = segment.get("speaker")
        cues.append(Cue(start, end, _speaker(speaker) if isinstance(speaker, str) else None, words))
    if all(cue.start is not None for cue in cues):
        cues.sort(key=lambda cue: cue.start or 0.0)
    return cues


# -- HTML -------------------------------------------------------------------------------------------------


def _html_cues(text: str, source: str, max_cues: int) -> list[Cue]:
    """The spec's shape: ``<cite>`` names the speaker, ``<time>`` the start, ``<p>`` the words. Other pages
    give their paragraphs (and list items), each with a leading "[12:34]" or "12:34 -" read as its time."""
    try:
        root = lxml.html.document_fromstring(text, parser=_HTML_PARSER)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise AttachmentError(f"unreadable HTML transcript ({exc})", source=source) from None
    lxml.etree.strip_elements(root, "script", "style", "template", "noscript", with_tail=False)
    cues: list[Cue] = []
    speaker: str | None = None
    start: float | None = None
    for el in root.iter("cite", "time", "p", "li", "dd"):
        words = plain(" ".join(el.itertext()))
        if el.tag == "cite":
            speaker = _speaker(words.rstrip(":").strip())
            continue
        if el.tag == "time":
            start = _time_of(el.get("datetime"), words)
            continue
        if el.tag != "p" and any(child.tag == "p" for child in el.iter("p")):
            continue  # the paragraphs inside are read themselves
        leading = _LEADING_TIME.match(words)
        cue_start = start
        if leading and clock_seconds(leading.group(1)) is not None:
            cue_start = clock_seconds(leading.group(1))
            words = words[leading.end() :]
        cue_speaker = speaker
        prefix = _SPEAKER_PREFIX.match(words) if speaker is None else None
        if prefix and len(prefix.group(1).split()) <= 3:
            cue_speaker = _speaker(prefix.group(1))
            words = words[prefix.end() :]
        if words:
            if len(cues) >= max_cues:
                raise _too_many(source, max_cues)
            cues.append(Cue(cue_start, None, cue_speaker, words))
        start = None
    return cues


_HTML_PARSER = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
_ISO_DURATION = re.compile(r"^PT(?:(\d{1,3})H)?(?:(\d{1,4})M)?(?:(\d{1,6}(?:\.\d{1,3})?)S)?$", re.IGNORECASE)


def _time_of(attribute: str | None, words: str) -> float | None:
    """A ``<time>``'s offset: its ``datetime`` as a clock time or an ISO duration, else its text."""
    for candidate in (attribute, words):
        if candidate:
            seconds = clock_seconds(candidate)
            if seconds is None:
                seconds = _duration_attr(candidate)
            if seconds is not None:
                return seconds
    return None


def _duration_attr(value: str | None) -> float | None:
    """A ``<time datetime="PT1M5S">`` duration (HTML's form for a time offset)."""
    match = _ISO_DURATION.match(value.strip()) if value else None
    if match is None or not any(match.groups()):
        return None
    hours, minutes, seconds = match.groups()
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)


# -- lines and text -------------------------------------------------------------------------------------


def _ends_sentence(text: str) -> bool:
    return text.endswith(_SENTENCE_END)


def lines(
    cues: Iterable[Cue], *, max_chars: int = LINE_CHARS, max_gap: float = LINE_GAP_SECONDS
) -> list[Cue]:
    """Cues merged into readable lines: a cue joins the line before it when the speaker is the same, the
    line has not ended a sentence, the pause between them is short and the line stays under `max_chars`.
    A line starts when its first cue starts and ends when its last cue ends."""
    merged: list[Cue] = []
    for cue in cues:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.speaker == cue.speaker
            and not _ends_sentence(last.text)
            and len(last.text) + len(cue.text) < max_chars
            and (last.start is None) == (cue.start is None)
            and _close(last, cue, max_gap)
        ):
            merged[-1] = Cue(
                last.start,
                cue.end if cue.end is not None else last.end,
                last.speaker,
                f"{last.text} {cue.text}",
            )
        else:
            merged.append(cue)
    return merged


def _close(last: Cue, cue: Cue, max_gap: float) -> bool:
    if cue.start is None:
        return False  # untimed paragraphs are paragraphs already
    previous_end = last.end if last.end is not None else last.start
    return previous_end is not None and cue.start - previous_end <= max_gap


def transcript_text(cues: Sequence[Cue]) -> str:
    """The plain text of a transcript, one line per cue, for search."""
    return "\n".join(cue.text for cue in cues)

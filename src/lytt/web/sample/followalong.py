"""Generate the sample episodes' chapters and transcript: `python -m lytt.web.sample.followalong`.

Sample audio plays as long as each feed says (`audio.py`), so the chapters and transcript lines that go with
it are placed at fractions of that duration, read from the bundled feed, instead of being typed as times:
the Podcasting 2.0 chapters file of *Neither Free Nor Fair*, the inline Podlove chapters of *The Great
Escape* (rewritten in place in the feed file) and that episode's WebVTT transcript. The outputs are
committed (the site serves them as static files and the sample loader reads them); a test checks that they
are this script's output, so a changed duration or fraction cannot leave them behind.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from lytt.web.sample.attachments import STATIC_SAMPLE_DIR
from lytt.web.sample.loader import FEEDS_DIR

FEED = FEEDS_DIR / "insight-myanmar.xml"
CUE_SECONDS = 8  # how long a transcript line lasts (less when the next one starts sooner)


@dataclass(frozen=True, slots=True)
class Line:
    fraction: float  # of the episode's duration
    speaker: str
    text: str


# guid: chapter titles at fractions of the episode's duration
FILE_CHAPTERS = {
    "insight-myanmar-457": (
        "neither-free-nor-fair.chapters.json",
        [(0.0, "Introduction"), (0.31, "The staged election"), (0.64, "Organising against it")],
    ),
}
INLINE_CHAPTERS = {
    "insight-myanmar-238": [
        (0.0, "Introduction"),
        (0.21, "Defections since the 2021 coup"),
        (0.48, "How the CDM helps defectors"),
        (0.77, "A shift in the military's morale"),
    ],
}
KYED = "Helene Maria Kyed"
TRANSCRIPTS = {
    "insight-myanmar-238": (
        "the-great-escape.vtt",
        [
            Line(0.0, "Host", "[Sample transcript] Insight Myanmar, episode 238: The Great Escape."),
            Line(
                0.002, "Host", "[Lytt's sample audio is a placeholder tone; these lines are spread over it.]"
            ),
            Line(
                0.21, KYED, "Defections were rare before the coup; there was not even a Burmese word for it."
            ),
            Line(0.3, KYED, "Soldiers might desert, but they did not defect to the other side."),
            Line(
                0.48, KYED, "The CDM and the ethnic armed organisations offer money, shelter and a way out."
            ),
            Line(0.6, KYED, "The support networks are what made the difference."),
            Line(0.77, KYED, "Every defection chips away at the military's cohesion and morale."),
            Line(0.995, "Host", "Thank you for listening to Insight Myanmar."),
        ],
    ),
}


def durations(feed: Path = FEED) -> dict[str, int]:
    """Each episode's duration in seconds, by guid, as the feed states it."""
    from lytt.feeds import parse_feed

    parsed = parse_feed(feed.read_bytes(), url=feed.as_uri())
    return {e.guid: e.duration_seconds for e in parsed.episodes if e.guid and e.duration_seconds}


def at(fraction: float, duration: int) -> int:
    """A whole second at `fraction` of `duration`."""
    return min(duration - 1, max(0, round(fraction * duration)))


def _hms(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def chapters_json(chapters: list[tuple[float, str]], duration: int) -> str:
    entries = [{"startTime": at(f, duration), "title": title} for f, title in chapters]
    lines = ",\n".join("    " + json.dumps(e, ensure_ascii=False) for e in entries)
    return '{\n  "version": "1.2.0",\n  "chapters": [\n' + lines + "\n  ]\n}\n"


def psc_chapters(chapters: list[tuple[float, str]], duration: int, indent: str = "        ") -> str:
    """The <psc:chapter> elements (Podlove simple chapters) for an item."""
    return "".join(
        f'{indent}<psc:chapter start="{_hms(at(f, duration))}" title="{title}"/>\n' for f, title in chapters
    )


def webvtt(lines: list[Line], duration: int) -> str:
    starts = [at(line.fraction, duration) for line in lines]
    cues = []
    for index, line in enumerate(lines):
        end = min(starts[index] + CUE_SECONDS, starts[index + 1] if index + 1 < len(lines) else duration)
        cues.append(f"{_hms(starts[index])}.000 --> {_hms(end)}.000\n<v {line.speaker}>{line.text}\n")
    return "WEBVTT\n\n" + "\n".join(cues)


def with_inline_chapters(feed_text: str, guid: str, chapters: str) -> str:
    """The feed with the <psc:chapters> of the item with `guid` replaced by `chapters`."""
    item = re.search(
        r'<guid isPermaLink="false">' + re.escape(guid) + r"</guid>.*?</item>", feed_text, flags=re.S
    )
    if item is None:
        raise ValueError(f"{FEED.name} has no item with guid {guid!r}")
    block = re.compile(r'(<psc:chapters version="1.2">\n)(.*?)(\s*</psc:chapters>)', re.S)
    found = block.search(feed_text, item.start(), item.end())
    if found is None:
        raise ValueError(f"the item {guid!r} in {FEED.name} has no <psc:chapters>")
    return feed_text[: found.start(2)] + chapters.rstrip("\n") + feed_text[found.end(2) :]


def outputs() -> dict[Path, str]:
    """Every generated file and the text it must hold."""
    seconds = durations()
    files: dict[Path, str] = {}
    for guid, (name, chapters) in FILE_CHAPTERS.items():
        files[STATIC_SAMPLE_DIR / name] = chapters_json(chapters, seconds[guid])
    for guid, (name, lines) in TRANSCRIPTS.items():
        files[STATIC_SAMPLE_DIR / name] = webvtt(lines, seconds[guid])
    feed_text = FEED.read_text(encoding="utf-8")
    for guid, inline in INLINE_CHAPTERS.items():
        feed_text = with_inline_chapters(feed_text, guid, psc_chapters(inline, seconds[guid]))
    files[FEED] = feed_text
    return files


def main() -> int:
    for path, text in outputs().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

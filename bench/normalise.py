"""Per-call cost of the feed normalisers against peers doing the same job, measured in the same run.

    .venv/bin/python bench/normalise.py

Peers: podcastparser (`parse_pubdate`, `parse_time`), feedparser (`_parse_date`, its HTML sanitiser) and
lxml.html (`text_content`). Inputs are realistic mixes; every callable runs interleaved with the others and
the best of several rounds is kept, which is what survives a busy machine. Prints a Markdown table.
"""

from __future__ import annotations

import platform
import sys
import timeit
from collections.abc import Callable
from datetime import UTC, datetime

import feedparser.datetimes
import feedparser.sanitizer
import lxml.html
import podcastparser

from lytt.feeds.dates import parse_date
from lytt.feeds.durations import parse_duration
from lytt.feeds.html import sanitize_html
from lytt.feeds.html_text import html_to_text

DATES = [
    "Tue, 21 May 2024 10:00:00 +0200",
    "Tue, 21 May 2024 10:00:00 GMT",
    "Wed, 22 May 2024 08:30:00 -0400",
    "Thu, 23 May 2024 06:00:00 +0000",
    "2024-05-21T10:00:00Z",
    "2024-05-21T10:00:00+02:00",
    "Tue, 21 May 2024 10:00 EDT",
    "21 May 2024 10:00:00 +0200",
]
DURATIONS = ["1:27:03", "01:27:03", "87:03", "5223", "00:45:12", "3600", "1:02:03", "59:59"]
NOTES = (
    "<p>In this episode we talk with <strong>Guest Name</strong> about <a href='https://ex.com/x'>the"
    " thing</a>, what it means &amp; why it matters.</p>"
    * 6
    + "<ul>"
    + "<li>Chapter with <em>markup</em> at 12:34 &ndash; <a href='/rel/link'>link</a></li>" * 8
    + "</ul><p>Support us: <a href='https://ex.com/support'>ex.com/support</a></p>"
)
BASE = "https://ex.com/feed.xml"
SANITISED = sanitize_html(NOTES, base_url=BASE) or ""

Case = tuple[str, Callable[[], object], str, Callable[[], object], int]


def _each(function: Callable[[str], object], inputs: list[str]) -> Callable[[], object]:
    def run() -> object:
        result = None
        for value in inputs:
            result = function(value)
        return result

    return run


CASES: list[Case] = [
    (
        f"parse_date ({len(DATES)} shapes)",
        _each(parse_date, DATES),
        "podcastparser.parse_pubdate",
        _each(podcastparser.parse_pubdate, DATES),
        len(DATES),
    ),
    (
        f"parse_date ({len(DATES)} shapes)",
        _each(parse_date, DATES),
        "feedparser _parse_date",
        _each(feedparser.datetimes._parse_date, DATES),
        len(DATES),
    ),
    (
        f"parse_duration ({len(DURATIONS)} shapes)",
        _each(parse_duration, DURATIONS),
        "podcastparser.parse_time",
        _each(podcastparser.parse_time, DURATIONS),
        len(DURATIONS),
    ),
    (
        f"sanitize_html ({len(NOTES) / 1000:.1f} kB notes)",
        lambda: sanitize_html(NOTES, base_url=BASE),
        "feedparser sanitiser",
        lambda: feedparser.sanitizer._sanitize_html(NOTES, "utf-8", "text/html"),
        1,
    ),
    (
        f"html_to_text ({len(SANITISED) / 1000:.1f} kB sanitised)",
        lambda: html_to_text(SANITISED),
        "lxml.html text_content",
        lambda: lxml.html.fromstring(SANITISED).text_content(),
        1,
    ),
]


def best_per_call(function: Callable[[], object], calls_per_run: int, number: int) -> float:
    return timeit.timeit(function, number=number) / (number * calls_per_run)


def main() -> int:
    rounds = 15
    results: list[tuple[str, float, str, float]] = []
    for ours_name, ours, peer_name, peer, calls in CASES:
        number = max(1, 2000 // calls) if calls > 1 else 300
        best_ours = best_peer = float("inf")
        for _ in range(rounds):
            best_ours = min(best_ours, best_per_call(ours, calls, number))
            best_peer = min(best_peer, best_per_call(peer, calls, number))
        results.append((ours_name, best_ours, peer_name, best_peer))
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"Measured {now} on {platform.node()}: Python {sys.version.split()[0]}, best of {rounds} rounds.\n")
    print("| Lytt | µs per call | peer | µs per call | peer time / Lytt time |")
    print("| --- | ---: | --- | ---: | ---: |")
    for ours_name, ours_s, peer_name, peer_s in results:
        print(
            f"| {ours_name} | {ours_s * 1e6:.2f} | {peer_name} | {peer_s * 1e6:.2f} | {peer_s / ours_s:.2f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

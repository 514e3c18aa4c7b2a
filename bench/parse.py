"""Feed parser benchmark: Lytt against feedparser and podcastparser, in the same run.

    .venv/bin/python bench/parse.py            # 500 and 5,000 episodes (~3 MB and ~30 MB), 3 timed runs
    .venv/bin/python bench/parse.py --quick    # 500 episodes, 1 timed run

Each (parser, feed) pair runs in fresh subprocesses, Lytt's (with its C modules, and without them as
"lytt-python") and podcastparser's in turn for several rounds (the machine is shared and its speed drifts;
the best of all rounds is kept). The first parse
measures peak memory: VmHWM, the process's own peak resident size, minus its resident size just before
parsing, so the interpreter and the libraries do not count. Every parse is timed in CPU seconds of the
child process (waiting for a core is not parsing). After each parse every field of the result is read and
timed apart ("+ read"), so nothing computed on access escapes the figures; the ratios are given on the
parse alone, on the parse plus Lytt's one field computed on access (each episode's description_text,
worked out from its sanitised notes when read), and on parse plus reading (a richer result has more
fields to read). Two generated feeds, each at every size:
- "notes": every tag Lytt extracts (iTunes, Podcasting 2.0, Media RSS, Podlove chapters) once or twice per
  episode, and long HTML show notes (about 4 KB each);
- "podcasting20": what feeds rich in Podcasting 2.0 tags carry per episode: a value block with several
  recipients and time splits, alternate enclosures with several sources and integrity, socialInteract,
  many podcast:person, transcripts in several formats, chapters, soundbites, a location, funding and txt,
  with short show notes. Per byte it holds many more elements and attributes, the work where a parser's
  per-element cost shows.
Both are written for this benchmark (no other project's fixtures).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

PARSERS = ("lytt", "lytt-python", "podcastparser", "feedparser")
"""lytt-python is Lytt with ``LYTT_PURE_PYTHON=1``: without any of its C modules."""

_CHILD = r"""
import dataclasses, json, sys, time
name, path, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
spent = [0.0]
FIELDS = {}
def touch(value):
    # Read every field of every result, so that nothing computed on access escapes the timing.
    if isinstance(value, dict):
        value = value.values()
    elif not isinstance(value, (list, tuple)):
        names = FIELDS.get(type(value))
        if names is None:
            fields = dataclasses.fields(value) if dataclasses.is_dataclass(value) else ()
            names = FIELDS[type(value)] = tuple(field.name for field in fields)
        if not names:
            return 1
        value = [getattr(value, name) for name in names]
    count = 0
    for item in value:
        count += touch(item)
    return count
if name.startswith("lytt"):
    from lytt.feeds import parse_feed
    from lytt.feeds import _rss
    def timed(function):
        def wrapper(*args, **kwargs):
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[0] += time.process_time() - started
        return wrapper
    _rss.sanitize_html = timed(_rss.sanitize_html)
    def parse():
        with open(path, "rb") as stream:
            return parse_feed(stream, url="https://bench.example/feed.xml")
    def count(feed):
        return len(feed.episodes)
    def notes_text(feed):
        # description_text is worked out from description_html on each read (lytt.feeds.model).
        for episode in feed.episodes:
            episode.description_text
elif name == "podcastparser":
    import podcastparser
    def parse():
        with open(path, "rb") as stream:
            return podcastparser.parse("https://bench.example/feed.xml", stream)
    def count(feed):
        return len(feed["episodes"])
    def notes_text(feed):
        pass
else:
    import feedparser
    def parse():
        return feedparser.parse(path)
    def count(feed):
        return len(feed["entries"])
    def notes_text(feed):
        pass
def status_kib(field):
    # VmHWM is this process's own peak RSS; ru_maxrss would include the parent's size at fork time.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise LookupError(field)
def timed_run():
    # CPU time of this process: on a shared machine, time spent waiting for a core is not the parser's.
    # The parse and the reading of every field are timed apart: the second grows with the number of
    # fields a result has, whoever parsed it.
    spent[0] = 0.0
    started, wall = time.process_time(), time.perf_counter()
    feed = parse()
    parsed, wall = time.process_time(), time.perf_counter() - wall
    touch(feed)
    read = time.process_time()
    notes_text(feed)
    return count(feed), (parsed - started, read - parsed, wall, spent[0], time.process_time() - read)
before = status_kib("VmRSS")
episodes, first = timed_run()
peak_kib = status_kib("VmHWM") - before
times = [first] + [timed_run()[1] for _ in range(runs - 1)]
best, read, wall, notes, _ = min(times)
print(json.dumps({"episodes": episodes, "seconds": best, "read_seconds": min(t[1] for t in times),
                  "wall_seconds": wall, "notes_seconds": notes, "peak_kib": peak_kib,
                  "text_seconds": min(t[4] for t in times)}))
"""

_NOTES = (
    "<p>In this episode we talk about <strong>public broadcasting</strong>, local news and the "
    '<a href="https://example.com/article?id={n}&amp;ref=feed">article that started it</a>. '
    "Our guest explains why <em>funding models</em> matter, what changed in {year}, and how listeners "
    "can help.</p>\n<ul><li>00:00 Intro</li><li>03:12 The background</li><li>27:40 Interview</li>"
    "<li>58:03 Questions from listeners</li></ul>\n"
)


def _episode(n: int, when: datetime) -> str:
    notes = "".join(_NOTES.format(n=n, year=2000 + i) for i in range(9))
    return f"""<item>
<title>Episode {n}: a title of ordinary length &amp; an ampersand</title>
<link>https://bench.example/episodes/{n}</link>
<guid isPermaLink="false">bench-episode-{n}</guid>
<pubDate>{when.strftime("%a, %d %b %Y %H:%M:%S +0000")}</pubDate>
<description><![CDATA[{notes[:400]}]]></description>
<content:encoded><![CDATA[{notes}]]></content:encoded>
<enclosure url="https://cdn.bench.example/audio/{n}.mp3" length="{50_000_000 + n}" type="audio/mpeg"/>
<itunes:title>Episode {n}</itunes:title>
<itunes:author>The Bench Show</itunes:author>
<itunes:subtitle>Subtitle of episode {n}</itunes:subtitle>
<itunes:summary>Summary of episode {n}</itunes:summary>
<itunes:duration>1:{n % 60:02}:{n % 59:02}</itunes:duration>
<itunes:episode>{n}</itunes:episode>
<itunes:season>{n // 100 + 1}</itunes:season>
<itunes:episodeType>full</itunes:episodeType>
<itunes:explicit>false</itunes:explicit>
<itunes:image href="https://cdn.bench.example/art/{n}.jpg"/>
<itunes:keywords>news, politics, bench</itunes:keywords>
<media:content url="https://cdn.bench.example/video/{n}.mp4" type="video/mp4" fileSize="90000000"/>
<media:thumbnail url="https://cdn.bench.example/thumb/{n}.jpg"/>
<podcast:episode display="Ep. {n}">{n}</podcast:episode>
<podcast:season name="Season {n // 100 + 1}">{n // 100 + 1}</podcast:season>
<podcast:transcript url="https://cdn.bench.example/t/{n}.vtt" type="text/vtt" language="en" rel="captions"/>
<podcast:transcript url="https://cdn.bench.example/t/{n}.srt" type="application/x-subrip"/>
<podcast:chapters url="https://cdn.bench.example/c/{n}.json" type="application/json+chapters"/>
<podcast:person role="host" href="https://bench.example/ann" img="https://bench.example/ann.jpg">Ann</podcast:person>
<podcast:person role="guest" group="cast">Guest {n}</podcast:person>
<podcast:soundbite startTime="{n % 300}" duration="45.5">A good quote</podcast:soundbite>
<podcast:location geo="geo:59.91,10.75" osm="R406091">Oslo</podcast:location>
<podcast:alternateEnclosure type="audio/opus" length="20000000" bitrate="64000" title="Opus">
  <podcast:source uri="https://cdn.bench.example/audio/{n}.opus"/>
</podcast:alternateEnclosure>
<podcast:images srcset="https://cdn.bench.example/art/{n}-1500.jpg 1500w,
  https://cdn.bench.example/art/{n}-600.jpg 600w"/>
<psc:chapters version="1.2">
  <psc:chapter start="00:00:00.000" title="Intro"/>
  <psc:chapter start="00:03:12.500" title="The background" href="https://bench.example/bg"/>
  <psc:chapter start="00:27:40" title="Interview"/>
</psc:chapters>
</item>
"""


_PEOPLE = (
    ("host", "Ann Larsen"), ("cohost", "Bjørn Aas"), ("guest", "Cecilie Holm"), ("guest", "David Ruud"),
    ("producer", "Eva Nilsen"), ("editor", "Finn Strand"), ("sound designer", "Guro Lund"),
    ("composer", "Hans Vik"),
)  # fmt: skip
_PROTOCOLS = (
    ("activitypub", "https://social.bench.example/@bench/posts"), ("twitter", "https://x.example/bench"),
    ("lightning", "https://stacker.bench.example/items"), ("atproto", "at://did:plc:bench/post"),
)  # fmt: skip
_ALTERNATES = (
    ("audio/mpeg", 50_000_000, 128000, "mp3", "mp3", ' default="true"'),
    ("audio/opus", 20_000_000, 64000, "opus", "opus", ""),
    ("audio/aac", 30_000_000, 96000, "aac", "m4a", ""),
    ("video/mp4", 300_000_000, 2000000, "video", "mp4", ""),
)
_TRANSCRIPTS = (
    ("vtt", "text/vtt", "en", ' rel="captions"'),
    ("srt", "application/x-subrip", "en", ""),
    ("json", "application/json", "en", ""),
    ("html", "text/html", "nb", ""),
)


def _episode_podcasting20(n: int, when: datetime) -> str:
    """An item rich in Podcasting 2.0 tags, short notes."""
    people = "".join(
        f'<podcast:person role="{role}" group="{"cast" if role in ("host", "cohost", "guest") else "crew"}"'
        f' img="https://img.bench.example/people/{k}.jpg" href="https://bench.example/people/{k}">{name}'
        "</podcast:person>\n"
        for k, (role, name) in enumerate(_PEOPLE)
    )
    recipients = "".join(
        f'<podcast:valueRecipient name="Recipient {k}" type="node" split="{(5, 10, 20, 25, 40)[k]}"'
        f' address="03{k:02}ae9f91a0cb8ff43840e3c322c4c61f019d8c1c3cea15a25cfc425ac605e61a"'
        f' customKey="696969" customValue="{n}{k}"/>\n'
        for k in range(5)
    )
    splits = "".join(
        f'<podcast:valueTimeSplit startTime="{60 * k + 30}" duration="{45 + k}" remotePercentage="90">'
        f'<podcast:remoteItem feedGuid="c9b6a8d2-5a1e-5b0c-9e0f-{k:012}" itemGuid="song-{k}"/>'
        "</podcast:valueTimeSplit>\n"
        for k in range(3)
    )
    alternates = "".join(
        f'<podcast:alternateEnclosure type="{kind}" length="{size + n}" bitrate="{rate}" title="{title}"'
        f'{default}>\n<podcast:integrity type="sri" value="sha384-{n:08}{title}AbCdEfGhIjKlMnOpQr"/>\n'
        f'<podcast:source uri="https://cdn.bench.example/{n}/{title}.{ext}"/>\n'
        f'<podcast:source uri="ipfs://bafybeih{n:08}{ext}q3lkjwdfhsdf"/>\n</podcast:alternateEnclosure>\n'
        for kind, size, rate, title, ext, default in _ALTERNATES
    )
    social = "".join(
        f'<podcast:socialInteract protocol="{protocol}" uri="{uri}/{n}" accountId="@bench"'
        f' accountUrl="https://social.bench.example/@bench" priority="{k}"/>\n'
        for k, (protocol, uri) in enumerate(_PROTOCOLS)
    )
    transcripts = "".join(
        f'<podcast:transcript url="https://cdn.bench.example/t/{n}.{ext}" type="{kind}"'
        f' language="{lang}"{rel}/>\n'
        for ext, kind, lang, rel in _TRANSCRIPTS
    )
    soundbites = "".join(
        f'<podcast:soundbite startTime="{120 * k + n % 60}" duration="{30 + k}.5">Soundbite {k} of'
        f" episode {n}</podcast:soundbite>\n"
        for k in range(3)
    )
    return f"""<item>
<title>Episode {n}: value for value</title>
<link>https://bench.example/episodes/{n}</link>
<guid isPermaLink="false">p20-episode-{n}</guid>
<pubDate>{when.strftime("%a, %d %b %Y %H:%M:%S +0000")}</pubDate>
<description><![CDATA[<p>Episode {n}: news from the namespace, <a href="https://bench.example/{n}">links</a>.</p>]]></description>
<enclosure url="https://cdn.bench.example/{n}/mp3.mp3" length="{50_000_000 + n}" type="audio/mpeg"/>
<itunes:duration>{3600 + n % 600}</itunes:duration>
<itunes:episode>{n}</itunes:episode>
<itunes:explicit>false</itunes:explicit>
<itunes:image href="https://img.bench.example/{n}.jpg"/>
<podcast:episode>{n}</podcast:episode>
<podcast:season>{n // 100 + 1}</podcast:season>
{people}<podcast:value type="lightning" method="keysend" suggested="0.00000015000">
{recipients}{splits}</podcast:value>
{alternates}{social}{transcripts}<podcast:chapters url="https://cdn.bench.example/c/{n}.json"
 type="application/json+chapters"/>
{soundbites}<podcast:location geo="geo:59.91,10.75;u=350" osm="R406091">Oslo, Norway</podcast:location>
<podcast:funding url="https://bench.example/support">Support the show</podcast:funding>
<podcast:txt purpose="verify">bench-{n}-S2xvYmFsIGxvbmcgdGV4dA==</podcast:txt>
<podcast:images srcset="https://img.bench.example/{n}-1500.jpg 1500w,
 https://img.bench.example/{n}-600.jpg 600w"/>
<podcast:license url="https://creativecommons.org/licenses/by/4.0/">cc-by-4.0</podcast:license>
</item>
"""


FEEDS = ("notes", "podcasting20")


def generate(episodes: int, kind: str = "notes") -> str:
    start = datetime(2020, 1, 1, 8, tzinfo=UTC)
    head = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom"
 xmlns:media="http://search.yahoo.com/mrss/" xmlns:podcast="https://podcastindex.org/namespace/1.0"
 xmlns:psc="http://podlove.org/simple-chapters" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">
<channel>
<title>The Bench Show</title>
<link>https://bench.example/</link>
<atom:link rel="self" href="https://bench.example/feed.xml" type="application/rss+xml"/>
<atom:link rel="hub" href="https://pubsubhubbub.appspot.com/"/>
<description><![CDATA[<p>A show generated for benchmarks,
 with <b>HTML</b> in its description.</p>]]></description>
<language>nb</language>
<copyright>CC BY 4.0</copyright>
<ttl>60</ttl>
<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>
<itunes:author>The Bench Show</itunes:author>
<itunes:owner><itunes:name>Ann</itunes:name><itunes:email>ann@bench.example</itunes:email></itunes:owner>
<itunes:image href="https://bench.example/cover.jpg"/>
<itunes:category text="News"><itunes:category text="Politics"/></itunes:category>
<itunes:explicit>no</itunes:explicit>
<itunes:type>episodic</itunes:type>
<podcast:guid>917393e3-1b1e-5cef-ace4-edaa54e1f810</podcast:guid>
<podcast:locked owner="ann@bench.example">yes</podcast:locked>
<podcast:funding url="https://bench.example/support">Support the show</podcast:funding>
<podcast:medium>podcast</podcast:medium>
<podcast:license url="https://creativecommons.org/licenses/by/4.0/">cc-by-4.0</podcast:license>
<podcast:value type="lightning" method="keysend" suggested="0.00000005000">
  <podcast:valueRecipient name="Ann" type="node" split="99"
   address="02d5c1bf8b940dc9cadca86d1b0a3c37fbe39cee4c7e839e33bef9174531d27f52"/>
  <podcast:valueRecipient name="Lytt" type="node" split="1" fee="true"
   address="03ae9f91a0cb8ff43840e3c322c4c61f019d8c1c3cea15a25cfc425ac605e61a4a"/>
</podcast:value>
"""
    episode = _episode_podcasting20 if kind == "podcasting20" else _episode
    items = [episode(n, start + timedelta(days=n)) for n in range(episodes, 0, -1)]
    return head + "".join(items) + "</channel>\n</rss>\n"


def run_child(name: str, path: Path, runs: int) -> dict[str, float]:
    env = os.environ | {"LYTT_PURE_PYTHON": "1" if name == "lytt-python" else ""}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, name, str(path), str(runs)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def best_of(rounds: list[dict[str, float]]) -> dict[str, float]:
    """The fastest parse and the fastest read over all rounds; peak memory from the first child."""
    result = dict(min(rounds, key=lambda r: r["seconds"]))
    result["read_seconds"] = min(r["read_seconds"] for r in rounds)
    result["text_seconds"] = min(r["text_seconds"] for r in rounds)
    result["peak_kib"] = rounds[0]["peak_kib"]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the 500-episode feed, one timed run")
    parser.add_argument("--runs", type=int, default=None, help="timed parses per child process")
    parser.add_argument(
        "--rounds", type=int, default=None, help="child processes per parser, Lytt and podcastparser in turn"
    )
    parser.add_argument(
        "--feed", choices=FEEDS, action="append", help="which generated feed(s) (default: both)"
    )
    args = parser.parse_args()
    sizes = (500,) if args.quick else (500, 5000)
    kinds = args.feed or FEEDS
    runs = args.runs or (1 if args.quick else 3)
    rounds = args.rounds or (1 if args.quick else 3)
    print(
        f"machine: {machine()}; date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; best of {runs} parse(s) in"
        f" each of {rounds} round(s) (feedparser: 1 round)"
    )
    with tempfile.TemporaryDirectory(prefix="lytt-bench-") as tmp:
        for size, kind in ((size, kind) for size in sizes for kind in kinds):
            path = Path(tmp) / f"feed-{kind}-{size}.xml"
            path.write_text(generate(size, kind), encoding="utf-8")
            megabytes = path.stat().st_size / 1e6
            print(f"\n{kind} feed, {size:,} episodes, {megabytes:.1f} MB")
            collected: dict[str, list[dict[str, float]]] = {name: [] for name in PARSERS}
            for round_ in range(rounds):
                for name in PARSERS:
                    if name != "feedparser" or round_ == 0:
                        collected[name].append(run_child(name, path, runs))
            results = {name: best_of(collected[name]) for name in PARSERS}
            print(f"  {'parser':<14}{'CPU s':>9}{'MB/s':>9}{'episodes/s':>12}{'peak MB':>9}{'+ read s':>10}")
            for name, result in results.items():
                assert int(result["episodes"]) == size, (name, result)
                seconds = result["seconds"]
                print(
                    f"  {name:<14}{seconds:>9.3f}{megabytes / seconds:>9.1f}{size / seconds:>12,.0f}"
                    f"{result['peak_kib'] / 1024:>9.1f}{result['read_seconds']:>10.3f}"
                    f"   (wall {result['wall_seconds']:.3f} s)"
                )
            lytt = results["lytt"]
            notes, text = lytt["notes_seconds"], lytt["text_seconds"]
            print(
                f"  of Lytt's {lytt['seconds']:.3f} s, {notes:.3f} s ({notes / lytt['seconds']:.0%}) are"
                " sanitize_html on the show notes; '+ read s' is reading every field of the result, which"
                f" includes working out every episode's description_text from its notes ({text:.3f} s alone)"
            )
            for peer in PARSERS[1:]:
                other = results[peer]
                speed = other["seconds"] / lytt["seconds"]
                with_text = other["seconds"] / (lytt["seconds"] + text)
                total = lytt["seconds"] + lytt["read_seconds"]
                with_read = (other["seconds"] + other["read_seconds"]) / total
                memory = lytt["peak_kib"] / max(other["peak_kib"], 1)
                print(
                    f"  lytt vs {peer}: {speed:.2f}x throughput ({with_text:.2f}x with every notes text"
                    f" worked out, {with_read:.2f}x with every field read), {memory:.2f}x peak memory"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())

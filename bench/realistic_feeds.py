"""Feeds shaped like the ones podcast hosts publish, for bench/crawl_cpu.py: 35 episodes of about 6 KB each,
most of it HTML show notes, in the four styles hosts write them in (feed n uses style n % 4):

- "plain": paragraphs, lists, bold and links with absolute URLs and nothing else (inside the subset the
  sanitiser's fast path accepts);
- "links_target": the same with ``target="_blank" rel="noopener"`` on every link and ``<br>`` line breaks;
- "rich_editor": a web editor's output: inline styles, classes, spans, ``&nbsp;``, an image, empty
  paragraphs;
- "duplicated": plain paragraphs in ``content:encoded`` and the same notes again in ``description`` and
  ``itunes:summary``, as many hosts publish them.

Every episode has iTunes tags, one enclosure, a GUID, a date, a duration and Podcasting 2.0 persons; no
transcript or chapters links, which `lytt crawl --once` would fetch after the feeds (that pass is not what
is measured here). Written for Lytt's benchmarks; no real feed's text is used.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

EPISODES = 35
STYLES = ("plain", "links_target", "rich_editor", "duplicated")

_WORDS = (
    "podcast listeners community interview history science local news election budget climate energy "
    "music festival library school teacher research university policy market housing transport city "
    "council football season coach players story archive recording microphone studio guest question "
    "answer chapter episode season theme sponsor support newsletter weekend village mountain coast"
).split()
_TOPICS = ("the background", "our guest", "listener questions", "the news this week", "what comes next")


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 18))]
    return " ".join(words).capitalize() + rng.choice((".", ".", ".", "?", "!"))


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng) for _ in range(sentences))


def _chapters(rng: random.Random) -> list[str]:
    minute = 0
    lines = []
    for topic in _TOPICS:
        lines.append(f"{minute // 60:02}:{minute % 60:02}:{rng.randint(0, 59):02} {topic.capitalize()}")
        minute += rng.randint(4, 19)
    return lines


def _links(rng: random.Random, show: int, episode: int) -> list[tuple[str, str]]:
    return [
        (f"https://www.example-{show % 13}.org/articles/{episode}-{k}?utm_source=podcast&amp;ref={k}", text)
        for k, text in enumerate(
            ("The article we discussed", "Our guest's book", "Support the show", "Newsletter")
        )
        if rng.random() < 0.9
    ]


def notes_plain(rng: random.Random, show: int, episode: int) -> str:
    links = "".join(f'<li><a href="{url}">{text}</a></li>' for url, text in _links(rng, show, episode))
    chapters = "".join(f"<li>{line}</li>" for line in _chapters(rng))
    return (
        f"<p>{_paragraph(rng, 6)}</p>"
        f"<p>In this episode: <strong>{_sentence(rng)}</strong> {_paragraph(rng, 5)}</p>"
        f"<p><em>{_sentence(rng)}</em></p><h3>Chapters</h3><ul>{chapters}</ul>"
        f"<p>{_paragraph(rng, 9)}</p><p>{_paragraph(rng, 9)}</p>"
        f"<h3>Links</h3><ul>{links}</ul><p>{_paragraph(rng, 4)}</p>"
    )


def notes_links_target(rng: random.Random, show: int, episode: int) -> str:
    links = "<br>".join(
        f'<a href="{url}" target="_blank" rel="noopener">{text}</a>'
        for url, text in _links(rng, show, episode)
    )
    chapters = "<br>".join(_chapters(rng))
    return (
        f"<p>{_paragraph(rng, 9)}</p><p>{_paragraph(rng, 9)}</p><p>{_paragraph(rng, 7)}</p>"
        f"<p>{chapters}</p><p>{links}</p>"
        f"<p>{_paragraph(rng, 6)}</p><p>---</p><p>Send us a message: "
        f'<a href="mailto:show{show}@example.org" target="_blank" rel="noopener">'
        f"show{show}@example.org</a></p>"
    )


def notes_rich_editor(rng: random.Random, show: int, episode: int) -> str:
    links = "".join(
        f'<li style="font-weight: 400;"><span style="font-weight: 400;">'
        f'<a href="{url}" class="link">{text}</a></span></li>'
        for url, text in _links(rng, show, episode)
    )
    return (
        f'<div class="entry-content"><p style="text-align: left;"><span style="font-weight: 400;">'
        f"{_paragraph(rng, 6)}&nbsp;</span></p><p><br></p>"
        f'<p><img src="https://images.example-{show % 7}.org/{episode}.jpg"'
        ' alt="Episode art" width="600"></p>'
        f'<p class="p1"><span class="s1">{_paragraph(rng, 9)}</span></p>'
        f'<p class="p1"><span class="s1">{_paragraph(rng, 9)}</span></p>'
        f"<p><b>Chapters</b></p><p>{'<br />'.join(_chapters(rng))}</p><ul>{links}</ul>"
        f'<p style="text-align: left;">{_paragraph(rng, 4)}</p><p>&nbsp;</p></div>'
    )


def notes_duplicated(rng: random.Random, show: int, episode: int) -> str:
    return "".join(f"<p>{_paragraph(rng, 6)}</p>" for _ in range(3))


_NOTES = {
    "plain": notes_plain,
    "links_target": notes_links_target,
    "rich_editor": notes_rich_editor,
    "duplicated": notes_duplicated,
}


def _item(rng: random.Random, show: int, episode: int, style: str, published: datetime) -> str:
    notes = _NOTES[style](rng, show, episode)
    if style == "duplicated":
        description, summary = notes, f"<itunes:summary>{escape(notes)}</itunes:summary>"
    else:
        description, summary = _sentence(rng) + " " + _sentence(rng), ""
    guest = rng.choice(("Kari", "Ola", "Ingrid", "Jonas", "Sofie", "Emil"))
    return (
        f"<item><title>{escape(_sentence(rng)[:70])}</title>"
        f"<itunes:title>Episode {episode}</itunes:title><itunes:episode>{episode}</itunes:episode>"
        f"<itunes:episodeType>full</itunes:episodeType>"
        f'<guid isPermaLink="false">{show:05}-{episode:04}-6c1f0e2a-{rng.getrandbits(32):08x}</guid>'
        f"<link>https://show-{show}.example.org/episodes/{episode}</link>"
        f"<pubDate>{format_datetime(published, usegmt=True)}</pubDate>"
        f"<description><![CDATA[{description}]]></description>"
        f"<content:encoded><![CDATA[{notes}]]></content:encoded>{summary}"
        f'<enclosure url="https://media.example.net/show-{show}/episode-{episode}.mp3?aid=rss_feed&amp;feed={show}"'
        f' length="{rng.randint(20_000_000, 90_000_000)}" type="audio/mpeg"/>'
        f"<itunes:duration>{rng.randint(1200, 5400)}</itunes:duration>"
        f"<itunes:explicit>false</itunes:explicit>"
        f'<itunes:image href="https://images.example.net/show-{show}/{episode}.jpg"/>'
        f'<podcast:person role="host" img="https://images.example.net/hosts/{show}.jpg">'
        f"Host {show}</podcast:person>"
        f'<podcast:person role="guest">{guest} {rng.choice(("Berg", "Dahl", "Lie", "Moen"))}</podcast:person>'
        "</item>"
    )


def feed_body(n: int) -> bytes:
    """Feed n: 35 episodes of about 6 KB each, in style STYLES[n % 4], the same bytes for the same n."""
    rng = random.Random(n)
    style = STYLES[n % len(STYLES)]
    base = datetime(2023, 1, 2, 5, 0, tzinfo=UTC) + timedelta(hours=n % 24)
    items = "".join(_item(rng, n, e, style, base + timedelta(days=7 * e)) for e in range(EPISODES, 0, -1))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:atom="http://www.w3.org/2005/Atom" xmlns:podcast="https://podcastindex.org/namespace/1.0">'
        f"<channel><title>Show {n}: {escape(_sentence(rng)[:40])}</title>"
        f"<link>https://show-{n}.example.org/</link>"
        f'<atom:link href="https://feeds.example.net/show-{n}.xml" rel="self" type="application/rss+xml"/>'
        f"<description><![CDATA[<p>{_paragraph(rng, 4)}</p>]]></description>"
        f"<language>{('nb', 'en', 'en-us', 'nn')[n % 4]}</language><copyright>Show {n}</copyright>"
        f"<itunes:author>Host {n}</itunes:author><itunes:explicit>false</itunes:explicit>"
        f"<itunes:owner><itunes:name>Host {n}</itunes:name><itunes:email>host{n}@example.org</itunes:email>"
        f"</itunes:owner>"
        f'<itunes:image href="https://images.example.net/show-{n}/cover.jpg"/>'
        '<itunes:category text="Society &amp; Culture"><itunes:category text="Documentary"/>'
        "</itunes:category>"
        f"<podcast:guid>6c1f0e2a-0000-5000-8000-{n:012}</podcast:guid><podcast:locked>no</podcast:locked>"
        f'<podcast:funding url="https://show-{n}.example.org/support">Support the show</podcast:funding>'
        f"{items}</channel></rss>"
    ).encode()

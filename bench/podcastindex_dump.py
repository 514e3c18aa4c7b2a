"""A synthetic Podcast Index dump: `podcastindex_feeds.db` with the published schema and its quirks.

    .venv/bin/python bench/podcastindex_dump.py OUT.db --rows 1000000 [--week 2] [--tgz]

Rows are a pure function of (id, week), so week 2 is week 1 a week later: 1 % of the feeds moved to
another URL (same id), 1 % newly dead, 1 % gone from the dump, 2 % new ids after the last, 5 % with a
changed title. The quirks the import must handle: one podcastGuid on 2 % of the rows, itunesId as an
integer, empty, NULL or text, languages in any case or blank, HTML descriptions (with scripts and
entities), dead flags (5 %), 0.1 % of rows with a URL that is no feed URL. The tests use it for small
dumps, bench/podcastindex_import.py for millions of rows. Nothing here comes from the real dump.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import tarfile
from collections.abc import Iterator
from pathlib import Path

CATEGORY_COLUMNS = [f"category{n}" for n in range(1, 11)]
COLUMNS = [
    "id", "url", "title", "lastUpdate", "link", "lastHttpStatus", "dead", "contentType", "itunesId",
    "originalUrl", "itunesAuthor", "itunesOwnerName", "explicit", "imageUrl", "itunesType", "generator",
    "newestItemPubdate", "language", "oldestItemPubdate", "episodeCount", "popularityScore", "priority",
    "createdOn", "updateFrequency", "chash", "host", "newestEnclosureUrl", "podcastGuid", "description",
    *CATEGORY_COLUMNS, "newestEnclosureDuration",
]  # fmt: skip
_TYPES = {
    "id": "INTEGER PRIMARY KEY", "url": "TEXT NOT NULL UNIQUE", "lastUpdate": "INTEGER",
    "lastHttpStatus": "INTEGER", "dead": "INTEGER", "itunesId": "INTEGER", "explicit": "INTEGER",
    "newestItemPubdate": "INTEGER", "oldestItemPubdate": "INTEGER", "episodeCount": "INTEGER",
    "popularityScore": "INTEGER", "priority": "INTEGER", "createdOn": "INTEGER",
    "updateFrequency": "INTEGER", "newestEnclosureDuration": "INTEGER",
}  # fmt: skip
SCHEMA = "CREATE TABLE podcasts (" + ", ".join(f"{c} {_TYPES.get(c, 'TEXT')}" for c in COLUMNS) + ")"

SHARED_GUID = "ead4c236-bf58-58c6-a2c6-a6b28d128cb6"
CATEGORY_SETS = [
    ("Society", "Culture"), ("News", "Politics"), ("Health", "Fitness", "Mental"), ("Technology",),
    ("Comedy",), ("Arts", "Books"), ("Tv", "Film", "After-Shows"), ("Leisure", "Video-Games"),
    ("Religion", "Spirituality", "Christianity"), ("Business", "Investing"), ("Sports", "Football"),
    ("Education", "Language", "Learning"), ("True Crime",), ("Music",), ("Kids", "Family"),
    ("Science", "Fiction"), ("News", "Daily"), ("History",), ("Society", "Culture", "Documentary"), (),
]  # fmt: skip
LANGUAGES = ["en", "en-US", "EN-us", "en-us", "nb", "NO", "no", "de", "es", "", " ", None, "pt-BR", "fr"]
WORDS = "the daily talk show radio stories podcast weekly tech news friends life crime coffee fotball".split()
NAMESAKE = "My Podcast"  # titles shared by 1 % of the rows, as "Untitled" and "My Podcast" are


def row(pi_id: int, week: int = 1) -> tuple[object, ...] | None:
    """The dump's row for `pi_id` in week `week`, or None when the feed is not in that week's dump."""
    draw = random.Random(pi_id)
    later = random.Random(pi_id * 7919 + week)
    if week > 1 and later.random() < 0.01:
        return None  # gone from this week's dump
    dead = int(draw.random() < 0.05 or (week > 1 and later.random() < 0.01))
    host = f"feeds{pi_id % 997}.example.com"
    url = f"https://{host}/show/{pi_id}.xml"
    if week > 1 and later.random() < 0.01:
        url = f"https://moved{week}.example.net/feeds/{pi_id}/rss"
    if draw.random() < 0.001:
        url = f"ftp://{host}/show/{pi_id}.xml" if pi_id % 2 else f"not a url {pi_id}"
    title = NAMESAKE if draw.random() < 0.01 else " ".join(draw.choices(WORDS, k=3)).title()
    if week > 1 and later.random() < 0.05:
        title += f" (week {week})"
    itunes_kind = draw.random()
    itunes_id: object = (
        draw.randrange(10**8, 2 * 10**9) if itunes_kind < 0.6
        else "" if itunes_kind < 0.8
        else None if itunes_kind < 0.9
        else f"id{pi_id}x"
    )  # fmt: skip
    guid_kind = draw.random()
    guid = (
        SHARED_GUID.upper() if guid_kind < 0.02
        else "" if guid_kind < 0.4
        else f"{pi_id:08x}-{draw.randrange(65536):04x}-5{draw.randrange(4096):03x}-8000-{pi_id:012x}"
    )  # fmt: skip
    description = (
        f"<p>{title}: {' '.join(draw.choices(WORDS, k=30))} &amp; more.</p>"
        f"<p>Visit <a href='https://{host}/'>our site</a>.</p>"
    )
    if draw.random() < 0.05:
        description += "<script>alert(1)</script><img src=x onerror=alert(2)>"
    categories = list(draw.choice(CATEGORY_SETS)) + [""] * 10
    updated = 1_700_000_000 + draw.randrange(30_000_000)
    return (
        pi_id, url, title, updated, f"https://{host}/", 200, dead, "application/rss+xml", itunes_id,
        url, f"Author {pi_id % 5000}", f"Owner {pi_id % 7000}", int(draw.random() < 0.1),
        f"https://img.example.com/{pi_id}.jpg", draw.choice(["episodic", "serial", "", "Episodic"]),
        "Lytt bench", updated - 86400, draw.choice(LANGUAGES), updated - 86400 * 900,
        draw.randrange(1, 500), draw.randrange(10), draw.randrange(6), updated - 10**7,
        draw.randrange(1, 30), f"{pi_id:032x}", host, f"https://{host}/ep/{pi_id}.mp3", guid, description,
        *categories[:10], draw.randrange(60, 7200),
    )  # fmt: skip


def rows(count: int, week: int = 1) -> Iterator[tuple[object, ...]]:
    """Week `week`'s rows for ids 1..count (plus 2 % new ids after them from week 2 on)."""
    last = count + (count // 50) * (week - 1)
    for pi_id in range(1, last + 1):
        found = row(pi_id, week)
        if found is not None:
            yield found


def write_dump(path: Path, count: int, week: int = 1) -> Path:
    """Write week `week`'s dump of `count` feeds to `path` (replaced if it exists); returns `path`."""
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    try:
        connection.execute(SCHEMA)
        insert = f"INSERT INTO podcasts VALUES ({', '.join('?' * len(COLUMNS))})"
        batch: list[tuple[object, ...]] = []
        for item in rows(count, week):
            batch.append(item)
            if len(batch) >= 10_000:
                connection.executemany(insert, batch)
                batch = []
        connection.executemany(insert, batch)
        connection.commit()
    finally:
        connection.close()
    return path


def write_tgz(db: Path, path: Path) -> Path:
    """`db` packed as the dump is published: a gzipped tar holding `podcastindex_feeds.db`."""
    with tarfile.open(path, "w:gz") as archive:
        archive.add(db, arcname="podcastindex_feeds.db")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--week", type=int, default=1)
    parser.add_argument("--tgz", action="store_true", help="also write OUT.tgz")
    args = parser.parse_args()
    write_dump(args.out, args.rows, args.week)
    if args.tgz:
        write_tgz(args.out, args.out.with_name(args.out.name + ".tgz"))


if __name__ == "__main__":
    main()

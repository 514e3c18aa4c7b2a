"""`lytt parse PATH|URL [--json]`: parse one feed and print what Lytt understands of it.

It lives beside the crawler, not in `feeds`, because it fetches: `feeds` stays pure.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from lytt.download import DownloadError, download
from lytt.feeds.errors import FeedError
from lytt.feeds.model import Feed


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "parse",
        help="parse one feed (file, URL or - for stdin) and print it",
        description="Parse one RSS/Atom feed and print what Lytt understands of it.",
    )
    parser.add_argument("source", metavar="PATH|URL", help="a file, an http(s) URL, or - for stdin")
    parser.add_argument("--json", action="store_true", help="print the parsed feed as JSON")
    parser.add_argument(
        "--max-bytes", type=int, default=None, help="refuse feeds larger than this (default 64 MiB)"
    )
    parser.set_defaults(func=run_parse, needs_django=False)


def run_parse(args: argparse.Namespace) -> int:
    from lytt.feeds import DEFAULT_MAX_BYTES, feed_to_dict, parse_feed

    source: str = args.source
    max_bytes: int = args.max_bytes or DEFAULT_MAX_BYTES
    try:
        if source.startswith(("http://", "https://")):
            fetched = download(source, max_bytes, purpose="(feed parser)")
            # Relative URLs in the feed are relative to where it was served from, after redirects.
            feed = parse_feed(
                fetched.body, url=fetched.url, content_type=fetched.content_type, max_bytes=max_bytes
            )
        elif source == "-":
            feed = parse_feed(sys.stdin.buffer, max_bytes=max_bytes)
        else:
            with open(source, "rb") as stream:
                feed = parse_feed(stream, url=None, max_bytes=max_bytes)
    except FeedError as exc:
        print(f"lytt parse: {source}: {exc}" if exc.source is None else f"lytt parse: {exc}", file=sys.stderr)
        return 1
    except DownloadError as exc:
        print(f"lytt parse: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"lytt parse: {source}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    for warning in feed.warnings:
        print(f"lytt parse: warning: {warning}", file=sys.stderr)
    if args.json:
        json.dump(feed_to_dict(feed), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(summary(feed))
    return 0


def summary(feed: Feed) -> str:
    """A readable overview: the show, then its newest episodes."""
    lines = [f"{feed.title or '(untitled)'}  [{feed.format}]"]
    for label, value in (
        ("link", feed.link),
        ("author", feed.author),
        ("owner", feed.owner and ", ".join(filter(None, (feed.owner.name, feed.owner.email)))),
        ("language", feed.language),
        ("image", feed.image),
        ("categories", "; ".join(main + (f" > {sub}" if sub else "") for main, sub in feed.categories)),
        ("explicit", None if feed.explicit is None else ("yes" if feed.explicit else "no")),
        ("type", feed.type),
        ("podcast:guid", feed.podcast_guid),
        ("new feed URL", feed.new_feed_url),
    ):
        if value:
            lines.append(f"  {label:<13}{value}")
    if feed.description_text:
        lines.append("  " + _shorten(feed.description_text, 300))
    lines.append(f"{len(feed.episodes)} episodes")
    for episode in feed.episodes[:20]:
        date = episode.published.strftime("%Y-%m-%d") if episode.published else "----------"
        duration = _duration(episode.duration_seconds)
        lines.append(f"  {date}  {duration:>8}  {episode.title or '(untitled)'}")
    if len(feed.episodes) > 20:
        lines.append(f"  ... and {len(feed.episodes) - 20} more")
    return "\n".join(lines) + "\n"


def _shorten(value: str, limit: int) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 3].rstrip() + "..."


def _duration(seconds: int | None) -> str:
    if seconds is None:
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"

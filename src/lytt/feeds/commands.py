"""`lytt parse PATH|URL [--json]`: parse one feed and print what Lytt understands of it."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from lytt.feeds.errors import FeedError, FeedTooLarge
from lytt.feeds.model import Feed

FETCH_TIMEOUT = 30.0  # per network operation
FETCH_DEADLINE = 120.0  # for the whole download, so a server that drips bytes cannot hang the command
_USER_AGENT = "Lytt/0.1 (feed parser; +https://github.com/lytt)"


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
            body, final_url, content_type = _fetch(source, max_bytes)
            # Relative URLs in the feed are relative to where it was served from, after redirects.
            feed = parse_feed(body, url=final_url, content_type=content_type, max_bytes=max_bytes)
        elif source == "-":
            feed = parse_feed(sys.stdin.buffer, max_bytes=max_bytes)
        else:
            with open(source, "rb") as stream:
                feed = parse_feed(stream, url=None, max_bytes=max_bytes)
    except FeedError as exc:
        print(f"lytt parse: {source}: {exc}" if exc.source is None else f"lytt parse: {exc}", file=sys.stderr)
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


def _fetch(url: str, max_bytes: int) -> tuple[bytes, str, str | None]:
    """GET the feed with a timeout and the size cap applied while the body streams in: (body, final URL
    after redirects, Content-Type)."""
    import httpx

    try:
        with (
            httpx.Client(
                timeout=FETCH_TIMEOUT, follow_redirects=True, headers={"User-Agent": _USER_AGENT}
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise FeedError(f"HTTP {response.status_code} {response.reason_phrase}", source=url)
            chunks: list[bytes] = []
            total = 0
            deadline = time.monotonic() + FETCH_DEADLINE
            for chunk in response.iter_bytes():
                if time.monotonic() > deadline:
                    raise FeedError(f"download took longer than {FETCH_DEADLINE:.0f} s", source=url)
                total += len(chunk)
                if total > max_bytes:
                    raise FeedTooLarge(f"feed is larger than the {max_bytes:,}-byte limit", source=url)
                chunks.append(chunk)
            return b"".join(chunks), str(response.url), response.headers.get("content-type")
    except httpx.HTTPError as exc:
        raise FeedError(f"could not fetch the feed: {exc}", source=url) from exc


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

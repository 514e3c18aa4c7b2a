"""A feed whose episodes link transcripts and chapters files, and the files, for crawler and page tests."""

from __future__ import annotations

import json

VTT = """WEBVTT

00:00:00.000 --> 00:00:04.000
<v Ada>Welcome to the show about <b>follow-along</b> transcripts.

00:00:04.000 --> 00:00:09.000
<v Ada>Today we fetch files from another origin.

00:00:09.000 --> 00:00:15.000
<v Ben>And the crawler stores them parsed &amp; safe.
"""

CHAPTERS = json.dumps(
    {
        "version": "1.2.0",
        "chapters": [
            {"startTime": 0, "title": "Opening words"},
            {"startTime": 5, "title": "Fetching on the server", "url": "https://example.com/more"},
            {"startTime": 10, "title": "Storing it parsed", "img": "art/ch3.png"},
        ],
    }
)


def feed_with_files(
    title: str, *, transcript_url: str, chapters_url: str, transcript_type: str = "text/vtt"
) -> str:
    """One episode linking a transcript (plus an HTML one it should not prefer) and a chapters file."""
    html_url = transcript_url.rsplit("/", 1)[0] + "/transcript.html"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0">'
        f"<channel><title>{title}</title><link>https://example.com/</link><language>en</language>"
        f"<description>Files elsewhere.</description><item><title>{title} one</title><guid>{title}-1</guid>"
        "<pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate>"
        '<enclosure url="https://cdn.example.com/one.mp3" type="audio/mpeg" length="1000"/>'
        f'<podcast:transcript url="{html_url}" type="text/html" language="en"/>'
        f'<podcast:transcript url="{transcript_url}" type="{transcript_type}" language="en"/>'
        f'<podcast:chapters url="{chapters_url}" type="application/json+chapters"/>'
        "<description>Episode one.</description></item></channel></rss>"
    )

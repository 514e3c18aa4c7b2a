"""Stored chapters and transcripts on the episode page: server-rendered, escaped, in both languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lytt.catalog import attachments
from lytt.catalog.models import Episode, EpisodeAttachment
from lytt.feeds import Chapter, Cue, ParsedTranscript
from lytt.web import followalong
from lytt.web.followalong import LINK_LABEL, RENDERERS, chapter_list, render_stored, transcript_lines

from .conftest import MakeShow

pytestmark = pytest.mark.django_db

PAGE = "/podcast/insight/episode-1/"


def _with_files(make_show: MakeShow) -> Episode:
    show = make_show("insight", episodes=1)
    Episode.objects.filter(show=show).update(
        chapters=[{"start_seconds": 0, "title": "Inline intro"}],
        chapters_url="https://files.example/chapters.json",
        transcripts=[{"url": "https://files.example/t.vtt", "type": "text/vtt", "language": "en"}],
    )
    episode = Episode.objects.get(show=show)
    attachments.note_episodes([episode.pk])
    rows = {row.kind: row.pk for row in EpisodeAttachment.objects.all()}
    now = datetime.now(UTC)
    cues = [
        Cue(0.0, 4.0, "Ada", "Hello <script>alert(1)</script> & welcome."),
        Cue(4.0, 9.5, "Ada", "Same speaker, no name again."),
        Cue(3725.25, 3730.0, "Ben", "Past the hour."),
        Cue(None, None, None, "An untimed note."),
    ]
    attachments.store_transcript(
        rows["transcript"], ParsedTranscript("vtt", cues), now=now, next_check_at=now
    )
    chapters = [
        Chapter(0.0, "Opening <words>"),
        Chapter(95.5, "The middle", "https://example.com/more", "https://img.example/c.png"),
    ]
    attachments.store_chapters(rows["chapters"], chapters, now=now, next_check_at=now)
    return episode


def _get(client: Client, url: str, language: str = "en") -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_transcript_lines_are_escaped_paragraphs_with_seek_links() -> None:
    html = transcript_lines(
        [
            [0.0, 4.0, "Ada", "a < b & <i>"],
            [4.0, None, "Ada", "again"],
            [61.5, None, "B<b>", "x"],
            [None, None, None, "n"],
        ]
    )
    assert html.split("\n") == [
        '<p data-seek="0"><b class="speaker">Ada</b> <a href="?t=0">0:00</a> a &lt; b &amp; &lt;i&gt;</p>',
        '<p data-seek="4"><a href="?t=4">0:04</a> again</p>',
        '<p data-seek="61.5"><b class="speaker">B&lt;b&gt;</b> <a href="?t=61">1:01</a> x</p>',
        "<p>n</p>",
    ]


def test_chapter_list_escapes_and_takes_only_web_links() -> None:
    html = chapter_list(
        [
            {"start_seconds": 3723.5, "title": "A <b>", "href": "javascript:alert(1)", "image": None},
            {
                "start_seconds": 0,
                "title": None,
                "href": "https://x.example/?a=1&b=2",
                "image": "https://i.example/c.png",
            },
        ],
        "Lenke",
    )
    assert html.split("\n") == [
        '<li><a class="chapter__seek" data-seek="3723.5" href="?t=3723">'
        '<span class="timestamp">1:02:03</span> '
        '<span class="chapter__title">A &lt;b&gt;</span></a></li>',
        '<li><a class="chapter__seek" data-seek="0" href="?t=0"><span class="timestamp">0:00</span> '
        '<span class="chapter__title"></span></a> '
        '<img class="chapter__img" src="https://i.example/c.png" alt="" '
        'width="48" height="48" loading="lazy"> '
        '<a class="chapter__link" href="https://x.example/?a=1&amp;b=2" '
        'rel="nofollow noopener noreferrer external">Lenke<span class="visually-hidden">: </span></a></li>',
    ]


@pytest.mark.parametrize(
    ("language", "heading", "previous"),
    [("en", "Transcript", "Previous chapter"), ("nb", "Transkripsjon", "Forrige kapittel")],
)
def test_page_shows_the_fetched_chapters_and_transcript(
    client: Client, make_show: MakeShow, language: str, heading: str, previous: str
) -> None:
    _with_files(make_show)
    html = _get(client, PAGE, language)
    assert f'<h2 id="transcript-heading">{heading}</h2>' in html
    hello = "Hello &lt;script&gt;alert(1)&lt;/script&gt; &amp; welcome."
    assert f'<b class="speaker">Ada</b> <a href="?t=0">0:00</a> {hello}</p>' in html
    assert '<p data-seek="4"><a href="?t=4">0:04</a> Same speaker, no name again.</p>' in html
    assert (
        '<p data-seek="3725.25"><b class="speaker">Ben</b> <a href="?t=3725">1:02:05</a> Past the hour.</p>'
        in html
    )
    assert "<p>An untimed note.</p>" in html
    assert "<script>alert(1)" not in html
    # The file's chapters replace the inline ones, with images and links; the script is loaded.
    assert "Inline intro" not in html
    assert '<span class="chapter__title">Opening &lt;words&gt;</span>' in html
    assert 'data-seek="95.5" href="?t=95"><span class="timestamp">1:35</span>' in html
    assert 'src="https://img.example/c.png"' in html
    assert 'href="https://example.com/more"' in html
    assert f'aria-label="{previous}"' in html
    assert "data-chapters-url" not in html  # the browser need not fetch the file itself
    assert "follow-along.js" in html
    assert "follow-along.css" in html


def test_the_page_reads_both_files_in_one_query(client: Client, make_show: MakeShow) -> None:
    _with_files(make_show)
    with CaptureQueriesContext(connection) as captured:
        _get(client, PAGE)  # the first view since they were stored: nothing cached
    reads = [q["sql"] for q in captured if "episodeattachment" in q["sql"]]
    assert len(reads) == 1
    assert '"items"' not in reads[0]  # the HTML rendered when they were stored, not the lines


def test_files_are_rendered_when_stored(make_show: MakeShow) -> None:
    _with_files(make_show)
    for row in EpisodeAttachment.objects.all():
        assert row.html_renderer == RENDERERS[row.kind]
        assert row.html == render_stored(row.kind, row.items)
        assert row.html


@pytest.mark.parametrize(("language", "label"), [("en", "Link"), ("nb", "Lenke")])
def test_the_stored_chapters_get_the_link_label_of_the_page_language(
    client: Client, make_show: MakeShow, language: str, label: str
) -> None:
    _with_files(make_show)
    html = _get(client, PAGE, language)
    assert f'rel="nofollow noopener noreferrer external">{label}<span class="visually-hidden">' in html
    assert LINK_LABEL not in html


def test_new_content_replaces_the_stored_html(client: Client, make_show: MakeShow) -> None:
    episode = _with_files(make_show)
    assert "Past the hour." in _get(client, PAGE)
    rows = {row.kind: row.pk for row in EpisodeAttachment.objects.filter(episode=episode)}
    later = datetime.now(UTC)
    cues = [Cue(1.0, 2.0, None, "A corrected line.")]
    attachments.store_transcript(
        rows["transcript"], ParsedTranscript("vtt", cues), now=later, next_check_at=later
    )
    attachments.store_chapters(
        rows["chapters"], [Chapter(7.0, "Only chapter")], now=later, next_check_at=later
    )
    html = _get(client, PAGE)
    assert "A corrected line." in html
    assert "Past the hour." not in html
    assert "Only chapter" in html
    assert "The middle" not in html


def test_html_of_another_renderer_or_none_is_not_served(client: Client, make_show: MakeShow) -> None:
    """A renderer's markup changed (or storing the HTML failed): pages render the stored items."""
    _with_files(make_show)
    EpisodeAttachment.objects.filter(kind="transcript").update(html="STALE LINES", html_renderer="old")
    EpisodeAttachment.objects.filter(kind="chapters").update(html="", html_renderer="")
    html = _get(client, PAGE)
    assert "STALE LINES" not in html
    assert "Past the hour." in html
    assert '<span class="chapter__title">Opening &lt;words&gt;</span>' in html
    assert ">Link<span" in html


def test_a_renderer_that_fails_leaves_the_content_stored(
    client: Client, make_show: MakeShow, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(kind: str, items: object) -> str:
        raise ValueError("renderer broke")

    monkeypatch.setattr(followalong, "render_stored", broken)
    _with_files(make_show)
    row = EpisodeAttachment.objects.get(kind="transcript")
    assert (row.html, row.html_renderer) == ("", "")
    assert row.items
    monkeypatch.undo()
    assert "Past the hour." in _get(client, PAGE)


def test_html_is_kept_only_for_the_content_it_was_rendered_from(make_show: MakeShow) -> None:
    _with_files(make_show)
    row = EpisodeAttachment.objects.get(kind="transcript")
    assert row.fetched_at is not None
    assert not attachments.store_html(row.pk, row.fetched_at - timedelta(seconds=1), "old", "r")
    assert attachments.store_html(row.pk, row.fetched_at, "new", "r")
    assert EpisodeAttachment.objects.get(pk=row.pk).html == "new"


def test_an_episode_without_files_costs_no_query_and_loads_no_script(
    client: Client, make_show: MakeShow
) -> None:
    make_show("insight", episodes=1)
    _get(client, PAGE)
    with CaptureQueriesContext(connection) as captured:
        html = _get(client, PAGE + "?page=1")
    assert not any("episodeattachment" in q["sql"] for q in captured)
    assert "follow-along.js" not in html
    assert 'class="chapters"' not in html


def test_a_failed_fetch_keeps_the_inline_chapters(client: Client, make_show: MakeShow) -> None:
    show = make_show("insight", episodes=1)
    Episode.objects.filter(show=show).update(
        chapters=[{"start_seconds": 0, "title": "Inline intro"}], chapters_url="https://files.example/c.json"
    )
    attachments.note_episodes([Episode.objects.get(show=show).pk])
    row = EpisodeAttachment.objects.get()
    now = datetime.now(UTC)
    attachments.record_failure(
        row.pk, "https://files.example/c.json: HTTP 500", now=now, next_check_at=now, status_code=500
    )
    html = _get(client, PAGE)
    assert "Inline intro" in html

"""Which transcript and chapters files an episode gets, and how ingest keeps the rows in step."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from tests.catalog.factories import episode, feed, source

from lytt.catalog import attachments
from lytt.catalog.ingest import ingest_feed
from lytt.catalog.models import Episode, EpisodeAttachment
from lytt.feeds import Chapter, Chapters, Cue, ParsedTranscript, Transcript


def test_choose_transcript_prefers_the_show_language_then_timed_formats() -> None:
    offered = [
        {"url": "https://x/a.html", "type": "text/html", "language": "en"},
        {"url": "https://x/b.srt", "type": "application/srt", "language": "en"},
        {"url": "https://x/c.vtt", "type": "text/vtt", "language": "nb", "rel": "captions"},
        {"url": "https://x/d.json", "type": "application/json", "language": "de"},
    ]
    assert attachments.choose_transcript(offered, "en-US")["url"] == "https://x/b.srt"
    assert attachments.choose_transcript(offered, "nb")["url"] == "https://x/c.vtt"
    assert attachments.choose_transcript(offered, "")["url"] == "https://x/d.json"
    assert attachments.choose_transcript([{"type": "text/vtt"}], "en") is None


def with_files(n: int, *, transcript: str | None = None, chapters: str | None = None):  # type: ignore[no-untyped-def]
    item = episode(n)
    if transcript:
        item.transcripts = [Transcript(url=transcript, type="text/vtt", language="en")]
    if chapters:
        item.chapters = Chapters(url=chapters, type="application/json+chapters")
    return item


@pytest.mark.django_db(transaction=True)
def test_ingest_makes_rows_due_and_follows_url_changes() -> None:
    src = source()
    items = [with_files(1, transcript="https://x/1.vtt", chapters="https://x/1.json"), with_files(2)]
    ingest_feed(src, feed(episodes=items))
    rows = {(r.episode.guid, r.kind): r for r in EpisodeAttachment.objects.select_related("episode")}
    assert set(rows) == {("urn:ep:1", "transcript"), ("urn:ep:1", "chapters")}
    assert rows["urn:ep:1", "transcript"].url == "https://x/1.vtt"
    assert rows["urn:ep:1", "transcript"].language == "en"
    assert all(row.next_check_at <= datetime.now(UTC) for row in rows.values())
    # Fetched long ago: a changed URL makes it due again, with the old validators dropped.
    EpisodeAttachment.objects.update(next_check_at=datetime.now(UTC) + timedelta(days=30), etag='"x"')
    items = [with_files(1, transcript="https://x/1-v2.vtt"), with_files(2)]
    items[0].title = "Changed"
    ingest_feed(src, feed(episodes=items))
    rows = {r.kind: r for r in EpisodeAttachment.objects.all()}
    assert set(rows) == {"transcript"}  # the chapters file is gone from the feed: its row goes too
    assert rows["transcript"].url == "https://x/1-v2.vtt"
    assert rows["transcript"].etag == ""
    assert rows["transcript"].next_check_at <= datetime.now(UTC)


@pytest.mark.django_db
def test_store_and_read_back_for_the_page() -> None:
    src = source()
    ingest_feed(
        src, feed(episodes=[with_files(1, transcript="https://x/1.vtt", chapters="https://x/1.json")])
    )
    ep = Episode.objects.get()
    attachments.note_episodes([ep.pk])
    rows = {r.kind: r for r in EpisodeAttachment.objects.all()}
    now = datetime.now(UTC)
    parsed = ParsedTranscript(
        "vtt", [Cue(0.0, 1.0, "A", "Hello"), Cue(1.0, 2.0, "A", "there."), Cue(None, None, None, "x")]
    )
    attachments.store_transcript(rows["transcript"].pk, parsed, now=now, next_check_at=now, etag='"e"')
    attachments.store_chapters(rows["chapters"].pk, [Chapter(3.0, "Three")], now=now, next_check_at=now)
    stored = attachments.stored_for_episode(ep.pk)
    assert set(stored) == {"transcript", "chapters"}
    assert attachments.items_of(stored["transcript"].id) == [
        [0.0, 2.0, "A", "Hello there."],
        [None, None, None, "x"],
    ]
    assert attachments.items_of(stored["chapters"].id) == [
        {"start_seconds": 3.0, "title": "Three", "href": None, "image": None}
    ]
    assert EpisodeAttachment.objects.get(kind="transcript").text == "Hello there.\nx"
    attachments.record_failure(
        rows["transcript"].pk, "https://x/1.vtt: HTTP 500", now=now, next_check_at=now, status_code=500
    )
    row = EpisodeAttachment.objects.get(kind="transcript")
    assert (row.error, row.error_count, len(row.items)) == ("https://x/1.vtt: HTTP 500", 1, 2)


@pytest.mark.django_db
def test_admin_lists_failing_files_with_their_reason(client: Client) -> None:
    from django.contrib.auth.models import User

    ingest_feed(source(), feed(episodes=[with_files(1, transcript="https://x/1.vtt")]))
    attachments.note_episodes(Episode.objects.values_list("pk", flat=True))
    row = EpisodeAttachment.objects.get()
    now = datetime.now(UTC)
    attachments.record_failure(
        row.pk, "https://x/1.vtt: HTTP 404 Not Found", now=now, next_check_at=now, status_code=404
    )
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    listed = client.get(reverse("admin:catalog_episodeattachment_changelist") + "?error__isempty=0")
    assert listed.status_code == 200
    assert "https://x/1.vtt: HTTP 404 Not Found" in listed.content.decode()
    assert client.get(reverse("admin:catalog_episodeattachment_change", args=[row.pk])).status_code == 200


def test_id_runs() -> None:
    assert attachments.id_runs([5, 3, 4, 9, 9, 1]) == [(1, 1), (3, 5), (9, 9)]
    assert attachments.id_runs([]) == []


@given(st.sets(st.integers(1, 10_000), max_size=300))
def test_id_runs_cover_exactly_the_ids(ids: set[int]) -> None:
    runs = attachments.id_runs(ids)
    assert {n for first, last in runs for n in range(first, last + 1)} == ids
    assert all(b[0] > a[1] + 1 for a, b in itertools.pairwise(runs))  # separate, in order

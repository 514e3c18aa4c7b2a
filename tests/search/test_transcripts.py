"""Transcript search: chunks of stored transcripts in their own index, found with their time."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from tests.search.conftest import make_episode, make_show

from lytt.catalog import attachments
from lytt.catalog.models import Episode, EpisodeAttachment
from lytt.cli import main
from lytt.feeds import parse_transcript
from lytt.search.models import TranscriptChunk
from lytt.search.query import parse, to_tsquery
from lytt.search.transcripts import CHUNK_SECONDS, CHUNK_WORDS, chunks, search_transcripts

VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
Welcome to the show about mountains.

00:12:30.000 --> 00:12:34.000
<v Ann>The snowfall in Tromsø was <b>heavy</b> this winter & spring.

00:40:00.000 --> 00:40:05.000
We end with the weather forecast.
"""


def line(start: float, text: str) -> list[Any]:
    return [start, start + 2, None, text]


def test_chunks_keep_lines_whole_and_start_at_their_first_line() -> None:
    items = [line(0, "a b c"), line(3, "d e"), line(CHUNK_SECONDS + 5, "f"), line(CHUNK_SECONDS + 6, "g h")]
    assert chunks(items) == [(0, "a b c d e"), (CHUNK_SECONDS + 5, "f g h")]
    many = [line(n, "word " * 20) for n in range(5)]
    assert [start for start, _ in chunks(many)] == [0, 3]  # 60 words end the first chunk
    assert chunks([line(1, "  "), [2, 3], line(4, "x")]) == [(4, "x")]


@given(st.lists(st.tuples(st.integers(0, 20000), st.text(max_size=80)), max_size=60))
def test_chunks_lose_no_words(raw: list[tuple[int, str]]) -> None:
    items = [line(start, text) for start, text in sorted(raw)]
    joined = " ".join(text for _, text in chunks(items)).split()
    assert joined == [word for _, text in sorted(raw) for word in text.split()]
    assert all(len(text.split()) < CHUNK_WORDS + 80 for _, text in chunks(items))


def test_tsquery_quotes_every_word() -> None:
    assert to_tsquery(parse('snow "heavy winter" -rain')) == "(('snow' & ('heavy' <-> 'winter'))) & !'rain'"
    assert to_tsquery(parse("trom", prefix_last=True)) == "('trom':*)"
    assert to_tsquery(parse("a OR b")) == "('a') | ('b')"
    assert to_tsquery(parse("-only")) == ""


def stored(episode: Episode, vtt: str = VTT) -> EpisodeAttachment:
    row = EpisodeAttachment.objects.create(
        episode=episode, kind=EpisodeAttachment.Kind.TRANSCRIPT, url="https://t.example/t.vtt"
    )
    now = timezone.now()
    attachments.store_transcript(
        row.pk, parse_transcript(vtt.encode(), declared_type="text/vtt"), now=now, next_check_at=now
    )
    return row


@pytest.mark.django_db
def test_a_stored_transcript_is_found_with_its_time() -> None:
    show = make_show("Weather talk")
    episode = make_episode(show, "Winter review")
    stored(episode)
    assert TranscriptChunk.objects.filter(episode=episode).count() >= 1
    results = search_transcripts("snowfall")
    [hit] = results.hits
    assert hit.episode == episode
    assert hit.start_seconds == 750
    assert "<mark>snowfall</mark>" in hit.snippet_html
    assert "&amp; spring" in hit.snippet_html  # the text is escaped
    assert "<b>" not in hit.snippet_html
    assert [h.start_seconds for h in search_transcripts("forecast").hits] == [2400]
    assert search_transcripts('"weather forecast"').hits
    assert not search_transcripts('"forecast weather"').hits
    assert not search_transcripts("snowfall -heavy").hits
    assert search_transcripts("snowf").hits  # the last word is a prefix, as in the search box


@pytest.mark.django_db
def test_hidden_shows_and_replaced_or_deleted_transcripts_are_not_found() -> None:
    hidden = make_show("Hidden", hidden=True)
    stored(make_episode(hidden, "Secret"))
    assert not search_transcripts("snowfall").hits
    episode = make_episode(make_show("Open"), "Open ep")
    row = stored(episode)
    assert len(search_transcripts("snowfall").hits) == 1
    stored_again = parse_transcript(
        b"WEBVTT\n\n00:00:05.000 --> 00:00:06.000\nRain only now.\n", declared_type="text/vtt"
    )
    attachments.store_transcript(row.pk, stored_again, now=timezone.now(), next_check_at=timezone.now())
    assert not search_transcripts("snowfall").hits
    assert search_transcripts("rain").hits
    episode.delete()
    assert (
        not TranscriptChunk.objects.exists()
        or not TranscriptChunk.objects.filter(episode_id=episode.pk).exists()
    )
    assert not search_transcripts("rain").hits


@pytest.mark.django_db
def test_paging() -> None:
    show = make_show("Many")
    for n in range(5):
        stored(make_episode(show, f"Ep {n}"))
    first = search_transcripts("mountains", limit=3)
    assert (len(first.hits), first.has_previous, first.has_next) == (3, False, True)
    second = search_transcripts("mountains", limit=3, offset=3)
    assert (len(second.hits), second.has_previous, second.has_next) == (2, True, False)
    assert {h.episode.pk for h in first.hits}.isdisjoint({h.episode.pk for h in second.hits})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading", "option"),
    [("en", "In transcripts", "Transcripts"), ("nb", "I transkripsjoner", "Transkripsjoner")],
)
def test_the_search_page_filters_to_transcripts(
    client: Client, language: str, heading: str, option: str
) -> None:
    episode = make_episode(make_show("Weather talk"), "Winter review")
    stored(episode)
    response = client.get("/search/", {"q": "snowfall", "kind": "transcripts"}, HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert response.status_code == 200
    assert heading in html
    assert f'<option value="transcripts" selected>{option}</option>' in html
    assert f"/podcast/{episode.show.slug}/{episode.slug}/?t=750" in html
    assert ">12:30</a>" in html
    assert "<mark>snowfall</mark>" in html
    nothing = client.get("/search/", {"q": "volcano", "kind": "transcripts"}, HTTP_ACCEPT_LANGUAGE=language)
    assert "search-empty" in nothing.content.decode()


@pytest.mark.django_db
def test_reindex_rebuilds_the_transcript_index(capsys: pytest.CaptureFixture[str]) -> None:
    stored(make_episode(make_show("Weather talk"), "Winter review"))
    TranscriptChunk.objects.all().delete()
    assert main(["reindex"]) == 0
    assert "stretches of transcripts" in capsys.readouterr().out
    assert search_transcripts("snowfall").hits

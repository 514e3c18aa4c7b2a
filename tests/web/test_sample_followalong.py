"""The sample episodes' chapters and transcript lines are spread over the duration their audio plays, and
the committed files are what `lytt.web.sample.followalong` generates."""

from __future__ import annotations

import pytest

from lytt.catalog import attachments
from lytt.catalog.models import Episode
from lytt.web.sample import load_sample_catalogue
from lytt.web.sample.followalong import (
    Line,
    at,
    chapters_json,
    outputs,
    psc_chapters,
    webvtt,
    with_inline_chapters,
)


def test_the_committed_files_are_the_generators_output() -> None:
    for path, text in outputs().items():
        assert path.read_text(encoding="utf-8") == text, (
            f"run python -m lytt.web.sample.followalong ({path.name})"
        )


def test_at_is_a_whole_second_inside_the_episode() -> None:
    assert at(0.0, 4512) == 0
    assert at(0.5, 4512) == 2256
    assert at(1.0, 4512) == 4511


def test_chapters_json_places_titles_at_fractions() -> None:
    text = chapters_json([(0.0, "Intro"), (0.5, "Æ middle")], 600)
    assert '{"startTime": 300, "title": "Æ middle"}' in text


def test_psc_chapters_are_clock_times() -> None:
    assert psc_chapters([(0.25, "Q")], 4000, indent="") == '<psc:chapter start="00:16:40" title="Q"/>\n'


def test_webvtt_cues_end_before_the_next_and_at_the_end() -> None:
    text = webvtt([Line(0.0, "A", "one"), Line(0.001, "B", "two"), Line(0.999, "A", "end")], 3000)
    assert "00:00:00.000 --> 00:00:03.000\n<v A>one" in text
    assert "00:00:03.000 --> 00:00:11.000\n<v B>two" in text
    assert "00:49:57.000 --> 00:50:00.000\n<v A>end" in text


def test_with_inline_chapters_names_a_missing_item() -> None:
    with pytest.raises(ValueError, match="no item with guid 'nope'"):
        with_inline_chapters("<rss></rss>", "nope", "")


@pytest.mark.django_db
def test_sample_chapters_and_transcripts_spread_over_the_audio() -> None:
    load_sample_catalogue()
    checked = 0
    for episode in Episode.objects.filter(show__slug__startswith="insight-myanmar"):
        assert episode.duration_seconds
        stored = attachments.stored_for_episode(episode.pk)
        chapter_file = stored.get(attachments.Kind.CHAPTERS)
        starts = [c["start_seconds"] for c in episode.chapters]
        if chapter_file is not None:
            starts = [c["start_seconds"] for c in attachments.items_of(chapter_file.id)]
        transcript = stored.get(attachments.Kind.TRANSCRIPT)
        cues = [item[0] for item in attachments.items_of(transcript.id)] if transcript is not None else []
        for times in (starts, cues):
            if times:
                checked += 1
                assert max(times) < episode.duration_seconds
                assert max(times) > episode.duration_seconds / 2, episode.title
    assert checked == 3  # two chapter lists and one transcript

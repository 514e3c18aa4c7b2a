"""The model's one computed field: description_text is the text of description_html unless set."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from lytt.feeds import Episode, Feed, feed_to_dict

NOTES = '<p>Intro &amp; <a href="https://ex.com/" rel="noopener noreferrer nofollow">link</a></p><p>Two</p>'


@pytest.mark.parametrize("model", [Episode, Feed])
def test_text_is_read_from_the_notes(model: type[Episode] | type[Feed]) -> None:
    item = model(description_html=NOTES)
    assert item.description_text == "Intro & link\n\nTwo"
    item.description_html = "<p>Changed</p>"
    assert item.description_text == "Changed"
    item.description_html = None
    assert item.description_text is None


@pytest.mark.parametrize("model", [Episode, Feed])
def test_a_text_set_is_kept_until_unset(model: type[Episode] | type[Feed]) -> None:
    item = model(description_html=NOTES, description_text="Given")
    assert item.description_text == "Given"
    item.description_text = "Other"
    assert item.description_text == "Other"
    item.description_text = None
    assert item.description_text == "Intro & link\n\nTwo"


def test_read_text_counts_in_equality_repr_asdict_replace_and_pickle() -> None:
    read = Episode(guid="a", description_html=NOTES)
    given = Episode(guid="a", description_html=NOTES, description_text="Intro & link\n\nTwo")
    assert read == given
    assert Episode(guid="a", description_html=NOTES, description_text="Other") != read
    assert "description_text='Intro & link\\n\\nTwo'" in repr(read)
    assert dataclasses.asdict(read)["description_text"] == "Intro & link\n\nTwo"
    assert dataclasses.replace(read, guid="b").description_text == "Intro & link\n\nTwo"
    copy = pickle.loads(pickle.dumps(read))
    assert copy == read
    assert copy.description_text == "Intro & link\n\nTwo"


def test_feed_to_dict_has_the_read_text() -> None:
    feed = Feed(description_html="<p>Show</p>", episodes=[Episode(guid="a", description_html=NOTES)])
    data = feed_to_dict(feed)
    assert data["description_text"] == "Show"
    assert data["episodes"][0]["description_text"] == "Intro & link\n\nTwo"

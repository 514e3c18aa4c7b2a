"""Pure translation of parsed feeds into rows: match keys, hashes, slugs, cleaning."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st
from tests.catalog.factories import episode

from lytt.catalog import rows
from lytt.feeds.model import Enclosure, Episode, Feed, Owner, Person


def test_match_key_prefers_guid_then_enclosure_then_title_and_date() -> None:
    with_guid = rows.match_key(Episode(guid=" abc ", enclosure=Enclosure(url="https://x/1.mp3")))
    assert with_guid == rows.match_key(Episode(guid="abc"))
    by_enclosure = rows.match_key(Episode(enclosure=Enclosure(url="https://x/1.mp3"), title="A"))
    assert by_enclosure == rows.match_key(Episode(enclosure=Enclosure(url="https://x/1.mp3"), title="B"))
    assert by_enclosure != with_guid
    when = datetime(2024, 5, 21, tzinfo=UTC)
    by_title = rows.match_key(Episode(title="A", published=when))
    assert by_title == rows.match_key(Episode(title="A", published=when, link="https://other"))
    assert by_title != rows.match_key(Episode(title="A", published=datetime(2024, 5, 22, tzinfo=UTC)))
    assert rows.match_key(Episode(title="A", published_raw="someday")) is not None
    assert rows.match_key(Episode()) is None
    assert len(with_guid or "") == 64


def test_guid_is_not_confused_with_an_enclosure_url_of_the_same_text() -> None:
    url = "https://x/1.mp3"
    assert rows.match_key(Episode(guid=url)) != rows.match_key(Episode(enclosure=Enclosure(url=url)))


def test_content_hash_changes_with_content_only() -> None:
    first = rows.episode_row(episode(1))
    same = rows.episode_row(episode(1))
    assert first is not None
    assert same is not None
    assert first.content_hash == same.content_hash
    edited = episode(1)
    edited.description_html = "<p>new</p>"
    changed = rows.episode_row(edited)
    assert changed is not None
    assert changed.content_hash != first.content_hash
    with_person = episode(1)
    with_person.persons = [Person(name="Ada")]
    row = rows.episode_row(with_person)
    assert row is not None
    assert row.content_hash != first.content_hash


def test_episode_row_values_follow_the_field_names() -> None:
    item = episode(7)
    item.title = "Den store flukten"
    item.enclosure = Enclosure(url="https://cdn.example.com/7.mp3", type="audio/mpeg", length=10)
    row = rows.episode_row(item)
    assert row is not None
    assert list(row.fields) == list(rows.EPISODE_FIELDS)
    assert row.fields["title"] == row.title == "Den store flukten"
    assert row.fields["guid"] == row.guid == item.guid
    assert row.fields["published_at"] == row.published_at == item.published
    assert row.fields["enclosure_url"] == row.enclosure_url == "https://cdn.example.com/7.mp3"
    assert (row.fields["enclosure_type"], row.fields["enclosure_length"]) == ("audio/mpeg", 10)
    # The hash is of the values by name.
    assert row.content_hash == rows.content_hash({**row.fields, "people": row.people})


def test_episode_rows_travel_through_pickle_whole() -> None:
    # The crawler's parser processes send rows to its writing thread pickled.
    item = episode(3)
    item.persons = [Person(name="Ada Host", role="host")]
    row = rows.episode_row(item)
    assert row is not None
    copy = pickle.loads(pickle.dumps(row, protocol=pickle.HIGHEST_PROTOCOL))
    assert copy == row
    assert (copy.match_key, copy.content_hash, copy.slug_base) == (
        row.match_key,
        row.content_hash,
        "episode-3",
    )
    assert copy.people == row.people != []


def test_content_hash_is_stable_for_values_orjson_refuses() -> None:
    huge = {"title": "T", "extra": {"value": 2**70}}
    assert rows.content_hash(huge) == rows.content_hash({"extra": {"value": 2**70}, "title": "T"})
    assert rows.content_hash(huge) != rows.content_hash({"title": "T", "extra": {"value": 2**70 + 1}})
    lone = {"title": "a\ud800b"}
    assert rows.content_hash(lone) == rows.content_hash({"title": "a\ud800b"})
    assert rows.content_hash(lone) != rows.content_hash({"title": "a\ud801b"})
    assert len(rows.content_hash(lone)) == 64


@given(st.dictionaries(st.text(max_size=5), st.one_of(st.none(), st.integers(), st.text(max_size=5))))
def test_content_hash_ignores_key_order(fields: dict[str, object]) -> None:
    assert rows.content_hash(fields) == rows.content_hash(dict(reversed(list(fields.items()))))


def test_episode_rows_dedupes_by_key_independent_of_order() -> None:
    a, b = episode(1), episode(1)
    b.title = "Other title, same guid"
    forward = rows.episode_rows(Feed(episodes=[a, b, episode(2)]))
    backward = rows.episode_rows(Feed(episodes=[episode(2), b, a]))
    assert [r.content_hash for r in forward] == [r.content_hash for r in backward]
    assert len(forward) == 2


def test_show_fields_cleans_and_defaults() -> None:
    fields = rows.show_fields(
        Feed(
            title="  Insight\x00 Myanmar ",
            language="NB-no",
            podcast_guid="ABC",
            owner=Owner(name="O", email="o@example.com"),
            link="https://example.com/" + "x" * 2100,
            complete=True,
        ),
        fallback_title="example.com",
    )
    assert fields["title"] == "Insight Myanmar"
    assert (fields["language"], fields["podcast_guid"]) == ("nb-no", "abc")
    assert (fields["owner_name"], fields["owner_email"]) == ("O", "o@example.com")
    assert fields["link"] == ""
    assert fields["show_type"] == "episodic"
    assert fields["complete"] is True
    assert rows.show_fields(Feed(), fallback_title="host.example")["title"] == "host.example"


def test_person_rows_identity_and_roles() -> None:
    people = rows.person_rows(
        [
            Person(name="Ada Host", role="Host", href="https://ada.example"),
            Person(name="Ada Host", role="host", href="https://ada.example"),
            Person(name="Ada Host"),
            Person(name="  "),
        ]
    )
    assert len(people) == 2
    assert people[0].role == "host"
    assert people[0].slug != people[1].slug
    assert people[1].slug == "ada-host"


@given(st.text(max_size=200))
def test_slug_base_is_ascii_bounded_and_never_empty(text: str) -> None:
    slug = rows.slug_base(text, 100, "podcast")
    assert slug
    assert len(slug) <= 100
    assert slug.isascii()
    assert not slug.startswith("-")
    assert not slug.endswith("-")


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=200))
def test_ascii_slugs_take_a_shortcut_to_the_same_slug(text: str) -> None:
    assert rows._slugify_ascii(text) == rows._slugify_any(text)


@given(st.text(alphabet=st.sampled_from("aZ09 -_./:&+@!?'\t\x1c\x1f\x7f,"), max_size=60))
def test_ascii_slugs_agree_on_separators_spaces_and_dashes(text: str) -> None:
    assert rows._slugify_ascii(text) == rows._slugify_any(text)
    for limit in (1, 5, 12):
        ascii_path = rows.slug_base(text, limit, "x")
        general = rows._slugify_any(text)[:limit]
        if len(general) == limit and "-" in general:
            general = general.rsplit("-", 1)[0]
        assert ascii_path == (general.strip("-") or "x")


def test_slug_base_transliterates_nordic_letters_and_cuts_at_words() -> None:
    assert rows.slug_base("Blåøyde Ærlige Sønner", 100, "x") == "blaoyde-aerlige-sonner"
    assert rows.slug_base("Mr. Robot: S01", 100, "x") == "mr-robot-s01"
    assert rows.slug_base("alpha beta gamma", 12, "x") == "alpha-beta"
    assert rows.slug_base("!!!", 100, "episode") == "episode"


def test_unique_slug() -> None:
    assert rows.unique_slug("a", set()) == "a"
    assert rows.unique_slug("a", {"a", "a-2"}) == "a-3"


def test_bounded_int_and_clean() -> None:
    assert rows.bounded_int(5, 0, 10) == 5
    assert rows.bounded_int(-1, 0, 10) is None
    assert rows.bounded_int(None, 0, 10) is None
    assert rows.clean("a\x00b  ", 10) == "ab"
    assert rows.clean(None, 10) == ""
    assert rows.clean_url("https://x/" + "y" * 10, 12) == ""


_DIGESTS = st.lists(st.binary(min_size=1, max_size=8).map(lambda b: rows._hash("g", b.hex())), max_size=60)


@given(_DIGESTS)
def test_sketch_is_the_smallest_keys_cut_short_in_any_order(keys: list[str]) -> None:
    drawn = rows.sketch(keys)
    assert drawn == rows.sketch(list(reversed(keys)))
    assert drawn == sorted(drawn)
    assert len(drawn) == min(rows.SKETCH_SIZE, len(set(keys)))
    assert all(len(key) == rows.SKETCH_KEY_LENGTH for key in drawn)
    cut = {key[: rows.SKETCH_KEY_LENGTH] for key in keys}
    assert all(key in cut for key in drawn)
    assert all(other >= max(drawn) for other in cut - set(drawn))


@given(_DIGESTS, _DIGESTS)
def test_a_sketch_grown_with_new_keys_is_the_sketch_of_all_of_them(old: list[str], new: list[str]) -> None:
    assert rows.sketch([*rows.sketch(old), *new]) == rows.sketch([*old, *new])


@given(_DIGESTS, st.data())
def test_a_part_of_the_items_keeps_the_part_of_the_sketch_that_falls_in_it(
    keys: list[str], data: st.DataObject
) -> None:
    part = data.draw(st.lists(st.sampled_from(keys), unique=True) if keys else st.just([]))
    cut_part = {key[: rows.SKETCH_KEY_LENGTH] for key in part}
    assert {key for key in rows.sketch(keys) if key in cut_part} <= set(rows.sketch(part))


def test_guid_keys_are_those_of_items_with_a_guid() -> None:
    items = [episode(1), episode(2, guid=False)]
    incoming = rows.episode_rows(Feed(title="t", episodes=items))
    assert rows.guid_keys(incoming) == [rows.match_key(items[0])]

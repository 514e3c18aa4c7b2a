"""A device's full-list upload read against what it had seen: pure rules, examples and properties."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from lytt.accounts.devicelists import changes_from_full_list, seen_after_delta

A, B, C = "https://a.org/f", "https://b.org/f", "https://c.org/f"
urls = st.lists(st.sampled_from([A, B, C, "https://d.org/f", "https://e.org/f"]), max_size=8)


def test_first_upload_adds_its_feeds_and_removes_nothing() -> None:
    changes = changes_from_full_list(None, [A, B, A])
    assert changes.add == [A, B]
    assert changes.remove == []
    assert changes.seen == [A, B]


def test_later_upload_removes_only_seen_feeds_left_out() -> None:
    changes = changes_from_full_list([A, B], [B, C])
    assert changes.add == [C]
    assert changes.remove == [A]
    assert changes.seen == [B, C]


def test_empty_upload_after_seeing_removes_what_was_seen() -> None:
    assert changes_from_full_list([A, B], []).remove == [A, B]


def test_seen_feed_still_listed_is_not_added_again() -> None:
    # Another app removed A after this device saw it; the device's stale list does not bring A back.
    assert changes_from_full_list([A], [A]).add == []


@given(urls | st.none(), urls)
def test_upload_never_removes_unseen_or_listed_feeds(seen: list[str] | None, uploaded: list[str]) -> None:
    changes = changes_from_full_list(seen, uploaded)
    assert set(changes.remove) <= set(seen or []) - set(uploaded)
    assert set(changes.add) == set(uploaded) - set(seen or [])
    assert not set(changes.add) & set(changes.remove)
    assert changes.seen == list(dict.fromkeys(uploaded))


def test_seen_after_delta() -> None:
    assert seen_after_delta(None, [A, B], []) == [A, B]
    assert seen_after_delta([A, B], [C], [A]) == [B, C]
    assert seen_after_delta([A], [], [C]) == [A]


@given(urls | st.none(), urls, urls)
def test_seen_after_delta_holds_adds_and_drops_removes(
    seen: list[str] | None, add: list[str], remove: list[str]
) -> None:
    result = seen_after_delta(seen, add, remove)
    assert not set(result) & set(remove)
    assert set(add) - set(remove) <= set(result)
    assert set(result) <= set(seen or []) | set(add)
    assert len(result) == len(set(result))

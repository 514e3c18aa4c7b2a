"""The queue and bookmark services: pure ordering rules, then the writers on a real database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from hypothesis import given
from hypothesis import strategies as st

from lytt.accounts import listening
from lytt.accounts.listening import ListeningError, checked_order, queue_with
from lytt.accounts.models import Bookmark, QueueEntry
from lytt.catalog.models import Episode, Show

orders = st.lists(st.integers(1, 50), unique=True, max_size=20)


@given(orders, st.integers(1, 60), st.sampled_from(["next", "last"]))
def test_adding_keeps_each_episode_once_and_puts_it_where_asked(
    order: list[int], new: int, where: str
) -> None:
    result = queue_with(order, new, where)  # type: ignore[arg-type]
    assert sorted(result) == sorted({*order, new})
    assert result[0 if where == "next" else -1] == new
    assert [e for e in result if e != new] == [e for e in order if e != new]


def test_checked_order_names_repeated_and_unknown_ids() -> None:
    assert checked_order([3, 1, 2], known=[1, 2, 3, 4]) == [3, 1, 2]
    with pytest.raises(ListeningError, match="repeated: 1, 2") as repeated:
        checked_order([1, 2, 1, 2, 3], known=[1, 2, 3])
    assert (repeated.value.field, repeated.value.ids) == ("episodes", [1, 2])
    with pytest.raises(ListeningError, match="no episode with id 7, 9") as unknown:
        checked_order([9, 1, 7], known=[1])
    assert unknown.value.ids == [7, 9]
    with pytest.raises(ListeningError, match="at most 1000"):
        checked_order(list(range(1, 1002)), known=range(1, 1002))


@pytest.fixture
def episodes(make_show: Callable[..., Show]) -> list[int]:
    make_show("a", episodes=4)
    return list(Episode.objects.order_by("pk").values_list("pk", flat=True))


def stored(user: User) -> list[tuple[int, int]]:
    return list(
        QueueEntry.objects.filter(user=user).order_by("position").values_list("position", "episode_id")
    )


def test_queue_writers_keep_positions_dense_and_in_order(user: User, episodes: list[int]) -> None:
    a, b, c, d = episodes
    listening.add_to_queue(user, a)
    listening.add_to_queue(user, b)
    listening.add_to_queue(user, c, "next")
    assert stored(user) == [(0, c), (1, a), (2, b)]
    listening.add_to_queue(user, b, "next")
    assert stored(user) == [(0, b), (1, c), (2, a)]
    assert listening.remove_from_queue(user, c)
    assert not listening.remove_from_queue(user, c)
    assert stored(user) == [(0, b), (1, a)]
    assert listening.replace_queue(user, [d, a]) == [d, a]
    assert stored(user) == [(0, d), (1, a)]
    assert listening.clear_queue(user) == 2
    assert stored(user) == []


def test_a_refused_replacement_changes_nothing(user: User, episodes: list[int]) -> None:
    listening.replace_queue(user, episodes[:2])
    with pytest.raises(ListeningError):
        listening.replace_queue(user, [episodes[2], 10**9])
    assert listening.queue_episode_ids(user) == episodes[:2]


def test_queued_episodes_of_a_show_hidden_later_may_stay_but_not_be_added(
    user: User, episodes: list[int]
) -> None:
    listening.replace_queue(user, episodes[:2])
    Show.objects.update(hidden=True)
    assert listening.replace_queue(user, [episodes[1], episodes[0]]) == [episodes[1], episodes[0]]
    with pytest.raises(ListeningError, match=f"no episode with id {episodes[2]}"):
        listening.add_to_queue(user, episodes[2])


def test_a_full_queue_refuses_one_more(
    user: User, episodes: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listening, "MAX_QUEUE", 2)
    listening.add_to_queue(user, episodes[0])
    listening.add_to_queue(user, episodes[1])
    listening.add_to_queue(user, episodes[0], "last")  # a move, not an addition
    with pytest.raises(ListeningError, match="full"):
        listening.add_to_queue(user, episodes[2])
    assert listening.queue_episode_ids(user) == [episodes[1], episodes[0]]


def test_bookmarks_are_validated_and_private(
    user: User, make_user: Callable[..., User], episodes: list[int]
) -> None:
    mark = listening.add_bookmark(user, episodes[0], 95, "  tidy\n ")
    assert (mark.position, mark.note) == (95, "tidy")
    for position, note, field in [
        (-1, "", "position"),
        (7 * 24 * 3600 + 1, "", "position"),
        (10, "x" * 1001, "note"),
        (10, "a\x00b", "note"),
    ]:
        with pytest.raises(ListeningError) as refused:
            listening.add_bookmark(user, episodes[0], position, note)
        assert refused.value.field == field
    with pytest.raises(ListeningError, match="no episode with id 0"):
        listening.add_bookmark(user, 0, 10)
    other = make_user("ola")
    assert not listening.delete_bookmark(other, mark.pk)
    assert listening.delete_bookmark(user, mark.pk)
    assert not Bookmark.objects.exists()

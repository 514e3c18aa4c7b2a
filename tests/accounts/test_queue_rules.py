"""The queue's ordering rules behind the website's queue: "play next" beside the episode playing, moving
one episode, and merging a browser's signed-out queue into the account's; then their writers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from hypothesis import given
from hypothesis import strategies as st

from lytt.accounts import listening
from lytt.accounts.listening import ListeningError, merged_queue, queue_moved, queue_with
from lytt.catalog.models import Episode, Show

orders = st.lists(st.integers(1, 50), unique=True, max_size=20)


def test_play_next_goes_after_the_episode_playing_at_the_head() -> None:
    assert queue_with([7, 8, 9], 5, "next", playing=7) == [7, 5, 8, 9]
    # Playing something not at the head (or nothing): next is first.
    assert queue_with([7, 8, 9], 5, "next", playing=8) == [5, 7, 8, 9]
    assert queue_with([7, 8, 9], 5, "next") == [5, 7, 8, 9]
    # The episode playing, put next, is simply first; one already queued moves.
    assert queue_with([7, 8, 9], 7, "next", playing=7) == [7, 8, 9]
    assert queue_with([7, 8, 9], 9, "next", playing=7) == [7, 9, 8]
    assert queue_with([], 5, "next", playing=7) == [5]
    assert queue_with([7, 8], 5, "last", playing=7) == [7, 8, 5]


@given(orders, st.integers(1, 60), st.integers(1, 60))
def test_play_next_keeps_everything_else_in_order(order: list[int], new: int, playing: int) -> None:
    result = queue_with(order, new, "next", playing)
    assert sorted(result) == sorted({*order, new})
    assert [e for e in result if e != new] == [e for e in order if e != new]
    assert result.index(new) == (1 if order[:1] == [playing] and playing != new else 0)


def test_moving_puts_an_episode_at_a_place_clamped_to_the_queue() -> None:
    assert queue_moved([1, 2, 3, 4], 4, 0) == [4, 1, 2, 3]
    assert queue_moved([1, 2, 3, 4], 1, 2) == [2, 3, 1, 4]
    assert queue_moved([1, 2, 3, 4], 2, 99) == [1, 3, 4, 2]
    assert queue_moved([1, 2, 3, 4], 3, -5) == [3, 1, 2, 4]
    with pytest.raises(ListeningError, match="episode 9 is not in the queue") as missing:
        queue_moved([1, 2], 9, 0)
    assert (missing.value.field, missing.value.ids) == ("episode", [9])


def test_a_move_next_to_a_neighbour_keeps_to_it_when_another_device_changed_the_queue() -> None:
    # Seen as [1, 2, 3], 3 moved up above 2 (place 1); meanwhile another device put 9 first.
    assert queue_moved([9, 1, 2, 3], 3, 1, before=2) == [9, 1, 3, 2]
    assert queue_moved([9, 1, 2, 3], 3, 1) == [9, 3, 1, 2]
    # Moved down below 2, and below the last.
    assert queue_moved([9, 1, 2, 3], 1, 1, after=2) == [9, 2, 1, 3]
    assert queue_moved([9, 1, 2, 3], 1, 2, after=3) == [9, 2, 3, 1]
    # `before` wins over `after`; a neighbour no longer queued (or the episode itself) leaves the place.
    assert queue_moved([1, 2, 3, 4], 4, 3, before=2, after=3) == [1, 4, 2, 3]
    assert queue_moved([1, 2, 3, 4], 4, 0, before=7, after=8) == [4, 1, 2, 3]
    assert queue_moved([1, 2, 3, 4], 4, 1, before=4) == [1, 4, 2, 3]


@given(orders, st.data())
def test_a_move_changes_only_where_that_episode_is(order: list[int], data: st.DataObject) -> None:
    if not order:
        return
    episode = data.draw(st.sampled_from(order))
    place = data.draw(st.integers(0, len(order) - 1))
    result = queue_moved(order, episode, place)
    assert result.index(episode) == place
    assert [e for e in result if e != episode] == [e for e in order if e != episode]


def test_carried_queue_goes_after_the_accounts_without_duplicates() -> None:
    assert merged_queue([3, 1], [1, 5, 3, 6, 5]) == [3, 1, 5, 6]
    assert merged_queue([], [4, 4, 2]) == [4, 2]
    assert merged_queue([2], []) == [2]


@given(orders, st.lists(st.integers(1, 60), max_size=30))
def test_merging_keeps_the_accounts_order_first(account: list[int], carried: list[int]) -> None:
    result = merged_queue(account, carried)
    assert result[: len(account)] == account
    assert len(result) == len(set(result)) == len({*account, *carried})
    assert [e for e in result if e not in account] == list(
        dict.fromkeys(e for e in carried if e not in account)
    )


def test_merging_stops_at_the_queue_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listening, "MAX_QUEUE", 3)
    assert merged_queue([1, 2], [3, 4, 5]) == [1, 2, 3]


@pytest.fixture
def episodes(make_show: Callable[..., Show]) -> list[int]:
    make_show("q", episodes=5)
    return list(Episode.objects.order_by("pk").values_list("pk", flat=True))


def test_moving_and_carrying_write_the_accounts_queue(user: User, episodes: list[int]) -> None:
    a, b, c, d, e = episodes
    listening.replace_queue(user, [a, b, c])
    assert listening.move_in_queue(user, c, 0) == [c, a, b]
    assert listening.queue_episode_ids(user) == [c, a, b]
    with pytest.raises(ListeningError, match=f"episode {d} is not in the queue"):
        listening.move_in_queue(user, d, 0)
    # A browser's queue naming a deleted episode: the rest is carried, after the account's.
    assert listening.carry_into_queue(user, [d, b, 10**9, e]) == [c, a, b, d, e]
    assert listening.queue_episode_ids(user) == [c, a, b, d, e]
    listening.add_to_queue(user, a, "next", playing=c)
    assert listening.queue_episode_ids(user) == [c, a, b, d, e]
    queued = listening.queued_episodes(user)
    assert [(entry.episode_id, entry.episode.show.slug, heard) for entry, heard in queued][:2] == [
        (c, "q", None),
        (a, "q", None),
    ]


def test_carrying_refuses_more_than_a_queue_holds(user: User, episodes: list[int]) -> None:
    with pytest.raises(ListeningError, match="at most 1000 episodes, got 1001"):
        listening.carry_into_queue(user, list(range(1, 1002)))

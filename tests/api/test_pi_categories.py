"""Apple categories onto Podcast Index ids."""

from __future__ import annotations

import pytest

from lytt.catalog.podcastindex_categories import NAME_BY_ID, PI_CATEGORIES, parse_category_filter, pi_ids_for
from lytt.catalog.taxonomy import _TAXONOMY


@pytest.mark.parametrize(
    ("apple", "ids"),
    [
        ("Society & Culture", [77, 78]),
        ("TV & Film", [104, 105]),
        ("True Crime", [103]),
        ("Video Games", [52]),
        ("How To", [22]),
        ("Performing Arts", [7, 1]),
        ("Earth Sciences", [70, 67]),
        ("Education for Kids", [20, 36]),
        ("Non-Profit", [15]),
        ("Technology", [102]),
        ("After Shows", [106]),
    ],
)
def test_apple_names_map_like_podcast_index(apple: str, ids: list[int]) -> None:
    assert pi_ids_for(apple) == ids


def test_every_apple_category_maps_to_at_least_one_id() -> None:
    names = [main for main, _nb, _subs in _TAXONOMY] + [sub for _m, _nb, subs in _TAXONOMY for sub, _ in subs]
    unmapped = [name for name in names if not pi_ids_for(name)]
    assert unmapped == []


def test_ids_are_one_to_112_without_gaps() -> None:
    assert [pi_id for pi_id, _ in PI_CATEGORIES] == list(range(1, 113))
    assert NAME_BY_ID[104] == "Tv"


def test_category_filter_takes_ids_and_names() -> None:
    assert parse_category_filter("9, News ,true crime,999,nonsense,,") == {9, 55, 103}

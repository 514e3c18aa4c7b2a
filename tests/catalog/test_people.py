"""The identity rule for people, as pure functions: keys, scopes, resolution and grouping."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from lytt.catalog.people import GLOBAL, Scope, group_new, identity_keys, normalise_href, resolve, scopes_of


def test_hrefs_compare_without_scheme_case_fragment_or_trailing_slash() -> None:
    assert normalise_href("HTTP://Example.COM/Ada/#bio") == "https://example.com/Ada"
    assert normalise_href(" https://example.com/ada/ ") == "https://example.com/ada"
    assert normalise_href("https://example.com/a?id=1") != normalise_href("https://example.com/a?id=2")
    assert normalise_href("https://example.com/Ada") != normalise_href(
        "https://example.com/ada"
    )  # paths keep case
    assert normalise_href("mailto:ada@example.com") == "mailto:ada@example.com"


def test_same_href_is_the_same_key_whatever_the_name_or_image() -> None:
    ada = identity_keys("Ada Lovelace", "https://ada.example/", "https://img.example/1.jpg", 1)
    countess = identity_keys("Countess of Lovelace", "http://ada.example", "", 1)
    assert ada[0] == countess[0]
    assert ada[1] != countess[1]


def test_exact_name_and_image_make_the_second_key() -> None:
    plain = identity_keys("Ada Host", "", "https://img.example/a.jpg", 1)
    assert plain == identity_keys("Ada Host", "", "https://img.example/a.jpg", 1)
    assert len(plain) == 1
    assert plain != identity_keys("ada host", "", "https://img.example/a.jpg", 1)  # the exact name
    assert plain != identity_keys("Ada Host", "", "https://img.example/b.jpg", 1)  # another picture
    assert plain != identity_keys("Ada Host", "", "", 1)
    with_href = identity_keys("Ada Host", "https://ada.example", "https://img.example/a.jpg", 1)
    assert with_href[1] == plain[0]  # the href's key comes first, then name and image


def test_keys_of_different_kinds_never_collide() -> None:
    assert identity_keys("x", "", "https://img.example/x.jpg", 1)[0].startswith("n:")
    assert identity_keys("x", "", "", 1)[0].startswith("s:")
    assert identity_keys("x", "https://x.example", "", 1)[0].startswith("h:")


def test_a_name_without_an_image_is_one_key_per_feed() -> None:
    anna = identity_keys("Anna", "", "", 1)
    assert anna == identity_keys("Anna", "", "", 1)  # the same feed: one person
    assert anna != identity_keys("Anna", "", "", 2)  # another feed: a namesake
    with_href = identity_keys("Anna", "https://anna.example", "", 1)
    assert with_href[1] == anna[0]
    assert with_href[1] != identity_keys("Anna", "https://anna.example", "", 2)[1]
    pictured = identity_keys("Anna", "", "https://img.example/anna.jpg", 1)
    assert pictured == identity_keys("Anna", "", "https://img.example/anna.jpg", 2)  # an image: any feed
    assert identity_keys("Anna", "", "", None)[0].startswith("n:")  # outside any feed, as before


def test_scopes_run_from_episode_to_show_to_everywhere() -> None:
    assert scopes_of(3, 7) == (Scope(None, 7), Scope(3, None), GLOBAL)
    assert scopes_of(3, None) == (Scope(3, None), GLOBAL)
    assert scopes_of(None, None) == (GLOBAL,)


def test_the_most_specific_scope_wins_then_the_stronger_key() -> None:
    href, name = identity_keys("Ada", "https://ada.example", "", 1)
    known = {(href, GLOBAL): 1, (name, GLOBAL): 2, (name, Scope(5, None)): 3}
    assert resolve((href, name), scopes_of(None, None), known) == (1, GLOBAL)
    assert resolve((href, name), scopes_of(5, None), known) == (3, Scope(5, None))
    assert resolve((name,), scopes_of(6, 9), known) == (2, GLOBAL)
    assert resolve(identity_keys("Bob", "", "", 1), scopes_of(5, 1), known) is None


def test_new_appearances_sharing_any_key_are_one_group() -> None:
    a = ("h:1", "n:a")
    b = ("n:b",)
    c = ("h:1", "n:c")  # shares the href with a
    d = ("h:2", "n:b")  # shares name and image with b
    e = ("n:e",)
    assert group_new([a, b, c, d, e]) == [0, 1, 0, 1, 2]


@given(st.lists(st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=3).map(tuple), max_size=12))
def test_groups_are_exactly_the_connected_appearances(appearances: list[tuple[str, ...]]) -> None:
    groups = group_new(appearances)
    for i, first in enumerate(appearances):
        for j, second in enumerate(appearances):
            if set(first) & set(second):
                assert groups[i] == groups[j]
    # Every group is connected: from its first member, sharing keys reaches all the others.
    for group in set(groups):
        members = [appearances[i] for i, g in enumerate(groups) if g == group]
        reached = set(members[0])
        grew = True
        while grew:
            grew = False
            for keys in members:
                if set(keys) & reached and not set(keys) <= reached:
                    reached |= set(keys)
                    grew = True
        assert all(set(keys) <= reached for keys in members)

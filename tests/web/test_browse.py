"""Category lists: every show, three orders, keyset pages forwards and back, on both strategies."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from lytt.catalog.models import Category, Show, ShowCategory
from lytt.web import browse

from .conftest import MakeShow

pytestmark = pytest.mark.django_db

NAMES = ["Østlandssendinga", "Zebra", "Åpen post", "Ærlig talt", "abc", "Kodekveld", "Émile", "Aase", "Öl"]


def _expected(shows: list[Show], order: browse.Order) -> list[int]:
    """The order a list must have, computed here from the rows' own values."""
    if order.name == "az":
        return [s.pk for s in sorted(shows, key=lambda s: (s.sort_title, s.pk))]
    if order.name == "popular":
        return [s.pk for s in sorted(shows, key=lambda s: (-s.popularity, -s.pk))]
    dated = sorted((s for s in shows if s.latest_episode_at), key=lambda s: (s.latest_episode_at, s.pk))
    undated = sorted((s.pk for s in shows if s.latest_episode_at is None), reverse=True)
    return [s.pk for s in reversed(dated)] + undated


def _all_pages(category: Category, order: browse.Order, per_page: int) -> list[list[int]]:
    pages = []
    after = None
    while True:
        page = browse.category_shows_page(category, order, after=after, per_page=per_page)
        pages.append([s.pk for s in page.shows])
        if page.next_after is None:
            return pages
        after = browse.parse_position(order, page.next_after)
        assert after is not None


def _catalogue(news: Category, count: int, seed: int) -> list[Show]:
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    other = Category.objects.create(slug="t-other", apple_name="Other", name_en="Other", name_nb="Annet")
    shows = []
    for n in range(count):
        latest = None if n % 7 == 3 else start + timedelta(days=rng.randrange(5))  # ties on purpose
        show = Show.objects.create(
            slug=f"s{n}",
            title=f"{rng.choice(NAMES)} {rng.randrange(3)}",
            latest_episode_at=latest,
            popularity=rng.choice([0.0, 0.25, 1.5, 3.0]),
            hidden=n % 11 == 5,
        )
        ShowCategory.objects.create(show=show, category=news if n % 3 else other)
        shows.append(show)
    return [s for s in shows if not s.hidden and ShowCategory.objects.filter(show=s, category=news).exists()]


@pytest.mark.parametrize("small", [True, False], ids=["members-read-whole", "order-index-walked"])
@pytest.mark.parametrize("name", sorted(browse.ORDERS))
def test_pages_cover_the_category_once_in_order_both_ways(
    news: Category, monkeypatch: pytest.MonkeyPatch, small: bool, name: str
) -> None:
    monkeypatch.setattr(browse, "SMALL_CATEGORY", 10_000 if small else 0)
    cache.clear()
    listed = _catalogue(news, 60, seed=len(name))
    order = browse.ORDERS[name]
    pages = _all_pages(news.parent, order, per_page=7)  # the parent lists its subcategory's shows
    assert [pk for page in pages for pk in page] == _expected(listed, order)
    assert all(len(page) == 7 for page in pages[:-1])
    # Back from the last page: each earlier page again, the same rows in the same order.
    last = browse.category_shows_page(news, order, after=None, per_page=7)
    seen = [last]
    while seen[-1].next_after:
        seen.append(
            browse.category_shows_page(
                news, order, after=browse.parse_position(order, seen[-1].next_after), per_page=7
            )
        )
    back = seen[-1]
    for expected in reversed(pages[:-1]):
        assert back.previous_before is not None
        back = browse.category_shows_page(
            news, order, before=browse.parse_position(order, back.previous_before), per_page=7
        )
        assert [s.pk for s in back.shows] == expected
    assert back.previous_before is None


def test_norwegian_letters_sort_last(news: Category, make_show: MakeShow) -> None:
    for n, title in enumerate(
        ["Åpen post", "Zebra", "Ærlig talt", "Østlandet", "Aase", "Äpple", "Émile", "abc"]
    ):
        make_show(f"show-{n}", episodes=1, category=news, title=title)
    page = browse.category_shows_page(news, browse.ORDERS["az"])
    assert [s.title for s in page.shows] == [
        "abc",
        "Émile",
        "Zebra",
        "Äpple",
        "Ærlig talt",
        "Østlandet",
        "Åpen post",
        "Aase",
    ]  # fmt: skip  ("aa" is å: "åp" before "ås")


def test_back_to_the_first_page_is_a_full_page(news: Category, make_show: MakeShow) -> None:
    for n in range(10):
        make_show(f"show-{n}", episodes=1, category=news, title=f"Show {n}")
    order = browse.ORDERS["az"]
    second = browse.category_shows_page(news, order, after=browse.Position("", 0), per_page=4)
    # A "before" that reaches the start early still answers the whole first page.
    first_row = second.shows[0]
    back = browse.category_shows_page(
        news, order, before=browse.Position(first_row.sort_title, first_row.pk), per_page=4
    )
    assert [s.title for s in back.shows] == ["Show 0", "Show 1", "Show 2", "Show 3"]
    assert back.previous_before is None


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("az", "12x~3"),
        ("az", "1213"),
        ("az", "-~3"),
        ("newest", "2025-01-01T00:00:00~3"),
        ("newest", "yesterday~3"),
        ("popular", "nan~3"),
        ("popular", "1.5~0"),
        ("popular", "1.5~x"),
        ("popular", ""),
        ("popular", None),
    ],
)
def test_positions_not_made_by_the_list_start_over(name: str, raw: str | None) -> None:
    assert browse.parse_position(browse.ORDERS[name], raw) is None


@pytest.mark.parametrize(
    ("name", "position"),
    [
        ("az", browse.Position("2134", 7)),
        ("az", browse.Position("", 7)),
        ("popular", browse.Position(1.0000000000000002, 9)),
        ("newest", browse.Position(datetime(2025, 3, 1, 12, 30, 1, 5, tzinfo=UTC), 4)),
        ("newest", browse.Position(None, 4)),
    ],
)
def test_positions_travel_exactly(name: str, position: browse.Position) -> None:
    order = browse.ORDERS[name]
    assert browse.parse_position(order, browse.format_position(order, position)) == position


def test_unknown_sort_is_the_default() -> None:
    assert browse.order_named("bogus") is browse.ORDERS["popular"]
    assert browse.order_named("az").name == "az"

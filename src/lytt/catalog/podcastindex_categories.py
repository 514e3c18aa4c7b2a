"""Podcast Index's category ids (its `categories/list`) and how Apple's categories map onto them.

Podcast Index splits Apple's names into single words ("Society & Culture" is 77 Society and 78 Culture,
"Performing Arts" is 7 Performing and 1 Arts) with a few multi-word names of its own ("True Crime",
"Video-Games", "How-To", "After-Shows"). `pi_ids_for` does the same for any Apple name, and
`apple_categories` goes back: from the names a row of the Podcast Index dump carries to the taxonomy's
categories. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from lytt.catalog import taxonomy

PI_CATEGORIES: tuple[tuple[int, str], ...] = (
    (1, "Arts"), (2, "Books"), (3, "Design"), (4, "Fashion"), (5, "Beauty"), (6, "Food"),
    (7, "Performing"), (8, "Visual"), (9, "Business"), (10, "Careers"), (11, "Entrepreneurship"),
    (12, "Investing"), (13, "Management"), (14, "Marketing"), (15, "Non-Profit"), (16, "Comedy"),
    (17, "Interviews"), (18, "Improv"), (19, "Stand-Up"), (20, "Education"), (21, "Courses"),
    (22, "How-To"), (23, "Language"), (24, "Learning"), (25, "Self-Improvement"), (26, "Fiction"),
    (27, "Drama"), (28, "History"), (29, "Health"), (30, "Fitness"), (31, "Alternative"),
    (32, "Medicine"), (33, "Mental"), (34, "Nutrition"), (35, "Sexuality"), (36, "Kids"),
    (37, "Family"), (38, "Parenting"), (39, "Pets"), (40, "Animals"), (41, "Stories"),
    (42, "Leisure"), (43, "Animation"), (44, "Manga"), (45, "Automotive"), (46, "Aviation"),
    (47, "Crafts"), (48, "Games"), (49, "Hobbies"), (50, "Home"), (51, "Garden"),
    (52, "Video-Games"), (53, "Music"), (54, "Commentary"), (55, "News"), (56, "Daily"),
    (57, "Entertainment"), (58, "Government"), (59, "Politics"), (60, "Buddhism"),
    (61, "Christianity"), (62, "Hinduism"), (63, "Islam"), (64, "Judaism"), (65, "Religion"),
    (66, "Spirituality"), (67, "Science"), (68, "Astronomy"), (69, "Chemistry"), (70, "Earth"),
    (71, "Life"), (72, "Mathematics"), (73, "Natural"), (74, "Nature"), (75, "Physics"),
    (76, "Social"), (77, "Society"), (78, "Culture"), (79, "Documentary"), (80, "Personal"),
    (81, "Journals"), (82, "Philosophy"), (83, "Places"), (84, "Travel"), (85, "Relationships"),
    (86, "Sports"), (87, "Baseball"), (88, "Basketball"), (89, "Cricket"), (90, "Fantasy"),
    (91, "Football"), (92, "Golf"), (93, "Hockey"), (94, "Rugby"), (95, "Running"), (96, "Soccer"),
    (97, "Swimming"), (98, "Tennis"), (99, "Volleyball"), (100, "Wilderness"), (101, "Wrestling"),
    (102, "Technology"), (103, "True Crime"), (104, "Tv"), (105, "Film"), (106, "After-Shows"),
    (107, "Reviews"), (108, "Climate"), (109, "Weather"), (110, "Tabletop"), (111, "Role-Playing"),
    (112, "Cryptocurrency"),
)  # fmt: skip

NAME_BY_ID = dict(PI_CATEGORIES)
_ID_BY_NAME = {name.lower(): pi_id for pi_id, name in PI_CATEGORIES}
# Multi-word names Podcast Index keeps whole, and Apple words it spells differently.
_PHRASES = {
    "true crime": "true crime",
    "video games": "video-games",
    "how to": "how-to",
    "after shows": "after-shows",
}
_ALIASES = {"sciences": "science", "tech": "technology", "tv": "tv", "stand up": "stand-up"}
_STOP = {"and", "for", "&"}


def pi_ids_for(apple_name: str) -> list[int]:
    """Podcast Index ids for one Apple category name, in the name's word order, without duplicates."""
    text = apple_name.strip().lower()
    for phrase, replacement in _PHRASES.items():
        text = text.replace(phrase, replacement)
    ids: list[int] = []
    whole = _ID_BY_NAME.get(text)
    if whole is not None:
        return [whole]
    for word in re.split(r"[\s&]+", text):
        if not word or word in _STOP:
            continue
        pi_id = _ID_BY_NAME.get(_ALIASES.get(word, word))
        if pi_id is not None and pi_id not in ids:
            ids.append(pi_id)
    return ids


def pi_ids_with_parent(apple_name: str, parent_apple_name: str | None) -> list[int]:
    """A subcategory also carries its parent's ids, as a feed writes both ("News" › "Politics")."""
    ids = pi_ids_for(parent_apple_name) if parent_apple_name else []
    return ids + [i for i in pi_ids_for(apple_name) if i not in ids]


def parse_category_filter(value: str) -> set[int]:
    """A `cat`/`notcat` parameter: comma-separated ids and/or names ("9,News,true crime")."""
    out: set[int] = set()
    for raw in value.split(","):
        item = raw.strip()
        if not item:
            continue
        if item.isdigit():
            if int(item) in NAME_BY_ID:
                out.add(int(item))
            continue
        pi_id = _ID_BY_NAME.get(item.lower())
        if pi_id is not None:
            out.add(pi_id)
    return out


def _taxonomy_words() -> list[tuple[frozenset[int], int, str, str | None]]:
    """Each taxonomy category as (its Podcast Index ids, its place in the taxonomy, main, sub)."""
    names = {info.slug: info.apple_name for info in taxonomy.categories()}
    out = []
    for place, info in enumerate(taxonomy.categories()):
        ids = frozenset(pi_ids_for(info.apple_name))
        if ids:
            main = names[info.parent_slug] if info.parent_slug else info.apple_name
            out.append((ids, place, main, info.apple_name if info.parent_slug else None))
    return out


_WORDS = _taxonomy_words()


@lru_cache(maxsize=4096)
def apple_categories(names: Sequence[str]) -> tuple[tuple[str, str | None], ...]:
    """The taxonomy's (main, sub) pairs a dump row's category names (`category1`...) stand for, in the
    row's order. Podcast Index wrote each of the feed's Apple categories as single words, so the words
    are explained greedily, most specific category first: a category is taken when all its words are in
    the row and it explains a word no category taken before does ("Health", "Fitness", "Mental" is Health
    & Fitness and Mental Health, not also Fitness). A name that is no Podcast Index word but an Apple
    name ("Society & Culture") is taken as it is. Call it with a tuple (the answers are cached)."""
    order: dict[int, int] = {}
    direct: list[tuple[int, tuple[str, str | None]]] = []
    for position, name in enumerate(names):
        text = name.strip().lower()
        pi_id = _ID_BY_NAME.get(_ALIASES.get(text, text))
        if pi_id is not None:
            order.setdefault(pi_id, position)
        elif text and (key := taxonomy.resolve(name)) is not None:
            direct.append((position, key))
    present = set(order)
    candidates = sorted(
        (c for c in _WORDS if c[0] <= present),
        key=lambda c: (-len(c[0]), min(order[i] for i in c[0]), c[1]),
    )
    explained: set[int] = set()
    taken: list[tuple[int, tuple[str, str | None]]] = []
    for ids, _, main, sub in candidates:
        if not ids <= explained:
            explained |= ids
            taken.append((min(order[i] for i in ids), (main, sub)))
    chosen = sorted(taken + direct, key=lambda item: item[0])
    return tuple(dict.fromkeys(key for _, key in chosen))

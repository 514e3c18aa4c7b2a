"""Who a `podcast:person` is: the identity rule, as pure functions.

Two appearances are the same person when their `href` agrees, or when their exact name and image agree.
A name without an image says who someone is only within one feed: two feeds' "Anna" with neither link nor
picture are namesakes, two people, while one feed naming its host on every episode names one person.
Each appearance gives one or two keys: its href's and its name-and-image's (its name-in-this-feed's when
it has no image). A person is every key that ever led to them (`PersonKey`), so an appearance that
shares any key with a known person is that person. Hrefs are compared after `normalise_href`; names as
written (case and all), images as the feed gives them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

HREF = "h"
NAME_AND_IMAGE = "n"
NAME_IN_FEED = "s"


def normalise_href(href: str) -> str:
    """`href` as identities compare it: scheme and host lower-cased, http read as https, no fragment and
    no trailing slash on the path. Text that is not a URL with a host is compared as it is, trimmed."""
    text = href.strip()
    parts = urlsplit(text)
    if not parts.netloc:
        return text
    scheme = parts.scheme.lower()
    if scheme == "http":
        scheme = "https"
    return urlunsplit((scheme, parts.netloc.lower(), parts.path.rstrip("/"), parts.query, ""))


def _digest(kind: str, *parts: str) -> str:
    text = "\x00".join(parts).encode("utf-8", "surrogatepass")
    return f"{kind}:{hashlib.sha256(text).hexdigest()[:48]}"


def identity_keys(name: str, href: str, img: str, show_id: int | None) -> tuple[str, ...]:
    """The keys of one appearance in the feed of show `show_id`, the stronger first: its href's (when it
    has one), then its name and image's, or without an image its name's in that feed.

    ``show_id=None`` (an appearance outside any feed: people stored before keys existed, migration 0015)
    gives the name key that once held across feeds without an image.
    """
    if img.strip() or show_id is None:
        by_name = _digest(NAME_AND_IMAGE, name, img)
    else:
        by_name = _digest(NAME_IN_FEED, name, str(show_id))
    return (_digest(HREF, normalise_href(href)), by_name) if href.strip() else (by_name,)


@dataclass(frozen=True, slots=True)
class Scope:
    """Where an appearance is: a show, an episode of it, or neither (keys that hold everywhere)."""

    show_id: int | None = None
    episode_id: int | None = None


GLOBAL = Scope()


def scopes_of(show_id: int | None, episode_id: int | None) -> tuple[Scope, ...]:
    """The scopes whose keys hold for an appearance, the most specific first."""
    scopes = []
    if episode_id is not None:
        scopes.append(Scope(None, episode_id))
    if show_id is not None:
        scopes.append(Scope(show_id, None))
    scopes.append(GLOBAL)
    return tuple(scopes)


def resolve(
    keys: tuple[str, ...], scopes: tuple[Scope, ...], known: Mapping[tuple[str, Scope], int]
) -> tuple[int, Scope] | None:
    """The person an appearance with `keys` is, and the scope whose key said so: the most specific scope
    first, then the stronger key; None for someone new."""
    for scope in scopes:
        for key in keys:
            person = known.get((key, scope))
            if person is not None:
                return person, scope
    return None


def group_new(appearances: Iterable[tuple[str, ...]]) -> list[int]:
    """For appearances of people not yet known (their keys), a group number each: appearances sharing a
    key, directly or through others, are one new person."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    listed = list(appearances)
    for keys in listed:
        for key in keys[1:]:
            parent[root(key)] = root(keys[0])
    numbers: dict[str, int] = {}
    return [numbers.setdefault(root(keys[0]), len(numbers)) for keys in listed]

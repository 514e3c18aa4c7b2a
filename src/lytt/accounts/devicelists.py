"""What a device was last told about the account's subscriptions, and what its full-list PUT changes.

Lytt keeps one subscription list per account, but the simple API's `PUT` sends a device's whole list. Read
as "make the account's list exactly this", a device syncing for the first time (or one that has not synced
since another app or the website added a feed) would wipe follows it never knew about. So each device
remembers the feeds it was last told about (`Device.seen_urls`: what a GET returned to it, what it
uploaded), and a `PUT` is read as a change against that: it adds the feeds that are new to the device and
removes only the feeds the device had seen and now leaves out. A device never told anything (`None`) has
seen nothing, so its first `PUT` removes nothing; it still adds its feeds, as gpodder.net did for a new
device, because a first upload is an app saying what it is subscribed to.

Pure functions; `lytt.accounts.services` stores the results.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ListChanges:
    """The subscriptions a device's full list adds and removes, and what the device has seen afterwards."""

    add: list[str]
    remove: list[str]
    seen: list[str]


def changes_from_full_list(seen: Sequence[str] | None, uploaded: Iterable[str]) -> ListChanges:
    """A full-list upload read against what the device had seen (`None`: it was never told anything).

    A feed the device had seen and still lists is left alone even when it is no longer subscribed (another
    app or the website removed it after this device last synced: the newer removal stands).
    """
    wanted = list(dict.fromkeys(uploaded))
    known = set(seen or ())
    listed = set(wanted)
    return ListChanges(
        add=[url for url in wanted if url not in known],
        remove=[url for url in dict.fromkeys(seen or ()) if url not in listed],
        seen=wanted,
    )


def seen_after_delta(seen: Sequence[str] | None, add: Iterable[str], remove: Iterable[str]) -> list[str]:
    """What a device has seen after being told, or telling, these changes (the v2 API's deltas)."""
    gone = set(remove)
    merged = dict.fromkeys(url for url in (seen or ()) if url not in gone)
    merged.update(dict.fromkeys(url for url in add if url not in gone))
    return list(merged)

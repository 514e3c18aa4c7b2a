"""The one place that changes a listener's queue and bookmarks (as `services` is for follows and progress).

The queue's order is decided by pure functions on lists of episode ids (`queue_with`, `checked_order`);
the writers lock the listener's row first, so that two devices changing the queue at once take turns
instead of interleaving their renumbering.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Literal

from django.contrib.auth.models import User

from lytt.accounts.models import Bookmark, PlayProgress, QueueEntry
from lytt.accounts.progress import MAX_SECONDS
from lytt.accounts.writes import write_transaction
from lytt.catalog.models import Episode
from lytt.feeds.durations import parse_duration

MAX_QUEUE = 1000
MAX_NOTE = 1000
MAX_BOOKMARKS = 10_000

Where = Literal["next", "last"]


class ListeningError(ValueError):
    """A queue or bookmark change that cannot be made; names the field and, where it helps, the ids."""

    def __init__(self, message: str, *, field: str, ids: Sequence[int] = ()) -> None:
        super().__init__(message)
        self.field = field
        self.ids = list(ids)


def queue_with(order: Sequence[int], episode_id: int, where: Where, playing: int | None = None) -> list[int]:
    """The queue after adding `episode_id` first ("next") or last; an episode already there moves.

    The episode playing stays at the head of the queue until it ends (then the player removes it and
    plays the new head), so "next" while `playing` heads the queue means right after it."""
    rest = [e for e in order if e != episode_id]
    if where == "last":
        return [*rest, episode_id]
    after = 1 if playing is not None and playing != episode_id and rest[:1] == [playing] else 0
    return [*rest[:after], episode_id, *rest[after:]]


def queue_moved(
    order: Sequence[int], episode_id: int, index: int, *, before: int | None = None, after: int | None = None
) -> list[int]:
    """The queue with `episode_id` moved to place `index` (0 first; beyond the end means last), or, when
    still queued, right before the episode `before` or else right after `after`.

    The neighbour says what the listener saw and meant ("above Del 3") on a screen that may be behind
    another device's changes; the place is only the fallback when that neighbour has left the queue."""
    if episode_id not in order:
        raise ListeningError(f"episode {episode_id} is not in the queue", field="episode", ids=[episode_id])
    rest = [e for e in order if e != episode_id]
    if before in rest:
        index = rest.index(before)
    elif after in rest:
        index = rest.index(after) + 1
    index = max(0, min(index, len(rest)))
    return [*rest[:index], episode_id, *rest[index:]]


def merged_queue(account: Sequence[int], carried: Sequence[int]) -> list[int]:
    """A queue kept in a browser while signed out, carried into the account's at sign-in: the account's
    order first, then the browser's episodes it does not hold, in the browser's order, once each, up to
    MAX_QUEUE (the browser's last ones are dropped when the two hold more)."""
    order = list(account)
    seen = set(order)
    for episode_id in carried:
        if episode_id not in seen and len(order) < MAX_QUEUE:
            seen.add(episode_id)
            order.append(episode_id)
    return order


def checked_order(episode_ids: Sequence[int], known: Iterable[int]) -> list[int]:
    """A requested queue order, refused when it repeats or names unknown episodes, or is too long."""
    if len(episode_ids) > MAX_QUEUE:
        raise ListeningError(
            f"a queue holds at most {MAX_QUEUE} episodes, got {len(episode_ids)}", field="episodes"
        )
    repeated = sorted(e for e, n in Counter(episode_ids).items() if n > 1)
    if repeated:
        raise ListeningError(
            f"episodes may appear once in the queue; repeated: {', '.join(map(str, repeated))}",
            field="episodes",
            ids=repeated,
        )
    unknown = sorted(set(episode_ids) - set(known))
    if unknown:
        raise ListeningError(
            f"no episode with id {', '.join(map(str, unknown))}", field="episodes", ids=unknown
        )
    return list(episode_ids)


def visible_episode_ids(episode_ids: Iterable[int]) -> set[int]:
    """Those of `episode_ids` that are catalogue episodes of shows that are not hidden."""
    wanted = list(set(episode_ids))
    found: set[int] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(Episode.objects.filter(pk__in=chunk, show__hidden=False).values_list("pk", flat=True))
    return found


def queue_episode_ids(user: User) -> list[int]:
    return list(
        QueueEntry.objects.filter(user=user).order_by("position", "id").values_list("episode_id", flat=True)
    )


def _lock(user: User) -> None:
    """Serialise this listener's queue writers (a row lock on PostgreSQL; SQLite has one writer anyway)."""
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()


def _write_order(user: User, order: Sequence[int]) -> None:
    """Make the stored queue exactly `order`, touching only the rows that change."""
    entries = {e.episode_id: e for e in QueueEntry.objects.filter(user=user)}
    gone = [e.pk for episode_id, e in entries.items() if episode_id not in set(order)]
    if gone:
        QueueEntry.objects.filter(pk__in=gone).delete()
    moved = []
    new = []
    for position, episode_id in enumerate(order):
        entry = entries.get(episode_id)
        if entry is None:
            new.append(QueueEntry(user=user, episode_id=episode_id, position=position))
        elif entry.position != position:
            entry.position = position
            moved.append(entry)
    QueueEntry.objects.bulk_update(moved, ["position"], batch_size=500)
    QueueEntry.objects.bulk_create(new, batch_size=500)


def queued_episodes(user: User) -> list[tuple[QueueEntry, PlayProgress | None]]:
    """The queue in order, each entry with its episode and show loaded and the listener's newest position
    in it (None when they have not played it): two queries, for pages and the API alike."""
    entries = list(
        QueueEntry.objects.filter(user=user)
        .select_related("episode", "episode__show")
        .order_by("position", "id")
    )
    ids = [e.episode_id for e in entries]
    progress = {p.episode_id: p for p in PlayProgress.objects.filter(user=user, episode_id__in=ids)}
    return [(entry, progress.get(entry.episode_id)) for entry in entries]


def add_to_queue(user: User, episode_id: int, where: Where = "last", playing: int | None = None) -> list[int]:
    """Put an episode next or last in the queue (moving it when it is queued already); the new order.
    `playing`: the episode the listener is playing (see `queue_with`)."""
    if episode_id not in visible_episode_ids([episode_id]):
        raise ListeningError(f"no episode with id {episode_id}", field="episode", ids=[episode_id])
    with write_transaction():
        _lock(user)
        order = queue_with(queue_episode_ids(user), episode_id, where, playing)
        if len(order) > MAX_QUEUE:
            raise ListeningError(f"the queue is full (at most {MAX_QUEUE} episodes)", field="episode")
        _write_order(user, order)
    return order


def replace_queue(user: User, episode_ids: Sequence[int]) -> list[int]:
    """Make the queue exactly `episode_ids`, in that order (episodes left out are removed)."""
    with write_transaction():
        _lock(user)
        current = set(queue_episode_ids(user))
        # Episodes already queued stay acceptable even if their show has since been hidden.
        order = checked_order(episode_ids, current | visible_episode_ids(set(episode_ids) - current))
        _write_order(user, order)
    return order


def move_in_queue(
    user: User, episode_id: int, index: int, *, before: int | None = None, after: int | None = None
) -> list[int]:
    """Move a queued episode to place `index` (0 first), or next to a neighbour (`queue_moved`); the new
    order. ListeningError when not queued."""
    with write_transaction():
        _lock(user)
        order = queue_moved(queue_episode_ids(user), episode_id, index, before=before, after=after)
        _write_order(user, order)
    return order


def carry_into_queue(user: User, episode_ids: Sequence[int]) -> list[int]:
    """Add a browser's signed-out queue to the account's (`merged_queue`); episodes no longer in the
    catalogue are skipped, not refused: the browser may have kept them for a long time."""
    if len(episode_ids) > MAX_QUEUE:
        raise ListeningError(
            f"a queue holds at most {MAX_QUEUE} episodes, got {len(episode_ids)}", field="episodes"
        )
    visible = visible_episode_ids(episode_ids)
    with write_transaction():
        _lock(user)
        current = queue_episode_ids(user)
        order = merged_queue(current, [e for e in episode_ids if e in visible])
        if order != current:
            _write_order(user, order)
    return order


def remove_from_queue(user: User, episode_id: int) -> bool:
    """Take an episode out of the queue; False when it was not in it."""
    with write_transaction():
        _lock(user)
        order = queue_episode_ids(user)
        if episode_id not in order:
            return False
        _write_order(user, [e for e in order if e != episode_id])
    return True


def clear_queue(user: User) -> int:
    """Empty the queue; returns how many episodes were in it."""
    with write_transaction():
        deleted, _ = QueueEntry.objects.filter(user=user).delete()
    return deleted


def bookmark_position(text: str) -> int:
    """Seconds from what a listener typed as a bookmark's time: "12:34", "1:02:03", "754" or "12m34s"."""
    seconds = parse_duration(text)
    if seconds is None or seconds > MAX_SECONDS:
        raise ListeningError(
            f"time must look like 12:34 or 1:02:03 (at most {MAX_SECONDS} s), not {text.strip()[:40]!r}",
            field="time",
        )
    return seconds


def episode_bookmarks(user: User, episode_id: int) -> list[Bookmark]:
    """The listener's bookmarks in one episode, in the order of their times."""
    return list(Bookmark.objects.filter(user=user, episode_id=episode_id).order_by("position", "id"))


def add_bookmark(user: User, episode_id: int, position: int, note: str = "") -> Bookmark:
    """Keep a moment of an episode. Positions are whole seconds within a week; notes are trimmed."""
    if isinstance(position, bool) or not 0 <= position <= MAX_SECONDS:
        raise ListeningError(
            f"position must be 0 to {MAX_SECONDS} seconds, not {position!r}", field="position"
        )
    text = note.strip()
    if len(text) > MAX_NOTE:
        raise ListeningError(f"a note is at most {MAX_NOTE} characters, got {len(text)}", field="note")
    if "\x00" in text:
        raise ListeningError("a note cannot contain a NUL character", field="note")
    if episode_id not in visible_episode_ids([episode_id]):
        raise ListeningError(f"no episode with id {episode_id}", field="episode", ids=[episode_id])
    with write_transaction():
        if Bookmark.objects.filter(user=user).count() >= MAX_BOOKMARKS:
            raise ListeningError(f"an account keeps at most {MAX_BOOKMARKS} bookmarks", field="episode")
        return Bookmark.objects.create(user=user, episode_id=episode_id, position=position, note=text)


def delete_bookmark(user: User, bookmark_id: int) -> bool:
    """Delete one of the listener's bookmarks; False when they have none with that id."""
    with write_transaction():
        deleted, _ = Bookmark.objects.filter(user=user, pk=bookmark_id).delete()
    return bool(deleted)

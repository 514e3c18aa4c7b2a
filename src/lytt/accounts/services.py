"""The one place that changes a listener's follows, subscriptions, actions and progress.

The website, the gpodder.net API and the CLI all go through these functions, so that `Follow` and
`Subscription` stay in step and web progress and app actions form one history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from lytt.accounts.devicelists import changes_from_full_list, seen_after_delta
from lytt.accounts.guids import feed_guid, random_guid
from lytt.accounts.models import (
    Device,
    EpisodeAction,
    Follow,
    PlayProgress,
    Subscription,
    SubscriptionChange,
)
from lytt.accounts.progress import Mark, accepts
from lytt.accounts.writes import write_transaction
from lytt.catalog.media import sample_alias
from lytt.catalog.models import Episode, FeedSource, Show
from lytt.catalog.sources import add_feed_urls

# A play position at or beyond this share of the episode counts as finished.
FINISHED_SHARE = 0.95
# Web player progress for one episode within this window updates one action instead of adding rows.
WEB_COALESCE = dt.timedelta(minutes=10)


def _add_to_catalogue(urls: Sequence[str]) -> None:
    """Hand feeds Lytt does not know yet to the catalogue, which crawls them later."""
    if urls:
        add_feed_urls(list(urls))


def shows_for_urls(urls: Iterable[str]) -> dict[str, Show]:
    """Map feed URLs to the shows the catalogue has for them (unknown URLs are left out)."""
    asked = set(urls)
    # A sample feed as Lytt publishes it (`lytt.catalog.media`) is its bundled source's show.
    aliases = {alias: url for url in asked if (alias := sample_alias(url)) is not None}
    wanted = list(asked | set(aliases))
    found: dict[str, Show] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for feed in FeedSource.objects.filter(url__in=chunk, show__isnull=False).select_related("show"):
            assert feed.show is not None
            if feed.url in asked:
                found[feed.url] = feed.show
            if feed.url in aliases:
                found.setdefault(aliases[feed.url], feed.show)
    return found


def feed_url_for_show(show: Show) -> str:
    """The URL apps should subscribe to for a show: its oldest working feed."""
    feed = (
        FeedSource.objects.filter(show=show)
        .exclude(status__in=[FeedSource.Status.DUPLICATE, FeedSource.Status.RETIRED])
        .order_by("added_at", "id")
        .first()
    ) or FeedSource.objects.filter(show=show).order_by("added_at", "id").first()
    if feed is None:
        raise ValueError(f"show {show.slug!r} has no feed URL")
    return feed.url


def follow_show(user: User, show: Show) -> bool:
    """Follow a show from the website. Returns False when it was followed already."""
    with write_transaction():
        _, created = Follow.objects.get_or_create(user=user, show=show)
        linked = Subscription.objects.filter(user=user, show=show, active=True).exists()
        if not linked:
            _set_subscribed(user, feed_url_for_show(show), True, None, show, timezone.now())
    return created


def unfollow_show(user: User, show: Show) -> bool:
    """Unfollow a show, and unsubscribe every feed URL of it. Returns False when it was not followed."""
    now = timezone.now()
    with write_transaction():
        deleted, _ = Follow.objects.filter(user=user, show=show).delete()
        feed_urls = set(FeedSource.objects.filter(show=show).values_list("url", flat=True))
        subs = Subscription.objects.filter(user=user, active=True).filter(Q(show=show) | Q(url__in=feed_urls))
        for sub in subs:
            _set_subscribed(user, sub.url, False, None, show, now)
    return bool(deleted)


def _set_subscribed(
    user: User,
    url: str,
    active: bool,
    device: Device | None,
    show: Show | None,
    now: dt.datetime,
) -> bool:
    """Set one subscription's state and log the change; no-op (False) when it is in that state already."""
    sub = Subscription.objects.filter(user=user, url=url).first()
    if sub is None:
        if not active:
            return False
        defaults = {"show": show, "active": True, "created_at": now, "updated_at": now}
        _, created = Subscription.objects.get_or_create(
            user=user, url=url, defaults={**defaults, "guid": _first_guid(user, show)}
        )
        if not created:
            return False  # a concurrent request subscribed it (and logged the change) meanwhile
    else:
        if sub.active == active:
            return False
        sub.active = active
        sub.updated_at = now
        if active:
            sub.deleted_at = None  # subscribing again, anywhere, brings a deleted subscription back
        if show is not None:
            sub.show = show
        sub.save(update_fields=["active", "updated_at", "show", "deleted_at"])
    SubscriptionChange.objects.create(
        user=user,
        device=device,
        url=url,
        action=SubscriptionChange.Action.ADD if active else SubscriptionChange.Action.REMOVE,
        received_at=now,
    )
    return True


def _first_guid(user: User, show: Show | None) -> str:
    """A new subscription's GUID: its show's podcast:guid, unless another of the user's subscriptions
    holds it already (a second feed URL of the show); else a random UUID."""
    guid = feed_guid(show.podcast_guid) if show is not None else None
    if guid and not Subscription.objects.filter(Q(guid=guid) | Q(new_guid=guid), user=user).exists():
        return guid
    return random_guid()


def apply_subscription_changes(
    user: User, device: Device | None, add: Sequence[str], remove: Sequence[str]
) -> None:
    """Apply sanitised subscription changes from an app. Unknown feeds go to the catalogue."""
    now = timezone.now()
    shows = shows_for_urls([*add, *remove])
    with write_transaction():
        for url in add:
            show = shows.get(url)
            _set_subscribed(user, url, True, device, show, now)
            if show is not None:
                Follow.objects.get_or_create(user=user, show=show)
        for url in remove:
            show = shows.get(url)
            if not _set_subscribed(user, url, False, device, show, now) or show is None:
                continue
            others = Subscription.objects.filter(user=user, show=show, active=True).exists()
            if not others:
                Follow.objects.filter(user=user, show=show).delete()
    _add_to_catalogue([url for url in add if url not in shows])


def put_device_list(user: User, device: Device, urls: Sequence[str]) -> None:
    """A device's full-list upload (the simple API's PUT): adds what is new to the device and removes
    only the feeds it had seen and now leaves out (see `lytt.accounts.devicelists`)."""
    with write_transaction():
        seen = Device.objects.select_for_update().values_list("seen_urls", flat=True).get(pk=device.pk)
        changes = changes_from_full_list(seen, urls)
        Device.objects.filter(pk=device.pk).update(seen_urls=changes.seen)
        apply_subscription_changes(user, device, changes.add, changes.remove)
    device.seen_urls = changes.seen


def device_told_list(device: Device, urls: Sequence[str]) -> None:
    """Remember that `device` was just given the account's whole list (a GET answered it)."""
    seen = list(dict.fromkeys(urls))
    if device.seen_urls == seen:
        return
    with write_transaction():
        Device.objects.filter(pk=device.pk).update(seen_urls=seen)
    device.seen_urls = seen


def device_told_changes(device: Device, add: Sequence[str], remove: Sequence[str]) -> None:
    """Remember subscription changes `device` was just given or sent (the v2 API's deltas)."""
    if not add and not remove:
        return
    with write_transaction():
        seen = Device.objects.select_for_update().values_list("seen_urls", flat=True).get(pk=device.pk)
        updated = seen_after_delta(seen, add, remove)
        if updated != seen:
            Device.objects.filter(pk=device.pk).update(seen_urls=updated)
    device.seen_urls = updated


def link_pending_subscriptions(user: User) -> int:
    """Attach subscriptions whose feed has since become a catalogue show, and follow those shows."""
    pending = list(Subscription.objects.filter(user=user, show__isnull=True))
    if not pending:
        return 0
    shows = shows_for_urls(sub.url for sub in pending)
    linked = 0
    with write_transaction():
        for sub in pending:
            show = shows.get(sub.url)
            if show is None:
                continue
            sub.show = show
            sub.save(update_fields=["show"])
            if sub.active:
                Follow.objects.get_or_create(user=user, show=show)
            linked += 1
    return linked


def active_subscription_urls(user: User) -> list[str]:
    """Every feed URL the user is subscribed to, followed shows included."""
    urls = list(
        Subscription.objects.filter(user=user, active=True)
        .order_by("created_at", "id")
        .values_list("url", flat=True)
    )
    return urls


def subscription_changes_since(user: User, since: dt.datetime) -> tuple[list[str], list[str]]:
    """The net subscription changes logged at or after `since`: (added, removed), each URL once."""
    last: dict[str, str] = {}
    for url, action in (
        SubscriptionChange.objects.filter(user=user, received_at__gte=since)
        .order_by("received_at", "id")
        .values_list("url", "action")
    ):
        last[url] = action
    added = [url for url, action in last.items() if action == SubscriptionChange.Action.ADD]
    removed = [url for url, action in last.items() if action == SubscriptionChange.Action.REMOVE]
    return added, removed


@dataclass(frozen=True, slots=True)
class NewAction:
    """A validated episode action, ready to store."""

    podcast_url: str
    episode_url: str
    action: str
    timestamp: dt.datetime
    device_id: str | None = None
    guid: str = ""
    started: int | None = None
    position: int | None = None
    total: int | None = None


def _match_episodes(actions: Sequence[NewAction]) -> tuple[dict[str, Show], dict[tuple[int, str], Episode]]:
    """Find the catalogue shows and episodes the actions refer to (by feed URL, then enclosure or guid)."""
    shows = shows_for_urls(a.podcast_url for a in actions)
    by_show: dict[int, set[str]] = {}
    for a in actions:
        show = shows.get(a.podcast_url)
        if show is not None:
            alias = sample_alias(a.episode_url)
            by_show.setdefault(show.pk, set()).update(v for v in (a.episode_url, alias, a.guid) if v)
    episodes: dict[tuple[int, str], Episode] = {}
    for show_id, keys in by_show.items():
        wanted = list(keys)
        for start in range(0, len(wanted), 400):
            chunk = wanted[start : start + 400]
            for ep in Episode.objects.filter(show_id=show_id).filter(
                Q(enclosure_url__in=chunk) | Q(guid__in=chunk)
            ):
                if ep.enclosure_url:
                    episodes[(show_id, ep.enclosure_url)] = ep
                if ep.guid:
                    episodes.setdefault((show_id, ep.guid), ep)
    return shows, episodes


def record_actions(user: User, actions: Sequence[NewAction], received_at: dt.datetime) -> int:
    """Store validated actions from an app and bring play progress up to date. Returns the count stored."""
    if not actions:
        return 0
    shows, episodes = _match_episodes(actions)
    device_ids = {a.device_id for a in actions if a.device_id}
    with write_transaction():
        devices = {d.device_id: d for d in Device.objects.filter(user=user, device_id__in=device_ids)}
        for device_id in device_ids - devices.keys():
            # get_or_create: a concurrent upload from the same new device may have created it meanwhile.
            devices[device_id], _ = Device.objects.get_or_create(user=user, device_id=device_id)
        rows = []
        for a in actions:
            show = shows.get(a.podcast_url)
            episode = None
            if show is not None:
                alias = sample_alias(a.episode_url)
                episode = (
                    episodes.get((show.pk, a.episode_url))
                    or (episodes.get((show.pk, alias)) if alias else None)
                    or (episodes.get((show.pk, a.guid)) if a.guid else None)
                )
            rows.append(
                EpisodeAction(
                    user=user,
                    device=devices.get(a.device_id) if a.device_id else None,
                    podcast_url=a.podcast_url,
                    episode_url=a.episode_url,
                    show=show,
                    episode=episode,
                    # The catalogue's guid helps apps that match episodes by guid (AntennaPod).
                    guid=a.guid or (episode.guid if episode is not None else ""),
                    action=a.action,
                    started=a.started,
                    position=a.position,
                    total=a.total,
                    timestamp=a.timestamp,
                    received_at=received_at,
                )
            )
        EpisodeAction.objects.bulk_create(rows, batch_size=500)
        newest: dict[int, EpisodeAction] = {}
        for row in rows:
            if row.episode is not None and _moves_position(row):
                current = newest.get(row.episode.pk)
                if current is None or row.timestamp >= current.timestamp:
                    newest[row.episode.pk] = row
        for row in newest.values():
            assert row.episode is not None
            if row.action == EpisodeAction.Action.NEW:  # marked new (unplayed): back to the start
                _update_progress(user, row.episode, 0, 0, None, row.timestamp)
            else:
                assert row.position is not None
                _update_progress(user, row.episode, row.started, row.position, row.total, row.timestamp)
    return len(rows)


def _moves_position(action: EpisodeAction) -> bool:
    """A play action with a position, or a `new` action (the episode marked unplayed)."""
    if action.action == EpisodeAction.Action.NEW:
        return True
    return action.action == EpisodeAction.Action.PLAY and action.position is not None


def _known_mark(user: User, episode: Episode) -> tuple[PlayProgress | None, Mark | None]:
    """The stored newest position, locked until the transaction ends (PostgreSQL; SQLite writes queue)."""
    progress = PlayProgress.objects.select_for_update().filter(user=user, episode=episode).first()
    return progress, (Mark(progress.position, progress.timestamp) if progress is not None else None)


def _update_progress(
    user: User,
    episode: Episode,
    started: int | None,
    position: int,
    total: int | None,
    timestamp: dt.datetime,
    deliberate: bool = True,
) -> Mark | None:
    """Make this the newest position when `accepts` allows it; else return the newer mark that stays.

    Two reports of a first position may race (the player's periodic report and its pause, or two devices):
    on PostgreSQL neither finds a row to lock, and the second INSERT meets the first's unique key. That one
    then decides again against the row that won, as if it had arrived second.
    """
    total = total if total and total > 0 else episode.duration_seconds
    fields = {
        "started": max(started or 0, 0),
        "position": max(position, 0),
        "total": total,
        "finished": bool(total) and position >= FINISHED_SHARE * (total or 0),
        "timestamp": timestamp,
    }
    for last_try in (False, True):
        progress, known = _known_mark(user, episode)
        if not accepts(known, Mark(max(position, 0), timestamp), deliberate):
            return known
        if progress is not None:
            PlayProgress.objects.filter(pk=progress.pk).update(**fields)
            return None
        try:
            with transaction.atomic():
                PlayProgress.objects.create(user=user, episode=episode, **fields)
            return None
        except IntegrityError:
            if last_try:
                raise
    return None


def newest_position(user: User, episode_id: int) -> PlayProgress | None:
    """The listener's newest position in an episode, if any."""
    return PlayProgress.objects.filter(user=user, episode_id=episode_id).first()


def record_web_progress(
    user: User,
    episode: Episode,
    position: int,
    total: int | None,
    started: int | None,
    timestamp: dt.datetime | None = None,
    deliberate: bool = False,
) -> Mark | None:
    """Progress from the web player: a play action (coalesced while listening) plus PlayProgress.

    A report that `accepts` refuses (older than the newest position, or behind it by accident) changes
    nothing, so that apps never download it; the newest known mark is returned instead (None when stored).
    While one listening session goes on (same start, within `WEB_COALESCE`), the player's reports update
    one action instead of adding a row each time; its `received_at` moves forward so that apps asking
    `since` see the newest position.
    """
    now = timezone.now()
    when = min(timestamp or now, now)
    started_value = max(started or 0, 0)
    with write_transaction():
        newer = _update_progress(user, episode, started_value, position, total, when, deliberate)
        if newer is not None:
            return newer
        recent = (
            EpisodeAction.objects.filter(
                user=user,
                device__isnull=True,
                episode=episode,
                action=EpisodeAction.Action.PLAY,
                started=started_value,
                received_at__gte=now - WEB_COALESCE,
                timestamp__lte=when,
            )
            .order_by("-received_at", "-id")
            .first()
        )
        if recent is not None:
            recent.position = position
            recent.total = total
            recent.timestamp = when
            recent.received_at = now
            recent.save(update_fields=["position", "total", "timestamp", "received_at"])
        else:
            _web_action(user, episode, EpisodeAction.Action.PLAY, (started_value, position, total), when, now)
    return None


def _web_action(
    user: User,
    episode: Episode,
    action: str,
    seconds: tuple[int | None, int | None, int | None],
    when: dt.datetime,
    now: dt.datetime,
) -> None:
    """Log what the listener did on the website as the episode action apps download (no device)."""
    podcast_url = feed_url_for_show(episode.show)
    started, position, total = seconds
    EpisodeAction.objects.create(
        user=user,
        podcast_url=podcast_url,
        episode_url=episode.enclosure_url or episode.link or podcast_url,
        show=episode.show,
        episode=episode,
        guid=episode.guid,
        action=action,
        started=started,
        position=position,
        total=total,
        timestamp=when,
        received_at=now,
    )


class Position(NamedTuple):
    """A listener's newest position in an episode, as lists show it."""

    position: int
    total: int | None
    finished: bool
    timestamp: dt.datetime


def _utc(value: dt.datetime | str) -> dt.datetime:
    """A timestamp as a raw read gives it: SQLite's naive UTC (or its text), PostgreSQL's aware value."""
    when = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return when.replace(tzinfo=dt.UTC) if timezone.is_naive(when) else when


def positions_for(user: User, episode_ids: Iterable[int]) -> dict[int, Position]:
    """The listener's newest position in each of `episode_ids` that has one (a page of marks), read with
    one plain statement over the unique (user, episode) index: building the ORM query cost several
    times what the database took to answer it."""
    return page_state(user, (), episode_ids)[1]


def is_following(user: User, show_id: int) -> bool:
    """Whether the listener follows the show (a follow button): over the unique (user, show) index."""
    return int(show_id) in page_state(user, (show_id,), ())[0]


def page_state(
    user: User, show_ids: Iterable[int], episode_ids: Iterable[int]
) -> tuple[set[int], dict[int, Position]]:
    """Which of `show_ids` the listener follows, and their positions in `episode_ids` (as `positions_for`):
    one statement for a page's follow button and marks, which every signed-in show page reads."""
    shows, episodes = sorted({int(n) for n in show_ids}), sorted({int(n) for n in episode_ids})
    quote = connection.ops.quote_name
    parts, params = [], []
    if episodes:
        columns = ", ".join(quote(c) for c in ("episode_id", "position", "total", "finished", "timestamp"))
        marks = ", ".join(["%s"] * len(episodes))
        parts.append(
            f"SELECT 0, {columns} FROM {quote(PlayProgress._meta.db_table)}"
            f" WHERE {quote('user_id')} = %s AND {quote('episode_id')} IN ({marks})"
        )
        params += [user.pk, *episodes]
    if shows:
        marks = ", ".join(["%s"] * len(shows))
        parts.append(
            f"SELECT 1, {quote('show_id')}, NULL, NULL, NULL, NULL FROM {quote(Follow._meta.db_table)}"
            f" WHERE {quote('user_id')} = %s AND {quote('show_id')} IN ({marks})"
        )
        params += [user.pk, *shows]
    if not parts:
        return set(), {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    followed = {row[1] for row in rows if row[0]}
    positions = {row[1]: Position(row[2], row[3], bool(row[4]), _utc(row[5])) for row in rows if not row[0]}
    return followed, positions


_LISTED_EPISODE = (
    "position",
    "timestamp",
    "episode__slug",
    "episode__title",
    "episode__published_at",
    "episode__duration_seconds",
    "episode__enclosure_url",
    "episode__image_url",
    "episode__show__slug",
    "episode__show__title",
    "episode__show__image_url",
)


def continue_listening(user: User, limit: int) -> list[PlayProgress]:
    """Episodes started and not finished, the most recently played first, with what a list shows of the
    episode and its show. `finished__in=[False]`, not `finished=False`: Django writes the latter as
    `NOT finished`, which SQLite cannot match to the index `progress_recent` (user, finished, -timestamp),
    so it would sort every unfinished row of the listener and join each to its episode and show first."""
    return list(
        PlayProgress.objects.filter(user=user, finished__in=[False], position__gt=0)
        .select_related("episode", "episode__show")
        .only(*_LISTED_EPISODE)
        .order_by("-timestamp")[:limit]
    )


def mark_played(user: User, episode: Episode, played: bool) -> PlayProgress:
    """The listener marks an episode played or unplayed by hand: the newest action, so it always wins.

    Apps see "played" as a play action ending at the episode's end (started = position = total; nothing
    was heard, the listener jumped there), which gpodder.net clients apply as a finished episode; without
    a known duration there is no end to name, so only the website knows. "Unplayed" is gpodder.net's
    `new` action (marked as new), and the position goes back to the start.
    """
    now = timezone.now()
    with write_transaction():
        progress, _ = _known_mark(user, episode)
        total = episode.duration_seconds or (progress.total if progress is not None else None)
        if played:
            position = total or (progress.position if progress is not None else 0)
            fields = {"started": position, "position": position, "total": total, "finished": True}
        else:
            fields = {"started": 0, "position": 0, "total": total, "finished": False}
        progress, _ = PlayProgress.objects.update_or_create(
            user=user, episode=episode, defaults={**fields, "timestamp": now}
        )
        if played and not total:
            return progress
        if played:
            _web_action(user, episode, EpisodeAction.Action.PLAY, (total, total, total), now, now)
        else:
            _web_action(user, episode, EpisodeAction.Action.NEW, (None, None, None), now, now)
    return progress

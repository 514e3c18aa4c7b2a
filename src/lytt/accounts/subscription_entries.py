"""Subscriptions as the Open Podcast API sees them: entries named by GUID, moved, deleted with their data.

The entries are the account's `Subscription` rows, the very list the gpodder.net API and the website's
follows keep, and every subscribe and unsubscribe goes through `lytt.accounts.services`, so an entry added
here is a follow on the website and a subscription in every gpodder.net app, and the other way round.
What this module adds is the API's identity (GUIDs, `lytt.accounts.guids`), the change of a feed URL, and
the deletion of an entry with the listening data that hangs on it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db import DatabaseError
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from lytt.accounts.guids import feed_guid
from lytt.accounts.models import EpisodeAction, PlayProgress, Subscription, SubscriptionDeletion
from lytt.accounts.services import apply_subscription_changes, shows_for_urls
from lytt.accounts.writes import write_transaction

log = logging.getLogger(__name__)


def latest_guid(sub: Subscription) -> str:
    """The newest GUID the entry answers to."""
    return sub.new_guid or sub.guid


def refresh_guids(user: User) -> int:
    """Point entries at their show's podcast:guid once the crawler has found one that differs from the
    GUID Lytt made for them (the specification's "more authoritative GUID"); a GUID a client gave or set
    is kept.
    Returns how many entries changed."""
    candidates = (
        Subscription.objects.filter(user=user, new_guid="", guid_given=False, show__isnull=False)
        .exclude(show__podcast_guid="")
        .exclude(guid=F("show__podcast_guid"))
        .values_list("pk", "guid", "show__podcast_guid")
    )
    stale = [(pk, found) for pk, guid, raw in candidates if (found := feed_guid(raw)) and found != guid]
    if not stale:
        return 0
    now = timezone.now()
    with write_transaction():
        for pk, guid in stale:
            Subscription.objects.filter(pk=pk, new_guid="").update(new_guid=guid, guid_changed=now)
    return len(stale)


def find_entry(user: User, guid: str) -> Subscription | None:
    """The user's entry named `guid`: first one given that GUID, else one that took it later."""
    mine = Subscription.objects.filter(user=user).select_related("show")
    return (
        mine.filter(guid=guid).order_by("id").first()
        or mine.filter(new_guid=guid)
        .order_by(F("deleted_at").asc(nulls_first=True), "-updated_at", "id")
        .first()
    )


def entries(user: User, since: dt.datetime | None) -> QuerySet[Subscription]:
    """The user's entries, oldest first; with `since`, those whose subscription, GUID or deletion changed
    after it."""
    rows = Subscription.objects.filter(user=user)
    if since is not None:
        rows = rows.filter(Q(updated_at__gt=since) | Q(guid_changed__gt=since) | Q(deleted_at__gt=since))
    return rows.order_by("id")


def _touch(sub: Subscription, now: dt.datetime) -> Subscription:
    """Stamp the entry's subscription as changed now and read it back as stored."""
    Subscription.objects.filter(pk=sub.pk).update(updated_at=now)
    return Subscription.objects.select_related("show").get(pk=sub.pk)


def _take_guid(sub: Subscription, guid: str, now: dt.datetime) -> None:
    """Record a GUID a client says the entry has (authoritative, by the specification) as its newest."""
    if guid in (sub.guid, sub.new_guid):
        return
    Subscription.objects.filter(pk=sub.pk).update(new_guid=guid, guid_changed=now)


def _known(user: User, wanted: Sequence[tuple[str, str | None]]) -> list[Subscription | None]:
    """For each (url, guid), the user's entry it names: by GUID first (as given, then as taken later),
    else by URL; None for a feed the user never had."""
    mine = Subscription.objects.filter(user=user)
    guids = sorted({guid for _, guid in wanted if guid})
    by_guid: dict[str, Subscription] = {}
    if guids:
        rows = list(mine.filter(Q(guid__in=guids) | Q(new_guid__in=guids)).order_by("id"))
        by_guid = {row.guid: row for row in rows}
        for row in rows:
            by_guid.setdefault(row.new_guid, row)
    by_url = {row.url: row for row in mine.filter(url__in=sorted({url for url, _ in wanted}))}
    return [(by_guid.get(guid) if guid else None) or by_url.get(url) for url, guid in wanted]


def add_entries(user: User, wanted: Sequence[tuple[str, str | None]]) -> list[Subscription]:
    """Subscribe to each (url, guid) (a sanitised feed URL, the client's GUID or None), in one
    transaction: the entry with that GUID or URL comes back (deleted or not), else a new one is made,
    named `guid` when the client gave one. Returns the entries in the order asked."""
    known = _known(user, wanted)
    targets = [row.url if row is not None else url for row, (url, _) in zip(known, wanted, strict=True)]
    now = timezone.now()
    with write_transaction():
        apply_subscription_changes(user, None, list(dict.fromkeys(targets)), [])
        rows = {row.url: row for row in Subscription.objects.filter(user=user, url__in=set(targets))}
        fresh = {url for row, url in zip(known, targets, strict=True) if row is None}
        for url, (_, guid) in zip(targets, wanted, strict=True):
            if not guid:
                continue
            if url in fresh:
                fresh.discard(url)  # a new entry takes the first GUID a client gave it
                Subscription.objects.filter(pk=rows[url].pk).update(guid=guid, guid_given=True)
                rows[url].guid = guid
            else:
                _take_guid(rows[url], guid, now)
        Subscription.objects.filter(pk__in=[row.pk for row in rows.values()]).update(updated_at=now)
    stored = Subscription.objects.select_related("show").in_bulk([row.pk for row in rows.values()])
    return [stored[rows[url].pk] for url in targets]


def set_subscribed(user: User, sub: Subscription, subscribed: bool) -> Subscription:
    """Subscribe or unsubscribe the entry, as the website and apps would."""
    now = timezone.now()
    with write_transaction():
        if subscribed:
            apply_subscription_changes(user, None, [sub.url], [])
        else:
            apply_subscription_changes(user, None, [], [sub.url])
        return _touch(sub, now)


def set_guid(sub: Subscription, guid: str) -> Subscription:
    """Give the entry a newer GUID (a client found one); the GUID it had keeps naming it."""
    with write_transaction():
        _take_guid(sub, guid, timezone.now())
    return Subscription.objects.select_related("show").get(pk=sub.pk)


def move_entry(user: User, sub: Subscription, new_url: str) -> Subscription:
    """The feed moved to `new_url` (sanitised). The entry keeps its GUID and takes the new URL: apps see
    the old URL removed and the new one added, the website the show of the new URL followed. When the
    user has an entry for `new_url` already, that one is subscribed and this one, unsubscribed, points
    at it by `new_guid` (the specification's tombstone)."""
    if new_url == sub.url:
        return sub
    now = timezone.now()
    with write_transaction():
        other = Subscription.objects.filter(user=user, url=new_url).first()
        was_active = sub.active
        if other is not None:
            if was_active:
                apply_subscription_changes(user, None, [new_url], [sub.url])
            _take_guid(sub, latest_guid(other), now)
            return _touch(sub, now)
        if was_active:
            apply_subscription_changes(user, None, [], [sub.url])
        show = shows_for_urls([new_url]).get(new_url)
        Subscription.objects.filter(pk=sub.pk).update(url=new_url, show=show)
        if was_active:
            apply_subscription_changes(user, None, [new_url], [])
        return _touch(sub, now)


def delete_entry(user: User, sub: Subscription) -> SubscriptionDeletion:
    """Unsubscribe the entry and delete the listening data of its feed (episode actions and play
    positions), all in one transaction; the returned record says whether it worked. The entry stays,
    marked deleted, so that apps asking what changed learn of it."""
    deletion = SubscriptionDeletion.objects.create(user=user, subscription=sub)
    try:
        with write_transaction():
            apply_subscription_changes(user, None, [], [sub.url])
            actions = Q(podcast_url=sub.url)
            if sub.show_id is not None:
                actions |= Q(show_id=sub.show_id)
                PlayProgress.objects.filter(user=user, episode__show_id=sub.show_id).delete()
            EpisodeAction.objects.filter(actions, user=user).delete()
            now = timezone.now()
            Subscription.objects.filter(pk=sub.pk).update(deleted_at=now, updated_at=now)
    except DatabaseError as exc:
        log.warning("subscription deletion %s failed: %s", deletion.pk, exc)
        deletion.status = SubscriptionDeletion.Status.FAILURE
        deletion.message = "The deletion failed and was rolled back; nothing was deleted"
    else:
        deletion.status = SubscriptionDeletion.Status.SUCCESS
        deletion.message = "Subscription deleted successfully"
    deletion.save(update_fields=["status", "message"])
    return deletion

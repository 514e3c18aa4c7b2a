"""Listeners' data catches up with the catalogue: when a feed has been ingested, subscriptions and
episode actions that named its URL before Lytt knew it are linked to the show (and become follows).

A single ingest (``lytt add``, the admin) sends ``feed_ingested`` after commit and `link_show` runs in a
transaction of its own. The crawler sends ``feeds_ingested`` for a chunk of feeds inside its transaction:
`link_shows` handles the whole chunk in a fixed number of queries (one for the feed URLs, one for pending
subscriptions, one for pending actions, one for their episodes per 5,000 URLs; writes only when something
is pending); its feeds send no ``feed_ingested`` of their own.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Case, Value, When

from lytt.accounts.models import EpisodeAction, Follow, Subscription
from lytt.accounts.writes import write_transaction
from lytt.catalog import bulk
from lytt.catalog.models import Episode, FeedSource, Show

log = logging.getLogger(__name__)

MAX_ACTIONS_LINKED = 10_000  # per show and ingest; the rest keep their URLs (nothing is lost, only unlinked)

_URLS_PER_QUERY = 500
_EPISODE_URLS_PER_QUERY = 5000


def link_show(show: Show) -> int:
    """Link pending subscriptions and actions of `show`'s feed URLs. Returns the subscriptions linked."""
    return link_shows([show])


def link_shows(shows: Iterable[Show]) -> int:
    """`link_show` for many shows at once. Returns the subscriptions linked."""
    ids = sorted({show.pk for show in shows})
    show_of: dict[str, int] = {}  # feed URL → show id (a URL belongs to one feed source, so to one show)
    for start in range(0, len(ids), _URLS_PER_QUERY):
        show_of.update(
            FeedSource.objects.filter(show_id__in=ids[start : start + _URLS_PER_QUERY]).values_list(
                "url", "show_id"
            )
        )
    if not show_of:
        return 0
    with write_transaction():
        linked = _link_subscriptions(show_of)
        _link_actions(show_of)
    return linked


def _link_subscriptions(show_of: dict[str, int]) -> int:
    """Give pending subscriptions of these URLs their show; active ones make the user follow it."""
    urls = list(show_of)
    pending: list[tuple[str, int, bool]] = []
    for start in range(0, len(urls), _URLS_PER_QUERY):
        pending += Subscription.objects.filter(
            url__in=urls[start : start + _URLS_PER_QUERY], show__isnull=True
        ).values_list("url", "user_id", "active")
    if not pending:
        return 0
    followers = {(user_id, show_of[url]) for url, user_id, active in pending if active}
    urls_pending = sorted({url for url, _, _ in pending})
    linked = Subscription.objects.filter(url__in=urls_pending, show__isnull=True).update(
        show_id=Case(*(When(url=url, then=Value(show_of[url])) for url in urls_pending))
    )
    Follow.objects.bulk_create(
        [Follow(user_id=user_id, show_id=show_id) for user_id, show_id in sorted(followers)],
        ignore_conflicts=True,
    )
    return linked


def _link_actions(show_of: dict[str, int]) -> None:
    """Give pending episode actions of these URLs their show, and their episode by enclosure URL.

    At most `MAX_ACTIONS_LINKED` per show: one query for all shows when they have fewer than that between
    them, else one per show, each with its own cap (as when shows were linked one at a time).
    """
    actions = list(
        EpisodeAction.objects.filter(podcast_url__in=list(show_of), show__isnull=True).values_list(
            "id", "podcast_url", "episode_url"
        )[:MAX_ACTIONS_LINKED]
    )
    if not actions:
        return
    if len(actions) == MAX_ACTIONS_LINKED and len(set(show_of.values())) > 1:
        urls_of: dict[int, dict[str, int]] = defaultdict(dict)
        for url, show_id in show_of.items():
            urls_of[show_id][url] = show_id
        for one_show in urls_of.values():
            _link_actions(one_show)
        return
    wanted = {(show_of[podcast_url], episode_url) for _, podcast_url, episode_url in actions}
    media = sorted({episode_url for _, episode_url in wanted})
    show_ids = sorted({show_id for show_id, _ in wanted})
    episodes: dict[tuple[int, str], int] = {}
    for start in range(0, len(media), _EPISODE_URLS_PER_QUERY):
        for show_id, enclosure_url, episode_id in Episode.objects.filter(
            show_id__in=show_ids, enclosure_url__in=media[start : start + _EPISODE_URLS_PER_QUERY]
        ).values_list("show_id", "enclosure_url", "id"):
            if (show_id, enclosure_url) in wanted:
                episodes[(show_id, enclosure_url)] = episode_id
    linked = [
        EpisodeAction(
            id=action_id,
            show_id=show_of[podcast_url],
            episode_id=episodes.get((show_of[podcast_url], episode_url)),
        )
        for action_id, podcast_url, episode_url in actions
    ]
    bulk.update(EpisodeAction, linked, ["show", "episode"])


def on_feed_ingested(sender: Any, show: Show, **kwargs: Any) -> None:
    """A single ingest committed: link its show (a crawl chunk's come through `on_feeds_ingested`)."""
    link_show(show)


def on_feeds_ingested(sender: Any, items: Iterable[Any], **kwargs: Any) -> None:
    """A crawl chunk is being ingested (inside the crawler's transaction): link all its shows at once.

    The savepoint keeps a failure here from undoing the chunk's feeds; it is logged, and the links are
    made the next time one of the shows is ingested (subscriptions also when their listener's lists are
    read, by `services.link_pending_subscriptions`).
    """
    shows = {item.show.pk: item.show for item in items}
    try:
        with transaction.atomic():
            link_shows(shows.values())
    except Exception:
        log.exception("accounts: linking listeners' data to %d shows failed", len(shows))

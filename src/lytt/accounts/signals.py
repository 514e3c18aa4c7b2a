"""Listeners' data catches up with the catalogue: when a feed has been ingested, subscriptions and
episode actions that named its URL before Lytt knew it are linked to the show (and become follows).
"""

from __future__ import annotations

from typing import Any

from lytt.accounts.models import EpisodeAction, Follow, Subscription
from lytt.accounts.writes import write_transaction
from lytt.catalog.models import Episode, FeedSource, Show

MAX_ACTIONS_LINKED = 10_000  # per ingest; the rest keep their URLs (nothing is lost, only unlinked)


def link_show(show: Show) -> int:
    """Link pending subscriptions and actions of `show`'s feed URLs. Returns the subscriptions linked."""
    urls = list(FeedSource.objects.filter(show=show).values_list("url", flat=True))
    if not urls:
        return 0
    with write_transaction():
        pending = Subscription.objects.filter(url__in=urls, show__isnull=True)
        followers = set(pending.filter(active=True).values_list("user_id", flat=True))
        linked = pending.update(show=show)
        Follow.objects.bulk_create(
            [Follow(user_id=user_id, show=show) for user_id in followers], ignore_conflicts=True
        )
        actions = list(
            EpisodeAction.objects.filter(podcast_url__in=urls, show__isnull=True).only("id", "episode_url")[
                :MAX_ACTIONS_LINKED
            ]
        )
        if actions:
            media = {a.episode_url for a in actions}
            episodes = dict(
                Episode.objects.filter(show=show, enclosure_url__in=list(media)[:5000]).values_list(
                    "enclosure_url", "id"
                )
            )
            for action in actions:
                action.show = show
                action.episode_id = episodes.get(action.episode_url)
            EpisodeAction.objects.bulk_update(actions, ["show", "episode"], batch_size=500)
    return linked


def on_feed_ingested(sender: Any, show: Show, **kwargs: Any) -> None:
    link_show(show)

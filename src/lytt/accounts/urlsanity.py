"""Feed URL sanitising for the sync API: the catalogue's canonical form, or None.

A client's URL that cannot be a feed URL is not an error there: the API reports it in ``update_urls`` as
``[url, ""]``, as gpodder.net does. The form itself has one owner, `lytt.feeds.feed_urls.normalise_feed_url`,
so that a subscription finds its show.
"""

from __future__ import annotations

from lytt.feeds.feed_urls import InvalidFeedURL, normalise_feed_url


def sanitize_url(raw: str) -> str | None:
    """The canonical form of `raw` (see `normalise_feed_url`), or None when it cannot be a feed URL."""
    try:
        return normalise_feed_url(raw)
    except InvalidFeedURL:
        return None

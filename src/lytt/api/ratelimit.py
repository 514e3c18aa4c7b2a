"""The API's rate limits: per API key (`ApiKey.rate_limit_per_minute`), or per client address when anonymous.

Counting is lytt.ratelimit's; this module holds the anonymous limit's setting.
"""

from __future__ import annotations

import os

from django.conf import settings


def anonymous_limit() -> int:
    """Requests per minute for anonymous clients (LYTT_API_ANON_PER_MINUTE, default 120)."""
    configured = getattr(settings, "LYTT_API_ANON_PER_MINUTE", None)
    if configured is not None:
        return int(configured)
    return int(os.environ.get("LYTT_API_ANON_PER_MINUTE", "120"))


def listener_limit() -> int:
    """Requests per minute for a signed-in listener or personal token (LYTT_API_LISTENER_PER_MINUTE, default
    600): apps sync a queue and positions often, but one account never needs more."""
    configured = getattr(settings, "LYTT_API_LISTENER_PER_MINUTE", None)
    if configured is not None:
        return int(configured)
    return int(os.environ.get("LYTT_API_LISTENER_PER_MINUTE", "600"))

"""Property: for any history of subscription changes and any checkpoint, the state at the checkpoint plus
the net changes `since` it is exactly the final state (what a syncing app ends up with)."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lytt.accounts import services

URLS = [f"https://feeds.example.org/{n}.xml" for n in range(6)]
_names = itertools.count()

batch = st.tuples(st.sets(st.sampled_from(URLS)), st.sets(st.sampled_from(URLS))).map(
    lambda pair: (sorted(pair[0]), sorted(pair[1] - pair[0]))
)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(batch, min_size=1, max_size=6), checkpoint=st.integers(min_value=0, max_value=6))
def test_state_plus_changes_since_is_final_state(
    batches: list[tuple[list[str], list[str]]], checkpoint: int
) -> None:
    user = User.objects.create_user(f"prop{next(_names)}")
    checkpoint = min(checkpoint, len(batches))
    seen: set[str] = set()
    since = None
    for index, (add, remove) in enumerate(batches):
        if index == checkpoint:
            seen = set(services.active_subscription_urls(user))
            since = timezone.now()
        services.apply_subscription_changes(user, None, add, remove)
    if since is None:
        seen = set(services.active_subscription_urls(user))
        since = timezone.now()
    added, removed = services.subscription_changes_since(user, since)
    assert not set(added) & set(removed)
    assert (seen | set(added)) - set(removed) == set(services.active_subscription_urls(user))

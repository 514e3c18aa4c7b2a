"""Migration 0005 gives every existing subscription its own GUID (a field default would give one to all)."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0004_listening_queue_bookmarks_tokens")]
AFTER = [("accounts", "0005_subscription_guid_deletion")]


@pytest.mark.django_db(transaction=True)
def test_existing_subscriptions_get_distinct_uuids() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("auth", "User").objects.create(username="kari")
    Subscription = old.get_model("accounts", "Subscription")
    for n in range(3):
        Subscription.objects.create(user=user, url=f"https://feeds.example.org/{n}.xml")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    guids = list(new.get_model("accounts", "Subscription").objects.values_list("guid", flat=True))
    assert len(set(guids)) == 3
    assert all(uuid.UUID(guid).version == 4 for guid in guids)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # leave the schema as the other tests expect it

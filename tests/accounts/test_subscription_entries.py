"""Subscriptions as Open Podcast API entries: GUIDs issued once per entry, deletion all or nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import User
from django.db import connection

from lytt.accounts import services, subscription_entries
from lytt.accounts.models import PlayProgress, SubscriptionDeletion
from lytt.catalog.models import FeedSource, Show

PODCAST_GUID = "917393e3-1b1e-5cef-ace4-edaa54e1f810"


def test_a_second_feed_of_a_show_gets_its_own_guid(user: User, show: Show) -> None:
    Show.objects.filter(pk=show.pk).update(podcast_guid=PODCAST_GUID)
    show.refresh_from_db()
    FeedSource.objects.create(url="https://mirror.example.org/dagens.xml", show=show)
    urls = ["https://feeds.example.org/dagens.xml", "https://mirror.example.org/dagens.xml"]
    first, second = subscription_entries.add_entries(user, [(url, None) for url in urls])
    assert first.guid == PODCAST_GUID
    assert second.guid != PODCAST_GUID
    assert uuid.UUID(second.guid).version == 4
    assert subscription_entries.find_entry(user, PODCAST_GUID) == first


def test_refresh_points_only_entries_without_a_newer_guid_at_the_podcast_guid(user: User, show: Show) -> None:
    [plain] = subscription_entries.add_entries(user, [("https://feeds.example.org/dagens.xml", None)])
    Show.objects.filter(pk=show.pk).update(podcast_guid=PODCAST_GUID)
    assert subscription_entries.refresh_guids(user) == 1
    assert subscription_entries.refresh_guids(user) == 0
    plain.refresh_from_db()
    assert (plain.new_guid, plain.guid_changed is not None) == (PODCAST_GUID, True)
    chosen = str(uuid.uuid4())
    subscription_entries.set_guid(plain, chosen)
    plain.refresh_from_db()
    assert subscription_entries.refresh_guids(user) == 0
    assert plain.new_guid == chosen


@pytest.fixture
def progress_cannot_be_deleted(transactional_db: None) -> Iterator[None]:
    """A database that refuses to delete play positions, so that a deletion fails half-way."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION opa_keep() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'kept'; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER opa_keep BEFORE DELETE ON accounts_playprogress "
                "FOR EACH ROW EXECUTE FUNCTION opa_keep()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER opa_keep BEFORE DELETE ON accounts_playprogress "
                "BEGIN SELECT RAISE(ABORT, 'kept'); END"
            )
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER opa_keep ON accounts_playprogress")
            cursor.execute("DROP FUNCTION opa_keep()")
        else:
            cursor.execute("DROP TRIGGER opa_keep")


def test_a_failed_deletion_is_rolled_back_and_says_so(
    make_user: Callable[..., User], make_show: Callable[..., Show], progress_cannot_be_deleted: None
) -> None:
    user, show = make_user("kari"), make_show("dagens")
    [sub] = subscription_entries.add_entries(user, [("https://feeds.example.org/dagens.xml", None)])
    services.record_web_progress(user, show.episodes.first(), 600, 3600, 0)
    deletion = subscription_entries.delete_entry(user, sub)
    assert deletion.status == SubscriptionDeletion.Status.FAILURE
    assert "rolled back" in deletion.message
    assert SubscriptionDeletion.objects.get().status == SubscriptionDeletion.Status.FAILURE
    sub.refresh_from_db()
    assert sub.active
    assert sub.deleted_at is None
    assert PlayProgress.objects.filter(user=user).exists()
    assert services.is_following(user, show.pk)

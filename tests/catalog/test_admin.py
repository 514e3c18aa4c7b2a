"""The operators' admin: every catalogue page loads, the "check now" action works, tokens stay hidden."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.db.models import URLField
from django.test import Client, RequestFactory
from django.urls import reverse
from tests.catalog.factories import feed

from lytt.catalog.ingest import ingest_feed
from lytt.catalog.models import Category, Episode, FeedCheck, FeedSource, Person, Show
from lytt.feeds.model import Person as FeedPerson

pytestmark = pytest.mark.django_db
TOKEN = "s3cr3ts3cr3ts3cr3t99"


@pytest.fixture
def admin_client_logged_in(client: Client) -> Client:
    user = User.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def catalogue() -> FeedSource:
    src = FeedSource.objects.create(url=f"https://members.example/rss?token={TOKEN}", private=True)
    ingest_feed(src, feed(3, persons=[FeedPerson(name="Ada Host")]), now=datetime(2025, 1, 1, tzinfo=UTC))
    FeedCheck.objects.create(feed=src, outcome="error", status_code=500, error="HTTP 500 from server")
    FeedSource.objects.filter(pk=src.pk).update(
        status=FeedSource.Status.ERROR, last_error="HTTP 500 from server", error_count=2
    )
    src.refresh_from_db()
    return src


@pytest.mark.parametrize("model", ["feedsource", "show", "category", "episode", "person"])
def test_changelists_load(admin_client_logged_in: Client, catalogue: FeedSource, model: str) -> None:
    response = admin_client_logged_in.get(reverse(f"admin:catalog_{model}_changelist"))
    assert response.status_code == 200
    assert TOKEN not in response.content.decode()


def test_change_forms_load(admin_client_logged_in: Client, catalogue: FeedSource) -> None:
    objects = {
        "feedsource": catalogue,
        "show": Show.objects.get(),
        "category": Category.objects.get(slug="news-politics"),
        "episode": Episode.objects.first(),
        "person": Person.objects.get(),
    }
    for model, obj in objects.items():
        assert obj is not None
        response = admin_client_logged_in.get(reverse(f"admin:catalog_{model}_change", args=[obj.pk]))
        assert response.status_code == 200, model
    page = admin_client_logged_in.get(reverse("admin:catalog_feedsource_change", args=[catalogue.pk]))
    assert "HTTP 500 from server" in page.content.decode()


def test_feed_list_filters_and_search(admin_client_logged_in: Client, catalogue: FeedSource) -> None:
    url = reverse("admin:catalog_feedsource_changelist")
    failing = admin_client_logged_in.get(url, {"status__exact": "error"})
    assert "HTTP 500 from server" in failing.content.decode()
    active = admin_client_logged_in.get(url, {"status__exact": "active"})
    assert "HTTP 500 from server" not in active.content.decode()
    found = admin_client_logged_in.get(url, {"q": "Insight"})
    assert "members.example" in found.content.decode()


def test_check_now_action_schedules_feeds(admin_client_logged_in: Client, catalogue: FeedSource) -> None:
    FeedSource.objects.filter(pk=catalogue.pk).update(next_check_at=datetime(2030, 1, 1, tzinfo=UTC))
    response = admin_client_logged_in.post(
        reverse("admin:catalog_feedsource_changelist"),
        {"action": "check_now", "_selected_action": [catalogue.pk]},
        follow=True,
    )
    assert response.status_code == 200
    catalogue.refresh_from_db()
    assert catalogue.next_check_at < datetime(2030, 1, 1, tzinfo=UTC)


def test_featured_toggle_in_show_list(admin_client_logged_in: Client, catalogue: FeedSource) -> None:
    show = Show.objects.get()
    url = reverse("admin:catalog_show_changelist")
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(show.pk),
        "form-0-featured": "on",
        "_save": "Save",
    }
    response = admin_client_logged_in.post(url, data, follow=True)
    assert response.status_code == 200
    show.refresh_from_db()
    assert show.featured
    assert not show.hidden


@pytest.mark.parametrize("model", [FeedSource, Show, Episode, Person])
def test_a_url_typed_without_a_scheme_is_taken_as_https(model: type) -> None:
    form = admin.site._registry[model].get_form(RequestFactory().get("/"))
    fields = model._meta.fields
    url_fields = [f.name for f in fields if isinstance(f, URLField) and f.name in form.base_fields]
    assert url_fields
    for name in url_fields:
        assert form.base_fields[name].clean("example.com/a") == "https://example.com/a"

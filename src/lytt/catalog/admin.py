"""The operators' admin: feeds and why they fail, shows (featured, hidden), categories, episodes, people.

Private feed URLs carry a subscriber's token: lists show them redacted, and only the change form of the
feed itself shows the real URL.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone

from lytt.catalog.models import (
    Category,
    Episode,
    EpisodeAttachment,
    FeedCheck,
    FeedSource,
    Person,
    Show,
    ShowCategory,
    ShowPerson,
)
from lytt.catalog.people_edit import PeopleEditError, merge_people, split_person
from lytt.catalog.sources import display_url


class FeedCheckInline(admin.TabularInline):
    model = FeedCheck
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ("-checked_at",)
    fields = (
        "checked_at",
        "outcome",
        "status_code",
        "error",
        "duration_ms",
        "bytes_received",
        "new_episodes",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[FeedCheck]:
        return super().get_queryset(request).order_by("-checked_at")


class _Admin(admin.ModelAdmin):
    """What every catalogue admin shares: a URL typed without a scheme is taken as https (Django 6's
    default; Django 5 warns on every form that still assumes http)."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(FeedSource)
class FeedSourceAdmin(_Admin):
    list_display = (
        "feed_url",
        "show",
        "status",
        "tier",
        "last_checked_at",
        "error_count",
        "short_error",
        "next_check_at",
    )
    list_filter = ("status", "private", ("last_status_code", admin.AllValuesFieldListFilter))
    search_fields = ("url", "show__title")
    list_select_related = ("show",)
    raw_id_fields = ("show",)
    readonly_fields = (
        "last_checked_at",
        "last_success_at",
        "last_changed_at",
        "last_status_code",
        "last_error",
        "error_count",
        "etag",
        "last_modified",
        "content_hash",
        "claimed_by",
        "claimed_until",
        "added_at",
        "tier",
        "tier_reason",
        "podcastindex_popularity",
        "popularity",
        "newest_item_at",
    )
    inlines = (FeedCheckInline,)
    actions = ("check_now",)
    ordering = ("-added_at",)
    show_full_result_count = False  # COUNT(*) over 100,000 feeds on every page is not worth it

    @admin.display(description="URL", ordering="url")
    def feed_url(self, obj: FeedSource) -> str:
        return display_url(obj)

    @admin.display(description="last error")
    def short_error(self, obj: FeedSource) -> str:
        return obj.last_error[:120]

    @admin.action(description="Check now (schedule for the next crawl)")
    def check_now(self, request: HttpRequest, queryset: QuerySet[FeedSource]) -> None:
        count = queryset.update(next_check_at=timezone.now(), not_before=None)
        self.message_user(request, f"{count} feed(s) scheduled for the next crawl.", messages.SUCCESS)


class ShowCategoryInline(admin.TabularInline):
    model = ShowCategory
    extra = 0
    autocomplete_fields = ("category",)


class ShowPersonInline(admin.TabularInline):
    model = ShowPerson
    extra = 0
    raw_id_fields = ("person",)


class ShowFeedInline(admin.TabularInline):
    model = FeedSource
    extra = 0
    max_num = 0
    can_delete = False
    fields = ("feed_url", "status", "status_reason", "last_checked_at", "error_count")
    readonly_fields = fields

    @admin.display(description="URL")
    def feed_url(self, obj: FeedSource) -> str:
        return display_url(obj)


@admin.register(Show)
class ShowAdmin(_Admin):
    list_display = (
        "title",
        "primary_category",
        "language",
        "episode_count",
        "latest_episode_at",
        "featured",
        "hidden",
    )
    list_editable = ("featured", "hidden")
    list_filter = ("featured", "hidden", "language", "primary_category")
    list_select_related = ("primary_category",)
    search_fields = ("title", "author", "slug", "podcast_guid")
    readonly_fields = ("slug", "episode_count", "latest_episode_at", "created_at", "updated_at")
    raw_id_fields = ("primary_category",)
    inlines = (ShowFeedInline, ShowCategoryInline, ShowPersonInline)
    ordering = ("title",)
    show_full_result_count = False


@admin.register(Category)
class CategoryAdmin(_Admin):
    list_display = ("name_en", "name_nb", "apple_name", "slug", "parent", "position")
    list_editable = ("name_nb", "position")
    list_filter = (("parent", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("parent",)
    search_fields = ("name_en", "name_nb", "apple_name", "slug")
    ordering = ("parent__position", "parent_id", "position")


@admin.register(Episode)
class EpisodeAdmin(_Admin):
    list_display = ("title", "show", "published_at", "duration_seconds", "vanished_at")
    # Latest ingested first: no index orders every episode by date (`lytt.catalog.newest`), so the
    # model's order would sort the whole table for each page of the list.
    ordering = ("-pk",)
    list_filter = (("vanished_at", admin.EmptyFieldListFilter), "episode_type")
    list_select_related = ("show",)
    search_fields = ("title", "guid", "show__title")
    raw_id_fields = ("show",)
    readonly_fields = ("match_key", "content_hash", "vanished_at", "created_at", "updated_at")
    show_full_result_count = False


@admin.register(EpisodeAttachment)
class EpisodeAttachmentAdmin(_Admin):
    """Transcripts and chapters files: which fail and why (the URL is in each error)."""

    list_display = ("url", "kind", "episode", "fetched_at", "checked_at", "error_count", "error")
    ordering = ("-pk",)
    list_filter = ("kind", ("error", admin.EmptyFieldListFilter), "local")
    list_select_related = ("episode",)
    search_fields = ("url", "episode__title")
    raw_id_fields = ("episode",)
    exclude = ("items", "text")  # thousands of lines: shown on the episode page, not edited here
    readonly_fields = (
        "etag",
        "last_modified",
        "content_hash",
        "checked_at",
        "fetched_at",
        "status_code",
        "error",
        "error_count",
        "format",
    )
    show_full_result_count = False


#: Episodes a split offers to choose from, newest first.
SPLIT_EPISODES = 500


@admin.register(Person)
class PersonAdmin(_Admin):
    list_display = ("name", "slug", "href")
    search_fields = ("name", "slug", "href")
    actions = ("merge", "split")

    def _confirm(self, request: HttpRequest, template: str, context: dict[str, Any]) -> TemplateResponse:
        return TemplateResponse(
            request,
            f"admin/catalog/person/{template}.html",
            {**self.admin_site.each_context(request), "opts": self.model._meta, **context},
        )

    @admin.action(description="Merge the selected people into one")
    def merge(self, request: HttpRequest, queryset: QuerySet[Person]) -> TemplateResponse | None:
        chosen = list(queryset.order_by("pk"))
        if len(chosen) < 2:
            self.message_user(request, "Choose two or more people to merge.", messages.ERROR)
            return None
        if request.POST.get("confirm") == "yes":
            survivor = next((p for p in chosen if str(p.pk) == request.POST.get("survivor")), None)
            if survivor is not None:
                merge_people(survivor, chosen)
                self.message_user(
                    request,
                    f"{len(chosen) - 1} merged into {survivor.name} (#{survivor.pk}).",
                    messages.SUCCESS,
                )
                return None
            self.message_user(request, "Choose the person who stays.", messages.ERROR)
        links = Person.objects.filter(pk__in=[p.pk for p in chosen]).annotate(
            show_links=Count("showperson", distinct=True), episode_links=Count("episodeperson", distinct=True)
        )
        return self._confirm(request, "merge", {"people": links.order_by("pk"), "title": "Merge people"})

    @admin.action(description="Split shows or episodes off the selected person")
    def split(self, request: HttpRequest, queryset: QuerySet[Person]) -> TemplateResponse | None:
        chosen = list(queryset[:2])
        if len(chosen) != 1:
            self.message_user(request, "Choose exactly one person to split.", messages.ERROR)
            return None
        person = chosen[0]
        if request.POST.get("confirm") == "yes":
            try:
                new = split_person(
                    person,
                    _ids(request.POST.getlist("show")),
                    _ids(request.POST.getlist("episode")),
                    request.POST.get("name", ""),
                )
            except PeopleEditError as exc:
                self.message_user(request, f"Not split: {exc}.", messages.ERROR)
            else:
                self.message_user(request, f"Split off as {new.name} (#{new.pk}).", messages.SUCCESS)
                return None
        shows = Show.objects.filter(
            Q(showperson__person=person) | Q(episodes__episodeperson__person=person)
        ).distinct()
        episodes = (
            Episode.objects.filter(episodeperson__person=person)
            .select_related("show")
            .distinct()
            .order_by("-published_at", "-pk")[:SPLIT_EPISODES]
        )
        context = {"person": person, "shows": shows.order_by("title"), "episodes": episodes}
        return self._confirm(request, "split", {**context, "title": f"Split {person.name}"})


def _ids(values: list[str]) -> list[int]:
    return [int(value) for value in values if value.isdigit()]

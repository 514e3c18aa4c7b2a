"""Operators' view of listeners' sync data: read-mostly lists for support questions ("my phone does not
sync"). A listener's history is theirs: nothing here is editable except device captions and types.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from lytt.accounts.models import ApiToken, Device, EpisodeAction, Follow, Subscription


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ("device_id", "user", "caption", "type", "updated_at")
    list_filter = ("type",)
    search_fields = ("device_id", "user__username", "caption")
    readonly_fields = ("user", "device_id", "created_at", "updated_at")


@admin.register(Follow)
class FollowAdmin(ReadOnlyAdmin):
    list_display = ("user", "show", "created_at")
    search_fields = ("user__username", "show__title")
    list_select_related = ("user", "show")


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("user", "url", "show", "active", "updated_at")
    list_filter = ("active",)
    search_fields = ("user__username", "url")
    list_select_related = ("user", "show")


@admin.register(EpisodeAction)
class EpisodeActionAdmin(ReadOnlyAdmin):
    list_display = ("user", "action", "episode_url", "device", "position", "timestamp", "received_at")
    list_filter = ("action",)
    search_fields = ("user__username", "episode_url", "podcast_url")
    list_select_related = ("user", "device")
    date_hierarchy = "received_at"


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Personal API tokens by name and first characters; deleting one revokes it (the hash stays hidden)."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at")
    search_fields = ("user__username", "name", "prefix")
    list_select_related = ("user",)
    fields = ("name", "user", "prefix", "created_at", "last_used_at")

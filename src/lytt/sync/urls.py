"""gpodder.net API paths (the same as gpodder.net's, so clients need only the server's address)."""

from django.urls import URLPattern, URLResolver, re_path

from lytt.sync import directory, views

USER = r"(?P<username>[\w.@+-]+)"
DEVICE = r"(?P<device_id>[\w.-]+)"
FMT = r"(?P<fmt>json|opml|txt)"
COUNT = r"(?P<count>\d{1,4})"

urlpatterns: list[URLPattern | URLResolver] = [
    re_path(rf"^api/2/auth/{USER}/login\.json$", views.auth_login, name="sync-login"),
    re_path(rf"^api/2/auth/{USER}/logout\.json$", views.auth_logout, name="sync-logout"),
    re_path(rf"^api/2/devices/{USER}\.json$", views.device_list, name="sync-devices"),
    re_path(rf"^api/2/devices/{USER}/{DEVICE}\.json$", views.device_update, name="sync-device"),
    re_path(
        rf"^subscriptions/{USER}/{DEVICE}\.{FMT}$", views.simple_device_subscriptions, name="sync-simple"
    ),
    re_path(rf"^subscriptions/{USER}\.{FMT}$", views.simple_all_subscriptions, name="sync-simple-all"),
    re_path(
        rf"^api/2/subscriptions/{USER}/{DEVICE}\.json$", views.subscriptions_v2, name="sync-subscriptions"
    ),
    re_path(rf"^api/2/episodes/{USER}\.json$", views.episode_actions, name="sync-episodes"),
    re_path(
        rf"^api/2/settings/{USER}/(?P<scope>account|device|podcast|episode)\.json$",
        views.settings,
        name="sync-settings",
    ),
    re_path(rf"^api/2/sync-devices/{USER}\.json$", views.sync_devices, name="sync-sync-devices"),
    re_path(rf"^api/2/updates/{USER}/{DEVICE}\.json$", views.updates, name="sync-updates"),
    re_path(r"^clientconfig\.json$", directory.clientconfig, name="sync-clientconfig"),
    re_path(rf"^toplist/{COUNT}\.{FMT}$", directory.toplist, name="sync-toplist"),
    re_path(rf"^search\.{FMT}$", directory.search, name="sync-search"),
    re_path(rf"^suggestions/{COUNT}\.{FMT}$", directory.suggestions, name="sync-suggestions"),
    re_path(rf"^api/2/tags/{COUNT}\.json$", directory.top_tags, name="sync-tags"),
    re_path(rf"^api/2/tag/(?P<tag>[\w-]+)/{COUNT}\.json$", directory.tag_podcasts, name="sync-tag"),
    re_path(r"^api/2/data/podcast\.json$", directory.podcast_data, name="sync-podcast-data"),
    re_path(r"^api/2/data/episode\.json$", directory.episode_data, name="sync-episode-data"),
]

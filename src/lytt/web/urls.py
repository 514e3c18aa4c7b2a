"""Pages. Included last from the root URLconf: it has the catch-all-looking podcast/category paths."""

from __future__ import annotations

from django.contrib.sitemaps import views as sitemap_views
from django.urls import URLPattern, URLResolver, include, path
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from lytt.catalog.media import SAMPLE_AUDIO_PATH, SAMPLE_FEED_PATH
from lytt.web import people, queue, views
from lytt.web.sample.views import sample_audio, sample_feed
from lytt.web.sitemaps import SITEMAPS

_sitemap_cache = cache_control(public=True, max_age=3600)

pages: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("podcast/<slug:show_slug>/", views.show_page, name="show"),
    path("podcast/<slug:show_slug>/<slug:episode_slug>/", views.episode_page, name="episode"),
    path("people/<slug:person_slug>/", people.person_page, name="person"),
    path("category/", views.category_index, name="categories"),
    path("category/<slug:category_slug>/", views.category_page, name="category"),
    path("me/queue/", queue.queue_page, name="queue"),
    path("me/queue.json", queue.queue_json, name="queue_json"),
    path("me/queue/add/", queue.queue_add, name="queue_add"),
    path("me/queue/move/", queue.queue_move, name="queue_move"),
    path("me/queue/remove/", queue.queue_remove, name="queue_remove"),
    path("me/queue/clear/", queue.queue_clear, name="queue_clear"),
    path("me/queue/carry/", queue.queue_carry, name="queue_carry"),
    path("robots.txt", views.robots_txt, name="robots"),
    path(SAMPLE_AUDIO_PATH + "<slug:tone>/<int:seconds>.wav", sample_audio, name="sample-audio"),
    path(SAMPLE_FEED_PATH + "<slug:name>.xml", sample_feed, name="sample-feed"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include((pages, "web"))),
    # Outside the "web" namespace: Django's own views look these names up unqualified.
    # Switching the display language is harmless, and a CSRF token would make every page uncacheable.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path(
        "sitemap.xml",
        _sitemap_cache(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="django.contrib.sitemaps.views.index",
    ),
    path(
        "sitemap-<section>.xml",
        _sitemap_cache(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
]

"""/api/1.0/… paths, as Podcast Index names them."""

from django.urls import URLPattern, path

from lytt.api.podcastindex import hub, lookups, value, views

urlpatterns: list[URLPattern] = [
    path("search/byterm", views.search_byterm),
    path("search/bytitle", views.search_bytitle),
    path("search/byperson", views.search_byperson),
    path("podcasts/byfeedid", views.podcasts_byfeedid),
    path("podcasts/byfeedurl", views.podcasts_byfeedurl),
    path("podcasts/byguid", views.podcasts_byguid),
    path("podcasts/byitunesid", lookups.podcasts_byitunesid),
    path("podcasts/bytag", value.podcasts_bytag),
    path("podcasts/trending", views.podcasts_trending),
    path("episodes/byfeedid", views.episodes_byfeedid),
    path("episodes/byid", views.episodes_byid),
    path("episodes/byfeedurl", lookups.episodes_byfeedurl),
    path("episodes/byguid", views.episodes_byguid),
    path("episodes/random", lookups.episodes_random),
    path("recent/episodes", views.recent_episodes),
    path("recent/feeds", views.recent_feeds),
    path("recent/newfeeds", lookups.recent_newfeeds),
    path("categories/list", views.categories_list),
    path("stats/current", views.stats_current),
    path("value/byfeedid", value.value_byfeedid),
    path("value/byfeedurl", value.value_byfeedurl),
    path("hub/pubnotify", hub.pubnotify),
]

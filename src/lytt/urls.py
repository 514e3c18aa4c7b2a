"""Root URL map. Each app owns its own `urls.py`; the paths here are the public contract."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("lytt.sync.urls")),  # /api/2/…, /subscriptions/…, simple API
    path("", include("lytt.api.urls")),  # /api/v1/…, /api/1.0/…
    path("", include("lytt.api.openpodcast.urls")),  # /v1/… (the Open Podcast API)
    path("", include("lytt.accounts.urls")),  # /accounts/…, /me/…
    path("", include("lytt.search.urls")),  # /search/
    path("", include("lytt.charts.urls")),  # /charts/play/
    path("", include("lytt.web.urls")),  # pages; last, it has the catch-alls
]

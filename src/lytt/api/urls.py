"""/api/v1/ (Lytt's own API) and /api/1.0/ (Podcast Index-compatible)."""

from django.urls import URLPattern, URLResolver, include, path, re_path

from lytt.api import websub
from lytt.api.errors import not_found
from lytt.api.v1 import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", api.urls),
    re_path(r"^api/v1/.*$", not_found),
    path("api/1.0/", include("lytt.api.podcastindex.urls")),
    path("api/websub/<str:token>", websub.callback, name="websub-callback"),
]

"""/v1/: the Open Podcast API's paths as its specification writes them."""

from django.urls import URLPattern, path, re_path

from lytt.api.openpodcast import views

urlpatterns: list[URLPattern] = [
    path("v1/subscriptions", views.subscriptions, name="opa-subscriptions"),
    path("v1/subscriptions/<str:guid>", views.subscription, name="opa-subscription"),
    path("v1/deletions/<str:deletion_id>", views.deletion, name="opa-deletion"),
    re_path(r"^v1/.*$", views.not_found),
]

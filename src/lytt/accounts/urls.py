"""Listener pages under /accounts/ (auth) and /me/ (a listener's own data). Namespace: accounts."""

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, path

from lytt.accounts import bookmark_views, export, token_views, views

app_name = "accounts"

urlpatterns: list[URLPattern | URLResolver] = [
    path("accounts/login/", views.RateLimitedLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/change/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("accounts/password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("me/shows/", views.my_shows, name="my_shows"),
    path("me/follow/<slug:slug>/", views.follow, name="follow"),
    path("me/unfollow/<slug:slug>/", views.unfollow, name="unfollow"),
    path("me/progress/", views.progress, name="progress"),
    path("me/played/", views.played, name="played"),
    path("me/history/", views.history, name="history"),
    path("me/continue/", views.continue_listening, name="continue_listening"),
    path("me/shows.opml", views.opml_export, name="opml_export"),
    path("me/import/", views.opml_import, name="opml_import"),
    path("me/tokens/", token_views.token_page, name="tokens"),
    path("me/tokens/<int:token_id>/revoke/", token_views.revoke_token, name="revoke_token"),
    path("me/export.json", export.export_view, name="export"),
    path("me/bookmarks/", bookmark_views.bookmarks_page, name="bookmarks"),
    path("me/bookmarks/add/", bookmark_views.add_bookmark, name="add_bookmark"),
    path("me/bookmarks/<int:bookmark_id>/delete/", bookmark_views.delete_bookmark, name="delete_bookmark"),
]

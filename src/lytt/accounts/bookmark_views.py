"""The listener's bookmarks page: every kept moment, newest first, each linking to its time; delete one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lytt.accounts import listening
from lytt.accounts.models import Bookmark
from lytt.accounts.views import _user

PAGE = 200


@login_required
@require_GET
def bookmarks_page(request: HttpRequest) -> HttpResponse:
    bookmarks = list(
        Bookmark.objects.filter(user=_user(request))
        .select_related("episode__show")
        .order_by("-created_at", "-id")[:PAGE]
    )
    return render(request, "accounts/bookmarks.html", {"bookmarks": bookmarks})


@login_required
@require_POST
def delete_bookmark(request: HttpRequest, bookmark_id: int) -> HttpResponse:
    if listening.delete_bookmark(_user(request), bookmark_id):
        messages.success(request, _("The bookmark was deleted."))
    return redirect("accounts:bookmarks")

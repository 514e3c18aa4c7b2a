"""{% follow_button show %}: a CSRF-protected follow/unfollow form, or a sign-in link when anonymous;
`action_label`: an episode action as the listening history says it."""

from __future__ import annotations

from typing import Any

from django import template
from django.middleware.csrf import get_token
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from lytt.accounts.models import EpisodeAction
from lytt.accounts.services import is_following
from lytt.catalog.models import Show

register = template.Library()

# The gpodder.net action names are API values in English; the history page says what happened.
ACTION_LABELS: dict[str, Promise] = {
    EpisodeAction.Action.PLAY: pgettext_lazy("history action", "Played"),
    EpisodeAction.Action.DOWNLOAD: pgettext_lazy("history action", "Downloaded"),
    EpisodeAction.Action.DELETE: pgettext_lazy("history action", "Deleted"),
    EpisodeAction.Action.NEW: pgettext_lazy("history action", "Marked as new"),
    EpisodeAction.Action.FLATTR: pgettext_lazy("history action", "Flattr"),
}


@register.filter
def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


@register.inclusion_tag("accounts/follow_button.html", takes_context=True)
def follow_button(context: template.Context, show: Show) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    authenticated = bool(user is not None and user.is_authenticated)
    following = authenticated and is_following(user, show.pk)
    return {
        "show": show,
        "authenticated": authenticated,
        "following": following,
        "next": request.get_full_path() if request is not None else f"/podcast/{show.slug}/",
        # A plain Context has no csrf_token; the form must still carry one.
        "csrf_token": context.get("csrf_token") or (get_token(request) if request is not None else None),
    }

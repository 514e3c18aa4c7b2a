"""{% follow_button show %}: a CSRF-protected follow/unfollow form, or a sign-in link when anonymous;
{% episode_bookmarks episode start %}: the listener's bookmarks in an episode and the form to keep one;
`action_label`: an episode action as the listening history says it."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import template
from django.contrib.auth.models import User
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, pgettext_lazy

from lytt.accounts import listening
from lytt.accounts.models import EpisodeAction
from lytt.accounts.services import is_following
from lytt.catalog.models import Episode, Show

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


@register.simple_tag(takes_context=True)
def follow_button(context: template.Context, show: Show) -> SafeString:
    """The follow (or unfollow) form of a signed-in listener, else the sign-in link that comes back to
    follow. Built in Python, not an included template. Show and episode pages put a placeholder instead,
    which `lytt.web.marks` fills in the same statement as the page's marks."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    back = request.get_full_path() if request is not None else f"/podcast/{show.slug}/"
    if user is None or not user.is_authenticated:
        return format_html(
            '<a class="follow-button follow-button--signin" href="{}?next={}&amp;follow={}">{}</a>',
            reverse("accounts:login"),
            quote(back, safe="/"),
            quote(show.slug, safe="/"),
            gettext("Sign in to follow"),
        )
    # A plain Context has no csrf_token; the form must still carry one.
    token = context.get("csrf_token") or (get_token(request) if request is not None else None)
    return follow_form(show.slug, is_following(user, show.pk), str(token) if token else None, back)


def follow_form(slug: str, following: bool, csrf_token: str | None, back: str) -> SafeString:
    """A signed-in listener's follow (or, `following`, unfollow) form for the show `slug`, coming back to
    `back`; also what `lytt.web.marks` fills a signed-in page's follow placeholder with."""
    csrf = (
        format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_token)
        if csrf_token
        else ""
    )
    if following:
        action, pressed, modifier = "accounts:unfollow", "true", " follow-button--following"
        label = f"{gettext('Following')} · {gettext('Unfollow')}"
    else:
        action, pressed, modifier, label = "accounts:follow", "false", "", gettext("Follow")
    return format_html(
        '<form class="follow-form" method="post" action="{}">{}<input type="hidden" name="next" value="{}">'
        '<button type="submit" class="follow-button{}" aria-pressed="{}">{}</button></form>',
        reverse(action, kwargs={"slug": slug}),
        csrf,
        back,
        modifier,
        pressed,
        label,
    )


@register.inclusion_tag("accounts/episode_bookmarks.html", takes_context=True)
def episode_bookmarks(
    context: template.Context, episode: Episode, start: int | None = None
) -> dict[str, Any]:
    """A signed-in listener's bookmarks in `episode` (times link there) and a form that keeps a moment, its
    time field holding `start` (the page's ?t= or where the listener stopped); anonymous: a sign-in link
    that comes back here."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    authenticated = isinstance(user, User) and user.is_authenticated
    episode_url = reverse("web:episode", args=[episode.show.slug, episode.slug])
    return {
        "authenticated": authenticated,
        "episode": episode,
        "episode_url": episode_url,
        "start": max(0, int(start or 0)),
        "bookmarks": listening.episode_bookmarks(user, episode.pk) if isinstance(user, User) else [],
        "next": request.get_full_path() if request is not None else episode_url,
        "login_url": reverse("accounts:login"),
        "messages": context.get("messages", ()),
        "csrf_token": context.get("csrf_token") or (get_token(request) if request is not None else None),
    }

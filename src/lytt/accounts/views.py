"""Website views for listeners: sign-in and account pages, follows, progress, history, OPML."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lytt.accounts import ratelimit, services
from lytt.accounts.backends import BACKEND
from lytt.accounts.formats import FormatError, opml_document, urls_from_opml
from lytt.accounts.models import EpisodeAction, Follow
from lytt.accounts.progress import Mark, ProgressError, parse_progress_payload
from lytt.catalog.models import Episode, Show
from lytt.ratelimit import client_address

HISTORY_PAGE = 100
CONTINUE_PAGE = 50


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        label=gettext_lazy("Email"),
        required=False,
        help_text=gettext_lazy("Only used to reset your password."),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")


def _pending_follow(request: HttpRequest) -> Show | None:
    """The show a "Sign in to follow" link asked to follow once signed in (its `follow` parameter)."""
    slug = request.POST.get("follow") or request.GET.get("follow")
    return Show.objects.filter(slug=str(slug)).first() if slug else None


def _sign_in_context(request: HttpRequest, next_url: str | None) -> dict[str, Any]:
    """What the sign-in and sign-up pages need to carry a pending follow, and to link to each other."""
    show = _pending_follow(request)
    carried = {"next": next_url or "", "follow": show.slug if show is not None else ""}
    return {"pending_follow": show, "carry_query": urlencode({k: v for k, v in carried.items() if v})}


def _follow_pending(request: HttpRequest, user: User) -> None:
    """Follow the show the sign-in or sign-up form carried: the form is a CSRF-checked POST, and the page
    named the show, so this is the listener's own request, done once they are signed in."""
    show = _pending_follow(request)
    if show is not None:
        services.follow_show(user, show)
        messages.success(request, _("You follow %(show)s.") % {"show": show.title})


class RateLimitedLoginView(auth_views.LoginView):
    """Django's LoginView, refusing attempts once an IP or a user name has failed too often; a follow
    asked for by "Sign in to follow" is done on success."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    next_page = reverse_lazy("accounts:my_shows")  # type: ignore[assignment]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = str(request.POST.get("username", ""))
        lock = ratelimit.check(client_address(request), username)
        if lock is not None:
            minutes = max(1, (lock.retry_after + 59) // 60)
            form = self.get_form()
            form.errors.clear()
            form.add_error(
                None,
                _("Too many failed sign-in attempts. Try again in %(minutes)d minutes.")
                % {"minutes": minutes},
            )
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(lock.retry_after)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        ratelimit.record_failure(client_address(self.request), str(self.request.POST.get("username", "")))
        return super().form_invalid(form)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        ratelimit.record_success(form.get_user().get_username())
        response = super().form_valid(form)
        _follow_pending(self.request, form.get_user())
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(_sign_in_context(self.request, self.get_redirect_url()))
        return context


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:my_shows")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend=BACKEND)
        messages.success(request, _("Welcome to Lytt, %(name)s.") % {"name": user.username})
        _follow_pending(request, user)
        return redirect(_safe_next(request) or reverse("accounts:my_shows"))
    next_url = _safe_next(request)
    context = {"form": form, "next": next_url or "", **_sign_in_context(request, next_url)}
    return render(request, "accounts/signup.html", context)


def _user(request: HttpRequest) -> User:
    """The signed-in user (views call this behind login_required or an is_authenticated check)."""
    user = request.user
    assert isinstance(user, User), "view reached without a signed-in user"
    return user


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return str(target)
    return None


def _back(request: HttpRequest, show: Show) -> HttpResponse:
    return redirect(_safe_next(request) or f"/podcast/{show.slug}/")


@require_POST
def follow(request: HttpRequest, slug: str) -> HttpResponse:
    if not request.user.is_authenticated:
        query = urlencode({"next": f"/podcast/{slug}/", "follow": slug})
        return redirect(f"{reverse('accounts:login')}?{query}")
    show = get_object_or_404(Show, slug=slug)
    services.follow_show(_user(request), show)
    messages.success(request, _("You follow %(show)s.") % {"show": show.title})
    return _back(request, show)


@require_POST
def unfollow(request: HttpRequest, slug: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next=/podcast/{slug}/")
    show = get_object_or_404(Show, slug=slug)
    services.unfollow_show(_user(request), show)
    messages.success(request, _("You no longer follow %(show)s.") % {"show": show.title})
    return _back(request, show)


@login_required
@require_GET
def my_shows(request: HttpRequest) -> HttpResponse:
    services.link_pending_subscriptions(_user(request))
    follows = list(Follow.objects.filter(user=_user(request)).select_related("show").order_by("show__title"))
    show_ids = [f.show_id for f in follows]
    new_episodes = list(
        Episode.objects.filter(show_id__in=show_ids, vanished_at__isnull=True, published_at__isnull=False)
        .select_related("show")
        .order_by("-published_at", "-id")[:30]
    )
    pending = _user(request).subscriptions.filter(active=True, show__isnull=True).order_by("url")
    return render(
        request,
        "accounts/my_shows.html",
        {"follows": follows, "new_episodes": new_episodes, "pending": pending},
    )


@login_required
@require_GET
def continue_listening(request: HttpRequest) -> HttpResponse:
    items = services.continue_listening(_user(request), CONTINUE_PAGE)
    return render(request, "accounts/continue.html", {"items": items})


@require_POST
def played(request: HttpRequest) -> HttpResponse:
    """Mark an episode played (``played=1``) or unplayed (``played=0``) by hand; back to ``next``, or for a
    script's request (``Accept: application/json``) the new mark ``{"episode", "position", "at",
    "finished"}``."""
    wants_json = "application/json" in request.headers.get("Accept", "")
    raw = str(request.POST.get("episode", ""))
    if not request.user.is_authenticated:
        if wants_json:
            return JsonResponse({"error": "sign in to mark episodes played"}, status=403)
        return redirect(f"{reverse('accounts:login')}?next={_safe_next(request) or '/'}")
    choice = request.POST.get("played")
    if not raw.isdigit() or choice not in ("0", "1"):
        return JsonResponse({"error": "expected 'episode' (an id) and 'played' (1 or 0)"}, status=400)
    episode = get_object_or_404(Episode.objects.select_related("show"), pk=int(raw))
    kept = services.mark_played(_user(request), episode, choice == "1")
    if wants_json:
        return JsonResponse(
            {**_mark_json(episode.pk, Mark(kept.position, kept.timestamp)), "finished": kept.finished}
        )
    return redirect(_safe_next(request) or reverse("web:episode", args=[episode.show.slug, episode.slug]))


@login_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    actions = list(
        EpisodeAction.objects.filter(user=_user(request))
        .select_related("episode", "show", "device")
        .order_by("-timestamp", "-id")[:HISTORY_PAGE]
    )
    return render(request, "accounts/history.html", {"actions": actions})


def _progress_body(request: HttpRequest) -> bytes:
    """The JSON of a progress report: the body, or for a form post (the player's `sendBeacon`, which can
    set no header and so sends the CSRF token as the form field `csrfmiddlewaretoken`) its `progress`."""
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return str(request.POST.get("progress", "")).encode()
    return request.body


def _mark_json(episode_id: int, mark: Mark) -> dict[str, Any]:
    return {"episode": episode_id, "position": mark.position, "at": mark.at.isoformat()}


@require_http_methods(["GET", "POST"])
def progress(request: HttpRequest) -> HttpResponse:
    """Read (GET ``?episode=<id>``) or save player positions.

    POST: one JSON object, or a list of them (carrying browser-kept positions over); see
    `parse_progress_payload`. 204 when everything was saved; otherwise 200 with ``{"saved": n}`` plus
    ``"unknown_episodes": [ids]`` for episodes that no longer exist (in a list; a single unknown episode is
    a 404) and ``"newer": [{"episode", "position", "at"}]`` for reports refused because the account knows
    a newer position (`lytt.accounts.progress.accepts`).
    """
    if not request.user.is_authenticated:
        return JsonResponse({"error": "sign in to save your position"}, status=403)
    if request.method == "GET":
        return _progress_of(request)
    body = _progress_body(request)
    try:
        items = parse_progress_payload(body, now=timezone.now())
    except ProgressError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    episodes = Episode.objects.select_related("show").in_bulk([item.episode_id for item in items])
    missing = sorted({item.episode_id for item in items} - episodes.keys())
    bulk = body.lstrip().startswith(b"[")
    if missing and not bulk:
        return JsonResponse({"error": f"unknown episode id: {missing[0]}"}, status=404)
    newer = []
    for item in items:
        if item.episode_id not in episodes:
            continue
        kept = services.record_web_progress(
            _user(request),
            episodes[item.episode_id],
            position=item.position,
            total=item.total,
            started=item.started,
            timestamp=item.at,
            deliberate=item.deliberate,
        )
        if kept is not None:
            newer.append(_mark_json(item.episode_id, kept))
    if not missing and not newer:
        return HttpResponse(status=204)
    result: dict[str, Any] = {"saved": len(items) - len(missing) - len(newer)}
    if missing:
        # Positions carried over from a browser may name episodes that are gone: keep the rest.
        result["unknown_episodes"] = missing
    if newer:
        result["newer"] = newer
    return JsonResponse(result)


def _progress_of(request: HttpRequest) -> HttpResponse:
    """The newest position in one episode: ``{"episode", "position", "at", "finished"}``; 404 if none."""
    raw = request.GET.get("episode", "")
    if not raw.isdigit():
        return JsonResponse({"error": f"'episode' must be an episode id, not {raw!r}"}, status=400)
    kept = services.newest_position(_user(request), int(raw))
    if kept is None:
        return JsonResponse({"error": f"no position in episode {raw}"}, status=404)
    return JsonResponse(
        {**_mark_json(kept.episode_id, Mark(kept.position, kept.timestamp)), "finished": kept.finished}
    )


@login_required
@require_GET
def opml_export(request: HttpRequest) -> HttpResponse:
    services.link_pending_subscriptions(_user(request))
    urls = services.active_subscription_urls(_user(request))
    shows = services.shows_for_urls(urls)
    outlines = [(shows[url].title if url in shows else url, url) for url in urls]
    body = opml_document(f"Lytt: {_user(request).get_username()}", outlines)
    response = HttpResponse(body, content_type="text/x-opml; charset=utf-8")
    stamp = dt.date.today().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="lytt-{_user(request).get_username()}-{stamp}.opml"'
    )
    return response


class OpmlUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("OPML file"))


@login_required
@require_http_methods(["GET", "POST"])
def opml_import(request: HttpRequest) -> HttpResponse:
    form = OpmlUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read(5_000_000 + 1)
        try:
            if len(data) > 5_000_000:
                raise FormatError("the OPML file is larger than 5 MB")
            accepted, rejected = urls_from_opml(data)
        except FormatError as exc:
            form.add_error("file", str(exc))
        else:
            current = set(services.active_subscription_urls(_user(request)))
            services.apply_subscription_changes(
                _user(request), None, [u for u in accepted if u not in current], []
            )
            messages.success(
                request,
                _("Imported %(count)d feeds.") % {"count": len(accepted)}
                + (
                    " " + _("Skipped %(count)d entries that are not feed URLs.") % {"count": len(rejected)}
                    if rejected
                    else ""
                ),
            )
            return redirect("accounts:my_shows")
    return render(request, "accounts/opml_import.html", {"form": form})


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/form_page.html"
    success_url = reverse_lazy("accounts:password_change_done")
    extra_context = {
        "heading": gettext_lazy("Change password"),
        "submit_label": gettext_lazy("Change password"),
    }


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/message_page.html"
    extra_context = {
        "heading": gettext_lazy("Password changed"),
        "message": gettext_lazy("Your password was changed."),
    }


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/form_page.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    extra_context = {
        "heading": gettext_lazy("Reset your password"),
        "submit_label": gettext_lazy("Send reset link"),
    }


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/message_page.html"
    extra_context = {
        "heading": gettext_lazy("Check your email"),
        "message": gettext_lazy(
            "If an account has that address, we sent it a link to choose a new password."
        ),
    }


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/form_page.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    extra_context = {
        "heading": gettext_lazy("Choose a new password"),
        "submit_label": gettext_lazy("Set password"),
    }


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/message_page.html"
    extra_context = {
        "heading": gettext_lazy("Password set"),
        "message": gettext_lazy("Your new password is set. You can sign in now."),
    }

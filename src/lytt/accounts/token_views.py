"""The account page for personal API tokens: make one (shown once), list them, revoke one."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from lytt.accounts import tokens
from lytt.accounts.models import ApiToken
from lytt.accounts.views import _user


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=tokens.MAX_NAME,
        help_text=gettext_lazy("Which app or script the token is for."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def token_page(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_token = tokens.create_token(_user(request), form.cleaned_data["name"])
        except tokens.TokenError as exc:
            form.add_error("name", str(exc))
        else:
            form = TokenForm()
    context = {
        "form": form,
        "new_token": new_token,
        "tokens": ApiToken.objects.filter(user=_user(request)).order_by("-created_at", "-id"),
    }
    response = render(request, "accounts/tokens.html", context, status=400 if form.errors else 200)
    # The new token is in this page only: no cache or back button may show it again.
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    if tokens.revoke_token(_user(request), token_id):
        messages.success(request, _("The token was revoked. Apps that used it are signed out."))
    return redirect("accounts:tokens")

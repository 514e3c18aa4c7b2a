"""Who is asking, and the error answers: the edges every Open Podcast API view shares.

The published specification names OAuth 2.0 scopes but specifies no login flow, so Lytt takes what its
other listener APIs take: `Authorization: Bearer` with a personal token (made on the account page or with
`lytt user token NAME`), or the website's session cookie, whose unsafe requests need the CSRF token as
forms do. Errors are the specification's `Error` object, `{"code", "message"}`, plus `field` when one
input is to blame.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from ninja.utils import check_csrf

from lytt.accounts import tokens
from lytt.api.me import bearer_token
from lytt.api.openpodcast.payloads import OpaError
from lytt.api.ratelimit import listener_limit
from lytt.ratelimit import hit

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NOT_SIGNED_IN = "User not authorized: send Authorization: Bearer TOKEN (make a token on your account page)"

View = Callable[..., HttpResponse]


def error(status: int, message: str, field: str | None = None) -> JsonResponse:
    """The specification's Error object; `field` names the input at fault."""
    body: dict[str, Any] = {"code": status, "message": message}
    if field is not None:
        body["field"] = field
    return JsonResponse(body, status=status)


def _private(response: HttpResponse) -> HttpResponse:
    """A listener's data: never kept by shared caches, and different per token or cookie."""
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Authorization", "Cookie"])
    return response


def _listener(request: HttpRequest) -> User | HttpResponse:
    token = bearer_token(request)
    if token is not None:
        user = tokens.user_for_token(token)
    elif isinstance(request.user, User) and request.user.is_active:
        if request.method in UNSAFE and check_csrf(request) is not None:
            return error(403, "CSRF check failed: send the csrftoken cookie's value as X-CSRFToken")
        user = request.user
    else:
        user = None
    if user is None:
        response = error(
            401, NOT_SIGNED_IN if token is None else "User not authorized: unknown or revoked token"
        )
        response["WWW-Authenticate"] = 'Bearer realm="Lytt"'
        return response
    decision = hit(f"user:{user.pk}", listener_limit())
    if not decision.allowed:
        response = error(429, f"rate limit of {decision.limit} requests per minute exceeded")
        response["Retry-After"] = str(decision.retry_after)
        return response
    return user


def endpoint(*methods: str) -> Callable[[View], View]:
    """A view taking `methods` for the signed-in listener: `view(request, user, ...)`. Refuses other
    methods (405 with Allow), anonymous requests (401) and NUL characters; an `OpaError` becomes its
    error answer."""
    allowed = ", ".join(methods)

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = error(
                    405, f"method {request.method} is not allowed at {request.path}; use {allowed}"
                )
                response["Allow"] = allowed
                return response
            user = _listener(request)
            if isinstance(user, HttpResponse):
                return _private(user)
            try:
                for name, values in request.GET.lists():
                    if "\x00" in name or any("\x00" in value for value in values):
                        raise OpaError(f"the parameter {name!r} contains a NUL character", field=name)
                answer: HttpResponse = view(request, user, *args, **kwargs)
            except OpaError as exc:
                answer = error(exc.status, str(exc), exc.field)
            return _private(answer)

        return wrapper

    return decorate

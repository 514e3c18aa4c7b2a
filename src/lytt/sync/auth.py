"""Authentication for the gpodder.net API: HTTP Basic on any call, or the session cookie it leaves.

mygpoclient sends credentials only after a 401 challenge and then relies on the cookie, so a successful
Basic login also signs the session in. A user name in the path must be the authenticated user's (in any
case, as at sign-in).
Failed Basic logins count towards the same rate limits as the website's sign-in form.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, login
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from lytt.accounts import ratelimit
from lytt.accounts.backends import BACKEND, same_username
from lytt.ratelimit import client_address
from lytt.sync.payloads import ApiError

REALM = "Lytt gpodder.net API"
CREDENTIALS_CACHE_SECONDS = 300

View = Callable[..., HttpResponse]


def error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def challenge(message: str = "authentication required") -> JsonResponse:
    response = error(message, 401)
    response["WWW-Authenticate"] = f'Basic realm="{REALM}", charset="UTF-8"'
    return response


def _basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ("", "")
    username, sep, password = decoded.partition(":")
    return (username, password) if sep else ("", "")


def _credentials_key(username: str, password: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{username}\0{password}".encode(), hashlib.sha256)
    return f"lytt:basic:{digest.hexdigest()}"


def _cached_basic_user(username: str, password: str) -> User | None:
    """The user these exact credentials proved to be recently, if the password has not changed since.

    Apps such as AntennaPod send HTTP Basic on every call; checking a PBKDF2 hash each time would cost
    a third of a second per request. The cache holds only an HMAC of the credentials and the password
    hash they matched, so a password change or deactivation ends the shortcut at once.
    """
    cached = cache.get(_credentials_key(username, password))
    if cached is None:
        return None
    user_id, password_hash = cached
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.password != password_hash or not same_username(user.get_username(), username):
        return None
    return user


def _remember_basic_user(username: str, password: str, user: User) -> None:
    cache.set(
        _credentials_key(username, password), (user.pk, user.password), timeout=CREDENTIALS_CACHE_SECONDS
    )


def authenticate_request(request: HttpRequest) -> User | HttpResponse:
    """The API user for this request, or the 401/429 response to send."""
    credentials = _basic_credentials(request)
    if credentials is None:
        if request.META.get("HTTP_AUTHORIZATION"):
            return challenge("only HTTP Basic authentication is supported")
        if isinstance(request.user, User) and request.user.is_active:
            return request.user
        return challenge()
    username, password = credentials
    ip = client_address(request)
    lock = ratelimit.check(ip, username)
    if lock is not None:
        response = error(f"too many failed logins; try again in {lock.retry_after} seconds", 429)
        response["Retry-After"] = str(lock.retry_after)
        return response
    user = _cached_basic_user(username, password)
    if user is None:
        authenticated = authenticate(request, username=username, password=password)
        if not isinstance(authenticated, User):
            ratelimit.record_failure(ip, username)
            return challenge("wrong user name or password")
        user = authenticated
        _remember_basic_user(username, password, user)
        ratelimit.record_success(username)
    if getattr(request, "user", None) != user:
        login(request, user, backend=BACKEND)
    request.user = user
    return user


def api_view(
    methods: tuple[str, ...], *, user_in_path: bool = True, auth: bool = True
) -> Callable[[View], View]:
    """Wrap an API view: CSRF-exempt, no caching, method check, auth and path-user check, ApiError → 4xx.

    The wrapped view gets the authenticated `User` as its second argument when `auth` is set.
    """

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = error(f"method {request.method} not allowed here", 405)
                response["Allow"] = ", ".join(methods)
                return response
            try:
                if not auth:
                    return view(request, *args, **kwargs)
                user = authenticate_request(request)
                if isinstance(user, HttpResponse):
                    return user
                if user_in_path and not same_username(kwargs.get("username", ""), user.get_username()):
                    return error("you can only access your own data", 403)
                return view(request, user, *args, **kwargs)
            except ApiError as exc:
                return error(str(exc), exc.status)
            except RequestDataTooBig:
                return error("the request body is too large; upload in smaller batches", 413)
            except OperationalError as exc:
                if "locked" not in str(exc):
                    raise
                # SQLite stayed busy past its timeout (another process writing): ask the app to retry.
                response = error("the server is busy; try again shortly", 503)
                response["Retry-After"] = "5"
                return response

        return csrf_exempt(never_cache(wrapper))

    return decorate

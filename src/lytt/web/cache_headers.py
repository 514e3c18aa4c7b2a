"""HTTP caching for pages: public and short-lived for anonymous readers, private for signed-in ones.

ETags come from ConditionalGetMiddleware (settings). Pages vary by language, which LocaleMiddleware picks
from the cookie or Accept-Language, so both are in Vary.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

PAGE_MAX_AGE = 120

View = Callable[..., HttpResponse]


def page_cache(max_age: int = PAGE_MAX_AGE) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if response.status_code != 200:
                return response
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                patch_cache_control(response, private=True, no_cache=True)
            else:
                patch_cache_control(response, public=True, max_age=max_age)
            patch_vary_headers(response, ("Cookie", "Accept-Language"))
            return response

        return wrapped

    return decorate

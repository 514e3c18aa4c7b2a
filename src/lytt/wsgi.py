"""The WSGI application: Django behind the anonymous-page micro-cache (see lytt.web.pagecache).

This is the one WSGI entry point: `lytt serve` runs it under Granian, and any other WSGI server deploying
`lytt.wsgi:application` gets the same cache. `LYTT_PAGE_CACHE=0` leaves Django bare.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lytt.settings")

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from lytt.web.pagecache import PageCache, WSGIApp

django_application = get_wsgi_application()

from lytt.web.language import language_for  # noqa: E402 - needs configured settings


def build(app: WSGIApp) -> WSGIApp:
    """Wrap `app` in the page cache unless LYTT_PAGE_CACHE turns it off."""
    if os.environ.get("LYTT_PAGE_CACHE", "1").strip().lower() in {"0", "false", "no", "off"}:
        return app
    return PageCache(
        app,
        language_for=language_for,
        session_cookie=settings.SESSION_COOKIE_NAME,
        language_cookie=settings.LANGUAGE_COOKIE_NAME,
    )


application = build(django_application)

"""A micro-cache in front of Django for anonymous page views (WSGI middleware).

Public pages already say `Cache-Control: public, max-age=N`: any proxy or CDN may keep them for N seconds.
This does the same inside each server process, so a directory served straight from `lytt serve` answers a
popular page without running Django at all. Rules, all conservative:

- Only GET/HEAD requests without a session cookie, a messages cookie, an Authorization or a Range header (a
  signed-in reader always gets a fresh, private page), and only responses that are 200, `public` with a
  max-age, set no cookie, and vary on nothing but Cookie and Accept-Language. Any other response passes
  through as the application streams it, never read into memory.
- The key is host, path, query and the language LocaleMiddleware would pick (cookie, then Accept-Language,
  then the default). A response is stored only when its Content-Language agrees with that choice, so a
  mistake in guessing the language can cost a cache miss but never serve the wrong language.
- Entries live at most the response's max-age (and `LYTT_PAGE_CACHE_SECONDS`), with an `Age` header; the
  cache is bounded in entries and bytes (LRU). `LYTT_PAGE_CACHE=0` turns it off.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age=(\d+)", re.I)
_ALLOWED_VARY = {"cookie", "accept-language", "accept-encoding"}
_PRIVATE_COOKIES = ("sessionid", "messages")


@dataclass(frozen=True, slots=True)
class Entry:
    stored_at: float
    expires_at: float
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str | None


def max_age(cache_control: str) -> int | None:
    """The max-age of a `public` response that forbids nothing relevant; None means do not store."""
    lowered = cache_control.lower()
    if "public" not in lowered or any(d in lowered for d in ("private", "no-store", "no-cache")):
        return None
    match = _MAX_AGE.search(lowered)
    return int(match.group(1)) if match else None


def storable(status: str, headers: list[tuple[str, str]]) -> int | None:
    """Seconds a response may be kept, or None when it must not be cached."""
    if not status.startswith("200"):
        return None
    names = {name.lower(): value for name, value in headers}
    if "set-cookie" in names:
        return None
    vary = {v.strip().lower() for v in names.get("vary", "").split(",") if v.strip()}
    if not vary <= _ALLOWED_VARY:
        return None
    return max_age(names.get("cache-control", ""))


def _cookies(environ: dict[str, Any]) -> dict[str, str]:
    raw = environ.get("HTTP_COOKIE", "")
    if not raw:
        return {}
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except CookieError:
        return {"__unparsable__": "1"}
    return {key: morsel.value for key, morsel in jar.items()}


class PageCache:
    def __init__(
        self,
        app: WSGIApp,
        *,
        language_for: Callable[[dict[str, str], str], str],
        session_cookie: str = "sessionid",
        language_cookie: str = "django_language",
        max_entries: int = 2000,
        max_bytes: int = 64 * 1024 * 1024,
        max_seconds: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.language_for = language_for
        self.private_cookies = {session_cookie, *_PRIVATE_COOKIES}
        self.language_cookie = language_cookie
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_seconds = (
            max_seconds if max_seconds is not None else int(os.environ.get("LYTT_PAGE_CACHE_SECONDS", "120"))
        )
        self.clock = clock
        self.entries: OrderedDict[tuple[str, ...], Entry] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    # -- keys --------------------------------------------------------------------------------------------
    def key_for(self, environ: dict[str, Any]) -> tuple[str, ...] | None:
        if environ.get("REQUEST_METHOD") not in {"GET", "HEAD"} or environ.get("HTTP_AUTHORIZATION"):
            return None
        if "HTTP_RANGE" in environ:
            return None  # a part of a file (audio seeking), never a page: a kept 200 would defeat it
        cookies = _cookies(environ)
        if "__unparsable__" in cookies or self.private_cookies & cookies.keys():
            return None
        language = self.language_for(cookies, environ.get("HTTP_ACCEPT_LANGUAGE", ""))
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
        scheme = environ.get("wsgi.url_scheme", "http")
        return (scheme, host, environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), language)

    # -- storage -----------------------------------------------------------------------------------------
    def get(self, key: tuple[str, ...]) -> Entry | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            if entry.expires_at <= self.clock():
                self._drop(key)
                return None
            self.entries.move_to_end(key)
            return entry

    def put(self, key: tuple[str, ...], entry: Entry) -> None:
        if len(entry.body) > self.max_bytes // 4:
            return
        with self.lock:
            if key in self.entries:
                self._drop(key)
            self.entries[key] = entry
            self.size += len(entry.body)
            while len(self.entries) > self.max_entries or self.size > self.max_bytes:
                self._drop(next(iter(self.entries)))

    def _drop(self, key: tuple[str, ...]) -> None:
        entry = self.entries.pop(key)
        self.size -= len(entry.body)

    # -- WSGI --------------------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        key = self.key_for(environ)
        if key is None:
            return self.app(environ, start_response)
        entry = self.get(key)
        if entry is not None:
            self.hits += 1
            return self._serve(entry, environ, start_response)
        self.misses += 1
        if environ.get("REQUEST_METHOD") != "GET":
            return self.app(environ, start_response)
        return self._fill(key, environ, start_response)

    def _serve(self, entry: Entry, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        age = str(int(self.clock() - entry.stored_at))
        headers = [*entry.headers, ("Age", age)]
        match = environ.get("HTTP_IF_NONE_MATCH")
        if entry.etag and match and entry.etag in {tag.strip() for tag in match.split(",")}:
            kept = [(n, v) for n, v in headers if n.lower() in {"etag", "cache-control", "vary", "age"}]
            start_response("304 Not Modified", kept)
            return []
        start_response(entry.status, headers)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [entry.body]

    def _fill(
        self, key: tuple[str, ...], environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        # Conditional headers would turn a 200 into a 304 with no body to keep: render the whole page.
        inner = {
            k: v for k, v in environ.items() if k not in {"HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE"}
        }
        captured: dict[str, Any] = {}

        def capture(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], Any]:
            captured["status"], captured["headers"] = status, headers
            return lambda _data: None  # legacy write(): Django never uses it

        result = self.app(inner, capture)
        status: str = captured["status"]
        headers: list[tuple[str, str]] = captured["headers"]
        seconds = storable(status, headers)
        named = {name.lower(): value for name, value in headers}
        if not seconds or int(named.get("content-length") or 0) > self.max_bytes // 4:
            start_response(status, headers)
            return result  # not kept: streamed as the application made it (the server closes it)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        if named.get("content-language", key[-1]) == key[-1]:
            now = self.clock()
            ttl = min(seconds, self.max_seconds)
            entry = Entry(now, now + ttl, status, tuple(headers), body, named.get("etag"))
            self.put(key, entry)
            return self._serve(entry, environ, start_response)
        start_response(status, headers)
        return [body]

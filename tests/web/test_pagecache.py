from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lytt.web.pagecache import Entry, PageCache, max_age, storable

from .conftest import MakeShow


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingApp:
    """A real (tiny) WSGI application that numbers its responses."""

    def __init__(self, headers: list[tuple[str, str]] | None = None, status: str = "200 OK") -> None:
        self.calls = 0
        self.status = status
        self.headers = headers or [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Cache-Control", "public, max-age=120"),
            ("Vary", "Cookie, Accept-Language"),
            ("Content-Language", "nb"),
            ("ETag", '"v1"'),
        ]

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.calls += 1
        start_response(self.status, list(self.headers))
        return [f"page {self.calls} for {environ['PATH_INFO']}".encode()]


def _environ(path: str = "/podcast/x/", **extra: str) -> dict[str, Any]:
    return {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "HTTP_HOST": "h", **extra}


def _call(app: PageCache, environ: dict[str, Any]) -> tuple[str, dict[str, str], bytes]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], body


def _cache(app: CountingApp, clock: Clock | None = None, **kwargs: Any) -> PageCache:
    return PageCache(app, language_for=lambda cookies, accept: "nb", clock=clock or Clock(), **kwargs)


def test_anonymous_pages_are_served_from_the_cache_until_max_age() -> None:
    clock = Clock()
    inner = CountingApp()
    app = _cache(inner, clock)
    assert _call(app, _environ())[2] == b"page 1 for /podcast/x/"
    clock.now += 119
    status, headers, body = _call(app, _environ())
    assert (status, body, headers["Age"]) == ("200 OK", b"page 1 for /podcast/x/", "119")
    clock.now += 2
    assert _call(app, _environ())[2] == b"page 2 for /podcast/x/"
    assert inner.calls == 2


def test_conditional_requests_get_304_from_the_cache() -> None:
    app = _cache(CountingApp())
    _call(app, _environ())
    status, headers, body = _call(app, _environ(HTTP_IF_NONE_MATCH='"v0", "v1"'))
    assert status == "304 Not Modified"
    assert body == b""
    assert headers["ETag"] == '"v1"'


def test_first_conditional_request_still_fills_the_cache() -> None:
    inner = CountingApp()
    app = _cache(inner)
    status, _, _ = _call(app, _environ(HTTP_IF_NONE_MATCH='"v1"'))
    assert status == "304 Not Modified"
    assert _call(app, _environ())[2] == b"page 1 for /podcast/x/"
    assert inner.calls == 1


@pytest.mark.parametrize(
    "extra",
    [
        {"HTTP_COOKIE": "sessionid=abc"},
        {"HTTP_COOKIE": "messages=xyz; other=1"},
        {"HTTP_AUTHORIZATION": "Basic eDp5"},
        {"REQUEST_METHOD": "POST"},
        {"HTTP_RANGE": "bytes=0-"},  # a part of a file: a kept 200 would defeat seeking
    ],
)
def test_private_requests_always_reach_the_application(extra: dict[str, str]) -> None:
    inner = CountingApp()
    app = _cache(inner)
    _call(app, _environ(**extra))
    _call(app, _environ(**extra))
    assert inner.calls == 2


def test_keys_separate_paths_queries_hosts_and_languages() -> None:
    inner = CountingApp()
    languages = iter(["nb", "nb", "nb", "nb", "en"])
    app = PageCache(inner, language_for=lambda c, a: next(languages), clock=Clock())
    _call(app, _environ("/a/"))
    _call(app, _environ("/b/"))
    _call(app, _environ("/a/", QUERY_STRING="page=2"))
    _call(app, _environ("/a/", HTTP_HOST="other"))
    _call(app, _environ("/a/"))  # "en" now; the response says nb, so it is served but not stored
    assert inner.calls == 5


@pytest.mark.parametrize(
    "headers",
    [
        [("Cache-Control", "private, max-age=60")],
        [("Cache-Control", "public, max-age=60"), ("Set-Cookie", "a=b")],
        [("Cache-Control", "public, max-age=60"), ("Vary", "Authorization")],
        [("Cache-Control", "public, no-cache")],
        [("Content-Type", "text/html")],
    ],
)
def test_responses_that_forbid_caching_are_not_stored(headers: list[tuple[str, str]]) -> None:
    inner = CountingApp(headers=headers)
    app = _cache(inner)
    _call(app, _environ())
    _call(app, _environ())
    assert inner.calls == 2


class StreamingApp:
    """A WSGI application whose body is a generator that records how far it was read."""

    def __init__(self, headers: list[tuple[str, str]]) -> None:
        self.headers = headers
        self.read = 0
        self.closed = False

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response("200 OK", list(self.headers))
        return self.body()

    def body(self) -> Iterator[bytes]:
        try:
            for _ in range(3):
                self.read += 1
                yield b"x" * 10
        finally:
            self.closed = True


@pytest.mark.parametrize(
    "headers",
    [
        [("Cache-Control", "max-age=86400"), ("Content-Length", "30")],  # not public
        [("Cache-Control", "public, max-age=60"), ("Content-Length", str(64 * 1024 * 1024))],  # too big
    ],
)
def test_a_response_it_will_not_keep_is_streamed_not_read(headers: list[tuple[str, str]]) -> None:
    inner = StreamingApp(headers)
    app = _cache(CountingApp())
    app.app = inner
    seen: dict[str, Any] = {}
    body = app(_environ(), lambda status, headers, exc_info=None: seen.update(status=status))
    assert seen["status"] == "200 OK"
    assert inner.read == 0  # nothing read before the server asks for it
    assert next(iter(body)) == b"x" * 10
    assert inner.read == 1
    assert not app.entries


def test_errors_are_not_stored() -> None:
    inner = CountingApp(status="404 Not Found")
    app = _cache(inner)
    assert _call(app, _environ())[0] == "404 Not Found"
    _call(app, _environ())
    assert inner.calls == 2


def test_the_cache_is_bounded() -> None:
    inner = CountingApp()
    app = _cache(inner, max_entries=3)
    for n in range(10):
        _call(app, _environ(f"/p/{n}/"))
    assert len(app.entries) == 3
    assert app.size == sum(len(e.body) for e in app.entries.values())
    _call(app, _environ("/p/9/"))
    assert inner.calls == 10


def test_head_is_answered_from_the_cache_without_a_body() -> None:
    app = _cache(CountingApp())
    _call(app, _environ())
    status, _, body = _call(app, _environ(REQUEST_METHOD="HEAD"))
    assert (status, body) == ("200 OK", b"")


def test_max_age_and_storable() -> None:
    assert max_age("public, max-age=120") == 120
    assert max_age("max-age=120") is None
    assert max_age("public, s-maxage=5") is None
    assert storable("200 OK", [("Cache-Control", "public, max-age=9"), ("Vary", "Accept-Encoding")]) == 9


@pytest.fixture
def keep_connection_open() -> Iterator[None]:
    """Django closes old database connections around each request; inside a test transaction that would
    end the test's transaction, so (like Django's test client) keep the connection meanwhile."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("keep_connection_open")
def test_with_django_a_page_is_rendered_once_per_language(make_show: MakeShow) -> None:
    from lytt.wsgi import build, django_application

    make_show("insight", episodes=1)
    app = build(django_application)
    assert isinstance(app, PageCache)
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/podcast/insight/",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": __import__("io").BytesIO(b""),
        "wsgi.errors": __import__("sys").stderr,
    }
    _, headers, nb_body = _call(app, {**environ, "HTTP_ACCEPT_LANGUAGE": "nb"})
    assert headers["Content-Language"] == "nb"
    _, headers, en_body = _call(app, {**environ, "HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.8"})
    assert headers["Content-Language"] == "en"
    assert "Episoder (1)" in nb_body.decode()
    assert "Episodes (1)" in en_body.decode()
    _call(app, {**environ, "HTTP_ACCEPT_LANGUAGE": "en"})
    _call(app, {**environ, "HTTP_COOKIE": "django_language=en"})
    assert (app.hits, app.misses) == (2, 2)
    _, _, private = _call(app, {**environ, "HTTP_COOKIE": "sessionid=nope"})
    assert private == nb_body  # rendered afresh (not counted), same anonymous page
    assert (app.hits, app.misses) == (2, 2)


@given(
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 400), st.integers(0, 200)), max_size=80),
    st.integers(1, 10),
    st.integers(200, 3000),
)
def test_lru_accounting_holds_for_any_sequence(
    operations: list[tuple[int, int, int]], max_entries: int, max_bytes: int
) -> None:
    clock = Clock()
    app = PageCache(
        CountingApp(),
        language_for=lambda c, a: "nb",
        clock=clock,
        max_entries=max_entries,
        max_bytes=max_bytes,
    )
    for key, size, advance in operations:
        clock.now += advance
        app.put(("k", str(key)), Entry(clock.now, clock.now + 120, "200 OK", (), b"x" * size, None))
        app.get(("k", str((key * 7) % 31)))
        assert len(app.entries) <= max_entries
        assert app.size <= max_bytes
        assert app.size == sum(len(e.body) for e in app.entries.values())


def test_the_deployed_wsgi_application_has_the_page_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """`lytt.wsgi:application`, the usual Django entry point, is what `lytt serve` runs: cached."""
    from lytt import wsgi

    assert isinstance(wsgi.application, PageCache)
    monkeypatch.setenv("LYTT_PAGE_CACHE", "0")
    assert wsgi.build(wsgi.django_application) is wsgi.django_application

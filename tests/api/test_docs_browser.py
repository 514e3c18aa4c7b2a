"""/api/v1/docs in real Chromium that cannot reach any host but this one: Swagger UI comes from Lytt's own
static files (django-ninja's bundle), so the page renders its operations on a network without a CDN."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from tests.web.test_browser import browser  # noqa: F401 (the module's Chromium, as a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every host but this one is unreachable from the page's context: its requests go to a proxy on a port
# nothing listens on; only the live server's own host bypasses it.
DEAD_PROXY = {"server": "http://127.0.0.1:9", "bypass": "localhost"}


def test_docs_render_the_operations_from_lytts_own_files(browser: Any, live_server: Any) -> None:  # noqa: F811
    requested: list[str] = []
    failed: list[str] = []
    context = browser.new_context(proxy=DEAD_PROXY)
    page = context.new_page()
    page.on("request", lambda request: requested.append(request.url))
    page.on("requestfailed", lambda request: failed.append(request.url))
    try:
        response = page.goto(f"{live_server.url}/api/v1/docs")
        assert response is not None
        assert response.status == 200
        page.wait_for_selector(".opblock-summary-path", timeout=15_000)
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        assert any("/shows" in p for p in paths), paths
        assert "Lytt API" in page.locator(".info .title").inner_text()
        assert page.evaluate("fetch('https://example.com/').then(() => 'reached', () => 'unreachable')") == (
            "unreachable"
        )
        requested.remove("https://example.com/")
        failed.remove("https://example.com/")
    finally:
        context.close()
    assert failed == []
    hosts = {urlsplit(url).hostname for url in requested if not url.startswith("data:")}
    assert hosts == {"localhost"}, requested
    assert any("/static/ninja/swagger-ui-bundle.js" in url for url in requested)

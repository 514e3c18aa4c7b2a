"""The search page's "Showing results for" in real Chromium, in Bokmål and English, on the sample catalogue
(ingested through the real parser; the index and the spelling vocabulary filled by ingest's signal)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from ..web.conftest import restore_taxonomy  # noqa: F401  (the live server's fixtures, and Chromium)
from ..web.test_browser import browser, lytt_server  # noqa: F401

pytestmark = pytest.mark.browser

TEXTS = {
    "en": {"showing": "Showing results for", "as_typed": "as typed", "nothing": "Nothing matches"},
    "nb": {
        "showing": "Viser resultater for",
        "as_typed": "slik det ble skrevet",
        "nothing": "Ingenting passer",
    },
}


@pytest.fixture
def sample_server(lytt_server: str) -> str:  # noqa: F811
    from lytt.catalog.models import Category
    from lytt.catalog.taxonomy import sync_categories
    from lytt.web.sample import load_sample_catalogue

    with transaction.atomic():  # transactional tests flush the data migration's taxonomy after each test
        sync_categories(Category)
    assert load_sample_catalogue().loaded
    return lytt_server


@pytest.mark.parametrize("language", ["en", "nb"])
def test_showing_results_for_the_corrected_query(browser: Any, sample_server: str, language: str) -> None:  # noqa: F811
    texts = TEXTS[language]
    context = browser.new_context(locale="en-GB" if language == "en" else "nb-NO")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{sample_server}/search/")
    page.locator("#search-page-q").fill("myanmer")
    page.locator("#search-page-q").press("Enter")
    page.wait_for_url("**/search/?q=myanmer*")
    corrected = page.locator(".search-corrected")
    assert corrected.locator("strong").inner_text() == "myanmar"
    assert corrected.inner_text().startswith(f"{texts['showing']} myanmar")
    assert "Insight Myanmar" in page.locator(".search-hit--show").first.inner_text()
    assert page.locator(".search-hit--show mark").first.inner_text() == "Myanmar"

    # The query as typed, one click away: it finds nothing, and says so.
    as_typed = corrected.locator("a")
    assert texts["as_typed"] in as_typed.inner_text()
    as_typed.click()
    page.wait_for_url("**exact=1*")
    assert page.locator(".search-corrected").count() == 0
    assert texts["nothing"] in page.locator(".search-empty").inner_text()
    assert page.locator("#search-page-q").input_value() == "myanmer"

    # Norwegian letters typed without them.
    page.goto(f"{sample_server}/search/?q=snofall")
    assert page.locator(".search-corrected strong").inner_text() == "snøfall"
    assert "Mandag: strømpriser og snøfall" in page.locator(".search-hit--episode h3").first.inner_text()
    # A prefix finds the show without claiming a correction.
    page.goto(f"{sample_server}/search/?q=kode")
    assert page.locator(".search-corrected").count() == 0
    assert "Kodekveld" in page.locator(".search-hit--show").first.inner_text()
    assert not errors
    context.close()

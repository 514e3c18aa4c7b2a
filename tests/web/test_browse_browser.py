"""A category page in real Chromium on a phone-sized screen: sorted A–Å, then on to page 2, with
JavaScript (links swap the page's main part) and without it (plain links)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from lytt.catalog.models import Category, Show, ShowCategory
from lytt.web import browse

from .test_browser import browser, lytt_server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
TITLES = ["Åpen post", "Zebra", "Ærlig talt", "Østlandet", "Bølger", "Alfa", "Kode"]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_category_sorted_a_to_aa_pages_to_page_two(
    browser: Any,  # noqa: F811 (fixture)
    lytt_server: str,  # noqa: F811 (fixture)
    monkeypatch: pytest.MonkeyPatch,
    javascript: bool,
) -> None:
    monkeypatch.setattr(browse, "PER_PAGE", 4)
    category = Category.objects.create(slug="t-lyd", apple_name="Sound", name_en="Sound", name_nb="Lyd")
    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    for n, title in enumerate(TITLES):
        show = Show.objects.create(slug=f"show-{n}", title=title, latest_episode_at=start)
        ShowCategory.objects.create(show=show, category=category)
    context = browser.new_context(locale="nb-NO", java_script_enabled=javascript, **PHONE)
    try:
        page = context.new_page()
        page.goto(f"{lytt_server}/category/t-lyd/")
        expect(page.get_by_role("heading", name="Podkaster i Lyd")).to_be_visible()
        page.get_by_role("link", name="A–Å").click()
        titles = page.locator(".category-shows .show-grid .title")
        expect(titles).to_have_text(["Alfa", "Bølger", "Kode", "Zebra"])
        expect(page.get_by_role("link", name="A–Å")).to_have_attribute("aria-current", "true")
        page.get_by_role("link", name="Neste side").click()
        expect(titles).to_have_text(["Ærlig talt", "Østlandet", "Åpen post"])
        assert "sort=az" in page.url
        assert "after=" in page.url
        expect(page.get_by_role("link", name="Neste side")).to_have_count(0)
        # Nothing wider than the phone's screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_role("link", name="Forrige side").click()
        expect(titles).to_have_text(["Alfa", "Bølger", "Kode", "Zebra"])
    finally:
        context.close()

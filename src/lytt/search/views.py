"""The website's search page, /search/?q=…: shows, episodes and transcripts, highlighted, with filters
and paging.

Works without JavaScript (a plain GET form); `static/lytt/search.js` adds suggestions while typing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from lytt.catalog.models import Category
from lytt.search import Filters, SearchError, SearchResults, search
from lytt.search.people import people_in_results
from lytt.search.transcripts import TranscriptResults, search_transcripts

PAGE_SIZE = 20
SHOWS_ON_MIXED_PAGE = 6
KINDS = ("all", "shows", "episodes", "transcripts")
LANGUAGES = ("", "nb", "en")
PERIODS = {"": None, "week": 7, "month": 31, "year": 366}
MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class Form:
    """The page's parameters, cleaned: anything unknown falls back to the default, never an error."""

    q: str
    kind: str
    category: str
    language: str
    period: str
    page: int
    exact: bool = False  # search only as typed: no completions, folded letters or corrections

    @classmethod
    def from_request(cls, request: HttpRequest) -> Form:
        get = request.GET
        try:
            page = min(max(int(get.get("page", "1")), 1), MAX_PAGE)
        except ValueError:
            page = 1
        kind = get.get("kind", "all")
        language = get.get("language", "")
        period = get.get("period", "")
        return cls(
            q=get.get("q", "").strip()[:500],
            kind=kind if kind in KINDS else "all",
            category=get.get("category", "").strip()[:100],
            language=language if language in LANGUAGES else "",
            period=period if period in PERIODS else "",
            page=page,
            exact=get.get("exact", "") == "1",
        )

    def filters(self) -> Filters:
        days = PERIODS[self.period]
        return Filters(
            category=self.category or None,
            language=self.language or None,
            since=timezone.now() - timedelta(days=days) if days else None,
        )

    def url(self, **changes: Any) -> str:
        values = {
            "q": self.q,
            "kind": self.kind,
            "category": self.category,
            "language": self.language,
            "period": self.period,
            "page": self.page,
            "exact": 1 if self.exact else 0,
            **changes,
        }
        defaults = {"kind": "all", "category": "", "language": "", "period": "", "page": 1, "exact": 0}
        query = {k: v for k, v in values.items() if v != defaults.get(k)}
        return "?" + urlencode(query)


def search_page(request: HttpRequest) -> HttpResponse:
    form = Form.from_request(request)
    shows: SearchResults | None = None
    episodes: SearchResults | None = None
    transcripts: TranscriptResults | None = None
    error = ""
    if form.q:
        try:
            filters = form.filters()
            offset = (form.page - 1) * PAGE_SIZE
            exact = form.exact
            if form.kind == "transcripts":
                transcripts = search_transcripts(form.q, limit=PAGE_SIZE, offset=offset)
            elif form.kind == "shows":
                shows = search(
                    form.q, kind="shows", filters=filters, limit=PAGE_SIZE, offset=offset, exact=exact
                )
            elif form.kind == "episodes":
                episodes = search(
                    form.q, kind="episodes", filters=filters, limit=PAGE_SIZE, offset=offset, exact=exact
                )
            else:
                if form.page == 1:
                    shows = search(
                        form.q, kind="shows", filters=filters, limit=SHOWS_ON_MIXED_PAGE, exact=exact
                    )
                episodes = search(
                    form.q, kind="episodes", filters=filters, limit=PAGE_SIZE, offset=offset, exact=exact
                )
        except SearchError as exc:
            error = str(exc)
    paged: SearchResults | TranscriptResults | None = {"shows": shows, "transcripts": transcripts}.get(
        form.kind, episodes
    )
    corrected = next((r.corrected for r in (shows, episodes) if r is not None and r.corrected), "")
    people = (
        people_in_results(corrected or form.q, (shows, episodes))
        if form.kind == "all" and form.page == 1
        else []
    )
    context = {
        "form": form,
        "search_query": form.q,
        "shows": shows,
        "episodes": episodes,
        "transcripts": transcripts,
        "people": [] if error else people,
        "error": error,
        "categories": Category.objects.filter(parent__isnull=True).order_by("position", "name_en"),
        "previous_url": form.url(page=form.page - 1) if paged is not None and paged.has_previous else "",
        "next_url": form.url(page=form.page + 1) if paged is not None and paged.has_next else "",
        "all_shows_url": form.url(kind="shows", page=1),
        "corrected": corrected,
        "exact_url": form.url(page=1, exact=1),
    }
    return render(request, "lytt/search/results.html", context, status=400 if error else 200)

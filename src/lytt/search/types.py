"""Public value types of `lytt.search` (no Django models here, so they import anywhere)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from django.utils.safestring import SafeString

Kind = Literal["shows", "episodes"]
Field = Literal["all", "title", "people"]


class SearchError(ValueError):
    """Bad search input that the caller should report (an unknown category, an inverted date range…)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Filters:
    """Narrow a search. Every filter is optional; they combine with AND."""

    show_id: int | None = None
    category: str | None = None  # a category slug; includes its subcategories
    language: str | None = None  # "en" matches "en", "en-us", "en-GB"…
    since: datetime | None = None  # published at or after
    until: datetime | None = None  # published before
    exclude_explicit: bool = False


@dataclass(slots=True)
class Hit:
    kind: Kind
    id: int
    score: float
    title_html: SafeString
    snippet_html: SafeString
    obj: Any  # the catalogue Show or Episode (with .show loaded)


@dataclass(slots=True)
class SearchResults:
    query: str
    kind: Kind
    total: int
    limit: int
    offset: int
    hits: list[Hit] = field(default_factory=list)
    # True when only the newest matches were ranked: ``total`` is then a lower bound ("1000+").
    total_capped: bool = False
    # When nothing matched as typed and the results are for a corrected query ("myanmar" for "myanmer"):
    # that query, for "Showing results for …". Empty otherwise.
    corrected: str = ""

    @property
    def total_display(self) -> str:
        """The total for people: "300+" when only the newest matches were counted."""
        return f"{self.total}+" if self.total_capped else str(self.total)

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.hits) < self.total

    @property
    def has_previous(self) -> bool:
        return self.offset > 0


@dataclass(frozen=True, slots=True)
class Suggestion:
    kind: Kind
    id: int
    title: str
    title_html: SafeString
    url: str

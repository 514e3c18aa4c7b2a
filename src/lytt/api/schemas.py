"""Response shapes of the public API v1 (they are the OpenAPI schema clients see)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema


class ErrorDetail(Schema):
    code: str
    message: str
    field: str | None = None


class ErrorOut(Schema):
    error: ErrorDetail


class CategoryRef(Schema):
    slug: str
    name_en: str
    name_nb: str


class CategoryOut(Schema):
    id: int
    slug: str
    name_en: str
    name_nb: str
    parent: str | None  # the parent's slug


class PersonOut(Schema):
    id: int
    slug: str
    url: str = Field(description="the person's page on this site (absolute)")
    name: str
    href: str
    img: str


class PersonRole(Schema):
    id: int
    name: str
    role: str
    group: str


class ShowOut(Schema):
    id: int
    slug: str
    url: str  # the show's page on this site
    title: str
    author: str
    description: str
    image_url: str
    link: str
    language: str
    explicit: bool | None
    feed_url: str | None
    podcast_guid: str
    episode_count: int
    latest_episode_at: datetime | None
    categories: list[CategoryRef]


class EpisodeOut(Schema):
    id: int
    show_id: int
    show_title: str
    slug: str
    url: str
    title: str
    description: str
    description_html: str
    published_at: datetime | None
    duration_seconds: int | None
    enclosure_url: str
    enclosure_type: str
    enclosure_length: int | None
    image_url: str
    link: str
    guid: str
    episode_number: int | None
    season: int | None
    episode_type: str
    explicit: bool | None
    chapters_url: str
    transcripts: list[dict[str, str | None]]
    people: list[PersonRole]


class NewShowOut(ShowOut):
    first_seen_at: datetime  # when this directory first read the show


class TrendingShowOut(ShowOut):
    trend_score: float  # how far its plays and follows rise over their usual rate (see docs/api.md)


class NewShowPage(Schema):
    items: list[NewShowOut]
    next_cursor: str | None


class TrendingOut(Schema):
    items: list[TrendingShowOut]


class ShowPage(Schema):
    items: list[ShowOut]
    next_cursor: str | None


class EpisodePage(Schema):
    items: list[EpisodeOut]
    next_cursor: str | None


class PersonPage(Schema):
    items: list[PersonOut]
    next_cursor: str | None


class CategoryList(Schema):
    items: list[CategoryOut]


class SearchHitOut(Schema):
    kind: Literal["shows", "episodes"]
    id: int
    score: float
    title_html: str
    snippet_html: str
    show: ShowOut | None
    episode: EpisodeOut | None


class SearchOut(Schema):
    query: str
    kind: Literal["shows", "episodes"]
    total: int
    total_capped: bool  # only the newest matches were ranked: `total` is a lower bound
    items: list[SearchHitOut]
    next_cursor: str | None


class SuggestionOut(Schema):
    kind: Literal["shows", "episodes"]
    id: int
    title: str
    title_html: str
    url: str


class SuggestOut(Schema):
    query: str
    items: list[SuggestionOut]


class ChartOut(Schema):
    category: str | None
    items: list[ShowOut]

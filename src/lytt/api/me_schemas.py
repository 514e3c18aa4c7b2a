"""Request and response shapes of the listener endpoints under /api/v1/me/ (their OpenAPI schema).

Request fields are strict: an id sent as the string "12" or as `true` is refused with 422 naming the field,
instead of being read as a number.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema

from lytt.accounts.listening import MAX_NOTE, MAX_QUEUE
from lytt.accounts.progress import MAX_SECONDS
from lytt.catalog.models import MAX_ID

EpisodeId = Annotated[int, Field(strict=True, ge=1, le=MAX_ID, description="an episode id of this API")]


class QueueEpisodeOut(Schema):
    id: int
    title: str
    show_id: int
    show_title: str
    url: str  # the episode's page on this site
    enclosure_url: str
    enclosure_type: str
    duration_seconds: int | None
    position: int = Field(description="the listener's newest play position in seconds (0: not started)")
    finished: bool
    added_at: datetime


class QueueOut(Schema):
    episodes: list[QueueEpisodeOut]


class QueueIn(Schema):
    episodes: list[EpisodeId] = Field(
        ..., max_length=MAX_QUEUE, description="the whole queue, first to play first; each id once"
    )


class QueueAddIn(Schema):
    episode: EpisodeId
    position: Literal["next", "last"] = Field("last", description="play it next, or after everything else")


class ProgressOut(Schema):
    episode_id: int
    position: int = Field(description="seconds")
    total: int | None = Field(description="the episode's length in seconds, when known")
    started: int = Field(description="where the listening session began, in seconds")
    finished: bool
    updated_at: datetime = Field(description="when the listener was there (the client's clock)")


class ProgressPage(Schema):
    items: list[ProgressOut]
    next_cursor: str | None


class BookmarkIn(Schema):
    episode: EpisodeId
    position: int = Field(..., strict=True, ge=0, le=MAX_SECONDS, description="seconds from the start")
    note: str = Field("", max_length=MAX_NOTE)


class BookmarkOut(Schema):
    id: int
    episode_id: int
    episode_title: str
    show_title: str
    url: str = Field(description="the episode's page on this site, starting at the bookmark")
    position: int
    note: str
    created_at: datetime


class BookmarkPage(Schema):
    items: list[BookmarkOut]
    next_cursor: str | None

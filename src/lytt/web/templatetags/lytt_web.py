"""Template filters for the site: localised dates, durations and counts, excerpts, media URLs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import get_language

from lytt.web import formatting
from lytt.web.media import playable_url

register = template.Library()


def _language() -> str:
    return get_language() or "nb"


@register.filter
def duration(seconds: int | None) -> str:
    return formatting.format_duration(seconds, _language())


@register.filter
def day(value: datetime | None) -> str:
    if value is None:
        return ""
    return formatting.format_day(timezone.localtime(value), _language())


@register.filter
def count(value: int) -> str:
    return formatting.format_count(int(value or 0), _language())


@register.filter
def excerpt(text: str | None, limit: int = 200) -> str:
    return formatting.excerpt(text, int(limit))


@register.filter
def clock(seconds: float) -> str:
    return formatting.format_clock(float(seconds or 0))


@register.filter
def category_name(category: Any) -> str:
    return str(category.name_for(_language())) if category is not None else ""


@register.simple_tag
def media_url(url: str) -> str:
    """The URL of artwork or audio, with the sample catalogue's files resolved to root-relative paths.

    Root-relative, not absolute, so that fragments rendered once are valid under any host name.
    """
    return playable_url(url)


@register.filter
def whole_seconds(seconds: float | None) -> int:
    return int(float(seconds or 0))

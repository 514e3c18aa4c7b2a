"""Pure reading and writing of Open Podcast API messages: query parameters, request bodies, entries.

Field names, defaults and shapes are the published specification's (openpodcastapi.org, "Subscriptions":
`feed_url`, `guid`, `is_subscribed`, `subscription_changed`, `guid_changed`, `new_guid`, `deleted`;
`page` from 1, `per_page` 50 by default). A request the specification's types rule out is an `OpaError`
naming the parameter or the field (`subscriptions[2].feed_url`); a feed URL that cannot be a feed is not
an error of the request but a `failure` item of the answer, as the specification's example shows.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lytt.accounts.guids import GuidError, clean_guid
from lytt.feeds.feed_urls import InvalidFeedURL, normalise_feed_url

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 1000
MAX_NEW_SUBSCRIPTIONS = 1000
# The specification's "Validation exception" response.
VALIDATION_STATUS = 405
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")
_PATCH_FIELDS = ("new_feed_url", "new_guid", "is_subscribed")


class OpaError(ValueError):
    """A request the API refuses: the HTTP status, a message naming the input, and the field if one."""

    def __init__(self, message: str, *, status: int = VALIDATION_STATUS, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.field = field


def format_time(when: dt.datetime) -> str:
    """ISO 8601 in UTC with milliseconds and `Z`, as the specification's examples write times."""
    utc = when.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_since(raw: str | None) -> dt.datetime | None:
    """`since`: an ISO 8601 date and time (without an offset, UTC); None when absent."""
    if raw is None or raw == "":
        return None
    text = raw.strip()
    try:
        if not _DATE_TIME.match(text):
            raise ValueError
        when = dt.datetime.fromisoformat(text)
        return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise OpaError(
            f"since must be an ISO 8601 date and time such as 2022-04-23T18:25:43.511Z, not {raw!r}",
            field="since",
        ) from None


def parse_positive(raw: str | None, name: str, default: int, maximum: int) -> int:
    """`page` or `per_page`: a whole number from 1 (to `maximum`); `default` when absent."""
    if raw is None or raw == "":
        return default
    try:
        value = float(raw.strip())
    except ValueError:
        raise OpaError(f"{name} must be a whole number, not {raw!r}", field=name) from None
    if not value.is_integer() or not 1 <= value <= maximum:
        raise OpaError(f"{name} must be a whole number from 1 to {maximum}, not {raw!r}", field=name)
    return int(value)


def load_body(body: bytes, content_type: str) -> Any:
    """The request body as JSON (read whatever the Content-Type says, but XML, which Lytt does not speak)."""
    if "xml" in content_type.lower():
        raise OpaError("XML bodies are not supported; send JSON (Content-Type: application/json)", status=415)
    try:
        return json.loads(body.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise OpaError("the request body is not UTF-8", field="body") from None
    except ValueError as exc:
        raise OpaError(f"the request body is not valid JSON: {exc}", field="body") from None


def _guid(value: Any, field: str) -> str:
    try:
        return clean_guid(value, field)
    except GuidError as exc:
        raise OpaError(str(exc), field=field) from None


@dataclass(frozen=True, slots=True)
class NewFeed:
    """One item of a POST: the URL as sent, its canonical form (None with `problem`), the client's GUID."""

    sent: str
    url: str | None
    guid: str | None
    problem: str = ""


def parse_new_subscriptions(data: Any) -> list[NewFeed]:
    """A POST body, `{"subscriptions": [{"feed_url": ..., "guid"?: ...}, ...]}`, checked whole first."""
    if not isinstance(data, Mapping) or "subscriptions" not in data:
        raise OpaError('the body must be an object with a "subscriptions" list', field="subscriptions")
    items = data["subscriptions"]
    if not isinstance(items, list):
        raise OpaError("subscriptions must be a list of objects", field="subscriptions")
    if len(items) > MAX_NEW_SUBSCRIPTIONS:
        raise OpaError(
            f"at most {MAX_NEW_SUBSCRIPTIONS} subscriptions per request, not {len(items)}",
            status=413,
            field="subscriptions",
        )
    feeds = []
    for n, item in enumerate(items):
        where = f"subscriptions[{n}]"
        if not isinstance(item, Mapping):
            raise OpaError(f"{where} must be an object with a feed_url", field=where)
        unknown = sorted(set(item) - {"feed_url", "guid"})
        if unknown:
            raise OpaError(f"{where} has unknown fields: {', '.join(unknown)}", field=f"{where}.{unknown[0]}")
        sent = item.get("feed_url")
        if not isinstance(sent, str):
            raise OpaError(f"{where}.feed_url must be a string", field=f"{where}.feed_url")
        guid = _guid(item["guid"], f"{where}.guid") if item.get("guid") is not None else None
        try:
            feeds.append(NewFeed(sent, normalise_feed_url(sent), guid))
        except InvalidFeedURL as exc:
            feeds.append(NewFeed(sent, None, guid, str(exc)))
    return feeds


@dataclass(frozen=True, slots=True)
class Update:
    """A PATCH body: what the client changes (None: left as it is)."""

    new_feed_url: str | None = None
    new_guid: str | None = None
    is_subscribed: bool | None = None


def parse_update(data: Any) -> Update:
    """A PATCH body: at least one of `new_feed_url`, `new_guid`, `is_subscribed`, and nothing else."""
    if not isinstance(data, Mapping):
        raise OpaError("the body must be an object", field="body")
    unknown = sorted(set(data) - set(_PATCH_FIELDS))
    if unknown:
        raise OpaError(
            f"unknown fields: {', '.join(unknown)}; allowed: {', '.join(_PATCH_FIELDS)}", field=unknown[0]
        )
    if not any(data.get(name) is not None for name in _PATCH_FIELDS):
        raise OpaError(f"send at least one of {', '.join(_PATCH_FIELDS)}", field="body")
    url = data.get("new_feed_url")
    if url is not None:
        if not isinstance(url, str):
            raise OpaError("new_feed_url must be a string", field="new_feed_url")
        try:
            url = normalise_feed_url(url)
        except InvalidFeedURL as exc:
            raise OpaError(f"new_feed_url: {exc}", field="new_feed_url") from None
    subscribed = data.get("is_subscribed")
    if subscribed is not None and not isinstance(subscribed, bool):
        raise OpaError("is_subscribed must be true or false", field="is_subscribed")
    guid = _guid(data["new_guid"], "new_guid") if data.get("new_guid") is not None else None
    return Update(url, guid, subscribed)


@dataclass(frozen=True, slots=True)
class Entry:
    """A subscription as the API shows it (what `lytt.accounts` stores, without the ORM)."""

    feed_url: str
    guid: str
    new_guid: str
    is_subscribed: bool
    subscription_changed: dt.datetime
    guid_changed: dt.datetime | None
    deleted: dt.datetime | None


def entry_out(entry: Entry, since: dt.datetime | None = None) -> dict[str, Any]:
    """The specification's Subscription object. `guid` is the one the client knew at `since` (the first
    one without it); `new_guid` and `guid_changed` appear only when there is a newer GUID, `deleted` only
    for a deleted subscription."""
    known_newer = since is not None and entry.guid_changed is not None and entry.guid_changed <= since
    guid = entry.new_guid if entry.new_guid and known_newer else entry.guid
    out: dict[str, Any] = {
        "feed_url": entry.feed_url,
        "guid": guid,
        "is_subscribed": entry.is_subscribed,
        "subscription_changed": format_time(entry.subscription_changed),
    }
    if entry.new_guid and entry.new_guid != guid:
        out["new_guid"] = entry.new_guid
        if entry.guid_changed is not None:
            out["guid_changed"] = format_time(entry.guid_changed)
    if entry.deleted is not None:
        out["deleted"] = format_time(entry.deleted)
    return out


def page_links(query: Mapping[str, str], page: int, per_page: int, total: int) -> dict[str, dict[str, str]]:
    """The query strings of the `next` and `previous` pages (absent at either end), other parameters kept."""
    links: dict[str, dict[str, str]] = {}
    last = max(1, -(-total // per_page))
    if page < last:
        links["next"] = {**query, "page": str(page + 1), "per_page": str(per_page)}
    if page > 1:
        links["previous"] = {**query, "page": str(min(page - 1, last)), "per_page": str(per_page)}
    return links

"""The Open Podcast API's subscriptions endpoint (`/v1/subscriptions`, `/v1/deletions/{id}`).

The subscriptions are the account's own list (`lytt.accounts.subscription_entries`), so apps on this API,
gpodder.net apps and the website all see one list. Deletion runs at once, in one transaction, before the
202 answer; the deletion record then already says how it ended.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.http import urlencode

from lytt.accounts import subscription_entries as entries
from lytt.accounts.guids import GuidError, clean_guid
from lytt.accounts.models import Subscription, SubscriptionDeletion
from lytt.api.openpodcast.auth import endpoint, error
from lytt.api.openpodcast.payloads import (
    DEFAULT_PER_PAGE,
    MAX_PER_PAGE,
    Entry,
    OpaError,
    entry_out,
    format_time,
    load_body,
    page_links,
    parse_new_subscriptions,
    parse_positive,
    parse_since,
    parse_update,
)
from lytt.catalog.media import site_root

GONE = "Subscription has been deleted"


def _entry(sub: Subscription) -> Entry:
    return Entry(
        feed_url=sub.url,
        guid=sub.guid,
        new_guid=sub.new_guid,
        is_subscribed=sub.active and sub.deleted_at is None,
        subscription_changed=sub.updated_at,
        guid_changed=sub.guid_changed,
        deleted=sub.deleted_at,
    )


def _body(request: HttpRequest) -> Any:
    try:
        raw = request.body
    except RequestDataTooBig:
        raise OpaError("the request body is too large", status=413, field="body") from None
    return load_body(raw, request.content_type or "")


def _entry_for(user: User, guid: str) -> Subscription:
    """The listener's subscription named `guid` from the path; 404 when there is none (also for another
    listener's GUID), 410 when it was deleted."""
    try:
        wanted = clean_guid(guid, "guid")
    except GuidError as exc:
        raise OpaError(str(exc), field="guid") from None
    entries.refresh_guids(user)
    sub = entries.find_entry(user, wanted)
    if sub is None:
        raise OpaError(f"no subscription with guid {wanted}", status=404, field="guid")
    if sub.deleted_at is not None:
        raise OpaError(GONE, status=410, field="guid")
    return sub


@endpoint("GET", "POST")
def subscriptions(request: HttpRequest, user: User) -> HttpResponse:
    """GET: the listener's subscriptions, paged, optionally only those changed after `since`. POST: add
    feeds; each comes back under `success`, or under `failure` with why."""
    if request.method == "POST":
        return _add(request, user)
    since = parse_since(request.GET.get("since"))
    page = parse_positive(request.GET.get("page"), "page", 1, 10**9)
    per_page = parse_positive(request.GET.get("per_page"), "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    entries.refresh_guids(user)
    rows = entries.entries(user, since)
    total = rows.count()
    start = (page - 1) * per_page
    body: dict[str, Any] = {"total": total, "page": page, "per_page": per_page}
    query = {"since": request.GET["since"]} if request.GET.get("since") else {}
    for name, params in page_links(query, page, per_page, total).items():
        body[name] = f"{site_root(request)}{request.path.lstrip('/')}?{urlencode(params)}"
    body["subscriptions"] = [entry_out(_entry(sub), since) for sub in rows[start : start + per_page]]
    return JsonResponse(body)


def _add(request: HttpRequest, user: User) -> HttpResponse:
    feeds = parse_new_subscriptions(_body(request))
    usable = [feed for feed in feeds if feed.url is not None]
    added = entries.add_entries(user, [(feed.url, feed.guid) for feed in usable if feed.url is not None])
    success = [
        {
            "feed_url": sub.url,
            "guid": entries.latest_guid(sub),
            "is_subscribed": True,
            "subscription_changed": format_time(sub.updated_at),
        }
        for sub in added
    ]
    failure = [{"feed_url": feed.sent, "message": feed.problem} for feed in feeds if feed.url is None]
    return JsonResponse({"success": success, "failure": failure})


@endpoint("GET", "PATCH", "DELETE")
def subscription(request: HttpRequest, user: User, guid: str) -> HttpResponse:
    """GET: one subscription (410 once deleted). PATCH: a new feed URL, a newer GUID, or (un)subscribe.
    DELETE: unsubscribe and delete its listening data; 202 with the deletion's id."""
    sub = _entry_for(user, guid)
    if request.method == "GET":
        return JsonResponse(entry_out(_entry(sub)))
    if request.method == "DELETE":
        deletion = entries.delete_entry(user, sub)
        message = "Deletion request was received and will be processed"
        return JsonResponse({"deletion_id": deletion.pk, "message": message}, status=202)
    update = parse_update(_body(request))
    changed: dict[str, Any] = {}
    if update.new_feed_url is not None:
        sub = entries.move_entry(user, sub, update.new_feed_url)
        changed["new_feed_url"] = sub.url
        changed["subscription_changed"] = format_time(sub.updated_at)
    if update.new_guid is not None:
        sub = entries.set_guid(sub, update.new_guid)
        changed["new_guid"] = entries.latest_guid(sub)
        if sub.guid_changed is not None:
            changed["guid_changed"] = format_time(sub.guid_changed)
    if update.is_subscribed is not None:
        sub = entries.set_subscribed(user, sub, update.is_subscribed)
        changed["is_subscribed"] = sub.active
        changed["subscription_changed"] = format_time(sub.updated_at)
    return JsonResponse(changed)


@endpoint("GET")
def deletion(request: HttpRequest, user: User, deletion_id: str) -> HttpResponse:
    """How a deletion ended: `SUCCESS` or `FAILURE` (Lytt deletes before answering, so never for long
    `PENDING`)."""
    if not deletion_id.isdigit() or len(deletion_id) > 18:
        raise OpaError(f"a deletion id is a whole number, not {deletion_id!r}", field="id")
    record = SubscriptionDeletion.objects.filter(user=user, pk=int(deletion_id)).first()
    if record is None:
        return error(404, f"no deletion with id {deletion_id}", "id")
    return JsonResponse({"deletion_id": record.pk, "status": record.status, "message": record.message})


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Unknown paths under /v1/ answer with the specification's Error object."""
    return error(404, f"Resource not found: no endpoint at {request.path}")

"""gpodder.net API endpoints for a listener's own data: auth, devices, subscriptions, episode actions,
settings, device sync and updates. Paths and shapes follow gpodder.net (see docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import logout
from django.contrib.auth.models import User
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from lytt.accounts import services
from lytt.accounts.backends import same_username
from lytt.accounts.formats import PARSERS, FormatError, opml_document, text_document
from lytt.accounts.models import ClientSetting, Device, EpisodeAction, Subscription
from lytt.accounts.urlsanity import sanitize_url
from lytt.accounts.writes import write_transaction
from lytt.catalog.models import Episode
from lytt.sync.auth import api_view, error
from lytt.sync.payloads import (
    ApiError,
    format_client_time,
    load_json,
    parse_device_update,
    parse_episode_actions,
    parse_settings_update,
    parse_since,
    parse_subscription_changes,
    to_since,
)
from lytt.sync.podcasts import episode_json, podcast_json

# Episode actions per GET; more are fetched by asking again with the returned timestamp.
ACTIONS_PER_PAGE = 5000


def _body(request: HttpRequest) -> Any:
    """The JSON body (Django refuses bodies over DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB: a 413 here)."""
    return load_json(request.body)


def _device(user: User, device_id: str) -> Device:
    device, _ = Device.objects.get_or_create(user=user, device_id=device_id)
    return device


def _empty_ok() -> HttpResponse:
    # mygpoclient treats any body on these calls as a failure.
    return HttpResponse(b"", content_type="text/plain", status=200)


# --- auth ---------------------------------------------------------------------------------------------


@api_view(("POST",))
def auth_login(request: HttpRequest, user: User, username: str) -> HttpResponse:
    """Check the credentials; the session cookie set on the way lets later calls skip Basic auth."""
    return _empty_ok()


@api_view(("POST",), auth=False)
def auth_logout(request: HttpRequest, username: str) -> HttpResponse:
    if request.user.is_authenticated and not same_username(request.user.get_username(), username):
        return error("you can only sign yourself out", 403)
    logout(request)
    return _empty_ok()


# --- devices ------------------------------------------------------------------------------------------


@api_view(("GET",))
def device_list(request: HttpRequest, user: User, username: str) -> HttpResponse:
    subscriptions = Subscription.objects.filter(user=user, active=True).count()
    devices = [
        {"id": d.device_id, "caption": d.caption, "type": d.type, "subscriptions": subscriptions}
        for d in Device.objects.filter(user=user).order_by("device_id")
    ]
    return JsonResponse(devices, safe=False)


@api_view(("POST", "PUT"))
def device_update(request: HttpRequest, user: User, username: str, device_id: str) -> HttpResponse:
    caption, kind = parse_device_update(_body(request) if request.body.strip() else {})
    with write_transaction():
        device = _device(user, device_id)
        if caption is not None:
            device.caption = caption
        if kind is not None:
            device.type = kind
        device.save()
    return _empty_ok()


# --- subscriptions: simple API ------------------------------------------------------------------------


def _subscription_document(user: User, fmt: str, device: Device | None = None) -> HttpResponse:
    services.link_pending_subscriptions(user)
    urls = services.active_subscription_urls(user)
    if device is not None:
        services.device_told_list(device, urls)
    if fmt == "json":
        return JsonResponse(urls, safe=False)
    if fmt == "txt":
        return HttpResponse(text_document(urls), content_type="text/plain; charset=utf-8")
    shows = services.shows_for_urls(urls)
    outlines = [(shows[url].title if url in shows else url, url) for url in urls]
    body = opml_document(f"{user.get_username()}'s subscriptions", outlines)
    return HttpResponse(body, content_type="text/x-opml; charset=utf-8")


@api_view(("GET", "PUT"))
def simple_device_subscriptions(
    request: HttpRequest, user: User, username: str, device_id: str, fmt: str
) -> HttpResponse:
    device = _device(user, device_id)
    if request.method == "GET":
        return _subscription_document(user, fmt, device)
    try:
        urls, _rejected = PARSERS[fmt](request.body)
    except FormatError as exc:
        return error(str(exc))
    services.put_device_list(user, device, urls)
    return _empty_ok()


@api_view(("GET",))
def simple_all_subscriptions(request: HttpRequest, user: User, username: str, fmt: str) -> HttpResponse:
    return _subscription_document(user, fmt)


# --- subscriptions: v2 --------------------------------------------------------------------------------


def _tell_device(device: Device, since: dt.datetime, added: list[str], removed: list[str]) -> None:
    """Remember what a v2 answer tells the device: the whole list from the start of time, else a delta."""
    if since.timestamp() == 0:
        services.device_told_list(device, added)
    else:
        services.device_told_changes(device, added, removed)


@api_view(("GET", "POST"))
def subscriptions_v2(request: HttpRequest, user: User, username: str, device_id: str) -> HttpResponse:
    if request.method == "GET":
        since = parse_since(request.GET.get("since"))
        device = _device(user, device_id)
        now = timezone.now()
        added, removed = services.subscription_changes_since(user, since)
        _tell_device(device, since, added, removed)
        if since.timestamp() == 0:
            removed = []  # a first sync needs only the current list
        return JsonResponse({"add": added, "remove": removed, "timestamp": to_since(now)})
    changes = parse_subscription_changes(_body(request))
    device = _device(user, device_id)
    now = timezone.now()
    services.apply_subscription_changes(user, device, changes.add, changes.remove)
    services.device_told_changes(device, changes.add, changes.remove)
    return JsonResponse({"timestamp": to_since(now), "update_urls": [list(p) for p in changes.update_urls]})


# --- episode actions ----------------------------------------------------------------------------------


def _action_json(action: EpisodeAction, device_ids: dict[int, str]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "podcast": action.podcast_url,
        "episode": action.episode_url,
        "action": action.action,
        "timestamp": format_client_time(action.timestamp),
    }
    if action.device_id is not None:
        data["device"] = device_ids[action.device_id]
    if action.guid:
        data["guid"] = action.guid
    if action.action == EpisodeAction.Action.PLAY and action.position is not None:
        data["position"] = action.position
        if action.started is not None:
            data["started"] = action.started
        if action.total is not None:
            data["total"] = action.total
    return data


@api_view(("GET", "POST"))
def episode_actions(request: HttpRequest, user: User, username: str) -> HttpResponse:
    if request.method == "POST":
        now = timezone.now()
        actions, update_urls = parse_episode_actions(_body(request), now)
        services.record_actions(user, actions, received_at=now)
        return JsonResponse({"timestamp": to_since(now), "update_urls": [list(p) for p in update_urls]})

    since = parse_since(request.GET.get("since"))
    aggregated = request.GET.get("aggregated", "").lower() in {"1", "true", "yes"}
    query = EpisodeAction.objects.filter(user=user, received_at__gte=since)
    if podcast := request.GET.get("podcast"):
        query = query.filter(podcast_url=sanitize_url(podcast) or podcast)
    if device_id := request.GET.get("device"):
        device = Device.objects.filter(user=user, device_id=device_id).first()
        if device is None:
            return error(f"no device {device_id!r}", 404)
        query = query.filter(device=device)
    now = timezone.now()
    rows = list(query.order_by("received_at", "id")[: ACTIONS_PER_PAGE + 1])
    until = now
    if len(rows) > ACTIONS_PER_PAGE:
        # Cut at a whole second so that asking again with the returned timestamp misses nothing.
        cut = dt.datetime.fromtimestamp(to_since(rows[ACTIONS_PER_PAGE - 1].received_at), dt.UTC)
        if cut > since:
            rows = [r for r in rows if r.received_at < cut]
        else:
            cut = cut + dt.timedelta(seconds=1)
            rows = list(query.filter(received_at__lt=cut).order_by("received_at", "id"))
        until = cut
    device_ids = dict(Device.objects.filter(user=user).values_list("id", "device_id"))
    if aggregated:
        newest: dict[str, EpisodeAction] = {}
        for row in rows:
            current = newest.get(row.episode_url)
            if current is None or row.timestamp >= current.timestamp:
                newest[row.episode_url] = row
        rows = sorted(newest.values(), key=lambda r: (r.received_at, r.pk))
    return JsonResponse(
        {"actions": [_action_json(r, device_ids) for r in rows], "timestamp": to_since(until)}
    )


# --- settings -----------------------------------------------------------------------------------------


def _settings_target(scope: str, request: HttpRequest, user: User) -> str:
    params = request.GET
    if scope == "account":
        return ""
    if scope == "device":
        device_id = params.get("device")
        if not device_id:
            raise ApiError("device settings need ?device=<device id>")
        if not Device.objects.filter(user=user, device_id=device_id).exists():
            raise ApiError(f"no device {device_id!r}", 404)
        return device_id
    podcast = params.get("podcast")
    if not podcast:
        raise ApiError(f"{scope} settings need ?podcast=<feed URL>")
    if scope == "podcast":
        return podcast
    episode = params.get("episode")
    if not episode:
        raise ApiError("episode settings need ?podcast=<feed URL>&episode=<media URL>")
    return f"{podcast} {episode}"


@api_view(("GET", "POST"))
def settings(request: HttpRequest, user: User, username: str, scope: str) -> HttpResponse:
    target = _settings_target(scope, request, user)
    if request.method == "GET":
        row = ClientSetting.objects.filter(user=user, scope=scope, target=target).first()
        return JsonResponse(row.data if row else {})
    to_set, to_remove = parse_settings_update(_body(request))
    with write_transaction():
        row, _ = ClientSetting.objects.select_for_update().get_or_create(
            user=user, scope=scope, target=target
        )
        data = dict(row.data)
        data.update(to_set)
        for key in to_remove:
            data.pop(key, None)
        row.data = data
        row.save(update_fields=["data"])
    return JsonResponse(data)


# --- device sync and updates --------------------------------------------------------------------------


def _sync_status(user: User) -> dict[str, Any]:
    devices = list(Device.objects.filter(user=user).order_by("device_id").values_list("device_id", flat=True))
    if len(devices) > 1:
        return {"synchronized": [devices], "not-synchronized": []}
    return {"synchronized": [], "not-synchronized": devices}


@api_view(("GET", "POST"))
def sync_devices(request: HttpRequest, user: User, username: str) -> HttpResponse:
    """All devices of an account share one subscription list, so they are always in one sync group."""
    if request.method == "POST":
        data = _body(request)
        if not isinstance(data, dict):
            raise ApiError('expected a JSON object {"synchronize": [[...]], "stop-synchronize": [...]}')
        if data.get("stop-synchronize"):
            raise ApiError("Lytt keeps every device of an account in sync; stop-synchronize is not supported")
        for group in data.get("synchronize", []):
            if not isinstance(group, list) or not all(isinstance(d, str) for d in group):
                raise ApiError("synchronize must be a list of lists of device ids")
            for device_id in group:
                _device(user, device_id)
    return JsonResponse(_sync_status(user))


@api_view(("GET",))
def updates(request: HttpRequest, user: User, username: str, device_id: str) -> HttpResponse:
    """Subscription changes plus new episodes of subscribed shows since a timestamp."""
    since = parse_since(request.GET.get("since"))
    include_actions = request.GET.get("include_actions", "").lower() in {"1", "true", "yes"}
    device = _device(user, device_id)
    now = timezone.now()
    services.link_pending_subscriptions(user)
    added, removed = services.subscription_changes_since(user, since)
    _tell_device(device, since, added, removed)
    shows = services.shows_for_urls(added)
    counts = dict(
        Subscription.objects.filter(active=True, url__in=added)
        .values("url")
        .annotate(n=Count("id"))
        .values_list("url", "n")
    )
    add = [podcast_json(request, url, shows.get(url), counts.get(url, 0)) for url in added]
    subscribed = Subscription.objects.filter(user=user, active=True, show__isnull=False)
    show_ids = list(subscribed.values_list("show_id", flat=True))
    episodes = list(
        Episode.objects.filter(show_id__in=show_ids, vanished_at__isnull=True)
        .filter(Q(created_at__gte=since) | Q(published_at__gte=since))
        .select_related("show")
        .order_by("-published_at")[:500]
    )
    feed_urls = {s.show_id: s.url for s in subscribed}
    status: dict[str, str] = {}
    if include_actions:
        media = [ep.enclosure_url for ep in episodes if ep.enclosure_url]
        for url, action in (
            EpisodeAction.objects.filter(user=user, episode_url__in=media)
            .order_by("timestamp", "id")
            .values_list("episode_url", "action")
        ):
            status[url] = action
    items = []
    for ep in episodes:
        item = episode_json(request, ep, feed_urls.get(ep.show_id, ""))
        item["status"] = status.get(ep.enclosure_url, "new") if include_actions else "new"
        items.append(item)
    return JsonResponse({"add": add, "remove": removed, "updates": items, "timestamp": to_since(now)})

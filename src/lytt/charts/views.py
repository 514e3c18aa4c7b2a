"""POST /charts/play/: the player reports that an episode has been playing for a while.

Anonymous pages are cached publicly, so they carry no CSRF token; instead the endpoint accepts only
same-origin browser requests (Origin / Sec-Fetch-Site) and is rate-limited per client address. It stores no
user and no address: only a per-episode, per-day counter goes up.
"""

from __future__ import annotations

import hashlib
import json

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from lytt.catalog.models import Episode
from lytt.charts.ranking import record_play
from lytt.ratelimit import client_address, hit

PLAYS_PER_CLIENT_PER_HOUR = 120
SAME_EPISODE_SECONDS = 600


def _same_origin(request: HttpRequest) -> bool:
    origin = request.headers.get("Origin")
    if origin:
        return origin == f"{request.scheme}://{request.get_host()}"
    return request.headers.get("Sec-Fetch-Site") == "same-origin"


def _episode_id(request: HttpRequest) -> int | None:
    raw = request.POST.get("episode")
    if raw is None and request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return None
        raw = body.get("episode") if isinstance(body, dict) else None
    try:
        value = int(str(raw))
    except ValueError:
        return None
    return value if value > 0 else None


def _client_key(request: HttpRequest) -> str:
    # Hashed so that even the cache never holds a readable address.
    return hashlib.sha256(client_address(request).encode()).hexdigest()[:24]


@csrf_exempt
@require_POST
def play(request: HttpRequest) -> HttpResponse:
    if not _same_origin(request):
        return JsonResponse({"error": "cross-origin play reports are not accepted"}, status=403)
    episode_id = _episode_id(request)
    if episode_id is None:
        return JsonResponse({"error": "field 'episode' must be a positive episode id"}, status=400)
    client = _client_key(request)
    if not hit(f"charts:plays:{client}", PLAYS_PER_CLIENT_PER_HOUR, window=3600).allowed:
        return JsonResponse({"error": "too many play reports"}, status=429)
    if not cache.add(f"charts:play:{client}:{episode_id}", 1, timeout=SAME_EPISODE_SECONDS):
        return HttpResponse(status=204)  # already counted recently: accepted, not counted again
    episode = Episode.objects.filter(pk=episode_id).only("id", "show_id").first()
    if episode is None:
        return JsonResponse({"error": f"no episode with id {episode_id}"}, status=404)
    record_play(episode)
    return HttpResponse(status=204)

"""Signed-in pages against the same pages for an anonymous visitor, in one process (rough, quick).

    python bench/listening.py                          # 2,000 shows, 200,000 episodes (SQLite)
    python bench/listening.py --shows 10000 --episodes 1000000 --data-dir /tmp/lytt-bench

A listener follows 200 shows and has 1,000 history entries (positions, half of them finished, and their play
actions). The home page (with Continue listening) and a show page (with progress marks on its episodes) are
rendered through Django's test client, signed in and anonymous, with the page cache out of the way (the
test client calls Django directly) and the shared fragments warm, as a busy site has them. Prints the CPU
time per request (time.process_time) of each and the ratio; bench/web.py measures through a real server.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from web import _setup_django, build_catalogue

FOLLOWS = 200
HISTORY = 1000


def _listener() -> object:
    from django.contrib.auth.models import User

    from lytt.accounts.models import EpisodeAction, Follow, PlayProgress
    from lytt.catalog.models import Episode, Show

    user, created = User.objects.get_or_create(username="bench-listener")
    if not created:
        return user
    shows = list(Show.objects.order_by("id")[:FOLLOWS])
    Follow.objects.bulk_create(Follow(user=user, show=show) for show in shows)
    episodes = list(Episode.objects.filter(show__in=shows[:50]).order_by("id")[:HISTORY])
    now = datetime.now(UTC)
    PlayProgress.objects.bulk_create(
        PlayProgress(
            user=user,
            episode=episode,
            position=600 + n,
            total=episode.duration_seconds,
            finished=n % 2 == 0,
            timestamp=now - timedelta(minutes=n),
        )
        for n, episode in enumerate(episodes)
    )
    EpisodeAction.objects.bulk_create(
        EpisodeAction(
            user=user,
            podcast_url=f"https://feeds.example/{episode.show_id}.xml",
            episode_url=episode.enclosure_url,
            show_id=episode.show_id,
            episode=episode,
            action="play",
            started=0,
            position=600 + n,
            total=episode.duration_seconds,
            timestamp=now - timedelta(minutes=n),
            received_at=now,
        )
        for n, episode in enumerate(episodes)
    )
    return user


def _cpu_ms(client: object, path: str, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        started = time.process_time()
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="nb")  # type: ignore[attr-defined]
        samples.append((time.process_time() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shows", type=int, default=2000)
    parser.add_argument("--episodes", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="lytt-listening-"))
    _setup_django(data_dir)
    build_catalogue(args.shows, args.episodes)
    from django.test import Client

    from lytt.catalog.models import Show

    user = _listener()
    # A show the listener has heard much of: its first page carries marks.
    show = Show.objects.order_by("id").first()
    assert show is not None
    pages = {"home": "/", "show page": f"/podcast/{show.slug}/"}
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(user)  # type: ignore[arg-type]
    print("| page | anonymous, uncached (ms CPU) | signed in (ms CPU) | ratio |\n|---|---|---|---|")
    for name, path in pages.items():
        for client in (anonymous, signed_in):
            _cpu_ms(client, path, 20)  # warm: templates, fragments, connections
        plain = _cpu_ms(anonymous, path, args.rounds)
        mine = _cpu_ms(signed_in, path, args.rounds)
        print(f"| {name} | {plain:.2f} | {mine:.2f} | {mine / plain:.2f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

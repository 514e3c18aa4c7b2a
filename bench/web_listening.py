"""bench/web.py's listening cases (issue 22): each page against its baseline in the same server run.

- the episode page with a two-hour transcript (2,000 lines, about 20,000 words) and 40 chapters against
  the same show's episode page without them, both anonymous with the page cache off;
- the home page (Continue listening) and the show page (progress marks on its 20 newest episodes) of a
  signed-in listener who follows 200 shows and has 1,000 history entries, against the same pages for an
  anonymous visitor with the page cache off (signed-in pages never come from it).

The files are stored through the crawler's own functions (`lytt.catalog.attachments`), so the rows hold
what a crawl stores. Server CPU time per request comes from /proc, as for the other rows of bench/web.py.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

FILE_SHOWS = 100  # episode-1 of show-0 … show-99 get the files; episode-2 of the same shows is the baseline
TRANSCRIPT_LINES = 2000  # a line every 3.6 s: two hours
WORDS_PER_LINE = 10
CHAPTERS = 40
FOLLOWS = 200
HISTORY = 1000
HISTORY_SHOWS = 50  # the history covers the newest 20 episodes of the first 50 followed shows
LISTENER = "bench-listener"
_WORDS = (
    "we talk with researchers organisers and listeners about how communities keep their stories alive "
    "what changes when a conversation moves online and why a small question can open a long answer"
).split()


@dataclass(frozen=True, slots=True)
class Case:
    """A page and its baseline, measured one after the other in the same server run."""

    name: str
    baseline: str
    paths: list[str]
    baseline_paths: list[str]
    signed_in: bool  # the case's requests carry the listener's session cookie
    target: float  # the ratio of server CPU per request the issue allows


def _transcript() -> Any:
    from lytt.feeds import Cue
    from lytt.feeds.transcripts import ParsedTranscript

    rng = random.Random(22)
    cues = []
    for n in range(TRANSCRIPT_LINES):
        words = [rng.choice(_WORDS) for _ in range(WORDS_PER_LINE)]
        text = " ".join(words).capitalize() + "."
        cues.append(Cue(n * 3.6, n * 3.6 + 3.5, f"Speaker {n // 6 % 3 + 1}", text))
    return ParsedTranscript("json", cues)


def _chapters() -> list[Any]:
    from lytt.feeds import Chapter

    return [
        Chapter(
            start_seconds=n * 180.0,
            title=f"Chapter {n + 1}: {' '.join(_WORDS[n % 20 : n % 20 + 4])}",
            href=f"https://links.example/{n}" if n % 2 else None,
            image=f"https://img.example/chapter-{n}.jpg" if n % 3 == 0 else None,
        )
        for n in range(CHAPTERS)
    ]


def attach_files(shows: int) -> None:
    """A transcript and a chapters file for episode-1 of the first FILE_SHOWS shows, stored afresh on
    every run (as a crawl stores new content), so the rows hold what the code under test stores."""
    from django.db import transaction

    from lytt.catalog import attachments
    from lytt.catalog.models import Episode, EpisodeAttachment

    episodes = list(
        Episode.objects.filter(
            show__slug__in=[f"show-{n}" for n in range(min(FILE_SHOWS, shows))], slug="episode-1"
        )
    )
    now = datetime.now(UTC)
    parsed, chapters = _transcript(), _chapters()
    for episode in episodes:
        transcript_url = f"https://files.example/{episode.pk}.json"
        chapters_url = f"https://files.example/{episode.pk}.chapters.json"
        with transaction.atomic():
            Episode.objects.filter(pk=episode.pk).update(
                chapters_url=chapters_url,
                transcripts=[{"url": transcript_url, "type": "application/json", "language": "en"}],
            )
            kinds = ((attachments.Kind.TRANSCRIPT, transcript_url), (attachments.Kind.CHAPTERS, chapters_url))
            for kind, url in kinds:
                row, _ = EpisodeAttachment.objects.get_or_create(
                    episode=episode, kind=kind, defaults={"url": url, "next_check_at": now}
                )
                later = now + timedelta(days=1)
                if kind == attachments.Kind.TRANSCRIPT:
                    attachments.store_transcript(row.pk, parsed, now=now, next_check_at=later)
                else:
                    attachments.store_chapters(row.pk, chapters, now=now, next_check_at=later)


def listener() -> Any:
    """The listener (made once): 200 follows, 1,000 positions (half finished) with their play actions."""
    from django.contrib.auth.models import User

    from lytt.accounts.models import EpisodeAction, Follow, PlayProgress
    from lytt.catalog.models import Episode, Show

    user, created = User.objects.get_or_create(username=LISTENER)
    if not created:
        return user
    shows = list(Show.objects.order_by("id")[:FOLLOWS])
    Follow.objects.bulk_create(Follow(user=user, show=show) for show in shows)
    episodes = list(Episode.objects.filter(show__in=shows[:HISTORY_SHOWS]).order_by("id")[:HISTORY])
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


def session_cookie() -> str:
    """A Cookie header for the listener: a fresh session and a CSRF cookie, as a browser sends both."""
    from django.conf import settings
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    client = Client()
    client.force_login(listener())
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={_get_new_csrf_string()}"


def cases(shows: int) -> list[Case]:
    with_files = [f"/podcast/show-{n}/episode-1/" for n in range(min(FILE_SHOWS, shows))]
    marked_shows = [f"/podcast/show-{n}/" for n in range(min(HISTORY_SHOWS, shows))]
    return [
        Case("episode page, transcript and chapters", "episode page, without them", with_files,
             [p.replace("episode-1", "episode-2") for p in with_files], False, 2.0),
        Case("home, signed in", "home, anonymous", ["/"], ["/"], True, 1.5),
        Case("show page, signed in (marks)", "show page, anonymous", marked_shows, marked_shows, True, 1.5),
    ]  # fmt: skip


@dataclass(slots=True)
class Pair:
    case: Case
    baseline_cpu: list[float]
    cpu: list[float]
    baseline_p50: list[float]
    p50: list[float]
    baseline_rps: list[float]
    rps: list[float]


Measure = Callable[[str, list[str], str | None], tuple[float, float, float | None]]


def run(cases: list[Case], measure: Measure, cookie: str, repeat: int) -> list[Pair]:
    """Each case and its baseline alternately (baseline first, then the case; `repeat` rounds).
    `measure(name, paths, cookie)` gives (requests/s, p50 ms, server CPU ms per request)."""
    pairs = [Pair(c, [], [], [], [], [], []) for c in cases]
    for pair in pairs:
        case = pair.case
        measure(case.baseline + " (warm-up)", case.baseline_paths, None)
        measure(case.name + " (warm-up)", case.paths, cookie if case.signed_in else None)
        for _ in range(repeat):
            rps, p50, cpu = measure(case.baseline, case.baseline_paths, None)
            pair.baseline_rps.append(rps)
            pair.baseline_p50.append(p50)
            pair.baseline_cpu.append(cpu or 0.0)
            rps, p50, cpu = measure(case.name, case.paths, cookie if case.signed_in else None)
            pair.rps.append(rps)
            pair.p50.append(p50)
            pair.cpu.append(cpu or 0.0)
    return pairs


def markdown(pairs: list[Pair]) -> str:
    lines = [
        "| page | baseline | CPU ms / request (page, baseline) | ratio (median; range) | target | "
        "p50 ms (page, baseline) | requests/s (page, baseline) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for pair in pairs:
        ratios = [a / b for a, b in zip(pair.cpu, pair.baseline_cpu, strict=True) if b]
        median = statistics.median
        cpu = f"{median(pair.cpu):.2f}, {median(pair.baseline_cpu):.2f}"
        lines.append(
            f"| {pair.case.name} | {pair.case.baseline} | {cpu}"
            f" | **{median(ratios):.2f}x** ({min(ratios):.2f}–{max(ratios):.2f}) | {pair.case.target:.1f}x | "
            f"{median(pair.p50):.1f}, {median(pair.baseline_p50):.1f} | "
            f"{median(pair.rps):,.0f}, {median(pair.baseline_rps):,.0f} |"
        )
    return "\n".join(lines) + "\n"

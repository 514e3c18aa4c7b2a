"""Benchmark: category lists and random episodes on a large catalogue, against OFFSET and ORDER BY random().

    .venv/bin/python bench/browse.py [--shows 100000] [--episodes 1000000] [--backend sqlite|postgres|both]
                                     [--database-url postgres://postgres@127.0.0.1:5432/test] [--plans PATH]

Each backend runs in a child process with a scratch database (dropped afterwards). The catalogue is
generated: shows in one to three subcategories (and their parents, as ingest files them) drawn with a Zipf
distribution, so a few categories hold a large share of all shows and many hold a few hundred; titles of
two or three words, some starting with Æ, Ø or Å; 5% of shows with plays; a geometric number of episodes
per show, written show by show as a first ingest writes them.

Timed (p50 and p95 of `--repeat` calls, after a warm-up): `lytt.web.browse.category_shows_page` for the
largest and a small category in each order, on its first page and on a page deep into the list (the
position of the row a third of the way down), against the same page read with LIMIT/OFFSET; and
`lytt.catalog.draws.random_episode_ids` for 1 and 10 episodes, of all shows, of one language and of one
category, against ORDER BY random() over the same rows. `--plans` writes EXPLAIN (ANALYZE on PostgreSQL)
of each timed query of Lytt's to that file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _backends import POSTGRES_URL, child_result, scratch_backend  # noqa: E402
from web import _insert  # noqa: E402 (bench/web.py's bulk insert, the one owner)

WORDS = (
    "kode fjell politikk historie musikk fotball vitenskap kultur natur samtale nyheter morgen kveld "
    "ærlig øya åpen østlandet årstid ærfugl ødemark science history music talk daily weekly crime story "
    "money business health climate football film books kitchen travel space culture"
).split()


def build(shows: int, episodes: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from lytt.catalog.collation import sort_key
    from lytt.catalog.models import Category, Episode, Show, ShowCategory
    from lytt.charts.scoring import popularity_order

    call_command("migrate", interactive=False, verbosity=0)
    rng = random.Random(20261207)
    subs = list(Category.objects.filter(parent__isnull=False).values_list("id", "parent_id"))
    weights = [1 / (rank + 1) for rank in range(len(subs))]
    now = datetime(2026, 12, 1, tzinfo=UTC)
    counts = [max(1, min(3000, int(rng.expovariate(shows / episodes)))) for _ in range(shows)]
    scale = episodes / sum(counts)
    counts = [max(1, round(c * scale)) for c in counts]
    rows = []
    for n in range(shows):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 3))).capitalize() + f" {n}"
        latest = None if n % 100 == 7 else now - timedelta(minutes=rng.randrange(3 * 365 * 1440))
        score = rng.expovariate(0.1) if rng.random() < 0.05 else 0.0
        rows.append(
            {
                "slug": f"show-{n}",
                "title": title,
                "sort_title": sort_key(title),
                "language": "nb" if n % 3 else "en",
                "episode_count": counts[n] if latest else 0,
                "latest_episode_at": latest,
                "popularity": popularity_order(score, latest),
                "created_at": now - timedelta(days=rng.randrange(400)),
                "updated_at": now,
            }
        )
    started = time.perf_counter()
    _insert(Show, iter(rows))
    ids = dict(Show.objects.values_list("slug", "id"))
    links = []
    for n in range(shows):
        chosen = set(rng.choices(range(len(subs)), weights=weights, k=rng.randint(1, 3)))
        filed = {subs[i][0] for i in chosen} | {subs[i][1] for i in chosen}
        links += [{"show_id": ids[f"show-{n}"], "category_id": c} for c in filed]
    _insert(ShowCategory, iter(links))

    def episode_rows() -> Iterator[dict[str, Any]]:
        for n, row in enumerate(rows):
            latest = row["latest_episode_at"]
            for number in range(row["episode_count"]):
                yield {
                    "show_id": ids[row["slug"]],
                    "slug": f"e{number}",
                    "match_key": f"k{number}",
                    "title": f"Episode {number} of {n}",
                    "published_at": latest - timedelta(days=7 * number) if number % 50 != 49 else None,
                    "enclosure_url": f"https://audio.example/{n}/{number}.mp3",
                    "created_at": now,
                    "updated_at": now,
                }

    made = _insert(Episode, episode_rows())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"built {shows} shows, {made} episodes in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def timed(function: Callable[[], object], repeat: int) -> dict[str, float]:
    function()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "p50": statistics.median(samples),
        "p95": samples[min(len(samples) - 1, int(len(samples) * 0.95))],
    }


def explain(label: str, function: Callable[[], object], out: list[str]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function()
    prefix = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    out.append(f"## {label}")
    with connection.cursor() as cursor:
        for query in captured.captured_queries[:4]:
            sql = query["sql"]
            out.append(sql)
            cursor.execute(prefix + sql)  # the logged SQL has its parameters inlined
            out.extend("    " + " | ".join(str(c) for c in row) for row in cursor.fetchall())
    out.append("")


def child(args: argparse.Namespace) -> None:
    import django

    sys.path.insert(0, str(REPO / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lytt.settings")
    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db.models import Count

    from lytt.catalog import draws
    from lytt.catalog.models import Category, Episode, Show, ShowCategory
    from lytt.web import browse

    settings.DEBUG = False
    build(args.shows, args.episodes)
    sizes = (
        ShowCategory.objects.values("category_id").annotate(n=Count("show_id")).order_by("-n")
    )  # fmt: skip
    largest = Category.objects.get(pk=sizes[0]["category_id"])
    small = Category.objects.get(pk=min(sizes, key=lambda r: abs(r["n"] - 300))["category_id"])
    size_of = {r["category_id"]: r["n"] for r in sizes}
    results: dict[str, Any] = {"backend": args.backend, "rows": {}}
    plans: list[str] = []

    def offset_page(category: Category, order: browse.Order, offset: int) -> list[Show]:
        ids = [category.pk, *category.children.values_list("pk", flat=True)]
        members = ShowCategory.objects.filter(category_id__in=ids).values("show_id")
        sign = "-" if order.descending else ""
        shows = Show.objects.filter(hidden=False, pk__in=members).only(*browse.LIST_FIELDS)
        return list(shows.order_by(f"{sign}{order.field}", f"{sign}pk")[offset : offset + browse.PER_PAGE])

    for label, category in (("largest", largest), ("small", small)):
        for order in browse.ORDERS.values():
            third = size_of[category.pk] // 3
            deep_row = offset_page(category, order, third)[0]
            position = browse.Position(getattr(deep_row, order.field), deep_row.pk)
            first = lambda c=category, o=order: browse.category_shows_page(c, o)  # noqa: E731
            deep = lambda c=category, o=order, p=position: browse.category_shows_page(c, o, after=p)  # noqa: E731
            peer = lambda c=category, o=order, t=third: offset_page(c, o, t)  # noqa: E731
            cache.clear()
            name = f"category {label} ({size_of[category.pk]} shows), {order.name}"
            results["rows"][name + ", page 1"] = timed(first, args.repeat)
            results["rows"][name + ", a third down"] = timed(deep, args.repeat)
            results["rows"][name + ", a third down, OFFSET"] = timed(peer, args.repeat)
            if args.plans:
                explain(name + ", a third down", deep, plans)
    nb = Show.objects.filter(language="nb")
    in_small = Show.objects.filter(categories=small)
    listed = Episode.objects.filter(show__hidden=False, published_at__isnull=False, vanished_at__isnull=True)
    for count in (1, 10):
        for label, shows, peer_rows in (
            ("all", None, listed),
            ("lang=nb", nb, listed.filter(show__language="nb")),
            (f"category of {size_of[small.pk]} shows", in_small, listed.filter(show__categories=small)),
        ):
            draw = lambda s=shows, c=count: draws.random_episode_ids(c, s)  # noqa: E731
            peer = lambda r=peer_rows, c=count: list(r.order_by("?").values_list("pk", flat=True)[:c])  # noqa: E731
            results["rows"][f"random {count}, {label}"] = timed(draw, args.repeat)
            results["rows"][f"random {count}, {label}, ORDER BY random()"] = timed(
                peer, max(3, args.repeat // 5)
            )
            if args.plans and count == 1:
                explain(f"random 1, {label}", draw, plans)
    if args.plans:
        Path(args.plans).write_text("\n".join(plans), encoding="utf-8")
    print("RESULT " + json.dumps(results))


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", "--backend", backend, "--shows", str(args.shows),
               "--episodes", str(args.episodes), "--repeat", str(args.repeat)]  # fmt: skip
    if args.plans:
        command += ["--plans", f"{args.plans}.{backend}.txt"]
    with scratch_backend(backend, f"browse_{os.getpid()}", args.database_url) as env:
        return child_result(command, env)


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> str:
    lines = [
        f"{args.shows:,} shows, {args.episodes:,} episodes; {platform.node()}, {os.cpu_count()} CPUs, "
        f"{datetime.now(UTC):%Y-%m-%d}; p50 / p95 ms of {args.repeat} calls",
        "",
        "| query | " + " | ".join(r["backend"] for r in results) + " |",
        "|---|" + "---|" * len(results),
    ]
    for name in results[0]["rows"]:
        cells = [f"{r['rows'][name]['p50']:.2f} / {r['rows'][name]['p95']:.2f}" for r in results]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shows", type=int, default=100_000)
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--database-url", default=POSTGRES_URL)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--plans", help="write query plans to PATH.<backend>.txt")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    print(report([run_backend(b, args) for b in backends], args))


if __name__ == "__main__":
    main()

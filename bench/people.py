"""Benchmark: what listing people costs the search page, against the search it already runs.

    .venv/bin/python bench/people.py [--people N] [--backend sqlite|postgres|both]
                                     [--database-url postgres://postgres@127.0.0.1:5432/test]

Each backend runs in a child process with a scratch database. The catalogue: N people (first and last
names drawn from lists of 200 each), each a guest on one episode of shows of 200 episodes, indexed as
ingest indexes it. Timed in the same run for the same queries (a full name, a last name, a first name, a
word no one has): the baseline, the two searches the page runs (`search()` of 6 shows and 20 episodes);
`lytt.search.people.people_in_results` on their hits (the page's people list); and the design it
replaced, a scan of every name (`name LIKE` each word, people of visible shows only, 50 rows). The report
gives p50/p95 and the ratios to the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _backends import POSTGRES_URL, child_result, scratch_backend
from search import percentile  # bench/search.py's

SEED = 20261207
PER_SHOW = 200
SYLLABLES = ["ka", "ri", "no", "ra", "le", "vi", "sa", "to", "mi", "an", "el", "ro", "da", "ne", "li", "su"]


def _names(rng: random.Random, count: int) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        names.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).title())
    return sorted(names)


def child(people: int, rounds: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lytt.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Exists, OuterRef, Q

    from lytt.catalog.models import Episode, EpisodePerson, Person, Show, ShowPerson
    from lytt.search import rebuild, search
    from lytt.search.people import people_in_results

    def scan(text: str) -> list[Person]:
        named = Q()
        for word in text.split():
            named &= Q(name__icontains=word)
        listed = Exists(ShowPerson.objects.filter(person=OuterRef("pk"), show__hidden=False)) | Exists(
            EpisodePerson.objects.filter(person=OuterRef("pk"), episode__show__hidden=False)
        )
        return list(Person.objects.filter(named).filter(listed)[:50])

    def page_searches(text: str) -> list[Any]:
        return [search(text, kind="shows", limit=6), search(text, kind="episodes", limit=20)]

    call_command("migrate", verbosity=0)
    rng = random.Random(SEED)
    firsts, lasts = _names(rng, 200), _names(rng, 200)
    started = time.perf_counter()
    shows = Show.objects.bulk_create(
        Show(slug=f"show-{n}", title=f"Show {n}") for n in range(people // PER_SHOW + 1)
    )
    named = [f"{rng.choice(firsts)} {rng.choice(lasts)}" for _ in range(people)]
    persons = Person.objects.bulk_create(
        (Person(name=name, slug=f"p-{n}") for n, name in enumerate(named)), batch_size=2000
    )
    episodes = Episode.objects.bulk_create(
        (
            Episode(show=shows[n // PER_SHOW], slug=f"e-{n}", match_key=f"k{n}", title=f"Samtale {n}")
            for n in range(people)
        ),
        batch_size=2000,
    )
    EpisodePerson.objects.bulk_create(
        (EpisodePerson(episode=e, person=p, role="guest") for e, p in zip(episodes, persons, strict=True)),
        batch_size=2000,
    )
    rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would have by now: plans from real statistics
    print(f"  {people:,} people and episodes in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    queries = {
        "full name": [rng.choice(named) for _ in range(rounds)],
        "last name": [rng.choice(lasts) for _ in range(rounds)],
        "first name": [rng.choice(firsts) for _ in range(rounds)],
        "nobody": ["zyxwvut"] * rounds,
    }
    result: dict[str, Any] = {"people": people, "kinds": {}}
    for kind, texts in queries.items():
        for text in texts[:3]:  # warm-up
            people_in_results(text, page_searches(text))
            scan(text)
        base, ours, scanned = [], [], []
        for text in texts:
            t0 = time.perf_counter()
            results = page_searches(text)
            t1 = time.perf_counter()
            people_in_results(text, results)
            t2 = time.perf_counter()
            scan(text)
            base.append((t1 - t0) * 1000)
            ours.append((t2 - t1) * 1000)
            scanned.append((time.perf_counter() - t2) * 1000)
        result["kinds"][kind] = {
            name: [percentile(values, 0.5), percentile(values, 0.95)]
            for name, values in (("search", base), ("people", ours), ("scan", scanned))
        }
    usage = os.times()
    result["cpu_s"] = usage.user + usage.system
    print("RESULT " + json.dumps(result))


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", "--people", str(args.people)]
    command += ["--rounds", str(args.rounds)]
    started = time.perf_counter()
    with scratch_backend(backend, f"people_{os.getpid()}", args.database_url) as env:
        result = child_result(command, env)
    result["backend"] = backend
    result["wall_s"] = time.perf_counter() - started
    return result


def report(results: list[dict[str, Any]]) -> str:
    lines = [
        f"{platform.node()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "| backend | people | query | page's searches p50 / p95 ms | people list p50 / p95 ms | name scan "
        "p50 / p95 ms | people / searches p95 | scan / searches p95 |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        for kind, t in result["kinds"].items():
            base, ours, scanned = t["search"], t["people"], t["scan"]
            lines.append(
                f"| {result['backend']} | {result['people']:,} | {kind} | {base[0]:.1f} / {base[1]:.1f} | "
                f"{ours[0]:.1f} / {ours[1]:.1f} | {scanned[0]:.1f} / {scanned[1]:.1f} | "
                f"{ours[1] / base[1]:.2f} | {scanned[1] / base[1]:.2f} |"
            )
        lines.append(
            f"({result['backend']}: child CPU {result['cpu_s']:.0f} s, wall {result['wall_s']:.0f} s)"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=50, help="timed queries per kind")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--database-url", default=POSTGRES_URL)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.people, args.rounds)
        return
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    print(report([run_backend(backend, args) for backend in backends]))


if __name__ == "__main__":
    main()

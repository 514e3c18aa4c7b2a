"""Benchmark: search latency on a large catalogue, SQLite FTS5 and PostgreSQL, against a plain LIKE scan.

    .venv/bin/python bench/search.py [--quick] [--episodes N] [--backend sqlite|postgres|both]
                                     [--database-url postgres://postgres@127.0.0.1:5432/test] [--keep]

Each backend runs in its own child process with a scratch database (a data directory under /tmp for
SQLite; a database created on the given PostgreSQL server and dropped afterwards unless --keep). The
catalogue is generated: shows of 200 episodes each, 60% Bokmål and 40% English, titles of 3-8 words and
notes of 30-80 words drawn from a podcast vocabulary with a Zipf distribution (a few words are very
common, most are rare), dates spread over ten years. The index is filled the way ingest fills it.

Timed, after one warm-up pass: `lytt.search.search()` (the public function: ranking, paging, loading
the objects, highlighting) for 1-, 2- and 3-word queries, for words misspelled by one edit (alone and
after a correct word), for the first 3-5 letters of a word and for Norwegian words typed without æ, ø
and å; and `lytt.search.suggest()` (search as you type) for prefixes of 2-5 letters. Each search kind is
timed twice in the same run: as typed (``exact=True``, the search before forgiving search existed) and
forgiving (the default: completions, folded letters, stems, corrections when the exact words do not
fill the page). "page" times what the search page runs for a query (of each kind in turn): 6 shows,
20 episodes and the people of those hits. The spelling vocabulary is counted from the index as ``lytt
reindex`` does. The peer: a plain scan of the same rows for the same words:
``WHERE lower(title) LIKE '%w%' OR lower(body) LIKE '%w%'`` for every word, newest first, 20 rows.
Before timing, the catalogue is read into the OS page cache (`--cold` skips that), and the scans run
after all of Lytt's queries.
The report gives p50/p95 per kind and the ratio LIKE/search in the same run.
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
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _backends import POSTGRES_URL, child_result, scratch_backend

REPO = Path(__file__).resolve().parent.parent
EPISODES_PER_SHOW = 200
SEED = 20261125

ENGLISH = """
podcast episode interview history science technology politics economy climate music culture football
health story stories news daily weekly talk conversation guest host season finale crime mystery murder
investigation detective justice court trial election president government parliament minister policy
market money investing business startup founder company career leadership management marketing design art
artist painting film movie cinema television series review comedy improv sketch drama fiction novel book
author writer poetry language learning education school university student teacher parenting family
children kids food cooking recipe kitchen restaurant wine coffee travel journey city mountain ocean river
forest nature animal wildlife bird garden farming energy solar wind nuclear oil gas electric car engine
aviation space rocket planet star galaxy physics chemistry biology medicine doctor hospital nurse therapy
mental anxiety sleep fitness running cycling swimming tennis golf hockey basketball baseball cricket
rugby olympics coach team player season league championship match goal victory defeat transfer stadium
fans software code programming python rust javascript database cloud security privacy internet network
phone computer robot artificial intelligence machine data analysis statistics research experiment
discovery ancient medieval empire war peace revolution kingdom queen king castle archive museum memory
mythology religion faith church philosophy ethics meditation mindfulness spirituality relationships love
dating marriage friendship community volunteer charity housing rent mortgage inflation tax budget debt
trade
""".split()

NORWEGIAN = """
podkast episode intervju historie vitenskap teknologi politikk økonomi klima musikk kultur fotball helse
fortelling nyheter daglig ukentlig samtale gjest programleder sesong krim mysterium drap etterforskning
rettssak valg regjering stortinget statsråd marked penger investering næringsliv gründer selskap karriere
ledelse kunst kunstner film serie komedie drama roman bok forfatter språk læring skole universitet elev
lærer foreldre familie barn mat matlaging oppskrift kjøkken restaurant kaffe reise byen fjellet havet
elva skogen natur dyr fugler hagen landbruk energi strøm bil fly rommet planet fysikk medisin lege
sykehus terapi søvn trening løping ski skiskyting langrenn sykling håndball hockey lag spiller kamp mål
seier tap overgang stadion supportere programmering data sikkerhet personvern nettet mobil robot kunstig
intelligens forskning oppdagelse vikingtid middelalder krig fred konge dronning museum minner tro kirke
filosofi etikk kjærlighet vennskap bolig husleie rente skatt gjeld handel nordlys fjord hytte sommer
vinter høst våren julebord bunad dugnad kommune fylke distrikt samisk nynorsk bokmål dialekt
""".split()


def zipf_sampler(words: list[str], rng: random.Random) -> Callable[[int], list[str]]:
    weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(words))]
    return lambda k: rng.choices(words, weights=weights, k=k)


def misspelled(word: str, rng: random.Random, known: set[str]) -> str:
    """`word` with one edit (a letter changed, dropped, doubled or swapped with the next) that is no word
    of the vocabulary itself."""
    for _ in range(20):
        i = rng.randrange(len(word) - 1)
        edit = rng.choice(("change", "drop", "double", "swap"))
        if edit == "change":
            typo = word[:i] + rng.choice("aeiouklmnrst") + word[i + 1 :]
        elif edit == "drop":
            typo = word[:i] + word[i + 1 :]
        elif edit == "double":
            typo = word[:i] + word[i] + word[i:]
        else:
            typo = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if typo not in known:
            return typo
    return word


def folded(word: str) -> str:
    """As typed on a keyboard without Norwegian letters."""
    return word.replace("æ", "ae").replace("ø", "o").replace("å", "a")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


# ---------------------------------------------------------------------------------------------- child


def generate(episodes: int, rng: random.Random) -> None:
    from django.db import connection, transaction
    from django.utils.text import slugify

    from lytt.catalog.models import Episode, Show
    from lytt.search.index import optimize

    english, norwegian = zipf_sampler(ENGLISH, rng), zipf_sampler(NORWEGIAN, rng)
    now = datetime.now(UTC)
    shows_needed = max(1, episodes // EPISODES_PER_SHOW)
    started = time.perf_counter()
    for start in range(0, shows_needed, 100):
        batch = []
        for n in range(start, min(shows_needed, start + 100)):
            nb = rng.random() < 0.6
            words = (norwegian if nb else english)(rng.randint(2, 5))
            title = " ".join(words).capitalize()
            batch.append(
                Show(
                    slug=f"{slugify(title)[:90]}-{n}",
                    title=title,
                    author=" ".join((norwegian if nb else english)(2)).title(),
                    language="nb" if nb else "en",
                    description_text=" ".join((norwegian if nb else english)(rng.randint(30, 80))),
                    episode_count=EPISODES_PER_SHOW,
                    featured=rng.random() < 0.01,
                    latest_episode_at=now - timedelta(days=rng.randint(0, 60)),
                )
            )
        with transaction.atomic():
            created = Show.objects.bulk_create(batch)
            for show in created:
                sample = norwegian if show.language == "nb" else english
                episodes_batch = [
                    Episode(
                        show=show,
                        slug=f"e{i}",
                        match_key=f"m{i}",
                        guid=f"{show.pk}-{i}",
                        title=" ".join(sample(rng.randint(3, 8))).capitalize(),
                        description_text=" ".join(sample(rng.randint(30, 80))),
                        published_at=now - timedelta(days=rng.random() * 3650),
                        duration_seconds=rng.randint(600, 7200),
                    )
                    for i in range(EPISODES_PER_SHOW)
                ]
                Episode.objects.bulk_create(episodes_batch, batch_size=1000)
        done = min(shows_needed, start + 100)
        print(
            f"  generated {done * EPISODES_PER_SHOW:>9,} episodes  {time.perf_counter() - started:6.0f} s",
            flush=True,
        )
    # Fill the index the way lytt.search.index does (same columns), set-based for speed.
    config = "CASE WHEN s.language = 'nb' THEN 'norwegian' ELSE 'english' END"
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO search_searchentry (kind, object_id, show_id, language, config, explicit,"
            " published_at, popularity, title, author, people, categories, body) "
            f"SELECT 'show', s.id, s.id, s.language, {config}, %s, s.latest_episode_at, "
            "CASE WHEN s.featured THEN 0.8 ELSE 0.23 END, s.title, s.author, '', '', s.description_text "
            "FROM catalog_show s",
            [False],
        )
        cursor.execute(
            "INSERT INTO search_searchentry (kind, object_id, show_id, language, config, explicit,"
            " published_at, popularity, title, author, people, categories, body) "
            f"SELECT 'episode', e.id, s.id, s.language, {config}, %s, e.published_at, "
            "CASE WHEN s.featured THEN 0.8 ELSE 0.23 END, e.title, s.title || ' ' || s.author, '', '', "
            "e.description_text FROM catalog_episode e JOIN catalog_show s ON s.id = e.show_id",
            [False],
        )
    optimize()
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load: merge the GIN pending list, which every search
        # would otherwise scan in full.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
                "WHERE i.indrelid = 'search_searchentry'::regclass AND a.amname = 'gin'"
            )
    print(f"  indexed in {time.perf_counter() - started:6.0f} s total", flush=True)


def warm_cache() -> None:
    """Read the catalogue's tables and indexes into the OS page cache (pg_prewarm's "read" mode on
    PostgreSQL; the database file on SQLite), as a machine serving searches has them."""
    from django.conf import settings
    from django.db import connection

    started = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            cursor.execute(
                "WITH t AS (SELECT oid FROM pg_class WHERE relkind = 'r' AND relname IN "
                "('search_searchentry', 'catalog_episode', 'catalog_show')), "
                "rels AS (SELECT oid FROM t UNION SELECT reltoastrelid FROM pg_class "
                "WHERE oid IN (SELECT oid FROM t) AND reltoastrelid <> 0), "
                "idx AS (SELECT indexrelid AS oid FROM pg_index WHERE indrelid IN (SELECT oid FROM rels)) "
                "SELECT coalesce(sum(pg_prewarm(oid::regclass, 'read')), 0) "
                "FROM (SELECT oid FROM rels UNION SELECT oid FROM idx) AS warmed"
            )
            blocks = int(cursor.fetchone()[0])
        size = blocks * 8192
    else:
        size = 0
        with open(settings.DATABASES["default"]["NAME"], "rb") as file:
            while chunk := file.read(1 << 24):
                size += len(chunk)
    print(
        f"  warmed {size / 2**20:,.0f} MB in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
        flush=True,
    )


def like_scan(words: list[str]) -> list[int]:
    from django.db import connection

    clauses = " AND ".join(["(lower(title) LIKE %s OR lower(body) LIKE %s)"] * len(words))
    params: list[Any] = []
    for word in words:
        params += [f"%{word.lower()}%"] * 2
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM search_searchentry WHERE kind = 'episode' AND {clauses} "
            "ORDER BY published_at DESC LIMIT 20",
            params,
        )
        return [row[0] for row in cursor.fetchall()]


def progress(kind: str, ours: list[float], peer: list[float]) -> None:
    """One line per kind on stderr while the run goes on (stdout carries the result)."""
    print(
        f"  {kind}: p50 {statistics.median(ours):.1f} ms, p95 {percentile(ours, 0.95):.1f} ms; "
        f"LIKE p50 {statistics.median(peer):.0f} ms",
        file=sys.stderr,
        flush=True,
    )


def search_page(text: str, *, exact: bool) -> None:
    """What the search page runs for a query on its first page: 6 shows, 20 episodes, their people."""
    from lytt.search import search
    from lytt.search.people import people_in_results

    shows = search(text, kind="shows", limit=6, exact=exact)
    episodes = search(text, kind="episodes", limit=20, exact=exact)
    people_in_results(shows.corrected or episodes.corrected or text, (shows, episodes))


class CpuClock:
    """CPU time (user + system) spent on a query: this process's, plus on PostgreSQL the server process's
    serving this connection (it runs on the same machine; /proc/<pid>/schedstat counts nanoseconds). On a
    machine shared with other work the wall time waits for a core; the CPU time does not."""

    def __init__(self) -> None:
        from django.db import connection

        self.server: Path | None = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                path = Path(f"/proc/{cursor.fetchone()[0]}/schedstat")
            self.server = path if path.exists() else None

    def now(self) -> float:
        ms = time.process_time() * 1000
        if self.server is not None:
            ms += int(self.server.read_text().split()[0]) / 1e6
        return ms


CLOCK: CpuClock | None = None


def timed(function: Callable[[], object], cpu: list[float] | None = None) -> float:
    """Wall milliseconds of `function()`; its CPU milliseconds are appended to `cpu`."""
    cpu_start = CLOCK.now() if CLOCK is not None else 0.0
    started = time.perf_counter()
    function()
    wall = (time.perf_counter() - started) * 1000
    if cpu is not None and CLOCK is not None:
        cpu.append(CLOCK.now() - cpu_start)
    return wall


def child(args: argparse.Namespace) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lytt.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from lytt.catalog.models import Episode
    from lytt.search import search, suggest, vocabulary
    from lytt.search.models import SpellingWord

    call_command("migrate", verbosity=0)
    rng = random.Random(SEED)
    existing = Episode.objects.count()
    if existing < args.episodes:
        if existing:
            raise SystemExit(
                f"the scratch database holds {existing} episodes, fewer than asked: use a fresh one"
            )
        generate(args.episodes, rng)
    if not SpellingWord.objects.exists():  # a database kept from before the vocabulary existed
        started = time.perf_counter()
        words = vocabulary.rebuild()
        print(f"  vocabulary: {words:,} words in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    total = Episode.objects.count()
    queries: dict[str, list[list[str]]] = {}
    vocabulary = ENGLISH + NORWEGIAN
    qrng = random.Random(SEED + 1)
    for n in (1, 2, 3):
        queries[f"{n} word{'s' if n > 1 else ''}"] = [qrng.sample(vocabulary, n) for _ in range(args.queries)]
    known = set(vocabulary)
    long_words = [w for w in vocabulary if len(w) >= 5]
    queries["typo (1 word)"] = [
        [misspelled(qrng.choice(long_words), qrng, known)] for _ in range(args.queries)
    ]
    queries["typo (2 words)"] = [
        [qrng.choice(vocabulary), misspelled(qrng.choice(long_words), qrng, known)]
        for _ in range(args.queries)
    ]
    queries["prefix (search)"] = [[w[: qrng.randint(3, 5)]] for w in qrng.choices(long_words, k=args.queries)]
    lettered = [w for w in NORWEGIAN if set(w) & set("æøå")]
    queries["æøå folded"] = [[folded(qrng.choice(lettered))] for _ in range(args.queries)]
    prefixes = []
    for _ in range(args.queries):
        word = qrng.choice(vocabulary)
        prefixes.append(word[: qrng.randint(2, min(5, len(word)))])
    results: dict[str, Any] = {"backend": connection.vendor, "episodes": total, "kinds": {}}
    # The catalogue in the OS cache as on a serving machine, and every kind of Lytt's queries before the
    # LIKE scans: the VMs this runs on page out file pages left idle for a minute, and the scans take
    # minutes (docs/benchmarks.md, "Search").
    if not args.cold:
        warm_cache()
    global CLOCK
    CLOCK = CpuClock()
    ours: dict[str, list[float]] = {}
    exact: dict[str, list[float]] = {}
    cpu: dict[str, dict[str, list[float]]] = {}
    for kind, batch in queries.items():
        for words in batch[:10]:  # warm-up
            search(" ".join(words))
            search(" ".join(words), exact=True)
        cpu[kind] = {"ours": [], "exact": []}
        exact[kind] = [
            timed(lambda w=words: search(" ".join(w), limit=20, exact=True), cpu[kind]["exact"])
            for words in batch
        ]
        ours[kind] = [
            timed(lambda w=words: search(" ".join(w), limit=20), cpu[kind]["ours"]) for words in batch
        ]
    # The search page's work for a query of every kind in turn: shows and episodes, then the people of
    # their hits (lytt.search.views).
    page = "page (mixed kinds)"
    mixed = [batch[n] for n in range(args.queries) for batch in queries.values()][: args.queries]
    for words in mixed[:10]:
        search_page(" ".join(words), exact=False)
    cpu[page] = {"ours": [], "exact": []}
    exact[page] = [
        timed(lambda w=words: search_page(" ".join(w), exact=True), cpu[page]["exact"]) for words in mixed
    ]
    ours[page] = [
        timed(lambda w=words: search_page(" ".join(w), exact=False), cpu[page]["ours"]) for words in mixed
    ]
    queries[page] = mixed
    for prefix in prefixes[:10]:
        suggest(prefix)
    cpu["prefix (suggest)"] = {"ours": [], "exact": []}
    ours["prefix (suggest)"] = [
        timed(lambda p=prefix: suggest(p, limit=8), cpu["prefix (suggest)"]["ours"]) for prefix in prefixes
    ]
    peers = {**queries, "prefix (suggest)": [[prefix] for prefix in prefixes]}
    results["load"] = os.getloadavg()
    for kind, times in ours.items():
        peer = [timed(lambda w=words: like_scan(w)) for words in peers[kind][: args.like_queries]]
        results["kinds"][kind] = {
            "ours": times,
            "exact": exact.get(kind),
            "like": peer,
            "ours_cpu": cpu[kind]["ours"],
            "exact_cpu": cpu[kind]["exact"] or None,
        }
        progress(kind, times, peer)
    print("RESULT " + json.dumps(results), flush=True)


# --------------------------------------------------------------------------------------------- parent


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", "--episodes", str(args.episodes), "--queries",
               str(args.queries), "--like-queries", str(args.like_queries)]  # fmt: skip
    if args.cold:
        command.append("--cold")
    # Named by size, so that a run with --keep leaves the data for the next run of that size.
    kind = f"search{args.name.replace('-', '_')}_{args.episodes}"
    scratch = scratch_backend(backend, kind, args.database_url, keep=args.keep, scratch_dir=args.scratch_dir)
    with scratch as env:
        return child_result(command, env)


def _p50_p95(values: list[float] | None) -> str:
    if not values:
        return "– | –"
    return f"{statistics.median(values):.1f} | {percentile(values, 0.95):.1f}"


def report(results: list[dict[str, Any]]) -> str:
    """Per kind: wall and CPU p50 | p95 (ms) as typed and forgiving, the LIKE scan's wall, their ratio."""
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        "| backend | episodes | queries | as typed wall p50 | p95 | as typed CPU p50 | p95 | Lytt wall p50 "
        "| p95 | Lytt CPU p50 | p95 | LIKE wall p50 | LIKE/Lytt (p50) | CPU p95 < 50 ms |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for result in results:
        for kind, data in result["kinds"].items():
            ours, like, ours_cpu = data["ours"], data["like"], data.get("ours_cpu")
            l50 = statistics.median(like)
            under = "yes" if ours_cpu and percentile(ours_cpu, 0.95) < 50 else "no"
            lines.append(
                f"| {result['backend']} | {result['episodes']:,} | {kind} | {_p50_p95(data.get('exact'))} | "
                f"{_p50_p95(data.get('exact_cpu'))} | {_p50_p95(ours)} | {_p50_p95(ours_cpu)} | {l50:.0f} | "
                f"{l50 / statistics.median(ours):.0f}× | {under} |"
            )
    lines.append("")
    lines += [
        f"{r['backend']}: load average {r['load']} when the timing ended" for r in results if "load" in r
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="50,000 episodes instead of 1,000,000")
    parser.add_argument("--episodes", type=int, default=None)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--database-url", default=POSTGRES_URL)
    parser.add_argument("--queries", type=int, default=200, help="timed queries per kind")
    parser.add_argument("--like-queries", type=int, default=20, help="timed LIKE scans per kind")
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases for another run")
    parser.add_argument(
        "--cold", action="store_true", help="do not read the catalogue into the OS cache before timing"
    )
    parser.add_argument(
        "--name", default="", help="a suffix for the scratch database and data directory (e.g. -alice)"
    )
    parser.add_argument("--scratch-dir", default=None, help="where the SQLite data directory goes (/tmp)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.episodes is None:
        args.episodes = 50_000 if args.quick else 1_000_000
    sys.path.insert(0, str(REPO / "src"))
    if args.child:
        child(args)
        return
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    results = []
    for backend in backends:
        print(f"{backend}: {args.episodes:,} episodes", flush=True)
        results.append(run_backend(backend, args))
    print()
    print(report(results))


if __name__ == "__main__":
    main()

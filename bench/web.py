"""Website benchmark: episode page, show page and home against a static file of the same size.

    python bench/web.py            # 10,000 shows, 1,000,000 episodes (SQLite), 32 connections, 10 s a target
    python bench/web.py --quick    # 500 shows, 20,000 episodes, 4 s a target
    python bench/web.py --uncached-only   # the static file and the pages with the micro-cache off
    python bench/web.py --listening       # issue 22's pages against their baselines (bench/web_listening.py)

Builds the catalogue once in --data-dir (bulk insert straight into SQLite; reused when it already has the
requested size), starts the production server (`--server`, default the one `lytt serve` uses) on loopback,
and drives it with `wrk` (Debian package `wrk`) or, without it, a built-in async httpx load generator.
The static file is served by the same server (WhiteNoise) in the same run: that ratio is the figure that
travels between machines, with the server's CPU time per request (from /proc), which other work on a
shared machine skews far less than requests/s. Prints a Markdown table; --write replaces the "Website"
section of docs/benchmarks.md with it. --listening runs only the pages of bench/web_listening.py (a
transcript and chapters, a signed-in listener's home and show page), each against its baseline, alternately,
--repeat times, with the page cache off and --listening-connections connections, and prints their table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOREM = (
    "In this episode we talk with researchers, organisers and listeners about how communities keep their "
    "stories alive, what changes when a conversation moves online, and why a small question can open a long "
    "answer. We also read letters from listeners and look back at the week. "
)


@dataclass(slots=True)
class Result:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_ms: float | None = None  # server CPU time per request: what other work on the machine cannot skew


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a small catalogue and short runs")
    parser.add_argument("--shows", type=int, default=None)
    parser.add_argument("--episodes", type=int, default=None)
    parser.add_argument("--duration", type=float, default=None, help="seconds per target")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=None, help="server processes (default: CPUs, max 4)")
    parser.add_argument("--server", choices=["uvicorn", "granian", "gunicorn"], default="granian")
    parser.add_argument("--loader", choices=["auto", "wrk", "httpx"], default="auto")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--write", action="store_true", help="write the table into docs/benchmarks.md")
    parser.add_argument("--listening", action="store_true", help="only issue 22's pages and baselines")
    parser.add_argument("--repeat", type=int, default=3, help="--listening: rounds of each pair")
    parser.add_argument("--listening-connections", type=int, default=4)
    parser.add_argument(
        "--database-url", default=None, help="postgres://… to build and serve the catalogue there, not SQLite"
    )
    parser.add_argument(
        "--uncached-only",
        action="store_true",
        help="only the static file (as served) and the pages with the micro-cache off: quick render checks",
    )
    args = parser.parse_args()
    args.shows = args.shows or (500 if args.quick else 10_000)
    args.episodes = args.episodes or (20_000 if args.quick else 1_000_000)
    args.duration = args.duration or (4.0 if args.quick else 10.0)
    args.data_dir = (
        args.data_dir or Path(tempfile.gettempdir()) / f"lytt-bench-web-{args.shows}-{args.episodes}"
    )
    return args


# ---- the catalogue --------------------------------------------------------------------------------------


def _setup_django(data_dir: Path, database_url: str | None = None) -> None:
    os.environ["LYTT_DATA_DIR"] = str(data_dir)
    os.environ.pop("LYTT_DATABASE_URL", None)
    if database_url:
        os.environ["LYTT_DATABASE_URL"] = database_url  # the server started later inherits it
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lytt.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def _row_template(model: Any) -> tuple[list[str], list[Any]]:
    """Column names and database-ready default values for every concrete field but the primary key."""
    from django.db import connection

    columns, defaults = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        value = field.get_default() if field.has_default() else None
        if value is None and not field.null and field.get_internal_type() in {"CharField", "TextField"}:
            value = ""
        columns.append(field.column)
        defaults.append(field.get_db_prep_save(value, connection))
    return columns, defaults


def _insert(model: Any, rows: Iterator[dict[str, Any]], batch: int = 20_000) -> int:
    from django.db import connection, transaction

    columns, defaults = _row_template(model)
    index = {name: i for i, name in enumerate(columns)}
    sql = 'INSERT INTO "{}" ({}) VALUES ({})'.format(
        model._meta.db_table, ", ".join(f'"{c}"' for c in columns), ", ".join(["%s"] * len(columns))
    )
    done = 0
    buffer: list[list[Any]] = []
    with transaction.atomic(), connection.cursor() as cursor:
        for row in rows:
            values = list(defaults)
            for key, value in row.items():
                values[index[key]] = value
            buffer.append(values)
            if len(buffer) >= batch:
                cursor.executemany(sql, buffer)
                done += len(buffer)
                buffer.clear()
        if buffer:
            cursor.executemany(sql, buffer)
            done += len(buffer)
    return done


def build_catalogue(shows: int, episodes: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from lytt.catalog.models import Category, Episode, Show, ShowCategory
    from lytt.charts.ranking import recompute_popularity

    call_command("migrate", interactive=False, verbosity=0)
    if Show.objects.count() == shows and Episode.objects.count() == episodes:
        print(f"catalogue: reusing {shows} shows, {episodes} episodes", file=sys.stderr)
        if connection.vendor == "sqlite":
            connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return
    if Show.objects.exists():
        raise SystemExit("the bench data directory has another catalogue: remove it or pass --data-dir")
    rng = random.Random(42)
    categories = list(Category.objects.filter(parent__isnull=False).values_list("id", flat=True)) or [None]
    now = datetime(2026, 1, 1, tzinfo=UTC)
    per_show = episodes // shows
    started = time.perf_counter()
    show_category = [rng.choice(categories) for _ in range(shows)]
    _insert(
        Show,
        (
            {
                "slug": f"show-{n}",
                "title": f"Benchmark Show {n}",
                "author": f"Host {n % 997}",
                "description_text": LOREM * 3,
                "description_html": f"<p>{LOREM * 3}</p>",
                "image_url": f"https://img.example/{n}.jpg",
                "language": "nb" if n % 2 else "en",
                "primary_category_id": show_category[n],
                "episode_count": per_show + (1 if n < episodes % shows else 0),
                "latest_episode_at": now - timedelta(hours=n),
                "featured": n < 12,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(shows)
        ),
    )
    ids = dict(Show.objects.values_list("slug", "id"))
    show_ids = [ids[f"show-{n}"] for n in range(shows)]
    if categories != [None]:
        _insert(
            ShowCategory,
            ({"show_id": show_ids[n], "category_id": show_category[n]} for n in range(shows)),
        )

    def episode_rows() -> Iterator[dict[str, Any]]:
        for n in range(episodes):
            show = n % shows
            number = n // shows + 1
            published = now - timedelta(hours=show) - timedelta(days=number - 1)  # first = show's latest
            text = f"Episode #{number}: " + LOREM * 4
            yield {
                "show_id": show_ids[show],
                "slug": f"episode-{number}",
                "match_key": f"k{number}",
                "guid": f"guid-{show}-{number}",
                "title": f"Episode {number} of show {show}",
                "published_at": published,
                "duration_seconds": 1800 + (n * 37) % 7200,
                "enclosure_url": f"https://audio.example/{show}/{number}.mp3",
                "enclosure_type": "audio/mpeg",
                "episode_number": number,
                "description_text": text,
                "description_html": "".join(f"<p>{LOREM}</p>" for _ in range(4)),
                "created_at": now,
                "updated_at": now,
            }

    _insert(Episode, episode_rows())
    recompute_popularity(now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "sqlite":
            # A multi-gigabyte write-ahead log makes every read consult it: fold it into the database.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    print(
        f"catalogue: built {shows} shows, {episodes} episodes in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )


# ---- the server -----------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_command(server: str, port: int, workers: int) -> list[str]:
    python = sys.executable
    if server == "uvicorn":
        return [
            python, "-m", "uvicorn", "lytt.asgi:application", "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--log-level", "warning", "--no-access-log", "--lifespan", "off",
        ]  # fmt: skip
    if server == "granian":
        return [
            python, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--blocking-threads", "4", "--log-level", "warning",
            "lytt.wsgi:application",
        ]  # fmt: skip
    return [
        python, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--log-level", "warning", "lytt.wsgi:application",
    ]  # fmt: skip


def start_server(
    server: str, workers: int, data_dir: Path, extra_env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    import httpx

    port = _free_port()
    env = {
        **(extra_env or {}),
        **os.environ,
        "LYTT_DATA_DIR": str(data_dir),
        "PYTHONPATH": str(ROOT / "src"),
        "LYTT_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(server_command(server, port, workers), env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{server} exited with {process.returncode}")
        try:
            if httpx.get(base + "/", timeout=5).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.3)
    stop_server(process)
    raise SystemExit(f"{server} did not answer within 60 s")


def server_cpu_seconds(root_pid: int) -> float | None:
    """User + system CPU time of the server and every process under it so far (Linux /proc), else None."""
    proc = Path("/proc")
    if not (proc / str(root_pid) / "stat").exists():
        return None
    children: dict[int, list[int]] = {}
    ticks: dict[int, int] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:  # ended while we looked
            continue
        fields = text[text.rindex(")") + 2 :].split()  # the name may hold spaces and parentheses
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        ticks[int(entry.name)] = int(fields[11]) + int(fields[12])
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        total += ticks.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total / os.sysconf("SC_CLK_TCK")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


# ---- the load ---------------------------------------------------------------------------------------------

WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("LYTT_BENCH_PATHS")) do paths[#paths + 1] = line end
local counter = 0
request = function()
  counter = counter + 1
  local headers = {["Accept-Language"] = "nb"}
  local cookie = os.getenv("LYTT_BENCH_COOKIE")
  if cookie and cookie ~= "" then headers["Cookie"] = cookie end
  return wrk.format("GET", paths[(counter % #paths) + 1], headers)
end
"""


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(
    name: str, base: str, paths: list[str], seconds: float, connections: int, cookie: str | None = None
) -> Result:
    with tempfile.TemporaryDirectory() as tmp:
        path_file = Path(tmp) / "paths.txt"
        path_file.write_text("\n".join(paths) + "\n")
        script = Path(tmp) / "paths.lua"
        script.write_text(WRK_SCRIPT)
        output = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{max(int(seconds), 1)}s",
                "--latency",
                "--timeout",
                "30s",  # an uncached page under load can take seconds: slow, not failed
                "-s",
                str(script),
                base,
            ],
            env={**os.environ, "LYTT_BENCH_PATHS": str(path_file), "LYTT_BENCH_COOKIE": cookie or ""},
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        ).stdout
    if not re.search(r"^\s*50%\s+[\d.]+(us|ms|s|m)\b", output, re.M):
        raise SystemExit(f"wrk gave no latency figures for {name}:\n{output}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s*50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s*99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    count = int(bad.group(1)) if bad else 0
    count += sum(int(n) for n in errors.groups()) if errors else 0
    return Result(name, rps, p50, p99, count)


async def _httpx_load(
    base: str, paths: list[str], seconds: float, connections: int, cookie: str | None
) -> tuple[int, list[float], int]:
    import httpx

    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    headers = {"Accept-Language": "nb", **({"Cookie": cookie} if cookie else {})}
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30, headers=headers) as client:

        async def worker(offset: int) -> None:
            nonlocal errors
            n = offset
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await client.get(paths[n % len(paths)])
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code >= 400:
                    errors += 1
                n += connections

        await asyncio.gather(*(worker(i) for i in range(connections)))
    return len(latencies), latencies, errors


def run_httpx(
    name: str, base: str, paths: list[str], seconds: float, connections: int, cookie: str | None = None
) -> Result:
    started = time.perf_counter()
    count, latencies, errors = asyncio.run(_httpx_load(base, paths, seconds, connections, cookie))
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return Result(name, count / elapsed, cuts[49], cuts[98], errors)


# ---- main -------------------------------------------------------------------------------------------------

URLS = 1000  # distinct episode and show pages per run, drawn at random from the whole catalogue


def warm_up(name: str, base: str, paths: list[str], connections: int, rounds: int = 10) -> None:
    """Load the micro-caches: repeat short runs until even the 99th percentile is a cache hit (or give up)."""
    for _ in range(rounds):
        result = (
            run_httpx(name, base, paths, 5.0, connections)
            if not shutil.which("wrk")
            else run_wrk(name, base, paths, 5.0, connections)
        )
        if result.p99_ms < 25:
            return


def targets(shows: int, episodes: int, base_static: str) -> dict[str, list[str]]:
    rng = random.Random(7)
    per_show = max(episodes // shows, 1)
    episode_paths = [
        f"/podcast/show-{rng.randrange(shows)}/episode-{rng.randrange(per_show) + 1}/" for _ in range(URLS)
    ]
    show_paths = [f"/podcast/show-{rng.randrange(shows)}/" for _ in range(URLS)]
    return {
        "episode page": episode_paths,
        "show page": show_paths,
        "home": ["/"],
        "static file": [base_static],
    }


def write_static_twin(data_dir: Path, size: int) -> str:
    """A static HTML file as large as an episode page, where the server's static files live."""
    from django.conf import settings

    root = Path(settings.STATIC_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    (root / "bench").mkdir(exist_ok=True)
    body = ("<!doctype html><title>static twin</title><p>" + "x" * size)[:size]
    (root / "bench" / "twin.html").write_text(body)
    return "/static/bench/twin.html"


def episode_page_size() -> int:
    from django.test import Client

    response = Client().get("/podcast/show-0/episode-1/", HTTP_ACCEPT_LANGUAGE="nb")
    assert response.status_code == 200, response.status_code
    return len(response.content)


def markdown(results: list[Result], args: argparse.Namespace, workers: int, loader: str) -> str:
    static = next(r for r in results if r.name == "static file")
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node() or 'this machine'}: "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, SQLite, {args.shows:,} shows and "
        f"{args.episodes:,} episodes, server `{args.server}` with {workers} worker(s), load from `{loader}` "
        f"with {args.connections} connections on loopback, {args.duration:.0f} s per target.",
        "",
        "| target | requests/s | p50 ms | p99 ms | errors | vs static | server CPU ms per request |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        ratio = r.requests_per_second / static.requests_per_second if static.requests_per_second else 0
        cpu = f"{r.cpu_ms:.2f}" if r.cpu_ms is not None else "n/a"
        lines.append(
            f"| {r.name} | {r.requests_per_second:,.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.errors} | "
            f"{ratio:.2f} | {cpu} |"
        )
    return "\n".join(lines) + "\n"


def write_section(table: str) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    heading = "## Website"
    block = f"{heading}\n\n`python bench/web.py` (see its docstring). Targets: episode page p99 under 50 ms "
    block += "and at least a third of the static file's requests/s.\n\n" + table
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(block + "\n", text) if pattern.search(text) else text.rstrip() + "\n\n" + block
    path.write_text(text)


def listening(args: argparse.Namespace, measure: Any, workers: int) -> int:
    """--listening: issue 22's pages, each against its baseline in one server run (page cache off)."""
    import web_listening

    web_listening.attach_files(args.shows)
    cookie = web_listening.session_cookie()
    process, base = start_server(args.server, workers, args.data_dir, {"LYTT_PAGE_CACHE": "0"})

    def one(name: str, paths: list[str], with_cookie: str | None) -> tuple[float, float, float | None]:
        cpu_before = server_cpu_seconds(process.pid)
        result = measure(name, base, paths, args.duration, args.listening_connections, with_cookie)
        cpu_after = server_cpu_seconds(process.pid)
        served = result.requests_per_second * args.duration
        if cpu_before is not None and cpu_after is not None and served:
            result.cpu_ms = (cpu_after - cpu_before) * 1000 / served
        print(json.dumps(asdict(result)), file=sys.stderr)
        if result.errors:
            raise SystemExit(f"{name}: {result.errors} failed requests")
        return result.requests_per_second, result.p50_ms, result.cpu_ms

    try:
        pairs = web_listening.run(web_listening.cases(args.shows), one, cookie, args.repeat)
    finally:
        stop_server(process)
    print(
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node() or 'this machine'}: "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, "
        f"{'PostgreSQL' if args.database_url else 'SQLite'}, {args.shows:,} shows and "
        f"{args.episodes:,} episodes, server `{args.server}` with {workers} worker(s), page cache off, "
        f"{args.listening_connections} connections, {args.duration:.0f} s per run, {args.repeat} rounds.\n"
    )
    print(web_listening.markdown(pairs))
    return 0


def main() -> int:
    args = _args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    _setup_django(args.data_dir, args.database_url)
    build_catalogue(args.shows, args.episodes)
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    static_path = write_static_twin(args.data_dir, episode_page_size())
    loader = args.loader
    if loader == "auto":
        loader = "wrk" if shutil.which("wrk") else "httpx"
    measure = run_wrk if loader == "wrk" else run_httpx
    workers = args.workers or max(1, min(os.cpu_count() or 1, 4))
    if args.listening:
        return listening(args, measure, workers)
    results = []
    pages = targets(args.shows, args.episodes, static_path)
    # First as served (micro-cache on; the warm-up visits every URL about twice per worker), then with the
    # micro-cache off, where every request renders the page (only the shared fragments are cached).
    # --uncached-only keeps the static file from the first pass and skips the other as-served rows.
    for label, extra_env in (("", {}), (" (uncached)", {"LYTT_PAGE_CACHE": "0"})):
        process, base = start_server(args.server, workers, args.data_dir, extra_env)
        try:
            for name, paths in pages.items():
                if label and name == "static file":
                    continue
                if args.uncached_only and not label and name != "static file":
                    continue
                if label:
                    measure(name, base, paths, 2.0, args.connections)
                else:
                    warm_up(name, base, paths, args.connections)
                cpu_before = server_cpu_seconds(process.pid)
                result = measure(name + label, base, paths, args.duration, args.connections)
                cpu_after = server_cpu_seconds(process.pid)
                served = result.requests_per_second * args.duration
                if cpu_before is not None and cpu_after is not None and served:
                    result.cpu_ms = (cpu_after - cpu_before) * 1000 / served
                print(json.dumps(asdict(result)), file=sys.stderr)
                results.append(result)
        finally:
            stop_server(process)
    table = markdown(results, args, workers, loader)
    print(table)
    if args.write:
        write_section(table)
    episode = next((r for r in results if r.name.startswith("episode page")), results[0])
    static = next(r for r in results if r.name == "static file")
    ok = episode.p99_ms < 50 and episode.requests_per_second >= static.requests_per_second / 3
    print("targets met" if ok else "targets NOT met", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What `lytt serve` does, step by step (see `run`).

The web server is Granian running the WSGI application `lytt.web.wsgi` (see docs/architecture.md, "web",
for the measurement behind the choice). The
crawler runs as a child process (`lytt crawl`) so that fetching and parsing never compete with requests
for one interpreter lock; the charts are recomputed in a background thread every `LYTT_CHARTS_MINUTES`.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from dataclasses import dataclass

from rich.console import Console

log = logging.getLogger(__name__)
console = Console(stderr=True, highlight=False)

CHARTS_MINUTES = float(os.environ.get("LYTT_CHARTS_MINUTES", "15"))
# Python threads per server process: enough to overlap database waits, few enough to not thrash the GIL.
BLOCKING_THREADS = 4


@dataclass(frozen=True, slots=True)
class ServeOptions:
    host: str
    port: int
    workers: int | None = None
    crawl: bool = True
    sample: bool = True


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def public_url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in {"0.0.0.0", "", "::"} else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def prepare(sample: bool = True) -> None:
    """Migrate, collect static files, load the sample catalogue if the database is empty, compute charts."""
    from django.core.management import call_command

    from lytt.charts.ranking import recompute_popularity

    with console.status("Migrating the database…"):
        call_command("migrate", interactive=False, verbosity=0)
    with console.status("Collecting static files…"):
        call_command("collectstatic", interactive=False, verbosity=0)
    if sample:
        from lytt.web.sample import load_sample_catalogue

        with console.status("Loading the sample catalogue…"):
            loaded = load_sample_catalogue()
        if loaded.loaded:
            shows, episodes = len(loaded.shows), loaded.episodes
            console.print(f"Loaded the sample catalogue: {shows} shows, {episodes} episodes.")
    with console.status("Computing charts…"):
        recompute_popularity()


def _charts_loop(stop: threading.Event) -> None:
    from django.db import close_old_connections

    from lytt.charts.ranking import recompute_popularity

    while not stop.wait(CHARTS_MINUTES * 60):
        try:
            recompute_popularity()
        except Exception:  # keep serving; the next round retries
            log.exception("charts: recomputation failed")
        finally:
            close_old_connections()


def crawler_available() -> bool:
    """True once the crawl package registers its `lytt crawl` command (integration point)."""
    from lytt.cli import build_parser

    parser = build_parser()
    for action in parser._subparsers._group_actions if parser._subparsers else []:
        choices = getattr(action, "choices", None) or {}
        if "crawl" in choices:
            return True
    return False


def start_crawler() -> subprocess.Popen[bytes] | None:
    if not crawler_available():
        console.print("[yellow]The crawler is not available in this build; serving without it.[/]")
        return None
    return subprocess.Popen([sys.executable, "-m", "lytt.cli", "crawl"])  # our own CLI, fixed arguments


def serve_http(host: str, port: int, workers: int) -> None:
    """Granian (Rust HTTP, WSGI interface) serving Django behind the page micro-cache, until stopped."""
    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    level = os.environ.get("LYTT_SERVER_LOG_LEVEL", "warning").lower()
    Granian(
        "lytt.web.wsgi:application",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=BLOCKING_THREADS,
        log_level=LogLevels(level),
        respawn_failed_workers=True,
    ).serve()


def run(options: ServeOptions) -> int:
    prepare(sample=options.sample)
    stop = threading.Event()
    charts = threading.Thread(target=_charts_loop, args=(stop,), name="lytt-charts", daemon=True)
    charts.start()
    crawler = start_crawler() if options.crawl else None
    workers = options.workers or default_workers()
    console.print(f"[bold]Lytt is running at {public_url(options.host, options.port)}[/]  (Ctrl+C to stop)")
    from django.db import connections

    connections.close_all()  # server workers open their own; never share a connection across processes
    try:
        serve_http(options.host, options.port, workers)
    finally:
        stop.set()
        if crawler is not None:
            crawler.terminate()
            try:
                crawler.wait(timeout=10)
            except subprocess.TimeoutExpired:
                crawler.kill()
    return 0

"""What `lytt serve` does, step by step (see `run`).

The web server is Granian running the WSGI application `lytt.wsgi` (see docs/architecture.md, "web",
for the measurement behind the choice). The crawler runs as a child process (`lytt crawl`) so that
fetching and parsing never compete with requests for one interpreter lock; the charts are recomputed in a
background thread every `LYTT_CHARTS_MINUTES` (0: never; then run `lytt charts` from cron, e.g. on one
machine of many).
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass

from rich.console import Console

log = logging.getLogger(__name__)
console = Console(stderr=True, highlight=False)

# Python threads per server process: enough to overlap database waits, few enough to not thrash the GIL.
BLOCKING_THREADS = 4


def charts_interval(minutes: str) -> float | None:
    """Seconds between chart recomputations from LYTT_CHARTS_MINUTES; None (never) for 0 or less."""
    try:
        value = float(minutes)
    except ValueError:
        raise ValueError(f"LYTT_CHARTS_MINUTES: {minutes!r} is not a number of minutes") from None
    return value * 60 if value > 0 else None


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


def _charts_loop(stop: threading.Event, interval: float) -> None:
    from django.db import close_old_connections

    from lytt.charts.ranking import recompute_popularity

    while not stop.wait(interval):
        try:
            recompute_popularity()
        except Exception:  # keep serving; the next round retries
            log.exception("charts: recomputation failed")
        finally:
            close_old_connections()


def start_crawler() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "lytt.cli", "crawl"])  # our own CLI, fixed arguments


def listen_problem(host: str, port: int) -> str | None:
    """None when the server can listen on host:port, else why not (the port in use, an address this
    machine does not have, a port it may not open). Checked before anything starts: the web server
    itself would fail only after the crawler had started, with a traceback."""
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return f"cannot listen on {host}:{port}: {exc.strerror}"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    return None


def serve_http(host: str, port: int, workers: int) -> None:
    """Granian (Rust HTTP, WSGI interface) serving Django behind the page micro-cache, until stopped."""
    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    level = os.environ.get("LYTT_SERVER_LOG_LEVEL", "warning").lower()
    Granian(
        "lytt.wsgi:application",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=BLOCKING_THREADS,
        log_level=LogLevels(level),
        respawn_failed_workers=True,
    ).serve()


def run(options: ServeOptions) -> int:
    interval = charts_interval(os.environ.get("LYTT_CHARTS_MINUTES", "15"))
    problem = listen_problem(options.host, options.port)
    if problem is not None:
        print(f"lytt: {problem} (another server? choose a port with --port)", file=sys.stderr)
        return 1
    prepare(sample=options.sample)
    stop = threading.Event()
    if interval is not None:
        charts = threading.Thread(target=_charts_loop, args=(stop, interval), name="lytt-charts", daemon=True)
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

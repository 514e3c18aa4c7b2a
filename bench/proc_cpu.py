"""CPU time of processes from /proc, for the crawler benchmarks (bench/crawl.py, bench/crawl_threads.py).

A crawl on PostgreSQL spends part of its CPU in the server: the worker's backend, and the server's own
processes (WAL writer, checkpointer, background writer, autovacuum). Those are not the crawler's children,
so `resource.getrusage` never sees them; they are read here by process id, which needs the server on this
machine (127.0.0.1).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")

#: The PostgreSQL server's processes that work for every session (their titles, as `ps` shows them).
SERVER_HELPERS = ("checkpointer", "background writer", "walwriter", "autovacuum worker")


def _fields(stat: str) -> list[str]:
    return Path(stat).read_text().rsplit(")", 1)[1].split()


def cpu(stat: str) -> float:
    """User + system CPU seconds from a `/proc/.../stat` file."""
    fields = _fields(stat)
    return (int(fields[11]) + int(fields[12])) / TICKS


def own_cpu() -> float:
    """User + system CPU seconds of this process (all its threads) and of the children it has waited for
    (a crawl's parser processes, once its parse pool has closed)."""
    fields = _fields("/proc/self/stat")
    return sum(int(value) for value in fields[11:15]) / TICKS


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of process `pid` (0.0 once it is gone)."""
    try:
        return cpu(f"/proc/{pid}/stat")
    except OSError:
        return 0.0


def run_time(pid: int) -> float:
    """CPU seconds process `pid`'s main thread has run, to the nanosecond (`/proc/PID/schedstat`): fine
    enough to charge a single-threaded PostgreSQL backend statement by statement."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9


def server_helpers(known: dict[int, str | None] | None = None) -> dict[int, str]:
    """The local PostgreSQL server's shared processes (`SERVER_HELPERS`), by process id.

    `known` (process id → its helper title, or None for any other process) spares reading the command
    line of a process seen before, and learns the new ones: a scan that reads every process's command
    line costs milliseconds on a busy machine.
    """
    known = {} if known is None else known
    found: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        if pid not in known:
            known[pid] = _helper_title(pid)
        title = known[pid]
        if title is not None:
            found[pid] = title
    return found


def _helper_title(pid: int) -> str | None:
    try:
        title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return None
    if title.startswith("postgres:") and any(helper in title for helper in SERVER_HELPERS):
        return title.strip()
    return None


class HelperSampler:
    """The CPU the server's shared processes spend between `start` and `stop`: sampled every `every`
    seconds, so an autovacuum worker that comes and goes meanwhile is counted from when it was first seen.

    They serve every database on the server: on a shared machine they also count other sessions' work.
    The sampling thread runs in the measuring process: `own` is its CPU seconds between `start` and
    `stop`, which a caller that charges this process's CPU to the crawl takes off.
    """

    def __init__(self, every: float = 0.2) -> None:
        self._every = every
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._known: dict[int, str | None] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.own = 0.0

    def _sample(self, *, first: bool) -> None:
        for pid in server_helpers(self._known):
            seconds = process_cpu(pid)
            if seconds <= 0.0:
                continue
            # A process first seen after the start counts from zero: its whole life was in the window.
            self._first.setdefault(pid, seconds if first else 0.0)
            self._last[pid] = seconds

    def _run(self) -> None:
        while not self._done.wait(self._every):
            started = time.thread_time()
            self._sample(first=False)
            self.own += time.thread_time() - started

    def start(self) -> HelperSampler:
        self._sample(first=True)
        self._thread.start()
        return self

    def stop(self) -> float:
        """CPU seconds the server's shared processes spent since `start`."""
        self._done.set()
        self._thread.join()
        self._sample(first=False)
        return sum(self._last[pid] - self._first[pid] for pid in self._last)

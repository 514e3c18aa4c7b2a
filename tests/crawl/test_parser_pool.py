"""The parser pool: in-process and in processes, a dying process, no orphans."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from tests.crawl.parse_jobs import crash_on_poison
from tests.feedserver import rss

from lytt.catalog.rows import episode_rows
from lytt.crawl.parser_pool import ParseFailure, ParseJob, ParsePool, Prepared, default_processes
from lytt.feeds import parse_feed

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def importable_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Spawned pool processes import jobs by name: let them find the `tests` package."""
    monkeypatch.syspath_prepend(str(ROOT))


def job(n: int, *, url: str = "https://example.com/feed.xml", body: bytes | None = None) -> ParseJob:
    data = body if body is not None else rss(f"Show {n}", episodes=3).encode()
    return ParseJob(body=data, url=url, content_type="application/rss+xml", max_bytes=1_000_000)


def collect(pool: ParsePool[int], count: int) -> dict[int, object]:
    results: dict[int, object] = {}
    deadline = time.monotonic() + 60
    while len(results) < count and time.monotonic() < deadline:
        results.update(pool.ready(block=True))
    return results


def test_default_leaves_a_core_to_the_crawler() -> None:
    assert 1 <= default_processes() <= 8
    assert default_processes() == max(1, min(8, (os.cpu_count() or 1) - 1))


def test_parser_processes_start_without_the_fetcher() -> None:
    """A pool process imports `lytt.crawl.parser_pool` before its first feed; the crawl's first writes wait
    for it, so the HTTP stack (half of that start-up) must not come along."""
    probe = (
        "import sys, lytt.crawl.parser_pool\n"
        "print(sorted(m for m in ('aiohttp', 'lytt.crawl.fetch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("processes", [0, 1])
def test_pool_parses_like_parse_feed_and_reports_feed_errors(processes: int) -> None:
    with ParsePool[int](processes) as pool:
        pool.submit(1, job(1))
        pool.submit(2, job(2, body=b"<html><body>not a feed</body></html>"))
        results = collect(pool, 2)
        assert len(pool) == 0
    expected = parse_feed(job(1).body, url=job(1).url, content_type="application/rss+xml")
    prepared = results[1]
    assert isinstance(prepared, Prepared)
    assert prepared.feed == replace(expected, episodes=[])
    assert prepared.rows == episode_rows(expected)
    assert len(prepared.rows) == 3
    assert prepared.published == [episode.published for episode in expected.episodes]
    failure = results[2]
    assert isinstance(failure, ParseFailure)
    assert failure.expected
    assert not failure.crashed
    assert failure.message


def test_a_dying_parser_process_fails_only_its_own_feed() -> None:
    with ParsePool[int](2, job=crash_on_poison) as pool:
        for n in range(6):
            pool.submit(n, job(n, url=f"https://example.com/{'poison' if n == 3 else 'ok'}{n}.xml"))
        results = collect(pool, 6)
        # The pool was replaced: later jobs still run.
        pool.submit(10, job(10))
        results.update(collect(pool, 1))
    assert sorted(results) == [0, 1, 2, 3, 4, 5, 10]
    poisoned = results.pop(3)
    assert isinstance(poisoned, ParseFailure)
    assert (poisoned.crashed, poisoned.expected) == (True, False)
    assert "died" in poisoned.message
    assert all(isinstance(result, Prepared) for result in results.values())


def test_jobs_sent_together_come_back_each_under_its_own_key() -> None:
    with ParsePool[int](1, batch=4) as pool:
        # The first two go at once (the process has nothing else to do), the rest four at a time; the
        # last two never fill a task and go when the caller waits for results.
        for n in range(12):
            pool.submit(n, job(n))
        results = collect(pool, 12)
        assert len(pool) == 0
    assert sorted(results) == list(range(12))
    for n, result in results.items():
        assert isinstance(result, Prepared)
        assert result.feed.title == f"Show {n}"


def test_a_dying_parser_process_fails_only_its_own_feed_among_those_sent_with_it() -> None:
    with ParsePool[int](1, job=crash_on_poison, batch=4) as pool:
        for n in range(6):  # 0 and 1 alone, then 2-5 together, 3 poisoned
            pool.submit(n, job(n, url=f"https://example.com/{'poison' if n == 3 else 'ok'}{n}.xml"))
        results = collect(pool, 6)
    poisoned = results.pop(3)
    assert isinstance(poisoned, ParseFailure)
    assert poisoned.crashed
    assert sorted(results) == [0, 1, 2, 4, 5]
    assert all(isinstance(result, Prepared) for result in results.values())


def test_dropped_jobs_are_not_reported_later() -> None:
    with ParsePool[int](1) as pool:
        pool.submit(1, job(1))
        pool.drop()
        pool.submit(2, job(2))
        assert sorted(collect(pool, 1)) == [2]


_HOLDER = """
import sys, time
sys.path.insert(0, {root!r})
from tests.crawl.parse_jobs import pid_of_parser
from tests.crawl.test_parser_pool import job
from lytt.crawl.parser_pool import ParsePool

if __name__ == "__main__":
    pool = ParsePool(1, job=pid_of_parser)
    pool.submit(1, job(1))
    (_, answer), = list(pool.ready(block=True))
    print(answer.message, flush=True)
    time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split(") ")[-1].startswith("Z"))


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_parser_processes_do_not_outlive_the_crawler(sig: signal.Signals, tmp_path: Path) -> None:
    script = tmp_path / "holder.py"
    script.write_text(_HOLDER.format(root=str(ROOT)))
    holder = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        child = int(holder.stdout.readline())
        assert child != holder.pid
        assert _alive(child)
        holder.send_signal(sig)
        holder.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(child)
    finally:
        if holder.poll() is None:
            holder.kill()

"""What each of Lytt's native modules saves on a whole `lytt crawl --once --all`, in CPU (SQLite, PostgreSQL).

    .venv/bin/python bench/crawl_cpu.py                     # 200 feeds, 5 rounds, SQLite and PostgreSQL
    .venv/bin/python bench/crawl_cpu.py --feeds 50 --rounds 2 --backend sqlite
    .venv/bin/python bench/crawl_cpu.py --variants all-c,pure
    .venv/bin/python bench/crawl_cpu.py --variants all-c,pure --build c=/tmp/c-build

A separate process serves N feeds from bench/realistic_feeds.py (35 episodes of about 6 KB each, HTML show
notes in four hosts' styles) from 127.0.0.1. Each run is the real command, `lytt crawl --once --all
--no-progress`, in a process of its own against a fresh database (SQLite: a copy of a migrated file with
the feeds added; PostgreSQL: a database created from such a template, and dropped after the run). Its CPU
time is user + system of that process and of every process it waited for (its parser processes; from
`os.wait4`), so it is what the whole command costs.

Variants: every native module ("all-c"), each module turned off alone (``LYTT_PURE_PYTHON=_cnotes`` …),
and none ("pure", ``LYTT_PURE_PYTHON=1``); and with ``--build NAME=DIR``, the package copy in DIR (made by
``python hatch_build.py DIR``, perhaps with another build of a module put in it) first on the path: to
compare two builds of the same module in one run. One round runs every variant once, in a shuffled order,
and rounds repeat: the machine is shared, so variants are interleaved and each figure is a median with its
spread.
A module's saving is (median with it off - median all-C) / median with it off. Figures go to stdout.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from _backends import POSTGRES_URL, create_database, database_name, database_url, drop_database
from realistic_feeds import EPISODES, feed_body

MODULES = tuple(sorted(source.stem for source in Path(__file__).parents[1].glob("src/lytt/**/_c*.pyx")))
"""The native modules of the tree this script is in (at f314156, in C: _cdates, _citem, _clift, _cnotes,
_crows)."""


Variant = dict[str, str]
"""The environment a variant adds to the command's."""


def variants(builds: list[str]) -> dict[str, Variant]:
    """Each variant's environment: ``LYTT_PURE_PYTHON``, or for a build (``NAME=DIR``) ``PYTHONPATH``."""
    chosen: dict[str, Variant] = {"all-c": {}}
    chosen |= {f"no {module}": {"LYTT_PURE_PYTHON": module} for module in MODULES}
    chosen["pure"] = {"LYTT_PURE_PYTHON": "1"}
    for build in builds:
        name, _, directory = build.partition("=")
        chosen[name] = {"PYTHONPATH": str(Path(directory).resolve())}
    return chosen


def lytt_command() -> list[str]:
    return [str(Path(sys.executable).with_name("lytt"))]


@dataclass
class Backend:
    """A fresh database per run, from a template holding the migrated schema and the feeds."""

    name: str
    work: Path
    template: str = ""
    runs: int = 0
    dropped: list[str] = field(default_factory=list)

    def base_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LYTT_") and k != "PYTHONPATH"}
        env |= {"LYTT_ALLOW_PRIVATE_FEEDS": "1", "LYTT_LOG_LEVEL": "WARNING"}
        return env

    def env_for(self, database: str) -> dict[str, str]:
        env = self.base_env()
        if self.name == "sqlite":
            env["LYTT_DATA_DIR"] = database
        else:
            env["LYTT_DATA_DIR"] = str(self.work / "pg-data")
            env["LYTT_DATABASE_URL"] = database_url(POSTGRES_URL, database)
        return env

    def prepare_template(self, urls: list[str]) -> None:
        if self.name == "sqlite":
            self.template = str(self.work / "template")
        else:
            self.template = database_name(f"crawl_template_{os.getpid()}")
            drop_database(POSTGRES_URL, self.template)
            create_database(POSTGRES_URL, self.template)
        env = self.env_for(self.template)
        subprocess.run([*lytt_command(), "migrate"], env=env, check=True, capture_output=True)
        for start in range(0, len(urls), 500):
            subprocess.run(
                [*lytt_command(), "add", *urls[start : start + 500]], env=env, check=True, capture_output=True
            )

    def fresh(self) -> str:
        self.runs += 1
        if self.name == "sqlite":
            target = self.work / f"run-{self.runs}"
            shutil.copytree(self.template, target)
            return str(target)
        name = database_name(f"crawl_run_{os.getpid()}_{self.runs}")
        create_database(POSTGRES_URL, name, template=self.template)
        return name

    def episodes(self, database: str) -> int:
        """Episodes stored in `database` (the table Django's catalog app keeps them in)."""
        query = "SELECT count(*) FROM catalog_episode"
        if self.name == "sqlite":
            with closing(sqlite3.connect(Path(database, "lytt.sqlite3"))) as conn:
                return int(conn.execute(query).fetchone()[0])
        import psycopg

        with psycopg.connect(database_url(POSTGRES_URL, database)) as conn:
            row = conn.execute(query).fetchone()
            return int(row[0]) if row else 0

    def discard(self, database: str) -> None:
        if self.name == "sqlite":
            shutil.rmtree(database, ignore_errors=True)
        else:
            drop_database(POSTGRES_URL, database)

    def close(self) -> None:
        if self.name == "postgres" and self.template:
            drop_database(POSTGRES_URL, self.template)


def timed_crawl(env: dict[str, str]) -> tuple[float, float]:
    """CPU seconds (user + system, the command and every process it waited for) and wall seconds of one
    `lytt crawl --once --all`."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [*lytt_command(), "crawl", "--once", "--all", "--no-progress"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"lytt crawl failed ({process.returncode}): {errors.decode()[-2000:]}")
    return usage.ru_utime + usage.ru_stime, wall


def serve(directory: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "http.server",
            str(port),
            "--bind",
            "127.0.0.1",
            "--directory",
            str(directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)
    return server, port


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def report(backend: str, cpu: dict[str, list[float]], wall: dict[str, list[float]], base_name: str) -> None:
    """Each variant's figures, and what `base_name` saves against it."""
    base = statistics.median(cpu[base_name])
    print(f"\n{backend}: CPU seconds of the whole command (median, min-max over {len(cpu[base_name])} runs)")
    print(f"  {'variant':<12}{'CPU s':>8}{'min':>8}{'max':>8}{'wall s':>8}   {base_name} saves")
    for name, figures in cpu.items():
        median = statistics.median(figures)
        saving = "" if name == base_name else f"{(median - base) / median:+.1%} of the crawl's CPU"
        print(
            f"  {name:<12}{median:>8.2f}{min(figures):>8.2f}{max(figures):>8.2f}"
            f"{statistics.median(wall[name]):>8.2f}   {saving}"
        )


Figures = dict[str, dict[str, list[float]]]
"""Seconds by backend, then by variant."""


def measure(
    backends: list[Backend], chosen: dict[str, Variant], rounds: int, feeds: int
) -> tuple[Figures, Figures]:
    """CPU and wall seconds of each variant's runs on each backend: in every round each backend runs every
    variant once, in a shuffled order."""
    cpu: Figures = {backend.name: {variant: [] for variant in chosen} for backend in backends}
    wall: Figures = {backend.name: {variant: [] for variant in chosen} for backend in backends}
    for round_ in range(rounds):
        for backend in backends:
            order = list(chosen)
            random.Random(f"{round_} {backend.name}").shuffle(order)
            for variant in order:
                database = backend.fresh()
                env = backend.env_for(database) | chosen[variant]
                seconds, elapsed = timed_crawl(env)
                stored = backend.episodes(database)
                backend.discard(database)
                if stored != feeds * EPISODES:
                    raise RuntimeError(f"{variant}: {stored} episodes stored")
                cpu[backend.name][variant].append(seconds)
                wall[backend.name][variant].append(elapsed)
                run = f"{backend.name} round {round_ + 1} {variant}"
                print(f"  {run}: {seconds:.2f} s CPU, {elapsed:.2f} s wall")
                sys.stdout.flush()
    return cpu, wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--backend", action="append", choices=("sqlite", "postgres"))
    parser.add_argument("--variants", default=None, help="comma-separated names (default: all)")
    parser.add_argument("--base", default="all-c", help="the variant the others are compared with")
    parser.add_argument(
        "--build", action="append", default=[], metavar="NAME=DIR", help="a variant running a package copy"
    )
    args = parser.parse_args()
    backends = args.backend or ["sqlite", "postgres"]
    chosen = variants(args.build)
    if args.variants:
        names = [*args.variants.split(","), *(build.partition("=")[0] for build in args.build)]
        chosen = {name: chosen[name] for name in names}
    print(
        f"machine: {machine()}; date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {args.feeds} feeds x "
        f"{EPISODES} episodes; {args.rounds} rounds; load average at start {os.getloadavg()[0]:.1f}"
    )
    with tempfile.TemporaryDirectory(prefix="lytt-crawl-cpu-") as tmp:
        work = Path(tmp)
        feeds = work / "feeds"
        feeds.mkdir()
        size = 0
        for n in range(args.feeds):
            body = feed_body(n)
            size += len(body)
            (feeds / f"{n}.xml").write_bytes(body)
        print(f"{size / 1e6:.1f} MB of feeds, {size / args.feeds / EPISODES / 1000:.1f} KB per episode")
        server, port = serve(feeds)
        try:
            urls = [f"http://127.0.0.1:{port}/{n}.xml" for n in range(args.feeds)]
            prepared = [Backend(name, work) for name in backends]
            try:
                for backend in prepared:
                    backend.prepare_template(urls)
                cpu, wall = measure(prepared, chosen, args.rounds, args.feeds)
            finally:
                for backend in prepared:
                    backend.close()
            for name in backends:
                report(name, cpu[name], wall[name], args.base)
        finally:
            server.terminate()
            server.wait()
    print(f"load average at end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

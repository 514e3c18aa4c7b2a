"""Benchmark: many devices uploading episode actions at once through the gpodder.net API.

    .venv/bin/python bench/sync.py [--quick] [--devices 100] [--actions 1000] [--batch 100]
                                   [--database-url postgres://...] [--peer-python PATH]

Lytt runs under uvicorn on 127.0.0.1 with a fresh data directory (SQLite, or the PostgreSQL database
given). Every device is its own account, signs in once (POST login.json with HTTP Basic, then the
session cookie, as mygpoclient and AntennaPod do) and uploads its actions in batches; all devices run
concurrently with async httpx. The timed phase is the uploads only. Afterwards every account's actions
are downloaded again and counted, so a run that loses actions fails.

The peer is gpodder-fastapi-router (a FastAPI implementation of the same API on async SQLAlchemy and
aiosqlite) run the same way, when --peer-python points at a Python 3.12+ that has it, uvicorn and
aiosqlite installed (it needs Python 3.12, Lytt's venv is 3.11), e.g.:

    python3.12 -m venv /tmp/sync-peer
    /tmp/sync-peer/bin/pip install gpodder-fastapi-router aiosqlite uvicorn

With --database-url, Lytt runs in a scratch database created on that server and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from _backends import create_database, database_name, database_url, drop_database

PASSWORD = "bench passphrase 2026"
REPO = Path(__file__).resolve().parent.parent


@dataclass
class Result:
    name: str
    devices: int
    actions: int
    seconds: float
    latencies: list[float]
    stored: int
    errors: int

    @property
    def throughput(self) -> float:
        """Actions stored (and downloaded again) per second of the upload phase: failures do not count."""
        return min(self.stored, self.actions) / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not answer {url} within {timeout} s")


@contextmanager
def running(cmd: list[str], env: dict[str, str], probe: str, log: Path) -> Iterator[None]:
    """Run a server with its output in `log` (a pipe nobody reads would stall it once full)."""
    with log.open("wb") as output:
        process = subprocess.Popen(cmd, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            wait_for(probe, process)
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
    problems = [
        line for line in log.read_text(errors="replace").splitlines() if "ERROR" in line or "Error" in line
    ]
    if problems:
        print(
            f"{cmd[0]}: {len(problems)} error lines in the server log, e.g. {problems[0][:300]}",
            file=sys.stderr,
        )


def lytt_env(data_dir: str, database_url: str | None) -> dict[str, str]:
    env = {**os.environ, "LYTT_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "lytt.settings"}
    env["LYTT_LOG_LEVEL"] = "WARNING"
    if database_url:
        env["LYTT_DATABASE_URL"] = database_url
    return env


def prepare_lytt(env: dict[str, str], users: list[str]) -> None:
    """Migrate a fresh database and create the accounts (one password hash, reused: setup is not timed)."""
    script = textwrap.dedent(
        f"""
        import django
        django.setup()
        from django.core.management import call_command
        call_command("migrate", verbosity=0)
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import User
        hashed = make_password({PASSWORD!r})
        User.objects.bulk_create([User(username=name, password=hashed) for name in {users!r}])
        """
    )
    subprocess.run([sys.executable, "-c", script], env=env, check=True, cwd=REPO)


PEER_APP = """
import sys, uvicorn
from fastapi import FastAPI
from gpodder_router import GPodderConfig, attach
db, port = sys.argv[1], int(sys.argv[2])
app = FastAPI()
attach(app, config=GPodderConfig(database_url=f"sqlite+aiosqlite:///{db}", base_url=f"http://127.0.0.1:{port}",
       enable_dashboard=False, bcrypt_rounds=4))
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
"""


def make_actions(device: str, count: int) -> list[dict[str, object]]:
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    actions: list[dict[str, object]] = []
    for n in range(count):
        feed = f"https://feeds.example.org/show-{n % 50}.xml"
        item: dict[str, object] = {
            "podcast": feed,
            "episode": f"https://media.example.org/show-{n % 50}/{device}-{n}.mp3",
            "action": "play" if n % 4 else "download",
            "timestamp": (base + dt.timedelta(seconds=n)).strftime("%Y-%m-%dT%H:%M:%S"),
            "device": device,
        }
        if item["action"] == "play":
            item.update(started=0, position=60 + n % 3000, total=3600)
        actions.append(item)
    return actions


async def one_device(
    base: str,
    user: str,
    actions: list[dict[str, object]],
    batch: int,
    latencies: list[float],
    ready: asyncio.Queue[str],
    start: asyncio.Event,
) -> int:
    errors = 0
    async with httpx.AsyncClient(base_url=base, timeout=600) as client:
        login = await client.post(f"/api/2/auth/{user}/login.json", auth=(user, PASSWORD))
        login.raise_for_status()
        await ready.put(user)
        await start.wait()
        for offset in range(0, len(actions), batch):
            began = time.perf_counter()
            try:
                response = await client.post(
                    f"/api/2/episodes/{user}.json", json=actions[offset : offset + batch]
                )
            except httpx.TransportError:
                errors += 1  # the server dropped the connection: a failed upload, as an app would see it
                continue
            finally:
                latencies.append(time.perf_counter() - began)
            if response.status_code != 200:
                errors += 1
    return errors


async def count_stored(base: str, users: list[str]) -> int:
    """Distinct actions each account gets back when it pages through `since` as a client would.

    `since` is inclusive (whole seconds), so a page boundary can repeat actions; they are counted once.
    """
    total = 0
    async with httpx.AsyncClient(base_url=base, timeout=300) as client:
        for user in users:
            since = 0
            seen: set[tuple[str, str, str]] = set()
            for _ in range(1000):
                url = f"/api/2/episodes/{user}.json?since={since}"
                response = await client.get(url, auth=(user, PASSWORD))
                response.raise_for_status()
                data = response.json()
                seen.update((a["episode"], a["action"], a["timestamp"]) for a in data["actions"])
                if not data["actions"] or data["timestamp"] == since:
                    break
                since = data["timestamp"]
            total += len(seen)
    return total


async def drive(name: str, base: str, users: list[str], actions_per_device: int, batch: int) -> Result:
    """Sign every device in, then release all uploads at once and time them."""
    payloads = [make_actions(f"dev{n}", actions_per_device) for n in range(len(users))]
    latencies: list[float] = []
    ready: asyncio.Queue[str] = asyncio.Queue()
    start = asyncio.Event()
    tasks = [
        asyncio.create_task(one_device(base, user, payloads[n], batch, latencies, ready, start))
        for n, user in enumerate(users)
    ]
    for _ in users:
        await asyncio.wait_for(ready.get(), timeout=300)
    began = time.perf_counter()
    start.set()
    errors = sum(await asyncio.gather(*tasks))
    seconds = time.perf_counter() - began
    stored = await count_stored(base, users)
    return Result(name, len(users), len(users) * actions_per_device, seconds, latencies, stored, errors)


@contextmanager
def scratch_database(url: str | None) -> Iterator[str | None]:
    """A fresh PostgreSQL database next to the one in `url`, dropped afterwards (None: use SQLite)."""
    if not url:
        yield None
        return
    name = database_name(f"sync_{os.getpid()}")
    create_database(url, name)
    try:
        yield database_url(url, name)
    finally:
        drop_database(url, name)


def server_command(server: str, port: int) -> list[str]:
    """Lytt's web server as `lytt serve` runs it (Granian, WSGI, one process per core up to 4, four
    threads each), or uvicorn with Django's ASGI handler for comparison."""
    local = ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    if server == "uvicorn":
        return [sys.executable, "-m", "uvicorn", "lytt.asgi:application", *local, "--no-access-log"]
    workers = str(max(1, min(os.cpu_count() or 1, 4)))
    wsgi = [
        "--interface",
        "wsgi",
        "lytt.wsgi:application",
        "--workers",
        workers,
        "--blocking-threads",
        "4",
    ]
    return [sys.executable, "-m", "granian", *wsgi, *local]


def run_lytt(users: list[str], args: argparse.Namespace) -> Result:
    with (
        tempfile.TemporaryDirectory(prefix="lytt-bench-sync-") as data_dir,
        scratch_database(args.database_url) as database_url,
    ):
        env = lytt_env(data_dir, database_url)
        prepare_lytt(env, users)
        port = free_port()
        cmd = server_command(args.server, port)
        base = f"http://127.0.0.1:{port}"
        log = Path(tempfile.gettempdir()) / f"lytt-bench-sync-{os.getpid()}-lytt.log"
        with running(cmd, env, f"{base}/clientconfig.json", log):
            label = f"Lytt ({'PostgreSQL' if args.database_url else 'SQLite'}, {args.server})"
            return asyncio.run(drive(label, base, users, args.actions, args.batch))


def run_peer(users: list[str], args: argparse.Namespace) -> Result:
    with tempfile.TemporaryDirectory(prefix="peer-bench-sync-") as data_dir:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        cmd = [args.peer_python, "-c", PEER_APP, str(Path(data_dir) / "gp.db"), str(port)]
        log = Path(tempfile.gettempdir()) / f"lytt-bench-sync-{os.getpid()}-peer.log"
        with running(cmd, dict(os.environ), f"{base}/clientconfig.json", log):
            with httpx.Client(base_url=base, timeout=60) as client:
                for user in users:
                    client.post(
                        f"/api/2/auth/{user}/register.json", json={"password": PASSWORD}
                    ).raise_for_status()
            return asyncio.run(
                drive("gpodder-fastapi-router (SQLite)", base, users, args.actions, args.batch)
            )


def report(results: list[Result], args: argparse.Namespace) -> str:
    lines = [
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; {args.devices} devices x {args.actions} actions, "
        f"batches of {args.batch}",
        "",
        "| server | wall s | stored actions/s | p50 ms | p99 ms | stored | failed requests |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.seconds:.1f} | {r.throughput:,.0f} | {r.percentile(0.5) * 1000:.0f} | "
            f"{r.percentile(0.99) * 1000:.0f} | {r.stored:,} | {r.errors} |"
        )
    if len(results) > 1:
        lytt, peer = results[0], results[-1]
        lines.append("")
        lines.append(
            f"Throughput ratio Lytt/peer: {lytt.throughput / peer.throughput:.2f}; "
            f"p99 ratio Lytt/peer: {lytt.percentile(0.99) / peer.percentile(0.99):.2f} (lower is better)"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="10 devices x 100 actions")
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--actions", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100, help="actions per POST")
    parser.add_argument(
        "--server",
        choices=("granian", "uvicorn"),
        default="granian",
        help="granian (as lytt serve) or uvicorn",
    )
    parser.add_argument("--database-url", default=None, help="postgres://... to run Lytt on PostgreSQL")
    parser.add_argument("--peer-python", default=None, help="a Python with gpodder-fastapi-router installed")
    args = parser.parse_args()
    if args.quick:
        args.devices, args.actions = 10, 100
    users = [f"bench{n:03d}" for n in range(args.devices)]
    results = [run_lytt(users, args)]
    print(report(results, args), flush=True)
    if args.peer_python:
        results.append(run_peer(users, args))
        print("\n" + report(results, args))
    failed = [r for r in results if r.stored != r.actions or r.errors]
    for r in failed:
        print(
            f"{r.name}: stored {r.stored} of {r.actions} actions, {r.errors} failed requests", file=sys.stderr
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

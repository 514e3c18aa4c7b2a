"""Benchmark: an app's first sync of many feeds, through the Open Podcast API and through gpodder.net's.

    .venv/bin/python bench/opa_subscriptions.py [--feeds 300] [--rounds 3] [--database-url postgres://...]

Both APIs write the same subscription list through `lytt.accounts.services`, so the gpodder.net upload
(`POST /api/2/subscriptions/{user}/{device}.json` with `{"add": [...]}`) is the peer: the Open Podcast API
(`POST /v1/subscriptions`) should cost about what it does. Each round makes two fresh accounts, signs each
in once (untimed), and posts `--feeds` new feed URLs once through each API, in alternating order, with
Django's test client in this process (no HTTP server: the views, the database and the catalogue hand-off
are what is measured). Wall and CPU (user + sys of this process) per request, and the ratios, are printed
with the run's time and load.

SQLite runs in a fresh data directory; with --database-url, Lytt uses a scratch database created on that
server and dropped afterwards.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "bench passphrase 2026"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _scratch_database(url: str) -> tuple[str, str]:
    """A fresh database on the server of `url` (its name says what made it): (url, name)."""
    import psycopg

    name = f"bench_opa_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, "")), name


def _drop_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _run(feeds: int, rounds: int) -> dict[str, list[tuple[float, float]]]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lytt.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    from lytt.accounts.tokens import create_token

    call_command("migrate", verbosity=0)
    settings.LYTT_API_LISTENER_PER_MINUTE = 10**9
    timings: dict[str, list[tuple[float, float]]] = {"opa": [], "gpodder": []}
    for n in range(rounds):
        order = ("opa", "gpodder") if n % 2 == 0 else ("gpodder", "opa")
        for kind in order:
            name = f"{kind}{n}"
            user = User.objects.create_user(name, password=PASSWORD)
            urls = [f"https://feeds{n}.example.org/{kind}/{i}.xml" for i in range(feeds)]
            client = Client()
            if kind == "opa":
                token = create_token(user, "bench")[1]
                path, body = "/v1/subscriptions", {"subscriptions": [{"feed_url": url} for url in urls]}
                auth = f"Bearer {token}"
            else:
                path, body = f"/api/2/subscriptions/{name}/phone.json", {"add": urls, "remove": []}
                auth = "Basic " + base64.b64encode(f"{name}:{PASSWORD}".encode()).decode()
            # Untimed: sign in once (gpodder.net then remembers the proven password for minutes; a
            # token costs one hash), so the timed request is the subscribing alone, as in a sync.
            warm = client.get(path.replace("phone.json", "phone.json?since=0"), HTTP_AUTHORIZATION=auth)
            assert warm.status_code == 200, warm.content[:300]
            wall, cpu = time.perf_counter(), _cpu()
            response = client.post(path, json.dumps(body), "application/json", HTTP_AUTHORIZATION=auth)
            timings[kind].append((time.perf_counter() - wall, _cpu() - cpu))
            if response.status_code != 200:
                raise SystemExit(f"{kind}: {response.status_code} {response.content[:300]!r}")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    started = dt.datetime.now(dt.UTC)
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    scratch: tuple[str, str] | None = None
    with tempfile.TemporaryDirectory(prefix="bench-opa-") as data:
        os.environ["LYTT_DATA_DIR"] = data
        if args.database_url:
            scratch = _scratch_database(args.database_url)
            os.environ["LYTT_DATABASE_URL"] = scratch[0]
        try:
            timings = _run(args.feeds, args.rounds)
        finally:
            if scratch is not None:
                from django.db import connections

                connections.close_all()
                _drop_database(args.database_url, scratch[1])
    load = os.getloadavg()
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"{started:%Y-%m-%d %H:%M} UTC, commit {commit}, {backend}, Python {platform.python_version()}")
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (at the end); {args.feeds} feeds per POST")
    medians: dict[str, Any] = {}
    for kind, runs in timings.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        medians[kind] = (wall, cpu)
        print(f"{kind:8} median wall {wall * 1000:8.0f} ms  cpu {cpu * 1000:8.0f} ms  ({len(runs)} runs)")
    opa, peer = medians["opa"], medians["gpodder"]
    print(f"ratio Open Podcast API / gpodder.net: wall {opa[0] / peer[0]:.2f}, cpu {opa[1] / peer[1]:.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()

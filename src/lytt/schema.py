"""The database schema from the command line: `lytt migrate`, and the check every other database command
runs first (see lytt.cli).

A command run against a database that is missing tables, or that an upgrade has not migrated yet, would
otherwise fail half-way with a traceback ("no such table") or, worse, run against an older schema. It
stops before doing anything instead, and says which database and which command sets it up. Commands
never migrate on their own: on PostgreSQL many workers share one database, and an upgrade's migration is
run once, on purpose (docs/deployment.md). `lytt serve` migrates as it starts.
"""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    migrate = subparsers.add_parser(
        "migrate",
        help="create or upgrade the database's tables",
        description="Apply every migration the database lacks (what `lytt serve` does as it starts).",
    )
    migrate.set_defaults(func=run_migrate, needs_schema=False)


def run_migrate(args: argparse.Namespace) -> int:
    from django.core.management import call_command
    from rich.console import Console

    console = Console(stderr=True)
    pending = pending_migrations()
    if not pending:
        console.print(f"The database is up to date ({describe_database()}).")
        return 0
    with console.status(f"Applying {_migrations(len(pending))} to {describe_database()}…"):
        call_command("migrate", interactive=False, verbosity=0)
    console.print(f"Applied {_migrations(len(pending))} ({describe_database()}).")
    return 0


def pending_migrations() -> list[str]:
    """The migrations the default database lacks, as "app.name", in the order they would run."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, backwards in plan if not backwards]


def describe_database() -> str:
    """Which database this is, for messages: the SQLite file, or PostgreSQL's host and name (no password)."""
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite {settings['NAME']}"
    host = settings.get("HOST") or "localhost"
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    return f"{connection.display_name} {settings['NAME']} on {host}{port}"


def database_problem(*, migrations: bool = True) -> str | None:
    """None when the database can be used, else the one-line error to show: it cannot be reached or read
    (a wrong LYTT_DATABASE_URL, a server that is down, a file that is not a database), or, with
    `migrations`, it lacks some."""
    from django.db import DatabaseError, connection

    try:
        connection.ensure_connection()
        pending = pending_migrations() if migrations else []
    except DatabaseError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"lytt: cannot use the database ({describe_database()}): {reason}"
    if not pending:
        return None
    return (
        f"lytt: the database ({describe_database()}) lacks {_migrations(len(pending))} "
        f"(first: {pending[0]}): run `lytt migrate` first (`lytt serve` also migrates as it starts)"
    )


def _migrations(count: int) -> str:
    return f"{count} migration" if count == 1 else f"{count} migrations"

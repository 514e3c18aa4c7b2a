"""`lytt reindex` parsed and dispatched as `lytt` does (lytt.cli builds the same parser)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import pytest

from lytt.search import search
from lytt.search.commands import register
from lytt.search.models import SearchEntry

from .conftest import make_episode, make_show

pytestmark = pytest.mark.django_db


def main(argv: Sequence[str]) -> int:
    """Parse and dispatch like `lytt` does, with only this package's subcommands registered."""
    parser = argparse.ArgumentParser(prog="lytt")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


def test_reindex_rebuilds_from_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    show = make_show("Kodekveld", language="nb")
    make_episode(show, "Rust og Python")
    make_episode(show, "Databaser")
    SearchEntry.objects.all().delete()
    assert search("databaser").total == 0
    assert main(["reindex"]) == 0
    assert "indexed 3 shows and episodes" in capsys.readouterr().out
    assert search("databaser").total == 1
    assert search("kodekveld", kind="shows").total == 1

"""`lytt apikey create|list|revoke` parsed and dispatched as `lytt` does (lytt.cli builds the same parser)."""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import pytest

from lytt.api.commands import register
from lytt.api.keys import Credentials, authenticate, signature
from lytt.api.models import ApiKey

pytestmark = pytest.mark.django_db


def main(argv: Sequence[str]) -> int:
    """Parse and dispatch like `lytt` does, with only this package's subcommands registered."""
    parser = argparse.ArgumentParser(prog="lytt")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


def test_create_prints_key_then_secret_last_and_they_work(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apikey", "create", "My App", "--rate", "900"]) == 0
    key, secret = capsys.readouterr().out.split()[-2:]
    api_key = ApiKey.objects.get(key=key)
    assert api_key.name == "My App"
    assert api_key.rate_limit_per_minute == 900
    date = str(int(time.time()))
    assert authenticate(Credentials(key, date, signature(key, secret, date))) == api_key


def test_list_and_revoke(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apikey", "list"]) == 0
    assert "no API keys" in capsys.readouterr().out
    main(["apikey", "create", "app"])
    key = capsys.readouterr().out.split()[-2]
    assert main(["apikey", "list"]) == 0
    listing = capsys.readouterr().out
    assert key in listing
    assert "active" in listing
    assert main(["apikey", "revoke", key]) == 0
    assert not ApiKey.objects.get(key=key).active
    assert main(["apikey", "revoke", key]) == 1
    assert "already revoked" in capsys.readouterr().out
    assert main(["apikey", "revoke", "NOPE"]) == 1
    assert "not a known key" in capsys.readouterr().out


def test_bad_create_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apikey", "create", "  "]) == 2
    assert "needs a name" in capsys.readouterr().out
    assert main(["apikey", "create", "x", "--rate", "0"]) == 2
    assert not ApiKey.objects.exists()

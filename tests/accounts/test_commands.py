"""`lytt user create|list|set-password`, parsed by this package's own `register` as lytt.cli does."""

from __future__ import annotations

import argparse
import io

import pytest
from django.contrib.auth.models import User

from lytt.accounts.commands import register


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="lytt")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


pytestmark = pytest.mark.django_db(transaction=True)

GOOD = "a long enough passphrase"


def run(monkeypatch: pytest.MonkeyPatch, argv: list[str], stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(argv)


def test_create_from_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        monkeypatch, ["user", "create", "ola", "--email", "ola@example.org", "--password-stdin"], GOOD + "\n"
    )
    assert code == 0
    assert "created user ola" in capsys.readouterr().out
    user = User.objects.get(username="ola")
    assert user.check_password(GOOD)
    assert (user.email, user.is_superuser) == ("ola@example.org", False)


def test_create_superuser_from_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([GOOD, GOOD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert main(["user", "create", "admin", "--superuser"]) == 0
    assert User.objects.get(username="admin").is_superuser


def test_prompt_mismatch_gives_up(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter(["one passphrase here", "another one", "x", "y", "p", "q"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert main(["user", "create", "ola"]) == 2
    assert "do not match" in capsys.readouterr().err
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("argv", "stdin", "fragment"),
    [
        (["user", "create", "ola", "--password-stdin"], "", "no password"),
        (["user", "create", "ola", "--password-stdin"], "123\n", "password refused"),
        (["user", "create", "bad name!", "--password-stdin"], GOOD, "user 'bad name!'"),
        (["user", "create", "ola", "--email", "nope", "--password-stdin"], GOOD, "email"),
    ],
)
def test_create_refuses_bad_input(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    stdin: str,
    fragment: str,
) -> None:
    assert run(monkeypatch, argv, stdin) == 2
    assert fragment in capsys.readouterr().err
    assert not User.objects.exists()


def test_create_existing_user(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    User.objects.create_user("ola", "", GOOD)
    assert run(monkeypatch, ["user", "create", "ola", "--password-stdin"], GOOD) == 1
    assert "exists already" in capsys.readouterr().err


def test_create_refuses_a_name_taken_in_another_case(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    User.objects.create_user("ola", "", GOOD)
    assert run(monkeypatch, ["user", "create", "Ola", "--password-stdin"], GOOD) == 1
    assert "exists already" in capsys.readouterr().err
    assert run(monkeypatch, ["user", "set-password", "OLA", "--password-stdin"], "new passphrase 2026\n") == 0
    assert User.objects.get(username="ola").check_password("new passphrase 2026")


def test_set_password_and_list(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    User.objects.create_user("ola", "ola@example.org", GOOD)
    assert run(monkeypatch, ["user", "set-password", "ola", "--password-stdin"], "new passphrase 2026\n") == 0
    assert User.objects.get(username="ola").check_password("new passphrase 2026")
    assert run(monkeypatch, ["user", "set-password", "nobody", "--password-stdin"], GOOD) == 1
    capsys.readouterr()
    assert main(["user", "list"]) == 0
    out = capsys.readouterr().out
    assert "ola" in out
    assert "ola@example.org" in out


def test_token_prints_a_working_token_as_the_last_word(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.test import Client

    user = User.objects.create_user("ola", "", GOOD)
    assert main(["user", "token", "ola", "--label", "backup script"]) == 0
    token = capsys.readouterr().out.split()[-1]
    record = user.api_tokens.get()
    assert record.name == "backup script"
    assert token not in (record.token_hash, record.prefix)  # only a hash is kept
    response = Client().get("/api/v1/me/queue", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json() == {"episodes": []}


def test_token_for_an_unknown_user_or_without_a_label_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["user", "token", "nobody"]) == 1
    assert "no user 'nobody'" in capsys.readouterr().err
    User.objects.create_user("ola", "", GOOD)
    assert main(["user", "token", "ola", "--label", "   "]) == 2
    assert "needs a name" in capsys.readouterr().err
    assert not User.objects.get(username="ola").api_tokens.exists()

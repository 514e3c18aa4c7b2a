"""`lytt user create|list|set-password|token`: manage listener and operator accounts from the shell.

Passwords never come from the command line (they would land in shell history and `ps`): they are read
from a getpass prompt (asked twice) or, with --password-stdin, from the first line of standard input.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any, TextIO

MAX_PROMPTS = 3


class PasswordInputError(Exception):
    """No acceptable password could be read."""


def read_password(from_stdin: bool, stdin: TextIO | None = None) -> str:
    """Read a new password from stdin (first line) or from a confirmed prompt."""
    if from_stdin:
        line = (stdin or sys.stdin).readline().rstrip("\r\n")
        if not line:
            raise PasswordInputError("no password on standard input")
        return line
    for _ in range(MAX_PROMPTS):
        first = getpass.getpass("Password: ")
        if not first:
            print("The password must not be empty.", file=sys.stderr)
            continue
        if getpass.getpass("Password (again): ") == first:
            return first
        print("The passwords do not match.", file=sys.stderr)
    raise PasswordInputError("no password given")


def _validate(password: str, user: Any) -> list[str]:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:
        validate_password(password, user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def create(args: argparse.Namespace) -> int:
    from django.contrib.auth.models import User
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    name: str = args.name
    if User.objects.filter(username__iexact=name).exists():
        print(f"user {name!r} exists already", file=sys.stderr)
        return 1
    try:
        User.username_validator(name)
    except ValidationError as exc:
        print(f"user {name!r}: bad user name: {' '.join(exc.messages)}", file=sys.stderr)
        return 2
    try:
        if args.email:
            validate_email(args.email)
    except ValidationError as exc:
        print(f"user {name!r}: bad email {args.email!r}: {' '.join(exc.messages)}", file=sys.stderr)
        return 2
    try:
        password = read_password(args.password_stdin)
    except PasswordInputError as exc:
        print(f"user {name!r}: {exc}", file=sys.stderr)
        return 2
    candidate = User(username=name, email=args.email or "")
    problems = _validate(password, candidate)
    if problems:
        print(f"user {name!r}: password refused: {' '.join(problems)}", file=sys.stderr)
        return 2
    if args.superuser:
        User.objects.create_superuser(name, args.email or "", password)
    else:
        User.objects.create_user(name, args.email or "", password)
    kind = "superuser" if args.superuser else "user"
    print(f"created {kind} {name}")
    return 0


def list_users(args: argparse.Namespace) -> int:
    from django.contrib.auth.models import User
    from django.db.models import Count
    from rich.console import Console
    from rich.table import Table

    columns = ("user", "email", "role", "follows", "devices", "joined", "last login")
    rows = []
    users = User.objects.annotate(
        n_follows=Count("follows", distinct=True), n_devices=Count("devices", distinct=True)
    )
    for user in users.order_by("username"):
        role = "superuser" if user.is_superuser else ("staff" if user.is_staff else "listener")
        if not user.is_active:
            role += " (inactive)"
        rows.append(
            (
                user.username,
                user.email,
                role,
                str(user.n_follows),
                str(user.n_devices),
                user.date_joined.strftime("%Y-%m-%d"),
                user.last_login.strftime("%Y-%m-%d %H:%M") if user.last_login else "never",
            )
        )
    if not sys.stdout.isatty():
        # Scripts get tab-separated lines, never truncated.
        for row in (columns, *rows):
            print("\t".join(row))
        return 0
    table = Table(*columns)
    for row in rows:
        table.add_row(*row)
    Console().print(table)
    return 0


def set_password(args: argparse.Namespace) -> int:
    from lytt.accounts.backends import find_user

    user = find_user(args.name)
    if user is None:
        print(f"no user {args.name!r}", file=sys.stderr)
        return 1
    try:
        password = read_password(args.password_stdin)
    except PasswordInputError as exc:
        print(f"user {args.name!r}: {exc}", file=sys.stderr)
        return 2
    problems = _validate(password, user)
    if problems:
        print(f"user {args.name!r}: password refused: {' '.join(problems)}", file=sys.stderr)
        return 2
    user.set_password(password)
    user.save(update_fields=["password"])
    print(f"password changed for {user.username}")
    return 0


def token(args: argparse.Namespace) -> int:
    """Make a personal API token; it is printed once, as the last word, and never stored."""
    from django.contrib.auth.models import User

    from lytt.accounts.tokens import TokenError, create_token

    user = User.objects.filter(username=args.name).first()
    if user is None:
        print(f"no user {args.name!r}", file=sys.stderr)
        return 1
    try:
        record, secret = create_token(user, args.label)
    except TokenError as exc:
        print(f"user {args.name!r}: {exc}", file=sys.stderr)
        return 2
    print(
        f"API token {record.name!r} for {user.username}, shown only now (send it as Authorization: Bearer):"
    )
    print(secret)
    return 0


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("user", help="manage accounts (create, list, set-password, token)")
    commands = parser.add_subparsers(dest="user_command", metavar="ACTION")
    commands.required = True

    create_parser = commands.add_parser("create", help="create an account (password prompted or from stdin)")
    create_parser.add_argument("name")
    create_parser.add_argument("--email", default="")
    create_parser.add_argument("--superuser", action="store_true", help="may use the admin")
    create_parser.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    create_parser.set_defaults(func=create)

    list_parser = commands.add_parser("list", help="list accounts")
    list_parser.set_defaults(func=list_users)

    password_parser = commands.add_parser("set-password", help="set an account's password")
    password_parser.add_argument("name")
    password_parser.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    password_parser.set_defaults(func=set_password)

    token_parser = commands.add_parser(
        "token", help="make a personal API token for /api/v1/me/ (printed last)"
    )
    token_parser.add_argument("name")
    token_parser.add_argument(
        "--label", default="lytt user token", help="what the token is for (shown in lists)"
    )
    token_parser.set_defaults(func=token)

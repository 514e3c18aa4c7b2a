"""Personal API tokens: made once, stored as a hash, found by the token, revoked by their owner only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from lytt.accounts import tokens
from lytt.accounts.models import ApiToken


def test_a_token_is_shown_once_and_only_its_hash_is_kept(user: User) -> None:
    record, token = tokens.create_token(user, "  AntennaPod \n on phone ")
    assert token.startswith("lytt_")
    assert len(token) > 40
    assert record.name == "AntennaPod on phone"
    assert token.startswith(record.prefix)
    stored = ApiToken.objects.get(pk=record.pk)
    assert token not in (stored.token_hash, stored.prefix, stored.name)
    assert stored.token_hash == tokens.token_hash(token)
    assert tokens.user_for_token(token) == user
    assert tokens.create_token(user, "again")[1] != token


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "needs a name"), ("   ", "needs a name"), ("x" * 101, "at most 100"), ("a\x00", "NUL")],
)
def test_bad_names_are_refused(user: User, name: str, message: str) -> None:
    with pytest.raises(tokens.TokenError, match=message):
        tokens.create_token(user, name)
    assert not ApiToken.objects.exists()


def test_an_account_has_a_bounded_number_of_tokens(user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens, "MAX_TOKENS", 2)
    tokens.create_token(user, "one")
    tokens.create_token(user, "two")
    with pytest.raises(tokens.TokenError, match="at most 2 tokens"):
        tokens.create_token(user, "three")


@pytest.mark.parametrize("candidate", ["", "lytt_", "lytt_unknown", "Bearer lytt_x", "lytt_" + "a" * 500])
def test_unknown_tokens_find_no_one(user: User, candidate: str) -> None:
    tokens.create_token(user, "real")
    assert tokens.user_for_token(candidate) is None


def test_last_use_is_recorded_coarsely(user: User) -> None:
    record, token = tokens.create_token(user, "app")
    assert record.last_used_at is None
    tokens.user_for_token(token)
    first = ApiToken.objects.get(pk=record.pk).last_used_at
    assert first is not None
    tokens.user_for_token(token)
    assert ApiToken.objects.get(pk=record.pk).last_used_at == first
    ApiToken.objects.filter(pk=record.pk).update(last_used_at=timezone.now() - dt.timedelta(hours=1))
    tokens.user_for_token(token)
    assert ApiToken.objects.get(pk=record.pk).last_used_at >= first  # type: ignore[operator]


def test_only_the_owner_revokes_and_revoked_tokens_stop_working(
    user: User, make_user: Callable[..., User]
) -> None:
    record, token = tokens.create_token(user, "app")
    other = make_user("ola")
    assert not tokens.revoke_token(other, record.pk)
    assert tokens.user_for_token(token) == user
    assert tokens.revoke_token(user, record.pk)
    assert tokens.user_for_token(token) is None
    assert not tokens.revoke_token(user, record.pk)


def test_an_inactive_accounts_tokens_stop_working(user: User) -> None:
    _, token = tokens.create_token(user, "app")
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert tokens.user_for_token(token) is None

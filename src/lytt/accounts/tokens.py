"""Personal API tokens: the one place that creates, checks and revokes them.

A token is 32 random bytes (URL-safe base64) behind a `lytt_` prefix, so that a leaked one is easy to
recognise. Only its SHA-256 is stored: a token has far more entropy than a password, so a fast hash is
enough to make a stolen database useless, and it lets a request find its token with one indexed lookup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import User
from django.utils import timezone

from lytt.accounts.models import ApiToken
from lytt.accounts.writes import write_transaction

TOKEN_PREFIX = "lytt_"
MAX_TOKENS = 50
MAX_NAME = 100
# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class TokenError(ValueError):
    """A token that cannot be made; the message says why."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for `user`; returns the stored record and the token, which is never shown again."""
    label = " ".join(name.split())
    if not label:
        raise TokenError("a token needs a name (which app or script is it for?)")
    if len(label) > MAX_NAME:
        raise TokenError(f"a token's name is at most {MAX_NAME} characters")
    if "\x00" in label:
        raise TokenError("a token's name cannot contain a NUL character")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with write_transaction():
        if ApiToken.objects.filter(user=user).count() >= MAX_TOKENS:
            raise TokenError(f"an account has at most {MAX_TOKENS} tokens; revoke one first")
        record = ApiToken.objects.create(
            user=user, name=label, prefix=token[: len(TOKEN_PREFIX) + 6], token_hash=token_hash(token)
        )
    return record, token


def user_for_token(token: str) -> User | None:
    """The active user a token belongs to, or None for an unknown or revoked token."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    record = ApiToken.objects.select_related("user").filter(token_hash=token_hash(token)).first()
    if record is None or not record.user.is_active:
        return None
    now = timezone.now()
    if record.last_used_at is None or now - record.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record.user


def revoke_token(user: User, token_id: int) -> bool:
    """Revoke (delete) one of the user's tokens; False when they have none with that id."""
    with write_transaction():
        deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return bool(deleted)

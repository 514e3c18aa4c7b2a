"""Issue, look up and verify API keys; Podcast Index request signatures."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from lytt.api.models import ApiKey

KEY_ALPHABET = string.ascii_uppercase + string.digits
KEY_LENGTH = 20
SECRET_LENGTH = 40
MAX_CLOCK_SKEW_SECONDS = 300  # X-Auth-Date may be this far from our clock, either way


class AuthError(Exception):
    """A request's credentials are missing, malformed or wrong; the message says which."""

    def __init__(self, message: str, *, status: int = 401) -> None:
        super().__init__(message)
        self.status = status


def derive_secret(key: str, salt: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"lytt-api-secret:{key}:{salt}".encode(), hashlib.sha512)
    alphabet = string.ascii_letters + string.digits
    return "".join(alphabet[b % len(alphabet)] for b in digest.digest())[:SECRET_LENGTH]


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(name: str, *, rate_limit_per_minute: int | None = None) -> tuple[ApiKey, str]:
    """Create a key; returns it with its secret (shown once: it is derived, never stored)."""
    if not name.strip():
        raise ValueError("an API key needs a name (who is it for?)")
    key = "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))
    salt = secrets.token_hex(16)
    secret = derive_secret(key, salt)
    fields: dict[str, object] = {}
    if rate_limit_per_minute is not None:
        fields["rate_limit_per_minute"] = rate_limit_per_minute
    api_key = ApiKey.objects.create(
        name=name.strip(), key=key, secret_salt=salt, secret_hash=_hash(secret), **fields
    )
    return api_key, secret


def secret_for(api_key: ApiKey) -> str:
    secret = derive_secret(api_key.key, api_key.secret_salt)
    if not hmac.compare_digest(_hash(secret), api_key.secret_hash):
        raise AuthError(f"API key {api_key.key} cannot be verified (was LYTT_SECRET_KEY changed?)")
    return secret


def signature(key: str, secret: str, date: str) -> str:
    """Podcast Index: lower-case hex sha1 of key + secret + the X-Auth-Date header exactly as sent."""
    return hashlib.sha1((key + secret + date).encode()).hexdigest()  # sha1: the protocol's choice


@dataclass(frozen=True, slots=True)
class Credentials:
    key: str
    date: str
    authorization: str


def credentials_from(request: HttpRequest) -> Credentials | None:
    """The X-Auth-* headers, or None when the request carries none of them (anonymous)."""
    key = request.headers.get("X-Auth-Key", "").strip()
    date = request.headers.get("X-Auth-Date", "").strip()
    authorization = request.headers.get("Authorization", "").strip()
    if not (key or date or authorization):
        return None
    missing = [
        name
        for name, value in (("X-Auth-Key", key), ("X-Auth-Date", date), ("Authorization", authorization))
        if not value
    ]
    if missing:
        raise AuthError(f"missing header(s): {', '.join(missing)}")
    return Credentials(key, date, authorization)


def authenticate(credentials: Credentials, *, now: float | None = None) -> ApiKey:
    """Check a signed request: known active key, fresh date, right signature. Raises AuthError."""
    try:
        sent_at = float(credentials.date)
    except ValueError:
        raise AuthError(f"X-Auth-Date must be Unix epoch seconds, not {credentials.date[:40]!r}") from None
    current = time.time() if now is None else now
    if not sent_at == sent_at or abs(current - sent_at) > MAX_CLOCK_SKEW_SECONDS:  # NaN or stale
        raise AuthError(
            f"X-Auth-Date {credentials.date[:40]} is more than {MAX_CLOCK_SKEW_SECONDS} s from the server's "
            f"clock ({int(current)})"
        )
    api_key = ApiKey.objects.filter(key=credentials.key).first()
    if api_key is None or not api_key.active:
        raise AuthError("unknown or revoked X-Auth-Key")
    expected = signature(api_key.key, secret_for(api_key), credentials.date)
    if not hmac.compare_digest(expected, credentials.authorization.lower()):
        raise AuthError("Authorization does not match sha1(key + secret + X-Auth-Date)")
    if api_key.last_used_at is None or (timezone.now() - api_key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())
    return api_key

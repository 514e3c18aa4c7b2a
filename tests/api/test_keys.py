"""API keys and Podcast Index request signatures."""

from __future__ import annotations

import hashlib
import time

import pytest
from django.test import RequestFactory

from lytt.api.keys import AuthError, Credentials, authenticate, create_key, credentials_from, signature
from lytt.api.models import ApiKey

pytestmark = pytest.mark.django_db


def test_signature_is_lower_hex_sha1_of_key_secret_date() -> None:
    assert signature("K", "S", "123") == hashlib.sha1(b"KS123").hexdigest()


def test_secret_is_derived_not_stored() -> None:
    api_key, secret = create_key("app")
    stored = ApiKey.objects.get(pk=api_key.pk)
    assert len(api_key.key) == 20
    assert len(secret) == 40
    assert secret not in {stored.secret_hash, stored.secret_salt, stored.key}
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()


def test_good_signature_with_integer_and_float_dates() -> None:
    api_key, secret = create_key("app")
    for date in (str(int(time.time())), f"{time.time():.3f}"):
        assert authenticate(Credentials(api_key.key, date, signature(api_key.key, secret, date))) == api_key
    upper = signature(api_key.key, secret, "1700000000").upper()
    assert authenticate(Credentials(api_key.key, "1700000000", upper), now=1700000100) == api_key


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("wrong-hash", "does not match"),
        ("stale", "more than 300 s"),
        ("future", "more than 300 s"),
        ("not-a-number", "Unix epoch seconds"),
        ("nan", "more than 300 s"),
        ("unknown-key", "unknown or revoked"),
        ("revoked", "unknown or revoked"),
    ],
)
def test_bad_signatures(case: str, message: str) -> None:
    api_key, secret = create_key("app")
    now = time.time()
    date = {
        "stale": str(int(now) - 301),
        "future": str(int(now) + 400),
        "not-a-number": "yesterday",
        "nan": "nan",
    }.get(case, str(int(now)))
    key = "NOSUCHKEY" if case == "unknown-key" else api_key.key
    auth = signature(key, secret + ("x" if case == "wrong-hash" else ""), date)
    if case == "revoked":
        ApiKey.objects.filter(pk=api_key.pk).update(active=False)
    with pytest.raises(AuthError, match=message):
        authenticate(Credentials(key, date, auth), now=now)


def test_credentials_from_headers() -> None:
    factory = RequestFactory()
    assert credentials_from(factory.get("/")) is None
    with pytest.raises(AuthError, match="missing header\\(s\\): X-Auth-Date, Authorization"):
        credentials_from(factory.get("/", HTTP_X_AUTH_KEY="K"))
    creds = credentials_from(
        factory.get("/", HTTP_X_AUTH_KEY="K", HTTP_X_AUTH_DATE="1", HTTP_AUTHORIZATION="a")
    )
    assert creds == Credentials("K", "1", "a")


def test_changed_server_secret_is_reported(settings: object) -> None:
    api_key, secret = create_key("app")
    settings.SECRET_KEY = "another secret key entirely, rotated"  # type: ignore[attr-defined]
    date = str(int(time.time()))
    with pytest.raises(AuthError, match="LYTT_SECRET_KEY"):
        authenticate(Credentials(api_key.key, date, signature(api_key.key, secret, date)))


def test_a_key_needs_a_name() -> None:
    with pytest.raises(ValueError, match="needs a name"):
        create_key("  ")

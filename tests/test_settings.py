"""lytt.settings' environment helpers: what operators configure must mean what they wrote."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper

from lytt.settings import (
    cache_from_url,
    database_from_url,
    email_from_url,
    public_url_settings,
    sqlite_database,
)


def test_database_url_with_credentials_port_and_options() -> None:
    db = database_from_url("postgres://lytt:s%40cret@db.internal:6543/catalogue?sslmode=require")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"]) == ("catalogue", "lytt", "s@cret")
    assert (db["HOST"], db["PORT"]) == ("db.internal", "6543")
    assert db["OPTIONS"] == {"sslmode": "require", "options": "-c jit=off"}


def test_postgres_runs_without_jit_unless_the_url_says_otherwise() -> None:
    assert database_from_url("postgres://h/lytt")["OPTIONS"] == {"options": "-c jit=off"}
    own = database_from_url("postgres://h/lytt?options=-c%20work_mem%3D64MB")
    assert own["OPTIONS"] == {"options": "-c work_mem=64MB"}


@pytest.mark.parametrize(
    ("url", "message"),
    [("mysql://root@localhost/lytt", "unsupported scheme"), ("postgres://localhost/", "name is missing")],
)
def test_database_url_mistakes_are_named(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        database_from_url(url)


def test_cache_defaults_to_memory_and_takes_redis() -> None:
    assert cache_from_url(None)["BACKEND"].endswith("LocMemCache")
    redis = cache_from_url("redis://:pw@cache.internal:6379/2")
    assert redis["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert redis["LOCATION"] == "redis://:pw@cache.internal:6379/2"
    with pytest.raises(ValueError, match="LYTT_CACHE_URL"):
        cache_from_url("memcached://localhost:11211")


def test_email_url_starttls_and_ssl() -> None:
    assert email_from_url("") == {}
    tls = email_from_url("smtp://postmaster%40lytt.example:pw@mail.example:587?tls=1")
    assert tls["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
    assert (tls["EMAIL_HOST"], tls["EMAIL_PORT"]) == ("mail.example", 587)
    assert (tls["EMAIL_HOST_USER"], tls["EMAIL_HOST_PASSWORD"]) == ("postmaster@lytt.example", "pw")
    assert (tls["EMAIL_USE_TLS"], tls["EMAIL_USE_SSL"]) == (True, False)
    ssl = email_from_url("smtp://mail.example?ssl=1")
    assert (ssl["EMAIL_PORT"], ssl["EMAIL_USE_TLS"], ssl["EMAIL_USE_SSL"]) == (465, False, True)
    with pytest.raises(ValueError, match="host name is missing"):
        email_from_url("smtp://")


def test_public_https_url_trusts_the_proxy_and_secures_cookies() -> None:
    https = public_url_settings("https://lytt.example.org/")
    assert https["CSRF_TRUSTED_ORIGINS"] == ["https://lytt.example.org"]
    assert https["LYTT_PUBLIC_ROOT"] == "https://lytt.example.org/"
    assert https["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert https["SESSION_COOKIE_SECURE"] is True
    assert https["CSRF_COOKIE_SECURE"] is True
    plain = public_url_settings("http://intranet:8000")
    assert plain == {
        "CSRF_TRUSTED_ORIGINS": ["http://intranet:8000"],
        "LYTT_PUBLIC_ROOT": "http://intranet:8000/",
    }
    with pytest.raises(ValueError, match="LYTT_PUBLIC_URL"):
        public_url_settings("lytt.example.org")


def test_a_bad_setting_stops_the_cli_with_one_line_naming_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(LYTT_DATA_DIR=str(tmp_path), LYTT_DATABASE_URL="mysql://root@localhost/lytt")
    done = subprocess.run(
        [sys.executable, "-m", "lytt.cli", "feeds"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert done.stderr.strip() == "lytt: LYTT_DATABASE_URL: unsupported scheme 'mysql' (use postgres://)"


def test_a_new_sqlite_catalogue_has_8k_pages_and_wal(tmp_path: Path) -> None:
    wrapper = SQLiteWrapper({**sqlite_database(tmp_path / "new.sqlite3"), "TIME_ZONE": None})
    connection = wrapper.get_new_connection(wrapper.get_connection_params())  # runs the init commands
    try:
        connection.execute("CREATE TABLE t (a TEXT)")
        assert connection.execute("PRAGMA page_size").fetchone() == (8192,)
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        connection.close()

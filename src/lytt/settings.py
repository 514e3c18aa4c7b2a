"""Django settings, all from the environment (see docs/deployment.md).

LYTT_DATA_DIR        where the SQLite database and uploads live (default: ~/.local/share/lytt)
LYTT_DATABASE_URL    postgres://user:pass@host:port/name to use PostgreSQL instead of SQLite
LYTT_ALLOW_PRIVATE_FEEDS=1   let the crawler fetch loopback/private addresses (tests, intranets)
LYTT_LANGUAGE        nb or en: the default language when the browser does not say
LYTT_SECRET_KEY      secret for sessions and tokens (a stable one is generated in the data dir otherwise)
LYTT_DEBUG=1         Django debug mode (never in production)
LYTT_ALLOWED_HOSTS   comma-separated host names (default: *)
LYTT_PUBLIC_URL      the site's public address, e.g. https://lytt.example.org (trusted for CSRF; https
                     there also marks cookies secure and trusts X-Forwarded-Proto from the proxy in front;
                     the root of the sample catalogue's media URLs, else each request's own host)
LYTT_CACHE_URL       redis://host:6379/0 for a cache shared by every web process (login rate limits);
                     default: a per-process memory cache
LYTT_EMAIL_URL       smtp://user:password@host:587?tls=1 (or ?ssl=1) to send mail; default: the console
LYTT_SERVICE_IDS     comma-separated ids a feed's <podcast:block id="..."> may name to block this site
                     (default: lytt)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

BASE_DIR = Path(__file__).resolve().parent


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _data_dir() -> Path:
    configured = os.environ.get("LYTT_DATA_DIR")
    if configured:
        return Path(configured).expanduser().resolve()
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "lytt"


def database_from_url(url: str) -> dict[str, Any]:
    """Turn LYTT_DATABASE_URL (postgres://user:pass@host:port/name?opt=v) into a Django DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ValueError(f"LYTT_DATABASE_URL: unsupported scheme {parts.scheme!r} (use postgres://)")
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ValueError("LYTT_DATABASE_URL: the database name is missing (postgres://host/NAME)")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        # No JIT: Lytt's queries are short, and a planner estimate past jit_above_cost (a list filtered by a
        # bound it cannot see, say) spent more compiling than running. `?options=...` replaces this.
        "OPTIONS": {"options": "-c jit=off", **dict(parse_qsl(parts.query))},
        # Test databases get a per-process name so that parallel runs never drop each other's.
        "TEST": {"NAME": os.environ.get("LYTT_TEST_DATABASE_NAME") or f"test_lytt_{os.getpid()}"},
    }


def sqlite_database(path: Path) -> dict[str, Any]:
    """The DATABASES entry of the embedded SQLite catalogue at `path`."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            # 8 KB pages, set before anything else so that a new file gets them (an existing file keeps
            # its own): an episode row is 1-2 KB, so a crawl's commits touch fewer pages than with 4 KB
            # (measured in docs/benchmarks/). WAL lets readers run beside the one writer;
            # IMMEDIATE avoids lock-upgrade deadlocks.
            "init_command": (
                "PRAGMA page_size=8192; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
        # Opening a connection and running the PRAGMAs is a large share of an uncached page (bench/web.py):
        # keep one per server thread.
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
    }


def cache_from_url(url: str | None) -> dict[str, Any]:
    """LYTT_CACHE_URL (redis://[:password@]host:port/db, or empty for memory) as a Django CACHES entry."""
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lytt"}
    scheme = urlsplit(url).scheme
    if scheme not in {"redis", "rediss", "unix"}:
        raise ValueError(f"LYTT_CACHE_URL: unsupported scheme {scheme!r} (use redis://)")
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": "lytt"}


def email_from_url(url: str | None) -> dict[str, Any]:
    """LYTT_EMAIL_URL (smtp://user:password@host:port?tls=1|ssl=1) as Django EMAIL_* settings."""
    if not url:
        return {}
    parts = urlsplit(url)
    if parts.scheme != "smtp":
        raise ValueError(f"LYTT_EMAIL_URL: unsupported scheme {parts.scheme!r} (use smtp://)")
    if not parts.hostname:
        raise ValueError("LYTT_EMAIL_URL: the mail server's host name is missing (smtp://HOST:587)")
    options = {
        key: value.strip().lower() in {"1", "true", "yes", "on"} for key, value in parse_qsl(parts.query)
    }
    use_ssl = options.get("ssl", False)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": parts.port or (465 if use_ssl else 587),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": options.get("tls", False) and not use_ssl,
        "EMAIL_USE_SSL": use_ssl,
        "EMAIL_TIMEOUT": 20,
    }


def public_url_settings(url: str | None) -> dict[str, Any]:
    """What LYTT_PUBLIC_URL implies: a trusted CSRF origin, the site's root URL (`LYTT_PUBLIC_ROOT`) and,
    for https behind a proxy, secure cookies."""
    if not url:
        return {}
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(
            f"LYTT_PUBLIC_URL: {url!r} is not an http(s) address such as https://lytt.example.org"
        )
    origin = f"{parts.scheme}://{parts.netloc}"
    settings: dict[str, Any] = {"CSRF_TRUSTED_ORIGINS": [origin], "LYTT_PUBLIC_ROOT": origin + "/"}
    if parts.scheme == "https":
        settings |= {
            "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
            "SESSION_COOKIE_SECURE": True,
            "CSRF_COOKIE_SECURE": True,
        }
    return settings


DATA_DIR = _data_dir()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    configured = os.environ.get("LYTT_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_flag("LYTT_DEBUG")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("LYTT_ALLOWED_HOSTS", "*").split(",") if h.strip()]
ALLOW_PRIVATE_FEEDS = _env_flag("LYTT_ALLOW_PRIVATE_FEEDS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "ninja",  # its templates and static files: /api/v1/docs loads Swagger UI from Lytt, not from a CDN
    "lytt.catalog",
    "lytt.charts",
    "lytt.accounts",
    "lytt.search",
    "lytt.sync",
    "lytt.api",
    "lytt.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lytt.api.middleware.JsonErrorsUnderApi",  # outermost but security: sees every answer under /api/
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "lytt.accounts.sessions.AuthenticationMiddleware",  # the user read with the session, one statement
    "django.contrib.messages.middleware.MessageMiddleware",
    "lytt.web.marks.MarksMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "lytt.urls"
ASGI_APPLICATION = "lytt.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lytt.web.marks.csrf_context",
            ],
        },
    },
]

DATABASES = {
    "default": (
        database_from_url(os.environ["LYTT_DATABASE_URL"])
        if os.environ.get("LYTT_DATABASE_URL")
        else sqlite_database(DATA_DIR / "lytt.sqlite3")
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "nb" if os.environ.get("LYTT_LANGUAGE", "nb").lower().startswith("nb") else "en"
LANGUAGES = [("nb", "Norsk bokmål"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "web" / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# `lytt serve` fills it with collectstatic; made here so WhiteNoise does not warn before that has run.
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
# Types WhiteNoise does not know: the sample catalogue's transcripts (web).
WHITENOISE_MIMETYPES = {".vtt": "text/vtt"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LYTT_SERVICE_IDS = tuple(
    name.strip().lower() for name in os.environ.get("LYTT_SERVICE_IDS", "lytt").split(",") if name.strip()
)

CACHES = {"default": cache_from_url(os.environ.get("LYTT_CACHE_URL"))}

EMAIL_BACKEND = os.environ.get("LYTT_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("LYTT_FROM_EMAIL", "lytt@localhost")
globals().update(email_from_url(os.environ.get("LYTT_EMAIL_URL")))
globals().update(public_url_settings(os.environ.get("LYTT_PUBLIC_URL")))

# User names are unique regardless of case, so sign-in (website and apps) ignores case. ModelBackend stays
# listed for sessions signed in through it before; the first backend answers every sign-in attempt.
# Django's database sessions keeping their user's id, read with the user in one statement
# (lytt.accounts.sessions, with its AuthenticationMiddleware above).
SESSION_ENGINE = "lytt.accounts.sessions"

AUTHENTICATION_BACKENDS = [
    "lytt.accounts.backends.CaseInsensitiveModelBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LYTT_LOG_LEVEL", "INFO")},
    "loggers": {"django.server": {"level": "WARNING"}},
}

"""Settings for quartier, read from environment variables.

Every setting that can come from the environment is declared in `quartier.environment` and
parsed strictly: a value that cannot be understood stops the start with an error that names
the variable, instead of silently falling back to a default.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from quartier.environment import read

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(read("QUARTIER_HOME")).resolve()
SCHEMES = ("sqlite", "postgres", "postgresql", "pgsql")
URL_FORMS = "sqlite:///path/file.sqlite3 or postgres://user:password@host:5432/db"


def writable_folder(path: Path) -> Path:
    """The folder, created if missing; an error naming QUARTIER_HOME when it cannot be written."""
    home = "set QUARTIER_HOME to a folder you may write to"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ImproperlyConfigured(
            f"QUARTIER_HOME: cannot create the folder {path} ({error.strerror}); {home}"
        ) from error
    if not os.access(path, os.W_OK | os.X_OK):
        raise ImproperlyConfigured(f"QUARTIER_HOME: cannot write to {path}; {home}")
    return path


VAR_DIR = writable_folder(PROJECT_DIR / "var")


def database_config(url: str | None, *, lock_timeout: float = 60.0) -> dict[str, Any]:
    """Turn QUARTIER_DATABASE_URL into a Django database dict (SQLite under ./var by default).

    The URL itself never appears in an error: it may hold a password.
    """
    if not url:
        url = f"sqlite:///{VAR_DIR / 'quartier.sqlite3'}"
    scheme, _, rest = url.strip().partition(":")
    if scheme not in SCHEMES:
        raise ImproperlyConfigured(
            f"QUARTIER_DATABASE_URL must start with sqlite:// or postgres://; got scheme {scheme!r}"
        )
    if not rest.startswith("//"):
        raise ImproperlyConfigured(
            f"QUARTIER_DATABASE_URL must be written {URL_FORMS}; '//' is missing after {scheme}:"
        )
    config = _parsed(url.strip())
    if config["ENGINE"].endswith("sqlite3"):
        if config["NAME"] in ("", ":memory:"):
            raise ImproperlyConfigured(
                "QUARTIER_DATABASE_URL names no file; give sqlite:///path/file.sqlite3 "
                "(three slashes and a relative path, four and an absolute one)"
            )
        # Imports write many rows; WAL and a busy timeout keep the web server readable meanwhile.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": lock_timeout,
        }
        config["CONN_MAX_AGE"] = 0
    elif not config.get("NAME"):
        raise ImproperlyConfigured(
            "QUARTIER_DATABASE_URL names no database; give postgres://user:password@host:5432/db"
        )
    return config


def _parsed(url: str) -> dict[str, Any]:
    try:
        _port(url)
    except ValueError as error:
        raise ImproperlyConfigured(
            "QUARTIER_DATABASE_URL: the port is not a number from 0 to 65535, or a special "
            "character in the password (@ : / # ?) is not written as %XX (%23 for #)"
        ) from error
    try:
        return dict(dj_database_url.parse(url, conn_max_age=60))
    except (ValueError, KeyError) as error:
        raise ImproperlyConfigured(
            "QUARTIER_DATABASE_URL is not a valid URL; give "
            f"{URL_FORMS}, with special characters in the user name and password written as "
            "%XX (%40 for @, %2F for /, %3A for :)"
        ) from error


def _port(url: str) -> int | None:
    """The port of a URL; a ValueError when it is not a number from 0 to 65535."""
    return urlsplit(url).port


def allowed_hosts(hosts: list[str], *, debug: bool) -> list[str]:
    """QUARTIER_ALLOWED_HOSTS; `*` (any host) only on a development machine (QUARTIER_DEBUG)."""
    if "*" in hosts and not debug:
        raise ImproperlyConfigured(
            "QUARTIER_ALLOWED_HOSTS=* accepts requests for any host name, which lets a forged "
            "Host header into links the server writes (password reset mails, redirects); name "
            "the server's host names, e.g. QUARTIER_ALLOWED_HOSTS=sozialplanung.example.de, "
            "or set QUARTIER_DEBUG=1 on a development machine"
        )
    return hosts


DEBUG = read("QUARTIER_DEBUG")
# A city's own indicators (added to or replacing the shipped catalogue) and method presets.
QUARTIER_INDICATORS_FILE = read("QUARTIER_INDICATORS_FILE")
QUARTIER_METHODS_FILE = read("QUARTIER_METHODS_FILE")
SECRET_KEY = read("QUARTIER_SECRET_KEY")
if not SECRET_KEY:
    # Zero set-up for a local installation: a random key is made once and kept under ./var.
    _key_file = VAR_DIR / "secret_key"
    if not _key_file.exists():
        _key_file.write_text(secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()
ALLOWED_HOSTS = allowed_hosts(read("QUARTIER_ALLOWED_HOSTS"), debug=DEBUG)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "quartier.areas",
    "quartier.monitoring",
    "quartier.demo",
    "quartier.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "quartier.web.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "quartier.urls"
WSGI_APPLICATION = "quartier.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": database_config(
        read("QUARTIER_DATABASE_URL"), lock_timeout=read("QUARTIER_LOCK_TIMEOUT")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# whitenoise warns on every request while the folder is missing (before collectstatic).
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": read("QUARTIER_LOG_LEVEL")},
}

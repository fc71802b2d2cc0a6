"""Settings: every value comes from the environment (README has the table).

The embedded default (no variables at all) is SQLite under ``var/``, an in-process cache and a
SQLite-backed task queue, so that ``jiceng demo`` needs no server. Production sets DATABASE_URL,
REDIS_URL, SECRET_KEY and JICENG_FIELD_KEY.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str = "") -> str:
    """A string from NAME, or from the file named by NAME_FILE (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


VAR_DIR = Path(env_str("JICENG_VAR_DIR", str(Path.cwd() / "var"))).resolve()


def _local_secret(file_name: str) -> str:
    """A secret kept in var/ for the embedded default, made once and reused."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / file_name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY") or _local_secret("secret_key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "jiceng.core.apps.JicengAdminConfig",  # django.contrib.admin, the three administrators' site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "huey.contrib.djhuey",
    "ninja",
    "csp",
    "jiceng.core",
    "jiceng.geo",
    "jiceng.partners",
    "jiceng.accounts",
    "jiceng.registry",
    "jiceng.party",
    "jiceng.points",
    "jiceng.cases",
    "jiceng.community",
    "jiceng.venues",
    "jiceng.deliberation",
    "jiceng.projects",
    "jiceng.imports",
    "jiceng.dashboard",
    "jiceng.assessment",
    "jiceng.reports",
    "jiceng.onboarding",
    "jiceng.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jiceng.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "jiceng.core.uploads.UploadLimitMiddleware",
    "jiceng.accounts.middleware.StaffIdleTimeoutMiddleware",
    "jiceng.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jiceng.core.middleware.InputCheckMiddleware",
    "jiceng.core.middleware.UserErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jiceng.urls"
WSGI_APPLICATION = "jiceng.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "jiceng.accounts.context_processors.navigation",
            ],
        },
    }
]

# --- database -----------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'jiceng.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE avoids the lock-upgrade deadlock of concurrent writers; WAL lets the web
        # server and the task worker read while the other writes.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, sessions, tasks ----------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # When Redis stops, the cache answers "not cached" (django-redis's IGNORE_EXCEPTIONS, each
    # miss logged) instead of raising, and sessions live in the database with Redis in front
    # (cached_db): an outage logs nobody out and raises no 500.
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "jiceng",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                # a stopped or unreachable Redis costs a page at most this long
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 1.0,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "jiceng.redis"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

HUEY_IMMEDIATE = env_bool("JICENG_TASKS_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "jiceng",
        # a stopped Redis fails an enqueue at once instead of hanging the request; the worker's
        # blocking read waits 1 s, well inside the socket timeout
        "connection_pool": __import__("redis").ConnectionPool.from_url(
            REDIS_URL, socket_connect_timeout=0.5, socket_timeout=10
        ),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env_int("JICENG_WORKERS", 2), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "jiceng",
        "filename": str(VAR_DIR / "tasks.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env_int("JICENG_WORKERS", 2), "worker_type": "thread"},
    }

# --- authentication and login hardening (等保三级) ----------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # The admin's model permissions come from the administrator roles, not from flags or groups.
    "jiceng.core.adminsite.AdminRoleBackend",
]
# The security administrator manages the devices; the secrets behind them stay unseen.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "jiceng.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "jiceng.accounts.passwords.CharacterClassesValidator"},
    {"NAME": "jiceng.accounts.passwords.NotUsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# The homes' figures (counts of a place: residents, members, venues...) are kept this many
# seconds in the cache: a district's count of 500,000 residents costs 300 ms, a home 12 queries
# at most and a p95 under 150 ms (issue 19). 0: counted on every request.
JICENG_FIGURES_TTL = env_int("JICENG_FIGURES_TTL", 300)
AXES_FAILURE_LIMIT = env_int("JICENG_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("JICENG_LOCKOUT_MINUTES", 15))
# Level 3: five failures lock. What is locked is the pair (username, client address), so that
# nobody can lock another person out from elsewhere; an address that fails this many times
# across usernames is locked as a whole (jiceng.accounts.lockout).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("JICENG_LOGIN_ADDRESS_FAILURE_LIMIT", 20)
AXES_HANDLER = "jiceng.accounts.lockout.PairAndAddressHandler"
AXES_CLIENT_IP_CALLABLE = "jiceng.core.audit.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Idle staff sessions end after this many seconds; residents keep theirs (a phone stays logged in).
STAFF_IDLE_SECONDS = env_int("JICENG_STAFF_IDLE_MINUTES", 30) * 60
SESSION_COOKIE_AGE = env_int("JICENG_SESSION_DAYS", 14) * 86400
OTP_TOTP_ISSUER = env_str("JICENG_OTP_ISSUER", "jiceng")

# --- personal data --------------------------------------------------------------------------
FIELD_KEY = env_str("JICENG_FIELD_KEY") or _local_secret("field_key")
# Old field keys that still decrypt while `jiceng rotate_field_key` re-encrypts under FIELD_KEY.
FIELD_KEY_FALLBACKS = [k for k in env_str("JICENG_FIELD_KEY_FALLBACKS").split(",") if k.strip()]
# The key of the lookup hashes (HMAC) beside encrypted fields: separate from the field key.
HASH_KEY = env_str("JICENG_HASH_KEY") or _local_secret("hash_key")
HASH_KEY_FALLBACKS = [k for k in env_str("JICENG_HASH_KEY_FALLBACKS").split(",") if k.strip()]

# --- notifications ----------------------------------------------------------------------------
NOTIFY_CHANNELS = env_list("JICENG_NOTIFY_CHANNELS", ["jiceng.core.notify.ConsoleChannel"])
NOTIFY_WEBHOOK_URL = env_str("JICENG_NOTIFY_WEBHOOK_URL")

# --- working-day calendar --------------------------------------------------------------------
# Working windows of a working day, local time; a district may change them.
WORKING_HOURS = env_str("JICENG_WORKING_HOURS", "08:30-12:00,14:00-17:30")

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# Dates in each language's own order (jiceng/core/formats/<lang>/formats.py; Django's for Chinese).
FORMAT_MODULE_PATH = ["jiceng.core.formats"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
with contextlib.suppress(OSError):  # whitenoise warns at every start when it is missing
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Uploads are personal data: stored outside every static and public folder and served only by
# core.uploads.serve, which checks that the viewer may see the record a file belongs to. Behind
# nginx, JICENG_MEDIA_ACCEL_REDIRECT names its internal location (README, "Uploaded files").
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/files/"
MEDIA_ACCEL_REDIRECT = env_str("JICENG_MEDIA_ACCEL_REDIRECT", "")
MAX_REQUEST_BYTES = env_int("JICENG_MAX_REQUEST_MB", 100) * 1024 * 1024
# Uploaded import files (GIS boundaries, workbooks of people and units) are kept this many days
# for the record, then removed by a nightly task (the import's record and audit entry stay).
JICENG_IMPORT_KEEP_DAYS = env_int("JICENG_IMPORT_KEEP_DAYS", 30)
DATA_UPLOAD_MAX_NUMBER_FILES = 20  # the most a form takes is 9 photos

# --- security ---------------------------------------------------------------------------------
SECURE_HTTPS = env_bool("JICENG_HTTPS", False)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS
SECURE_HSTS_SECONDS = 31536000 if SECURE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_HTTPS else None
SESSION_COOKIE_HTTPONLY = True
# The proxies whose X-Forwarded-For is believed (addresses or networks, or "*"): the audit log,
# the login lockout (jiceng.core.audit.client_ip) and gunicorn (`jiceng serve`) read this one list.
FORWARDED_ALLOW_IPS = env_list("FORWARDED_ALLOW_IPS", ["127.0.0.1", "::1"])
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and styles only from our own static files, or
# inline with the nonce of the response (`<script nonce="{{ request.csp_nonce }}">`); no inline
# event handlers or style attributes; nothing from other origins; no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        **({"upgrade-insecure-requests": True} if SECURE_HTTPS else {}),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"expected_answers": {"()": "jiceng.core.logs.ExpectedAnswers"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    # A 403 or 404 is one line ("Forbidden (Permission denied): /path"), not a traceback.
    "loggers": {"django.request": {"filters": ["expected_answers"]}},
}

NINJA_PAGINATION_PER_PAGE = 50

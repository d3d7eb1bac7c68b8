"""Settings for the transfer portal.

Every deployment choice comes from the environment; the defaults boot with nothing running
(SQLite, Celery eager, local-memory cache), which is what ``make run`` uses.
"""

import datetime
import ipaddress
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "portal.apps.PortalAdminConfig",  # django.contrib.admin with the two-factor back office
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # swagger-ui served from our static files, pinned, no CDN
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core",
    "portal",
    "agencies",
    "insured",
    "documents",
    "transfers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Cache-Control: no-store on personal pages, the API and PDFs.
    "core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Control characters in a path or query string: 400 here, before any view or filter.
    "core.middleware.EdgeInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): staff second factor
    "django.contrib.messages.middleware.MessageMiddleware",
    # After auth and messages: ends idle or too old sessions, with a message.
    "core.sessions.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks, so that it sees the final response of a login attempt.
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # Production serves collected static files itself; in development runserver does.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "insured.display_mode.display_mode",  # 长辈版 or standard, for base.html
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serves one writer at a time; waiting beats "database is locked" under the dev server.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "core.login_guard.LoginGuardBackend",
    # Django's ModelBackend, loading AUTH_USER_RELATED with the user in one query.
    "core.backends.ModelBackend",
]
# Read on nearly every signed-in request (header, display mode, the person's own pages and API):
# joined into the query that loads the session's or the token's user.
AUTH_USER_RELATED = ["insured_person"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "my-records"
LOGOUT_REDIRECT_URL = "home"

# Client address for every throttle and lockout: X-Forwarded-For is believed only from these
# proxies (comma-separated IPs or CIDR networks; default none: the TCP peer is the client).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES must list IP addresses or CIDR networks, got {_proxy!r}"
        ) from None

# Login throttling, layer 1 (django-axes): five failures lock the username *from that
# address* for 15 minutes; failures while locked do not renew the lock. Layers 2 and 3 (the
# address across usernames, the username across addresses) are core.login_guard.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_CLIENT_IP_CALLABLE = "core.clientip.client_ip"
# Staff second factor (core.otp): five wrong codes lock the account's devices for 15 minutes.
OTP_LOCK_FAILURES = 5
OTP_LOCK_MINUTES = 15
OTP_TOTP_THROTTLE_FACTOR = 0  # the lock above replaces django-otp's exponential back-off
OTP_STATIC_THROTTLE_FACTOR = 0
OTP_TOTP_ISSUER = "社保转移接续经办"
AXES_LOCKOUT_CALLABLE = "core.views.locked_out"  # a Chinese message, JSON under /api/
LOGIN_GUARD_ENABLED = env_bool("LOGIN_GUARD_ENABLED", True)
LOGIN_GUARD_WINDOW_SECONDS = 3600
LOGIN_GUARD_COOL_OFF_SECONDS = 15 * 60
LOGIN_GUARD_ADDRESS_LIMIT = env_int("LOGIN_GUARD_ADDRESS_LIMIT", 20)
LOGIN_GUARD_USERNAME_LIMIT = env_int("LOGIN_GUARD_USERNAME_LIMIT", 10)
LOGIN_GUARD_USERNAME_MIN_ADDRESSES = 3
LOGIN_GUARD_KNOWN_ADDRESS_DAYS = 30

# Request rates (core.throttles): "<scope>" per client address, "<scope>-global" for all.
THROTTLE_RATES = {
    "auth": "20/min",  # API token
    "auth-global": "600/min",
    "login": "30/min",  # the login page
    "login-global": "600/min",
    "register": "10/h",  # registration, both steps
    "register-global": "300/min",
    "reset": "10/h",  # password reset, both steps
    "reset-global": "300/min",
    "verify": "60/min",  # document verification, page and API
    "verify-global": "1200/min",
}

# SMS codes proving control of the phone on file (registration, password reset).
ONE_TIME_CODE_TTL_SECONDS = 10 * 60
ONE_TIME_CODE_MAX_TRIES = 5
ONE_TIME_CODE_RESEND_SECONDS = 60
ONE_TIME_CODE_DAILY_LIMIT = 5

# API tokens: one per login, expiring; sessions: idle and absolute limits.
API_TOKEN_TTL_PERSON = datetime.timedelta(hours=env_int("API_TOKEN_HOURS_PERSON", 12))
API_TOKEN_TTL_STAFF = datetime.timedelta(hours=env_int("API_TOKEN_HOURS_STAFF", 8))
SESSION_IDLE_TIMEOUT = datetime.timedelta(minutes=env_int("SESSION_IDLE_MINUTES", 30))
SESSION_ABSOLUTE_TIMEOUT = datetime.timedelta(hours=env_int("SESSION_ABSOLUTE_HOURS", 12))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    # Issued documents are private: never under a public URL, served only through a view.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Document signing keys (CA and one per agency, see documents/signing.py): outside the
# repository and the database; in production a directory only the app user can read.
DOCUMENT_SIGNING_DIR = Path(os.environ.get("DOCUMENT_SIGNING_DIR", BASE_DIR / "var" / "signing"))
# No MEDIA_URL is routed: documents and attachments are served by permission-checking views.
MEDIA_URL = "/private-media-not-served/"

# Request bodies and uploads. Any body larger than REQUEST_BODY_MAX_BYTES is answered 413 before
# it is read (core.middleware); a non-file body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 400;
# gunicorn (Dockerfile, docker-compose.yml) caps request lines and headers, the proxy
# (README: client_max_body_size) caps the body before it reaches us.
REQUEST_BODY_MAX_BYTES = env_int("REQUEST_BODY_MAX_BYTES", 3 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
DATA_UPLOAD_MAX_NUMBER_FILES = 5
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Transfer attachments: one merged PDF/JPG/PNG up to 1024 KB, checked by parsing
# (transfers.attachments): pages, pixels and the size once inflated are capped.
ATTACHMENT_MAX_BYTES = 1024 * 1024
ATTACHMENT_MAX_PAGES = env_int("ATTACHMENT_MAX_PAGES", 50)
ATTACHMENT_MAX_PIXELS = env_int("ATTACHMENT_MAX_PIXELS", 40_000_000)
ATTACHMENT_MAX_INFLATED_BYTES = env_int("ATTACHMENT_MAX_INFLATED_BYTES", 20 * 1024 * 1024)

# Official document numbers are finite: new certificates and proofs one person may have issued
# in a day (re-serving an unchanged one does not count).
DOCUMENTS_PER_PERSON_PER_DAY = env_int("DOCUMENTS_PER_PERSON_PER_DAY", 10)

# Redis: broker and cache when set; otherwise tasks run eagerly and the cache is in memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
    # Sessions read from Redis (one GET) instead of a query per request; still written through
    # to the database, so a Redis restart logs nobody out. The idle clock writes at most once a
    # minute (core.sessions), so writes are rare.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rendered fragments keyed by everything they show (the home page's guide, a person's periods
# table): kept in each process's memory, no network round trip, nothing to invalidate.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "TIMEOUT": 3600,
    "OPTIONS": {"MAX_ENTRIES": 2000},  # a periods table is 5–15 KB: at most ~30 MB a process
}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# The queue tasks are sent to and a worker consumes by default; tests and the benchmark give
# their workers a queue of their own so that no other worker on the same Redis takes them.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
# Eager mode (make run): a failing follow-up task is logged, not raised into the request whose
# transaction already committed. Tests turn propagation on (tests/conftest.py).
CELERY_TASK_EAGER_PROPAGATES = env_bool("CELERY_TASK_EAGER_PROPAGATES", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Processes per worker: unset (0) is one per core the worker sees (documents are CPU-bound).
CELERY_WORKER_CONCURRENCY = env_int("CELERY_WORKER_CONCURRENCY", 0) or None
CELERY_TASK_TIME_LIMIT = 120
# A worker keeps its database connection across tasks, as a web process does across requests
# (CONN_MAX_AGE): Celery's Django fix-up would otherwise close it after every task, and each
# task would pay a new connection (a PostgreSQL backend forked for it). Celery closes them only
# every this many tasks; portal.celery closes an old or broken one around each task instead.
CELERY_DB_REUSE_MAX = 1000
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# With acks_late a task whose worker died is redelivered after the visibility timeout.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # kombu sweeps for such messages every interval × throttle seconds (10 × 10 by default);
    # with a short timeout (tests of a killed worker) sweep every second instead.
    "unacked_restore_interval": 1 if CELERY_VISIBILITY_TIMEOUT < 60 else 10,
    "unacked_restore_throttle": 1 if CELERY_VISIBILITY_TIMEOUT < 60 else 10,
}
CELERY_BEAT_SCHEDULE: dict = {
    # Deadlines: once a day, after midnight in China, mark overdue stages and tell the agencies.
    "transfers-mark-overdue-stages": {
        "task": "transfers.tasks.mark_overdue_stages_task",
        "schedule": crontab(hour=0, minute=30),
    },
    # The workbench's charts: roll the days that closed, before the clerks arrive.
    "transfers-roll-daily-figures": {
        "task": "transfers.tasks.roll_daily_figures_task",
        "schedule": crontab(hour=2, minute=0),
    },
    # Outbox: every minute, re-dispatch events whose message was lost or whose worker died.
    "transfers-redispatch-events": {
        "task": "transfers.redispatch_events",
        "schedule": 60.0,
    },
}

# Transfers: the pipeline's retry cap (exponential backoff between tries, capped at 10 min).
TRANSFER_TASK_MAX_RETRIES = env_int("TRANSFER_TASK_MAX_RETRIES", 5)
# Seconds before the first retry (then doubled each time, capped at 10 min).
TRANSFER_TASK_RETRY_BACKOFF = env_int("TRANSFER_TASK_RETRY_BACKOFF", 5)
# Outbox: an event still undispatched this long after its move is re-dispatched by beat; a
# claim older than the lease belongs to a dead worker (longer than the task's hard time limit).
OUTBOX_REDISPATCH_AFTER_SECONDS = env_int("OUTBOX_REDISPATCH_AFTER_SECONDS", 120)
OUTBOX_CLAIM_LEASE_SECONDS = env_int("OUTBOX_CLAIM_LEASE_SECONDS", CELERY_TASK_TIME_LIMIT + 30)
# Where remittances are paid: an adapter with ``pay(key, amount, from_account, to_account)``.
TRANSFER_BANK_BACKEND = os.environ.get("TRANSFER_BANK_BACKEND", "transfers.bank.LocalBank")
# Tests only: seconds to pause inside the pipeline's document steps, so that a test can kill a
# worker in the middle of a task deterministically. Unset (0) everywhere else.
try:
    TRANSFER_TEST_TASK_DELAY = float(os.environ.get("TRANSFER_TEST_TASK_DELAY") or 0)
except ValueError:
    raise ImproperlyConfigured("TRANSFER_TEST_TASK_DELAY must be a number of seconds") from None

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "core.schema.PortalAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "社保关系跨省转移接续 API",
    "DESCRIPTION": "Mobile API of the cross-province social insurance transfer portal.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # swagger-ui from drf-spectacular-sidecar's static files (pinned by the package version)
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "InsuranceEnum": "agencies.models.Insurance",
        "ServedInsuranceEnum": "agencies.models.ServedInsurance",
    },
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "")
# Backends that deliver nothing: fine for development, never for production, where the
# notification mails would end up in the logs (with the persons' data) instead of the mailboxes.
NON_DELIVERING_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}
if not EMAIL_BACKEND:
    if not DEBUG:
        raise ImproperlyConfigured(
            "EMAIL_BACKEND must be set when DEBUG is off "
            "(e.g. django.core.mail.backends.smtp.EmailBackend with EMAIL_HOST)"
        )
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
elif not DEBUG and EMAIL_BACKEND in NON_DELIVERING_EMAIL_BACKENDS:
    raise ImproperlyConfigured(
        f"EMAIL_BACKEND must deliver mail when DEBUG is off, got {EMAIL_BACKEND!r}"
    )
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@transfer-portal.local")
# SMS goes through an adapter; the local one writes the message to the log.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "core.sms.LogSmsBackend")

# Production hardening, all on when DEBUG is off (``manage.py check --deploy``).
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): our own origin only, no inline script or style (the
# templates load static files; a nonce is available as request.csp_nonce where one is unavoidable),
# nothing may frame us. data: images for the QR codes and swagger-ui's icons.
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
    }
}
# Paths whose responses are personal: never stored by a browser or proxy cache
# (core.middleware.NoStoreMiddleware; PDFs anywhere too).
NO_STORE_PATH_PREFIXES = ("/me/", "/transfers/", "/admin/", "/api/")
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

"""Settings shared by every environment. Everything comes from environment variables; no secrets in code."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("WPSNAP_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "wpsnap.accounts.admin_config.GatedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks_db",
    "wpsnap.core",
    "wpsnap.accounts",
    "wpsnap.plan",
    "wpsnap.reporting",
    "wpsnap.registries",
    "wpsnap.registries.media",
    "wpsnap.registries.policy",
    "wpsnap.registries.workforce",
    "wpsnap.registries.resources",
    "wpsnap.registries.candidates",
    "wpsnap.registries.legal_aid",
    "wpsnap.registries.peacebuilding",
    "wpsnap.registries.gender_officers",
    "wpsnap.registries.publications",
    "wpsnap.analytics",
    "wpsnap.publishing",
    "wpsnap.dashboards",
    "wpsnap.exports",
    "wpsnap.portal",
    "wpsnap.demo",
]

MIDDLEWARE = [
    # First: each request's id and path on every log line while it runs, and one line when it is answered.
    "wpsnap.core.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the body (the CSRF check reads forms): a body declared larger than its
    # route takes is refused unread (413), a query string with a NUL in it answers 400.
    "wpsnap.core.middleware.RequestLimitsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After LocaleMiddleware and the sign-in: a signed-in person's stored language on staff pages.
    "wpsnap.accounts.middleware.UserLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "wpsnap.accounts.middleware.SessionTimeoutMiddleware",
    "wpsnap.accounts.middleware.SecondFactorMiddleware",
    # A page refused once too often from one address answers 429 (accounts.throttle).
    "wpsnap.accounts.middleware.ThrottledMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that a lock-out answers before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "wpsnap" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wpsnap.accounts.context_processors.access",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'wpsnap.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        # A reused connection is tested before its request's first query: after a database restart the
        # first request gets a fresh connection instead of the dead one (wpsnap/core/outage.py).
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Azerbaijani first: the officials who report and the public read it first (docs/languages.md). Staff
# pages follow each person's stored choice (User.language), public pages the path's prefix.
LANGUAGE_CODE = "az"
LANGUAGES = [("az", _("Azerbaijani")), ("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "wpsnap" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Baku"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise looks for it at start-up, before any collectstatic
STATICFILES_DIRS = [BASE_DIR / "wpsnap" / "static"]
STORAGES = {
    # Uploaded files (evidence) live outside the web root and have no URL: only gated views serve them.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": os.environ.get("WPSNAP_PRIVATE_DIR", str(VAR_DIR / "private")),
            "base_url": None,
        },
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Content Security Policy: our own files only; no inline script or style.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True


def log_format(default: str) -> str:
    """The console's log format: WPSNAP_LOG_FORMAT, "plain" text or "json" (one object per line)."""
    chosen = os.environ.get("WPSNAP_LOG_FORMAT", default)
    if chosen not in ("plain", "json"):
        raise ImproperlyConfigured(f"WPSNAP_LOG_FORMAT must be 'plain' or 'json', not {chosen!r}.")
    return chosen


# Every line passes the personal-data filter (e-mails, phones, query strings, user names masked) and is
# written as plain text or, in production by default, one JSON object per line (wpsnap/core/logs.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "wpsnap.core.logs.JsonFormatter"},
    },
    "filters": {"personal_data": {"()": "wpsnap.core.logs.PersonalDataFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": log_format("plain"),
            "filters": ["personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # axes logs user names at INFO ("Successful login by {username: ...}"): names stay out of the logs.
    # django.template logs at DEBUG the repr of every context it fails a lookup in (a record's values, a
    # person's name): pinned at INFO so that LOG_LEVEL=DEBUG names nobody (tests/security/test_log_canary.py).
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "django.template": {"level": "INFO"},
    },
}

# The plan files shipped with the platform.
WPSNAP_PLANS_DIR = BASE_DIR / "plans"
# The district boundaries the maps draw (GeoJSON, each feature's properties.plan_code a district code of the
# plan); by default Azerbaijan's 78 units from geoBoundaries (wpsnap/dashboards/geo/README.md).
WPSNAP_DISTRICT_BOUNDARIES = Path(
    os.environ.get(
        "WPSNAP_DISTRICT_BOUNDARIES", BASE_DIR / "wpsnap" / "dashboards" / "geo" / "az-adm2.geojson"
    )
)
AUTH_USER_MODEL = "accounts.User"

# --- accounts, passwords, sessions ---------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out accounts
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "plan:home"
LOGOUT_REDIRECT_URL = "plan:home"

# A session ends after WPSNAP_SESSION_IDLE_MINUTES without a request, and in any case
# WPSNAP_SESSION_MAX_HOURS after sign-in (SessionTimeoutMiddleware).
WPSNAP_SESSION_IDLE_MINUTES = int(os.environ.get("WPSNAP_SESSION_IDLE_MINUTES", "30"))
WPSNAP_SESSION_MAX_HOURS = int(os.environ.get("WPSNAP_SESSION_MAX_HOURS", "10"))
SESSION_COOKIE_AGE = WPSNAP_SESSION_MAX_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# django-axes: five wrong passwords for one account lock it for an hour.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
# Locked by account, not by address: ministries sit behind shared addresses, and locking an address
# would lock out a whole ministry because of one person's typos. Address-based abuse is slowed by the
# API's throttling instead. Hence axes.W006 ("no ip_address") is silenced, deliberately.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_SENSITIVE_PARAMETERS = ["password"]
AXES_VERBOSE = False  # no start-up banner on every command
AXES_CLIENT_STR_CALLABLE = "wpsnap.accounts.axes_logging.client_str"  # no names or addresses in the log
# The client's address, the same for axes, the audit trail and the throttles (wpsnap/core/clientip.py).
AXES_CLIENT_IP_CALLABLE = "wpsnap.core.clientip.client_ip"

# The proxies in front of the platform (addresses or networks, comma-separated; `unix` for one talking over a
# unix socket): only a request from one of them has its X-Forwarded-For believed. Empty: none is.
WPSNAP_TRUSTED_PROXIES = env_list("WPSNAP_TRUSTED_PROXIES")
for _proxy in WPSNAP_TRUSTED_PROXIES:
    try:
        if _proxy != "unix":
            ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(
            f"WPSNAP_TRUSTED_PROXIES: {_proxy!r} is not an address or a network."
        ) from _error

# Per client address (the throttles in wpsnap/accounts/throttle.py): failed sign-ins, and requests the
# permission gate refuses (401/403/404), each "N/second|minute|hour|day"; beyond it, 429. "off" turns one off.
WPSNAP_SIGNIN_RATE = os.environ.get("WPSNAP_SIGNIN_RATE", "10/minute")
WPSNAP_REFUSAL_RATE = os.environ.get("WPSNAP_REFUSAL_RATE", "30/minute")
# Anonymous refusals of one action from one address within this many seconds are one audit line with a count.
WPSNAP_AUDIT_REPEAT_SECONDS = int(os.environ.get("WPSNAP_AUDIT_REPEAT_SECONDS", "3600"))

# The cache every worker shares (the throttles count in it): a table in the database, made by a migration
# (accounts 0003), so that `migrate` is all a new installation needs.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "wpsnap_cache",
        # Above this many entries Django deletes a third of them: high enough that counters survive.
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("WPSNAP_CACHE_MAX_ENTRIES", "50000"))},
    }
}

# Two-factor authentication (TOTP) for coordinators and approvers.
OTP_TOTP_ISSUER = "wpsnap"

# E-mail goes to the console unless WPSNAP_EMAIL_BACKEND names another backend (e.g. SMTP in production).
MAILERS = {
    "default": {
        "BACKEND": os.environ.get("WPSNAP_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "wpsnap <no-reply@localhost>")
WPSNAP_INVITE_DAYS = 7
PASSWORD_RESET_TIMEOUT = WPSNAP_INVITE_DAYS * 24 * 3600

# --- the REST API ----------------------------------------------------------------------------------
# An API token stops working this many days after it was made (`wpsnap token create` says when).
WPSNAP_TOKEN_DAYS = int(os.environ.get("WPSNAP_TOKEN_DAYS", "90"))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "wpsnap.accounts.drf.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["wpsnap.accounts.drf.Gate"],
    # DRF's own parsers, refusing a NUL (or a number beyond a float) anywhere in a body, naming its place.
    "DEFAULT_PARSER_CLASSES": [
        "wpsnap.core.params.JSONParser",
        "wpsnap.core.params.FormParser",
        "wpsnap.core.params.MultiPartParser",
    ],
    # The gate's schema (an endpoint open to anonymous callers is documented as such) needs the gate, so it
    # lives in accounts; the one error handler needs nothing above core.
    "DEFAULT_SCHEMA_CLASS": "wpsnap.accounts.schema.GateAutoSchema",
    "EXCEPTION_HANDLER": "wpsnap.core.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Ordinary reads are not throttled (the public portal reads the API anonymously); refusals and sign-ins
    # are, per address (WPSNAP_REFUSAL_RATE, WPSNAP_SIGNIN_RATE). WPSNAP_API_ANON_RATE ("600/hour") turns on
    # a limit on every anonymous API request as well.
    "DEFAULT_THROTTLE_CLASSES": (
        ["wpsnap.accounts.throttle.AnonRateThrottle"] if os.environ.get("WPSNAP_API_ANON_RATE") else []
    ),
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("WPSNAP_API_ANON_RATE") or None},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "wpsnap API",
    "DESCRIPTION": "National Action Plans on UNSCR 1325 (Women, Peace and Security): the plan, its agencies, "
    "users and the audit trail. Authenticate with `Authorization: Token <token>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
}

# `wpsnap demo load` creates people with a known password: allowed except under production settings.
WPSNAP_DEMO_ALLOWED = True

# Evidence files: at most this many bytes each.
WPSNAP_EVIDENCE_MAX_BYTES = int(os.environ.get("WPSNAP_EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024)))
# A participant file (CSV or Excel) may be this large: about a million rows of CSV.
WPSNAP_PARTICIPANTS_MAX_BYTES = int(os.environ.get("WPSNAP_PARTICIPANTS_MAX_BYTES", str(50 * 1024 * 1024)))
# A registry record's file (media: audio and video): at most its registry's own limit (FileRule.max_bytes:
# media 200 MB, publications 100 MB) and never more than this, the installation's ceiling.
WPSNAP_REGISTRY_FILE_MAX_BYTES = int(os.environ.get("WPSNAP_REGISTRY_FILE_MAX_BYTES", str(200 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Uploads larger than FILE_UPLOAD_MAX_MEMORY_SIZE are spooled to disk while they are read: to the
# platform's own private folder (0700, on storage every app server shares), never the system's temp
# folder, because a participant list is personal data. `wpsnap uploads sweep` (at start-up and daily)
# removes what killed requests left there. The folder is made at start-up (core's AppConfig).
WPSNAP_UPLOAD_SPOOL_DIR = Path(os.environ.get("WPSNAP_UPLOAD_SPOOL_DIR", VAR_DIR / "spool"))
FILE_UPLOAD_TEMP_DIR = str(WPSNAP_UPLOAD_SPOOL_DIR)
# An import's idempotency key (API header, form token, --key) answers retries for this many days.
WPSNAP_IDEMPOTENCY_KEY_DAYS = int(os.environ.get("WPSNAP_IDEMPOTENCY_KEY_DAYS", "7"))

# Disclosure control (wpsnap/publishing, docs/disclosure.md): a count of people below this many, zero
# included, is never published; complementary suppression keeps it from being worked out from the rest.
WPSNAP_DISCLOSURE_THRESHOLD = int(os.environ.get("WPSNAP_DISCLOSURE_THRESHOLD", "10"))
if WPSNAP_DISCLOSURE_THRESHOLD < 1:
    raise ImproperlyConfigured("WPSNAP_DISCLOSURE_THRESHOLD must be a whole number of people, at least 1.")

# Open data (wpsnap/exports/iati.py and opendata.py, docs/open-data.md). The reporting organisation of the
# IATI export: its IATI organisation identifier (an installation must set its own: the default is a
# placeholder that is registered nowhere, and `wpsnap export iati` warns while it is used), its name (empty:
# the plan's coordinating body) and its IATI organisation type (10: government). WPSNAP_IATI_SECTORS maps a
# pillar key to an OECD DAC 5-digit sector code, over the defaults in iati.py. The data package's licence,
# an SPDX identifier.
WPSNAP_IATI_ORG_REF = os.environ.get("WPSNAP_IATI_ORG_REF", "AZ-GOV-SCFWCA")
WPSNAP_IATI_ORG_NAME = os.environ.get("WPSNAP_IATI_ORG_NAME", "")
WPSNAP_IATI_ORG_TYPE = os.environ.get("WPSNAP_IATI_ORG_TYPE", "10")
WPSNAP_IATI_SECTORS: dict[str, str] = {}
WPSNAP_OPEN_DATA_LICENCE = os.environ.get("WPSNAP_OPEN_DATA_LICENCE", "CC-BY-4.0")

# Background tasks (issue 12): Django's tasks API on a database queue; the worker is `wpsnap db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Background jobs (wpsnap.core.jobs, docs/jobs.md): their finished files, outside the web root, served only
# to their owner through the gate; a running job silent for WPSNAP_JOB_STALE_SECONDS lost its worker and is
# failed (the worker beats every WPSNAP_JOB_HEARTBEAT_SECONDS); `wpsnap jobs sweep` removes finished jobs
# and their files after WPSNAP_JOB_KEEP_DAYS days.
WPSNAP_JOB_DIR = Path(os.environ.get("WPSNAP_JOB_DIR", VAR_DIR / "jobs"))
WPSNAP_JOB_HEARTBEAT_SECONDS = float(os.environ.get("WPSNAP_JOB_HEARTBEAT_SECONDS", "10"))
WPSNAP_JOB_STALE_SECONDS = float(os.environ.get("WPSNAP_JOB_STALE_SECONDS", "120"))
WPSNAP_JOB_KEEP_DAYS = int(os.environ.get("WPSNAP_JOB_KEEP_DAYS", "7"))
if WPSNAP_JOB_STALE_SECONDS <= 2 * WPSNAP_JOB_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        "WPSNAP_JOB_STALE_SECONDS must be more than twice WPSNAP_JOB_HEARTBEAT_SECONDS."
    )

# Lists exported as CSV/XLSX (wpsnap.exports.table_views): more rows than this are written by a background
# job, whose page offers the file when it is done; up to it, while the person waits.
WPSNAP_EXPORT_SYNC_ROWS = int(os.environ.get("WPSNAP_EXPORT_SYNC_ROWS", "5000"))

# Participant files and pasted rows (wpsnap.registries): more rows than this (counted cheaply once the file
# is judged by its content) are imported by a background job, whose page shows the progress; up to it, while
# the person waits.
WPSNAP_IMPORT_SYNC_ROWS = int(os.environ.get("WPSNAP_IMPORT_SYNC_ROWS", "5000"))

"""Teilhabe settings: one file, driven by environment variables.

Production is the default: without ``TEILHABE_DEBUG=1`` the platform runs with secure
cookies, HSTS and a mandatory second factor.  See README.md, section "Konfiguration".
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ja"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("TEILHABE_DEBUG", False)
# The demo flag allows conveniences that must never reach production (second factor off).
DEMO = env_bool("TEILHABE_DEMO", False)

# Without TEILHABE_SECRET_KEY in production the key stays empty: Django then refuses every
# use of it (sessions, CSRF, tokens) with ImproperlyConfigured and `check --deploy` fails, while
# commands that need no key (migrate, makemigrations --check) still run.
SECRET_KEY = os.environ.get("TEILHABE_SECRET_KEY", "")
if not SECRET_KEY and (DEBUG or DEMO):
    SECRET_KEY = "insecure-demo-key-only-for-local-use-0123456789-abcdefghijklmnop"  # noqa: S105

ALLOWED_HOSTS = env_list("TEILHABE_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("TEILHABE_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "template_partials",
    "django.forms",
    "teilhabe.core",
    "teilhabe.territory",
    "teilhabe.accounts",
    "teilhabe.audit",
    "teilhabe.offers",
    "teilhabe.participants",
    "teilhabe.finder",
    "teilhabe.alliance",
    "teilhabe.reporting",
    "teilhabe.needs",
    "teilhabe.seeding",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "teilhabe.audit.middleware.AuditContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "teilhabe.accounts.middleware.SessionLifetimeMiddleware",
    "teilhabe.accounts.middleware.SecondFactorMiddleware",
    "teilhabe.accounts.middleware.TenantMiddleware",
    "teilhabe.core.middleware.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "teilhabe.accounts.context_processors.navigation",
            ],
            "builtins": [
                "teilhabe.accounts.templatetags.policy_tags",
                # {% url %} and |dmy faster than Django's own, same output
                "teilhabe.core.templatetags.fast_tags",
            ],
            # {% load i18n %}: Django's library with a faster {% translate %}, same output
            "libraries": {"i18n": "teilhabe.core.templatetags.fast_i18n"},
        },
    }
]

# Per-process caches.  "fragments" keeps rendered, person-independent parts of public pages
# (an offer's card in the finder), keyed by the directory's version token; nothing personal.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 20000},
    },
    # Whole public pages computed from public data only (the finder's answer pages, keyed by
    # the directory's version token): at most 400 of about 90 KB per process, 10 minutes.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "TIMEOUT": 600,
        "OPTIONS": {"MAX_ENTRIES": 400},
    },
}

# Widgets render through the project's template engine, so that templates/django/forms/
# can replace Django's per-option select templates with a faster inline one.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'teilhabe.sqlite3'}"),
        conn_max_age=env_int("TEILHABE_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "TEILHABE_PG_PREPARE", True
):
    # Parameters bound on the server, and psycopg prepares a statement from its second run on a
    # connection: PostgreSQL then plans a page's recurring queries once per connection
    # (docs/betrieb.md; off with TEILHABE_PG_PREPARE=0, e.g. behind a transaction pooler).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 2}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections are kept like PostgreSQL's (TEILHABE_DB_CONN_MAX_AGE): opening one costs
    # about 1.3 ms (file, pragmas, Django's SQL functions), more than a whole simple page.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "teilhabe.accounts.backends.PolicyBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day

# --- Sessions: 30 minutes of inactivity, 12 hours at most -------------------------------
SECURE_COOKIES = env_bool("TEILHABE_SECURE_COOKIES", not DEBUG)
SESSION_IDLE_SECONDS = env_int("TEILHABE_SESSION_IDLE_MINUTES", 30) * 60
SESSION_ABSOLUTE_SECONDS = env_int("TEILHABE_SESSION_MAX_HOURS", 12) * 3600
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
# saved when changed, and at least once a minute while in use (SessionLifetimeMiddleware)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
if SECURE_COOKIES:
    # The __Host- prefix binds the cookie to this host and path "/" and requires Secure.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_NAME = "__Host-language"
else:
    SESSION_COOKIE_NAME = "teilhabe_session"
    CSRF_COOKIE_NAME = "teilhabe_csrftoken"
    LANGUAGE_COOKIE_NAME = "teilhabe_language"
CSRF_FAILURE_VIEW = "teilhabe.audit.views.csrf_failure"

# --- Transport and headers ----------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("TEILHABE_SSL_REDIRECT", not DEBUG and not DEMO)
SECURE_HSTS_SECONDS = 31536000 if not DEBUG else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("TEILHABE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("TEILHABE_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
TEILHABE_TRUST_X_FORWARDED_FOR = env_bool("TEILHABE_TRUST_X_FORWARDED_FOR", False)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
    }
}

# Requests larger than this are refused with 400 (Django's RequestDataTooBig).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("TEILHABE_MAX_REQUEST_BYTES", 2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# --- Lockout (django-axes): username + address, so an attacker cannot lock a user out ----
AXES_FAILURE_LIMIT = env_int("TEILHABE_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("TEILHABE_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env_bool("TEILHABE_AXES_ENABLED", True)
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if TEILHABE_TRUST_X_FORWARDED_FOR else ["REMOTE_ADDR"]
)

# --- Second factor --------------------------------------------------------------------------
# Mandatory for every role that can see personal data.  Only a demo may switch it off.
TEILHABE_OTP_REQUIRED = env_bool("TEILHABE_OTP_REQUIRED", True)
OTP_TOTP_ISSUER = "Teilhabe"
OTP_TOTP_THROTTLE_FACTOR = 1

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Berlin"
USE_TZ = True

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("TEILHABE_STATIC_ROOT", BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = Path(os.environ.get("TEILHABE_PRIVATE_ROOT", BASE_DIR / "var" / "private"))

# --- E-mail ------------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "TEILHABE_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if (DEBUG or DEMO)
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("TEILHABE_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("TEILHABE_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("TEILHABE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("TEILHABE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("TEILHABE_EMAIL_TLS", False)
EMAIL_FILE_PATH = BASE_DIR / "var" / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("TEILHABE_FROM_EMAIL", "teilhabe@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TEILHABE_LOG_LEVEL", "WARNING")},
}

# templates.W003 names "i18n" twice: Django's library and ours, which TEMPLATES "libraries"
# puts in its place on purpose ({% translate %} faster, same output; tests/test_fasturls.py).
SILENCED_SYSTEM_CHECKS: list[str] = ["templates.W003"]

# --- Case work ---------------------------------------------------------------------------------
TEILHABE_CONTACT_OVERDUE_DAYS = env_int("TEILHABE_CONTACT_OVERDUE_DAYS", 30)
TEILHABE_REFERRAL_ANSWER_DAYS = env_int("TEILHABE_REFERRAL_ANSWER_DAYS", 14)
TEILHABE_RETENTION_YEARS = env_int("TEILHABE_RETENTION_YEARS", 3)
TEILHABE_DOCUMENT_MAX_BYTES = env_int("TEILHABE_DOCUMENT_MAX_BYTES", 10_000_000)

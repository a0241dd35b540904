"""Django settings for kent360; every installation-specific value comes from kent360.core.config."""

from __future__ import annotations

import sys
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from kent360.core import config

BASE_DIR = config.BASE_DIR
PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = config.var_dir()

PRODUCTION = config.is_production()
TESTING = "pytest" in sys.modules or config.env_bool("KENT360_TESTING", False)
DEBUG = config.env_bool("KENT360_DEBUG", not PRODUCTION and not TESTING)
SECRET_KEY = config.secret_key()
ALLOWED_HOSTS = config.env_list(
    "KENT360_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver", "[::1]"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("KENT360_ALLOWED_HOSTS must be set when KENT360_ENV=production")
CSRF_TRUSTED_ORIGINS = config.env_list("KENT360_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = config.env_str("KENT360_SITE_URL", "http://127.0.0.1:8000", required_in_production=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "kent360.core",
    "kent360.organizations",
    "kent360.citizens",
    "kent360.requests",
    "kent360.notifications",
    "kent360.media",
    "kent360.intake",
    "kent360.press",
    "kent360.network",
    "kent360.social",
    "kent360.routing",
    "kent360.reports",
    "kent360.ops",
]

MIDDLEWARE = [
    "kent360.ops.middleware.RequestIdMiddleware",
    "kent360.ops.middleware.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "kent360.ops.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kent360.core.middleware.StaffContextMiddleware",
    "kent360.core.unavailable.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "kent360.urls"
WSGI_APPLICATION = "kent360.wsgi.application"

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
                "kent360.core.context_processors.platform",
                "kent360.ops.context_processors.security",
            ],
        },
    },
]

DATABASE_URL = config.env_str(
    "DATABASE_URL", f"sqlite:///{VAR_DIR / 'kent360.sqlite3'}", required_in_production=True
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the worker read while the other writes; a busy timeout
    # turns short lock waits into waits instead of "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend with a health check that needs no round trip.
        DATABASES["default"]["ENGINE"] = "kent360.core.postgresql"
# The hottest statements (kent360/core/fastsql.py) are prepared once per connection on
# PostgreSQL; off for a pooler that cannot keep prepared statements.
KENT360_DB_PREPARED = config.env_bool("KENT360_DB_PREPARED", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; the suite creates hundreds of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "requests:inbox"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "tr"
LANGUAGES = [("tr", _("Turkish")), ("en", _("English")), ("fa", _("Persian"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = config.env_str("KENT360_TIME_ZONE", "Europe/Istanbul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(config.env_str("KENT360_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
KENT360_MAX_ATTACHMENT_BYTES = config.env_int("KENT360_MAX_ATTACHMENT_BYTES", 15 * 1024 * 1024)

EMAIL_BACKEND = config.env_str(
    "KENT360_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "outbox"
EMAIL_HOST = config.env_str("KENT360_EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = config.env_int("KENT360_EMAIL_PORT", 25)
EMAIL_HOST_USER = config.env_str("KENT360_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = config.env_str("KENT360_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = config.env_bool("KENT360_EMAIL_TLS", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = config.env_str("KENT360_FROM_EMAIL", "kent360 <no-reply@kent360.local>")

TASKS = {
    "default": {
        "BACKEND": config.env_str(
            "KENT360_TASK_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend",
        ),
        "QUEUES": ["default", "intake", "notifications", "media", "reports"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "kent360.core.api_auth.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "kent360.core.api_errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/minute", "user": "6000/minute"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "kent360 API",
    "DESCRIPTION": "Citizen requests, intake and press office of a municipality.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LanguageEnum": "kent360.settings.LANGUAGES",
        "ReleaseKindEnum": "kent360.press.models.ReleaseKind",
        "EventKindEnum": "kent360.press.models.EventKind",
        "CrisisKindEnum": "kent360.network.models.Crisis.Kind",
        "RequestKindEnum": "kent360.requests.models.Kind",
        "RequestLanguageEnum": [("tr", "tr"), ("en", "en"), ("fa", "fa")],
        "RequestStateEnum": "kent360.requests.models.State",
        "RebuttalStateEnum": "kent360.media.models.RebuttalCase.State",
    },
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if config.env_str("KENT360_REDIS_URL", ""):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": config.env_str("KENT360_REDIS_URL", ""),
    }

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = config.env_int("KENT360_SESSION_SECONDS", 60 * 60 * 12)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_SAMESITE = "Lax"
# Templates take the token from {% csrf_token %} / hx-headers; scripts never read the cookie.
CSRF_COOKIE_HTTPONLY = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = config.env_bool("KENT360_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = config.env_bool("KENT360_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = config.env_int("KENT360_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = config.env_bool("KENT360_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Joining browsers' preload list is a one-way decision for the operator's whole
        # domain; it is an explicit opt-in (KENT360_HSTS_PRELOAD), not a defect.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_NAME = "__Secure-sessionid" if SESSION_COOKIE_SECURE else "sessionid"

# Sign-in throttling (kent360.ops): failures per username / per address, then a lockout.
KENT360_LOGIN_MAX_FAILURES = config.env_int("KENT360_LOGIN_MAX_FAILURES", 5)
KENT360_LOGIN_MAX_FAILURES_PER_IP = config.env_int("KENT360_LOGIN_MAX_FAILURES_PER_IP", 30)
KENT360_LOGIN_LOCKOUT_SECONDS = config.env_int("KENT360_LOGIN_LOCKOUT_SECONDS", 15 * 60)
# Behind nginx the client address is the last X-Forwarded-For hop (nginx appends it).
KENT360_TRUST_X_FORWARDED_FOR = config.env_bool("KENT360_TRUST_X_FORWARDED_FOR", PRODUCTION)
# /metrics: a bearer token; without one only this machine may scrape.
KENT360_METRICS_TOKEN = config.env_str("KENT360_METRICS_TOKEN", "")
KENT360_SLA_AT_RISK_HOURS = config.env_int("KENT360_SLA_AT_RISK_HOURS", 12)

# A keyed hash protects national ids; the key must never change once data exists.
KENT360_HASH_KEY = config.env_str("KENT360_HASH_KEY", SECRET_KEY, required_in_production=True)
# Encrypts secrets kept in the database (social access tokens); derived in development.
KENT360_FIELD_KEY = config.env_str(
    "KENT360_FIELD_KEY", "field-key:" + SECRET_KEY, required_in_production=True
)
KENT360_DEFAULT_SLA_HOURS = 48
# Citizen feedback: how long the survey link may reopen an answered request.
KENT360_REOPEN_DAYS = config.env_int("KENT360_REOPEN_DAYS", 15)
# SMS gateway (kent360.notifications.sms): "netgsm", "generic" or "" (no SMS).
KENT360_SMS_PROVIDER = config.env_str("KENT360_SMS_PROVIDER", "")
KENT360_SMS_URL = config.env_str("KENT360_SMS_URL", "")
KENT360_SMS_USER = config.env_str("KENT360_SMS_USER", "")
KENT360_SMS_PASSWORD = config.env_str("KENT360_SMS_PASSWORD", "")
KENT360_SMS_SENDER = config.env_str("KENT360_SMS_SENDER", "BELEDIYE")
KENT360_SMS_TOKEN = config.env_str("KENT360_SMS_TOKEN", "")
KENT360_SMS_FIELDS = config.env_str("KENT360_SMS_FIELDS", "")
# Bearer token the gateway presents when it forwards replies (STOP) to /newsroom/<org>/alerts/
# inbound; a secret of its own, since Netgsm has no outbound token to share. Empty = refused.
KENT360_SMS_INBOUND_TOKEN = config.env_str("KENT360_SMS_INBOUND_TOKEN", "")
# Replies on social media go to this webhook (signed) when set.
KENT360_SOCIAL_WEBHOOK_URL = config.env_str("KENT360_SOCIAL_WEBHOOK_URL", "")
KENT360_SOCIAL_WEBHOOK_SECRET = config.env_str("KENT360_SOCIAL_WEBHOOK_SECRET", "")
KENT360_DEMO_ORG = config.env_str("KENT360_DEMO_ORG", "bornova")
KENT360_MAP_TILE_URL = config.env_str("KENT360_MAP_TILE_URL", "")
KENT360_ALERTS_MAX_PER_HOUR = config.env_int("KENT360_ALERTS_MAX_PER_HOUR", 10)

# Intake (omnichannel): which organisation receives mail not addressed to a slug, IMAP
# mailbox, web form abuse limits, duplicate detection.
KENT360_INTAKE_EMAIL_ORG = config.env_str("KENT360_INTAKE_EMAIL_ORG", KENT360_DEMO_ORG)
KENT360_INTAKE_SMTP_MAX_BYTES = config.env_int("KENT360_INTAKE_SMTP_MAX_BYTES", 40 * 1024 * 1024)
KENT360_IMAP_HOST = config.env_str("KENT360_IMAP_HOST", "")
KENT360_IMAP_PORT = config.env_int("KENT360_IMAP_PORT", 993)
KENT360_IMAP_USER = config.env_str("KENT360_IMAP_USER", "")
KENT360_IMAP_PASSWORD = config.env_str("KENT360_IMAP_PASSWORD", "")
KENT360_IMAP_FOLDER = config.env_str("KENT360_IMAP_FOLDER", "INBOX")
KENT360_IMAP_SSL = config.env_bool("KENT360_IMAP_SSL", True)
KENT360_WEBFORM_MAX_PER_HOUR = config.env_int("KENT360_WEBFORM_MAX_PER_HOUR", 10)
KENT360_WEBFORM_MAX_PHOTOS = config.env_int("KENT360_WEBFORM_MAX_PHOTOS", 5)
KENT360_WEBHOOK_HMAC_SECRET = config.env_str("KENT360_WEBHOOK_HMAC_SECRET", "")
KENT360_OPEN311_JURISDICTION = config.env_str("KENT360_OPEN311_JURISDICTION", "")
# Open311 media_url downloads: private/loopback addresses are refused unless listed here
# (CIDR, e.g. "10.20.0.0/16" for the municipality's own media server).
KENT360_MEDIA_FETCH_ALLOWED_NETWORKS = config.env_list("KENT360_MEDIA_FETCH_ALLOWED_NETWORKS", [])
KENT360_MEDIA_FETCH_TIMEOUT = config.env_int("KENT360_MEDIA_FETCH_TIMEOUT", 15)
KENT360_DUPLICATE_RADIUS_M = config.env_int("KENT360_DUPLICATE_RADIUS_M", 150)
KENT360_DUPLICATE_WINDOW_DAYS = config.env_int("KENT360_DUPLICATE_WINDOW_DAYS", 14)

KENT360_LOG_FORMAT = config.env_str("KENT360_LOG_FORMAT", "json" if PRODUCTION else "plain")
if KENT360_LOG_FORMAT not in ("json", "plain"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("KENT360_LOG_FORMAT must be json or plain")
# Recovery after a crash: work claimed by a process that died is taken up again after
# these many seconds (long enough that no live worker is still on it); the scheduler's
# job intervals can be tuned per job as "name=seconds,name=seconds".
KENT360_INTAKE_STALE_SECONDS = config.env_int("KENT360_INTAKE_STALE_SECONDS", 600)
KENT360_INTAKE_PENDING_GRACE_SECONDS = config.env_int("KENT360_INTAKE_PENDING_GRACE_SECONDS", 60)
KENT360_NOTIFICATION_STALE_SECONDS = config.env_int("KENT360_NOTIFICATION_STALE_SECONDS", 600)
KENT360_PERIODIC_INTERVALS = config.env_str("KENT360_PERIODIC_INTERVALS", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "kent360.core.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "kent360.core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": KENT360_LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": config.env_str("KENT360_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

"""Settings shared by every environment; values that differ come from the environment."""
from importlib.util import find_spec
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    import os

    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    import os

    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_str(name: str, default: str | None = None) -> str | None:
    import os

    return os.environ.get(name, default)


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
#: The key of the hashes that stand for census identifiers and voting codes (consult.identity).
#: Set it on its own in production: a SECRET_KEY rotated would otherwise make every census
#: import, verification and printed code unmatchable (docs/eligibility.md).
ELIGIBILITY_KEY = env_str("ELIGIBILITY_KEY", "") or f"cabildo-eligibility:{SECRET_KEY}"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    # Before the admin: admin classes and widgets for translated fields (docs/architecture.md).
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "csp",
    "notifications",
    "consult",
    "planning",
    "reports",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.security.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "consult.middleware.ReaderTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "planning.context_processors.waiting",
                "notifications.context_processors.inbox",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'cabildo.sqlite3'}",
        conn_max_age=60,
        # A kept connection is checked before a request reuses it: after PostgreSQL dropped it
        # (restart, failover, idle timeout) the request opens a new one instead of failing.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and a seeding command share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "es"
LANGUAGES = [
    ("es", _("Spanish")),
    ("pt-br", _("Brazilian Portuguese")),
    ("fr", _("French")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Content written in several languages (docs/architecture.md, "Content in several languages"):
# django-modeltranslation adds one column per language (title_es, title_pt_br, ...). The plain
# accessor (obj.title) falls back through every language so that it is never empty; what a
# reader sees is chosen by core.i18n.localized: their language, else the city's default.
MODELTRANSLATION_DEFAULT_LANGUAGE = "es"
MODELTRANSLATION_FALLBACK_LANGUAGES = tuple(code for code, _name in LANGUAGES)
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # plotly.js comes from the installed plotly package (never a CDN): /static/plotly/plotly.min.js
    ("plotly", Path(find_spec("plotly").origin).resolve().parent / "package_data"),
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "consult:home"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "api.authentication.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"writes": "120/minute", "anon": "600/minute"},
    "EXCEPTION_HANDLER": "api.exceptions.handler",
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
# The largest JSON body the API reads, and how deeply it may nest (a ballot of 200 proposals is
# a few kilobytes and 3 levels deep).
API_MAX_JSON_BYTES = int(env_str("API_MAX_JSON_BYTES", str(1024 * 1024)))
API_MAX_JSON_DEPTH = 20
# How long an API token works (seconds; 0: until revoked). Default: 30 days.
API_TOKEN_MAX_AGE = int(env_str("API_TOKEN_MAX_AGE", str(30 * 24 * 60 * 60)))
SPECTACULAR_SETTINGS = {
    "TITLE": "Cabildo API",
    "DESCRIPTION": "Consultations, proposals, ballots, counts and strategy plans.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # A choice set used by several components needs its name (the ballot's proposals and the
    # proposals share the proposal status).
    "ENUM_NAME_OVERRIDES": {
        "ProposalStatusEnum": "consult.models.Proposal.Status",
        # who may propose and who may support share their options (no voting codes)
        "EligibilityBeforeVoteEnum": "consult.models.ELIGIBILITY_BEFORE_VOTE",
    },
}

# --- Login limits (core/login_limits.py; docs/deployment.md) ---------------------------------
# Failed logins counted per username and per address in the shared cache; at the limit, further
# attempts are refused for LOGIN_LOCKOUT_SECONDS. The address limit is higher: many people may
# share one address (a library, a city hall's wifi on voting day).
LOGIN_FAILURES_PER_ACCOUNT = int(env_str("LOGIN_FAILURES_PER_ACCOUNT", "5"))
LOGIN_FAILURES_PER_ADDRESS = int(env_str("LOGIN_FAILURES_PER_ADDRESS", "30"))
LOGIN_FAILURE_WINDOW = int(env_str("LOGIN_FAILURE_WINDOW", str(15 * 60)))
LOGIN_LOCKOUT_SECONDS = int(env_str("LOGIN_LOCKOUT_SECONDS", str(15 * 60)))
# Proxies in front of the app servers that append the client's address to X-Forwarded-For (0:
# the app servers face the clients; REMOTE_ADDR is the address).
TRUSTED_PROXY_COUNT = int(env_str("TRUSTED_PROXY_COUNT", "0"))

# Receipt checks (the public page and GET /api/v1/receipts/{code}/, one counter for both): at
# most RECEIPT_CHECKS_PER_ADDRESS lookups per address in RECEIPT_CHECK_WINDOW seconds. A voter
# checks once or twice; a code has 31^12 possibilities, so this makes guessing hopeless.
RECEIPT_CHECKS_PER_ADDRESS = int(env_str("RECEIPT_CHECKS_PER_ADDRESS", "20"))
RECEIPT_CHECK_WINDOW = int(env_str("RECEIPT_CHECK_WINDOW", str(10 * 60)))

# Census verification (docs/eligibility.md): at most VERIFICATION_ATTEMPTS attempts per
# participant, and as many per document number (so that many accounts cannot try birth dates
# for one number), in VERIFICATION_WINDOW seconds.
VERIFICATION_ATTEMPTS = int(env_str("VERIFICATION_ATTEMPTS", "5"))
VERIFICATION_WINDOW = int(env_str("VERIFICATION_WINDOW", str(15 * 60)))

# --- Reporting vulnerabilities (docs/security.md) -------------------------------------------------
# SECURITY_CONTACT: comma-separated mailto:/https: addresses served in /.well-known/security.txt
# (RFC 9116); SECURITY_POLICY_URL: the page that says how reports are handled.
SECURITY_CONTACT = env_list("SECURITY_CONTACT", [])
if any(not contact.startswith(("mailto:", "https://", "tel:")) for contact in SECURITY_CONTACT):
    raise ImproperlyConfigured("SECURITY_CONTACT takes mailto:, https:// or tel: addresses.")
SECURITY_POLICY_URL = env_str("SECURITY_POLICY_URL", "")

# --- Content-Security-Policy and Permissions-Policy (docs/deployment.md) ----------------------
# No inline script or style: every page loads its JavaScript and CSS from this site's static
# files and passes data in data-* attributes or <script type="application/json"> blocks
# (json_script). plotly.js finds its stylesheet linked (reports/templates, static/reports/
# plotly.css) instead of inserting a <style> element. The one exception is Redoc (/api/redoc/,
# api/docs.py), whose styled-components insert <style> elements: that page alone allows inline
# styles (never inline script).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
# CSP_REPORT_URI: where browsers send reports of what the policy blocked (optional).
if env_str("CSP_REPORT_URI", ""):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = env_str("CSP_REPORT_URI")
# Powerful browser features no Cabildo page uses, refused to this site and anything it embeds.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "browsing-topics", "camera", "display-capture", "geolocation",
        "gyroscope", "hid", "magnetometer", "microphone", "midi", "payment", "serial", "usb",
        "xr-spatial-tracking",
    )
}

# --- the production stack, all from the environment (docs/deployment.md) ----------------------
# REDIS_URL: Django's own Redis cache, shared by every app server and worker, so that sessions,
# API throttles and cached pages are the same whichever server answers. Without it (the
# embedded default) each process has its local-memory cache.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "cabildo"),
        }
    }
    # Sessions live in the shared cache and in the database (a cache flush logs nobody out).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# CELERY_BROKER_URL: the queue of the Celery workers (Redis in the documented stack). Without
# it, tasks run in the process that asks for them, behind the same interface (`core.tasks`).
CELERY_TASK_ALWAYS_EAGER = not env_str("CELERY_BROKER_URL", "")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "") or "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_ACKS_LATE = True  # a task whose worker dies is run again by another
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # counts are long: one at a time per worker process
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# A count job still queued or running after this long was lost with its worker: the next request
# to count the consultation marks it failed instead of waiting for it forever.
# The live report of a consultation whose voting is open is rebuilt (by a worker) at most this
# often; once voting has closed it is rebuilt only when a new count is made.
LIVE_REPORT_MAX_AGE = int(env_str("LIVE_REPORT_MAX_AGE", "300"))
COUNT_JOB_STALE_AFTER = int(env_str("COUNT_JOB_STALE_AFTER", str(2 * 60 * 60)))
CELERY_BEAT_SCHEDULE = {
    # Notifications: retry failed e-mails; each person's daily digest (at 17:00 UTC, midday in
    # the Americas, evening in Europe); reminders that voting opens or closes within 48 hours.
    "send-pending-notification-emails": {
        "task": "notifications.tasks.send_pending_emails",
        "schedule": 300.0,
    },
    "send-notification-digests": {
        "task": "notifications.tasks.send_digests",
        "schedule": crontab(hour=17, minute=0),
    },
    "voting-reminders": {
        "task": "consult.tasks.voting_reminders",
        "schedule": 3600.0,
    },
    # Tally every consultation whose voting has closed, once, soon after it closes.
    "tally-closed-consultations": {
        "task": "consult.tasks.tally_closed_consultations",
        "schedule": 60.0,
    },
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env_str("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "cabildo@localhost")
# The address of the site as people reach it, for the links in e-mails.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

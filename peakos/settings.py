"""Peak OS settings, read from the environment (twelve-factor, as healthchecks does).

Embedded default (no environment at all): SQLite file in the checkout, e-mail
written to var/mail/ (read at /dev/mail/). One-off ``manage.py`` commands run
Celery tasks eagerly; ``manage.py runall`` (what ``make run`` starts) sets
CELERY_BROKER_URL=filesystem:// so web, worker and beat share kombu's
filesystem broker under var/broker/. Set DATABASE_URL / CELERY_BROKER_URL to use
PostgreSQL and Redis (docs/operations.md).
DJANGO_ENV=production switches on the hardened settings that
`manage.py check --deploy` asks for.
"""

import os
from datetime import timedelta
from email.utils import parseaddr
from importlib.util import find_spec
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from peakos.observability import init_sentry

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")  # no default: refuse to start without one
else:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-peakos-change-me-0123456789abcdef")

# The key of the double-submit guard's hash (surveys/services/guard.py). Never stored in the
# database: a dump without it cannot tell whose guard row is whose. Empty: derived from
# SECRET_KEY. Change it only between rounds (an open round's invitations would work again).
SUBMISSION_GUARD_KEY = env.str("SUBMISSION_GUARD_KEY", default="")

# Single sign-on (identity/): the Fernet key(s) encrypting identity providers' client secrets
# (comma-separated to rotate: the first encrypts, all decrypt; any string works, a key is
# derived from it). Empty: derived from SECRET_KEY. Losing it means re-entering the secrets.
IDENTITY_SECRET_KEY = env.str("IDENTITY_SECRET_KEY", default="")
# Whether Peak OS may call identity providers on private, loopback or link-local addresses
# or over plain http (identity/net.py). Off: an owner cannot make the server fetch internal
# URLs. Turn it on for a provider inside your own network; the test suite turns it on.
IDENTITY_ALLOW_PRIVATE_ADDRESSES = env.bool("IDENTITY_ALLOW_PRIVATE_ADDRESSES", default=False)

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Local state of the embedded default: the filesystem broker, caught e-mails, beat's schedule, logs.
VAR_DIR = Path(env.str("PEAKOS_VAR_DIR", default=str(BASE_DIR / "var")))

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
    "drf_spectacular_sidecar",  # Swagger UI / ReDoc assets as static files: the API docs load nothing from a CDN
    "axes",  # login lockout (peakos/lockout.py)
    "csp",  # Content-Security-Policy header (CONTENT_SECURITY_POLICY below)
    # Two-factor authentication (peakos/mfa.py): TOTP devices and single-use recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "peakos",
    "accounts",
    "surveys",
    "reviews",
    "rhythm",
    "leadership",
    "identity",
    "insights",
    "insights.dashboards",
]

MIDDLEWARE = [
    # Outermost, so its duration and status cover everything below, shed requests too (peakos/observability.py).
    "peakos.observability.RequestLogMiddleware",
    # Next: sheds load with a fast 503 and turns a database outage into the same
    # friendly "try again in a minute" page (peakos/overload.py).
    "peakos.overload.LoadSheddingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's language (cookie, Accept-Language); survey pages pick the person's own.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # /api/: bodies up to API_MAX_BODY_BYTES (else a JSON 413), unhandled errors as JSON 500s;
    # elsewhere a form body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 page.
    "peakos.middleware.RequestGuardMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed its second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # A logged-in user's chosen language (User.language) wins over the browser's.
    "peakos.i18n.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Must come after authentication: resolves /o/<org_slug>/, checks membership
    # and activates the tenant scope for the rest of the request.
    "peakos.tenancy.middleware.TenantMiddleware",
    # After tenancy (it reads request.membership): a second factor before any page (peakos/mfa.py).
    "peakos.mfa.MfaMiddleware",
    # Last, as django-axes asks: turns a lockout raised during authentication into its response.
    "axes.middleware.AxesMiddleware",
]

# django-axes checks every authentication first (a locked account or address never reaches the
# password check); then the usual e-mail + password backend.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "peakos.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "peakos.tenancy.context.tenant_context",
                "accounts.context_processors.signup",
            ],
        },
    },
]

WSGI_APPLICATION = "peakos.wsgi.application"

# An empty DATABASE_URL (`DATABASE_URL= make test`, a blank line in .env) means "not set":
# the embedded SQLite default, not a KeyError at start-up.
DATABASES = {"default": env.db_url_config(os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while an eager task writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    # Under `make run` web, worker and beat write the same file: wait for the lock instead of
    # failing, and take it when a transaction begins (a read lock upgraded later cannot wait).
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "peakos.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Who creates organizations: "open" (anyone, at /signup/, after confirming their e-mail) or
# "closed" (only operators, with `manage.py create_organization`; /signup/ says so).
SIGNUP = env.str("SIGNUP", default="open")
if SIGNUP not in ("open", "closed"):
    raise ImproperlyConfigured(f"SIGNUP must be open or closed, not {SIGNUP!r}")
SIGNUP_RATE_PER_ADDRESS = env.str("SIGNUP_RATE_PER_ADDRESS", default="10/h")  # signup + resend POSTs
SIGNUP_RATE_PER_EMAIL = env.str("SIGNUP_RATE_PER_EMAIL", default="5/h")
SIGNUP_VERIFY_MAX_AGE = env.int("SIGNUP_VERIFY_MAX_AGE", default=3 * 24 * 3600)  # seconds a confirmation link works

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The languages Peak OS ships (README: "Languages", and how to add one). English is the
# source language of every message; locale/<lang>/ holds the others' catalogues (.po in
# git; the .mo files are built by `make messages`, which `make run` and `make test` run).
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("de", _("German")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("pt-br", _("Brazilian Portuguese")),
    ("nl", _("Dutch")),
    ("it", _("Italian")),
    ("ja", _("Japanese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # plotly.js straight from the installed plotly package (/static/vendor/plotly/plotly.min.js): no copy, no CDN.
    ("vendor/plotly", Path(find_spec("plotly").origin).resolve().parent / "package_data"),
]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# E-mail: SMTP when EMAIL_URL is set (production; Mailpit in docker compose). Otherwise, in
# development, every message is a file under var/mail/ that the mail catcher at /dev/mail/ lists
# with clickable survey links (peakos/mailcatcher.py); production without EMAIL_URL prints to the console.
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env.str(
        "EMAIL_BACKEND",
        default="django.core.mail.backends.console.EmailBackend"
        if PRODUCTION
        else "django.core.mail.backends.filebased.EmailBackend",
    )
EMAIL_FILE_PATH = VAR_DIR / "mail"
# A mail server that accepts the connection and never answers must not hold a worker:
# every SMTP socket operation gives up after this many seconds (the send task retries).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=vars().get("EMAIL_TIMEOUT") or 20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Peak OS <no-reply@peakos.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: eager when no broker is configured (one-off commands, a bare runserver; the test suite
# forces eager in tests/conftest.py). `manage.py runall` sets CELERY_BROKER_URL=filesystem:// for
# its web, worker and beat processes: kombu's filesystem transport, a directory per queue under
# var/broker/, so `make run` really uses a worker and beat without any server.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # One folder both ways: every process reads and writes the same queue files.
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
    }
    for _folder in ("queue", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None) or None
CELERY_TASK_ACKS_LATE = True
# acks_late alone acks a task whose pool process was SIGKILLed (OOM killer): reject it
# instead, so the broker hands it out again at once (every task is safe to run twice).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Time limits (seconds): soft raises inside the task (mail tasks release their claim and
# retry; a recompute is left to the insights sweep), hard kills the pool process. Mail
# is short, a recompute of a 10,000-person round long. Every task gets the default;
# CELERY_TASK_ANNOTATIONS below sets each kind's own.
CELERY_MAIL_SOFT_TIME_LIMIT = env.int("CELERY_MAIL_SOFT_TIME_LIMIT", default=60)
CELERY_MAIL_TIME_LIMIT = env.int("CELERY_MAIL_TIME_LIMIT", default=90)
CELERY_RECOMPUTE_SOFT_TIME_LIMIT = env.int("CELERY_RECOMPUTE_SOFT_TIME_LIMIT", default=540)
CELERY_RECOMPUTE_TIME_LIMIT = env.int("CELERY_RECOMPUTE_TIME_LIMIT", default=600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
_MAIL_LIMITS = {"soft_time_limit": CELERY_MAIL_SOFT_TIME_LIMIT, "time_limit": CELERY_MAIL_TIME_LIMIT}
_RECOMPUTE_LIMITS = {"soft_time_limit": CELERY_RECOMPUTE_SOFT_TIME_LIMIT, "time_limit": CELERY_RECOMPUTE_TIME_LIMIT}
CELERY_TASK_ANNOTATIONS = {
    "surveys.tasks.send_invitations": _MAIL_LIMITS,
    "surveys.tasks.send_reminders": _MAIL_LIMITS,
    "reviews.tasks.send_review_invitations": _MAIL_LIMITS,
    "reviews.tasks.notify_review_decision": _MAIL_LIMITS,
    "insights.tasks.recompute_round": _RECOMPUTE_LIMITS,
    "insights.tasks.recompute_org": _RECOMPUTE_LIMITS,
    "insights.tasks.sweep_stale_rounds": {"soft_time_limit": 120, "time_limit": 150},
}
# Redis redelivers a task that was taken but never acked (a whole worker killed) after
# this long: above the longest task's hard limit, or a running recompute would be handed
# to a second worker. Countdown/ETA tasks (the one-minute debounce) are far below it.
if not CELERY_BROKER_URL.startswith("filesystem://"):  # the filesystem broker's options are above
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=CELERY_RECOMPUTE_TIME_LIMIT + 300)
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Recycle pool processes: after this many tasks, or once one grows past this many KiB
# (pandas/numpy recomputes of big rounds), a fresh process takes over between tasks.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=200)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=768_000)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {
    # Opens due survey rounds, closes ended ones, queues invitations and reminders.
    "surveys-tick": {"task": "surveys.tasks.tick", "schedule": env.float("SURVEYS_TICK_SECONDS", default=60.0)},
    # Applies the "answered" marks of rounds whose mark moment (a reminder, the close) passed,
    # in shuffled batches (surveys/services/guard.py). Reminders also run it first.
    "surveys-answered-marks": {"task": "surveys.tasks.apply_answered_marks", "schedule": 900.0},
    # Opens review cycles on their day, e-mails reminders before due dates (idempotent within a day).
    "reviews-tick": {"task": "reviews.tasks.tick", "schedule": 3600.0},
    # Recomputes rounds whose answers are newer than their scores (a lost enqueue, a dead
    # worker): outages of the broker or cache heal by themselves.
    "insights-sweep": {"task": "insights.tasks.sweep_stale_rounds", "schedule": 120.0},
    # Deletes raw answers and comments past each organization's retention period (results stay).
    "surveys-retention": {"task": "surveys.tasks.apply_retention", "schedule": 6 * 3600.0},
}

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env.str("CACHE_URL")}
        if env.str("CACHE_URL", default="")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# The REST API under /api/v1/ (peakos/api_urls.py; the shared pieces are in peakos/api_base.py).
# Token first: its WWW-Authenticate header makes unauthenticated requests 401, not 403.
# The largest API request body (bytes): 10,000 people with a dozen attributes each fit (about
# 1 KB a row). Documented in the OpenAPI description; a larger body is a JSON 413.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=20 * 1024 * 1024)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "peakos.api_auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["peakos.api_parsers.StrictJSONParser"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["peakos.api_auth.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": env.str("API_THROTTLE_RATE", default="600/min")},
    "EXCEPTION_HANDLER": "peakos.api_base.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "peakos.api_base.ApiSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Peak OS API",
    "DESCRIPTION": (
        "Pull scores into a BI tool, push people from an HRIS.\n\n"
        "**Authentication.** Send `Authorization: Bearer pk_…`. Owners and admins create tokens on their "
        "organization's *API tokens* page (`/o/{slug}/api-tokens/`; `manage.py create_api_token` for "
        "operators). A token belongs to one organization and carries a role (admin, leader or member): it "
        "sees what that role sees. A logged-in browser session works too; it names the organization with "
        "the `X-Organization: {slug}` header or the `organization={slug}` query parameter (not needed with "
        "a single organization), and sends the CSRF token on writes.\n\n"
        "**Lists** come in pages (`page`, `page_size` up to 500), filter by the parameters each one lists "
        "and sort with `ordering` (`-` for descending).\n\n"
        "**Errors** all look alike: `{status, code, detail}`, plus `errors` (messages per field) on 400 "
        "and `retry_after` on 429. Another organization's ids are always 404. Every error, a 500 too, is "
        "this JSON body.\n\n"
        "**Limits.** A request body may be at most "
        f"{API_MAX_BODY_BYTES:,} bytes ({API_MAX_BODY_BYTES // (1024 * 1024)} MB; a larger one is a 413 with "
        "`max_bytes`), JSON nested at most 32 levels; text may not hold NUL characters or lone surrogates "
        "(400). A bulk upsert takes at most 10,000 people.\n\n"
        "**Anonymity.** No figure covers fewer respondents than the organization's threshold: such scopes "
        "answer `suppressed: true` with null figures."
    ),
    "TAGS": [
        {"name": "organization", "description": "The organization of the token."},
        {"name": "teams", "description": "The team tree."},
        {"name": "people", "description": "The people directory and the HRIS sync."},
        {"name": "dependencies", "description": "Which team depends on which."},
        {"name": "priorities", "description": "The priority cascade."},
        {"name": "surveys", "description": "Pulse surveys, their rounds and participation."},
        {"name": "scores", "description": "Score snapshots and the coordination matrix."},
        {"name": "signals", "description": "Risks found in the results."},
        {"name": "reviews", "description": "Business review cycles and reviews."},
    ],
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "peakos.models.Role",
        "LayerEnum": "peakos.models.Layer",
        "ScheduleStatusEnum": "surveys.models.RoundStatus",  # rounds and review cycles: scheduled, open, closed
        "ReviewStatusEnum": "reviews.models.ReviewStatus",
        "MetricStatusEnum": "reviews.models.MetricStatus",
        "AskStatusEnum": "reviews.models.AskStatus",
        "SignalStatusEnum": "insights.models.SignalStatus",
    },
}

# Content-Security-Policy (django-csp). Everything from our own origin, nothing inline: no inline
# <script> or event handlers (chart data travel in JSON data blocks read by static/js/), no
# <style> elements of ours and no style attributes in our templates. frame-ancestors 'none':
# no page may be framed. Plotly is the one reason for exceptions, checked in plotly.min.js
# (plotly.js 4.1, tests/e2e/test_csp.py fails on any violation, so an upgrade that changes this
# is caught):
# * style-src-elem: it creates an empty <style> element that it fills through the CSSOM
#   (insertRule, not blocked), allowed by the hash of the empty string, and a <style> with
#   maplibre's CSS, allowed by that text's hash. Nothing else inline.
# * style-src-attr 'unsafe-inline': d3 inside Plotly sets style attributes (setAttribute) while
#   drawing. Style attributes cannot run script; scripts stay 'self' only.
# * WebGL traces would need 'unsafe-eval'; our charts use none.
# CSP_REPORT_ONLY=1 sends the same policy as Content-Security-Policy-Report-Only: browsers
# report violations (console, CSP_REPORT_URI if set) without blocking — for trying a change.
_CSP_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "style-src-elem": [
        "'self'",
        "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # Plotly's empty <style>, filled via CSSOM
        "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='",  # the maplibre CSS plotly.min.js injects
        "'report-sample'",
    ],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if env.str("CSP_REPORT_URI", default=""):
    _CSP_DIRECTIVES["report-uri"] = [env.str("CSP_REPORT_URI")]
# (Not a CSP_* setting name: django-csp 4 refuses its old-style settings.)
if env.bool("CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _CSP_DIRECTIVES}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": _CSP_DIRECTIVES}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Login lockout (django-axes, peakos/lockout.py): AXES_FAILURE_LIMIT wrong passwords for one
# account, or from one address, lock that account or address for AXES_COOLOFF_MINUTES after
# the last failure. Failures made while locked do not extend the lockout, so the page's
# "try again at" stays true. Behind a proxy, set AXES_IPWARE_PROXY_COUNT (1 for one proxy)
# so the address is the client's, not the proxy's.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "peakos.lockout.lockout_response"
AXES_USERNAME_CALLABLE = "peakos.lockout.login_username"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=None)
# X-Forwarded-For is believed only with a proxy count: otherwise any client could name a fresh
# address on every guess and never reach the per-address limit.
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT else ("REMOTE_ADDR",)
)
AXES_VERBOSE = False
# Password reset and invitation acceptance (peakos.lockout.throttle, django-ratelimit, default cache).
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
PASSWORD_RESET_RATE_PER_ADDRESS = env.str("PASSWORD_RESET_RATE_PER_ADDRESS", default="20/h")
PASSWORD_RESET_RATE_PER_EMAIL = env.str("PASSWORD_RESET_RATE_PER_EMAIL", default="5/h")
INVITATION_RATE_PER_ADDRESS = env.str("INVITATION_RATE_PER_ADDRESS", default="30/h")
INVITATION_RATE_PER_INVITATION = env.str("INVITATION_RATE_PER_INVITATION", default="10/h")

# Two-factor authentication (peakos/mfa.py). The issuer is the name authenticator apps show.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Peak OS")
MFA_RECOVERY_CODES = 10
MFA_VERIFY_RATE = env.str(
    "MFA_VERIFY_RATE", default="10/5m"
)  # code attempts per user, on top of django-otp's own back-off

# Error reporting (docs/operations.md). ADMINS="Ops <ops@example.com>, dev@example.com" mails
# every unhandled error's traceback (SERVER_EMAIL → ADMINS, through EMAIL_URL); SENTRY_DSN sends
# it to Sentry (web and workers). Survey answers and link tokens are kept out of both.
ADMINS = [parseaddr(address) for address in env.list("ADMINS", default=[])]
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    init_sentry(
        dsn=SENTRY_DSN, environment=DJANGO_ENV, traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
    )
# What the 500 page may promise: "we have been notified" only when someone is.
ERRORS_ARE_REPORTED = bool(ADMINS or SENTRY_DSN)
DEFAULT_EXCEPTION_REPORTER_FILTER = "peakos.observability.PrivateExceptionReporterFilter"

# Logs: the application's on stderr; one JSON line per request on its own logger and handler
# (stdout, or REQUEST_LOG_FILE — `manage.py runall` writes var/log/requests.jsonl), so neither
# e-mails nor worker output drown in request lines. runserver's own access lines are off.
REQUEST_LOG_FILE = env.str("REQUEST_LOG_FILE", default="")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "peakos.observability.JsonFormatter"}},
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "redact_secrets": {"()": "peakos.observability.RedactSecretsFilter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "requests": (
            {"class": "logging.FileHandler", "filename": REQUEST_LOG_FILE, "formatter": "json"}
            if REQUEST_LOG_FILE
            else {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}
        ),
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "loggers": {
        # django-axes logs every login at INFO; failures and lockouts are WARNING.
        "axes": {"level": env.str("AXES_LOG_LEVEL", default="WARNING")},
        "peakos.requests": {"handlers": ["requests"], "level": "INFO", "propagate": False},
        "django.request": {
            "handlers": ["console", "mail_admins"],
            "level": "WARNING",
            "filters": ["redact_secrets"],
            "propagate": False,
        },
        "django.server": {
            "handlers": ["console"],
            "level": "WARNING",
            "filters": ["redact_secrets"],
            "propagate": False,
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# Live results (insights.releases.release_pending): while a round is open, responses are published
# in releases of at least max(threshold, share × invited) responses, at most one per interval.
INSIGHTS_RELEASE_SHARE = env.float("INSIGHTS_RELEASE_SHARE", default=0.05)
INSIGHTS_RELEASE_INTERVAL = env.int("INSIGHTS_RELEASE_INTERVAL", default=30 * 60)  # seconds

# Load shedding (peakos/overload.py): requests doing work at once per process (gunicorn
# threads share a process), how long a request may wait for a slot, how long it may have
# queued in front of the app (the proxy's X-Request-Start), and the Retry-After seconds of
# the 503 for overload and for a database outage.
MAX_IN_FLIGHT_REQUESTS = env.int("MAX_IN_FLIGHT_REQUESTS", default=4)
REQUEST_QUEUE_TIMEOUT = env.float("REQUEST_QUEUE_TIMEOUT", default=2.0)
REQUEST_QUEUE_DEADLINE = env.float("REQUEST_QUEUE_DEADLINE", default=10.0)
OVERLOAD_RETRY_AFTER = env.int("OVERLOAD_RETRY_AFTER", default=10)
BUSY_RETRY_AFTER = env.int("BUSY_RETRY_AFTER", default=30)

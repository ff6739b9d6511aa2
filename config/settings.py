"""Settings for Test Bed Exchange, read from the environment.

With nothing set, the service runs on a local SQLite file, prints e-mail to the
console, runs Celery tasks in-process and caches in local memory, so a fresh
clone needs no servers. Production sets ``DEBUG=0`` and the variables listed in
the README; ``manage.py check --deploy --fail-level WARNING`` then passes.
"""

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import dj_email_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# Behind a load balancer (BEHIND_PROXY=1) the client's address is in X-Forwarded-For: each
# of our proxies appends the address it saw, so the last TRUSTED_PROXY_COUNT entries are
# ours and the one before them is the client's. Used by the API throttles and allauth.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1" if BEHIND_PROXY else "0"))
# The development key is public (it is in this file): web servers and workers refuse to
# start with it unless DEBUG is on (config/startup.py), so production cannot run without
# its own SECRET_KEY. Tests and management commands may use it.
DEVELOPMENT_SECRET_KEY = "django-insecure-local-development-only-never-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY") or DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "core",
    "accounts",
    "testbeds",
    "trials",
    "challenges",
    "adoption",
    "programmes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RequestSizeLimitMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "core.middleware.IsoDateQueryMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "accounts.middleware.SavedLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "accounts.middleware.CurrentOrganisationMiddleware",
    # Idempotency-Key on API POSTs: a retried request gets the first answer back.
    "accounts.idempotency.IdempotencyMiddleware",
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
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.organisation",
            ],
            "builtins": ["django.templatetags.i18n", "django.templatetags.static"],
        },
    }
]
FORM_RENDERER = "core.forms.GovukFormRenderer"

# Database: SQLite file by default; DATABASE_URL (postgres://…) in production.


def sqlite_database(name: str) -> dict:
    """The SQLite settings, whichever way the file is named (SQLITE_PATH, the default file or
    DATABASE_URL=sqlite:///path): without them concurrent writers fail with "database is
    locked" instead of queueing."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": name,
        # IMMEDIATE takes the write lock when a transaction begins, so two writers queue
        # instead of failing halfway; the timeout is how long they queue.
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
        # Tests use a file too (not memory), so threads in the concurrency tests each get
        # a real connection and queue on the write lock.
        "TEST": {"NAME": os.path.join(tempfile.gettempdir(), f"tbx-test-{os.getpid()}.sqlite3")},
    }


DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        DATABASES = {"default": sqlite_database(DATABASES["default"]["NAME"])}
    else:
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # Our queries are short; JIT compiling them cost ~55 ms each (bench/RESULTS.md).
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
else:
    DATABASES = {
        "default": sqlite_database(os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")))
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (shared by every web process: rate limits
# must be shared), local memory otherwise. A Redis that is down reads as an empty
# cache (core/cache_backend.py): pages still render, rate limits fail open, and
# /healthz reports it.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache_backend.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Anonymous catalogue pages and API lists are kept this long (core/cache.py); 0 = never.
ANONYMOUS_PAGE_SECONDS = int(os.environ.get("ANONYMOUS_PAGE_SECONDS", "60"))
# A trial page's body is kept at most this long after it was built, keyed by a fingerprint of
# the rows it shows (trials/trial_page.py; PostgreSQL only); 0 = build it on every request.
TRIAL_PAGE_SECONDS = int(os.environ.get("TRIAL_PAGE_SECONDS", "600"))

# Celery: with no broker, tasks run in-process (eagerly) when enqueued.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task taken by a worker that then dies is handed out again after this long (Redis).
# Our tasks take seconds, so ten minutes is plenty and not long to wait.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}

# E-mail: console by default; EMAIL_URL like submission://user:pass@host:587 (SMTP with
# STARTTLS), smtp://host:25, smtp://user:pass@host:465?ssl=1, console:// or file:///path.
EMAIL_URL = os.environ.get("EMAIL_URL", "")


def mailer_from_url(url: str) -> dict:
    """Django 6.1's MAILERS entry for an EMAIL_URL (smtp://, smtp+tls://, console://, file://)."""
    parsed = dj_email_url.parse(url)
    if "EMAIL_BACKEND" not in parsed:
        raise ImproperlyConfigured(f"EMAIL_URL has an unknown scheme: {url.split(':', 1)[0]}")
    options = {
        "host": parsed.get("EMAIL_HOST"),
        "port": parsed.get("EMAIL_PORT"),
        "username": parsed.get("EMAIL_HOST_USER"),
        "password": parsed.get("EMAIL_HOST_PASSWORD"),
        "use_tls": parsed.get("EMAIL_USE_TLS") or None,
        "use_ssl": parsed.get("EMAIL_USE_SSL") or None,
        # dj-email-url drops the leading slash of file:///abs/path: take the path as written.
        "file_path": urlsplit(url).path if "filebased" in parsed["EMAIL_BACKEND"] else None,
    }
    if parsed["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
        options["timeout"] = int(os.environ.get("EMAIL_TIMEOUT", "10"))
    return {
        "BACKEND": parsed["EMAIL_BACKEND"],
        "OPTIONS": {key: value for key, value in options.items() if value not in (None, "")},
    }


MAILERS = {
    "default": mailer_from_url(EMAIL_URL)
    if EMAIL_URL
    else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
}
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Test Bed Exchange <noreply@testbed.exchange>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Accounts
AUTH_USER_MODEL = "accounts.User"
# Django's and allauth's backends, reading the person with their memberships in one query.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
# Django's database sessions, read with one plain statement.
SESSION_ENGINE = "accounts.session_store"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"  # each role's home (programmes/dashboard.py)
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtraForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Test Bed Exchange] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Sign-in, sign-up and reset limits key on the client's address: behind our load balancer
# that is the X-Forwarded-For hop it added (the same one the API throttles use), not the
# balancer's own address, which every visitor shares.
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/300s/key",
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Test Bed Exchange"
# Sessions are listed with where and when they started; tracking every request's time too
# would write to the database on each request.
USERSESSIONS_TRACK_ACTIVITY = False

# Internationalisation: English and Welsh.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", _("English")), ("cy", _("Cymraeg"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# Static files and uploads
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}


def s3_storage_from_environment(environ=os.environ) -> dict | None:
    """The ``STORAGES["default"]`` entry for an S3-compatible bucket, or None without
    ``S3_BUCKET``. Keys may also come from the usual AWS sources (environment, instance role)
    when ``S3_ACCESS_KEY_ID`` is not set."""
    bucket = environ.get("S3_BUCKET", "")
    if not bucket:
        return None
    endpoint = environ.get("S3_ENDPOINT_URL") or None
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "region_name": environ.get("S3_REGION") or None,
        "access_key": environ.get("S3_ACCESS_KEY_ID") or None,
        "secret_key": environ.get("S3_SECRET_ACCESS_KEY") or None,
        "location": environ.get("S3_PREFIX", ""),
        # No ACL header: objects take the bucket's own (private) setting, which also works
        # on AWS buckets with ACLs disabled ("bucket owner enforced", the default since 2023).
        "default_acl": None,
        # Never overwrite: a new upload of the same name gets a new name, as on disk.
        "file_overwrite": False,
        "signature_version": "s3v4",
        # Self-hosted servers usually serve buckets as paths, not as sub-domains.
        "addressing_style": environ.get("S3_ADDRESSING_STYLE") or ("path" if endpoint else None),
        # Downloads are streamed by our views; a presigned URL, where one is ever made, is
        # short-lived.
        "querystring_auth": True,
        "querystring_expire": 60,
    }
    return {"BACKEND": "core.storage.PrivateS3Storage", "OPTIONS": options}


# S3_BUCKET (with S3_ENDPOINT_URL, S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY) puts
# uploads in an S3-compatible bucket instead of MEDIA_ROOT; objects stay private and are
# read through our own views (core/storage.py).
_s3 = s3_storage_from_environment()
if _s3 is not None:
    STORAGES["default"] = _s3
WHITENOISE_USE_FINDERS = DEBUG
# Uploads larger than this are refused before they are read whole.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
MAX_UPLOAD_BYTES = 15 * 1024 * 1024
# A whole request body (an upload plus its form fields) over this is refused unread.
MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES + 1024 * 1024

# Security headers (always on; the HTTPS-only ones in production).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if BEHIND_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# API
REST_FRAMEWORK = {
    # A Bearer token first, so a request without credentials answers 401 with
    # `WWW-Authenticate: Bearer`; the browser session (with its CSRF check) second.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # JSON nested too deep is a 400 parse_error, not a RecursionError (core/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "accounts.api.schema.ApiAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.StablePageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "core.api.api_exception_handler",
    # Rate limits (accounts/api/throttling.py): per IP without credentials, per token or
    # person with them, per IP overall, and stricter for booking requests and uploads.
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.api.throttling.AnonRateThrottle",
        "accounts.api.throttling.ClientRateThrottle",
        "accounts.api.throttling.IpRateThrottle",
        "accounts.api.throttling.WriteRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_RATE_ANON", "60/min"),
        "user": os.environ.get("API_RATE_USER", "600/min"),
        "ip": os.environ.get("API_RATE_IP", "1200/min"),
        "write": os.environ.get("API_RATE_WRITE", "30/min"),
    },
    # The client address is REMOTE_ADDR, or the X-Forwarded-For hop our own proxies added;
    # a client cannot pick its own address (and so its own rate limit).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Test Bed Exchange API",
    "DESCRIPTION": (
        "Test beds, trial bookings, trials and evidence packs.\n\n"
        "**Authentication.** Send a personal API token as `Authorization: Bearer tbx_…` "
        "(make one under *Your account → API tokens*); it acts for you within your "
        "organisations' permissions. A read-only token answers 403 `read_only_token` to "
        "anything but reading. The browser session works too (with its CSRF token).\n\n"
        '**Errors** always read `{"code", "message", "errors"?}`: 400 with field '
        "errors, 401 bad token, 403 not allowed, 404 not found or not yours to see, 409 "
        "conflict (with details), 413 too large, 429 too many requests (`Retry-After`).\n\n"
        "**Lists** are paged (`page`, `page_size` up to 100) in a stable order.\n\n"
        "**Webhooks** (*Your account → Webhooks*, for organisation admins) POST "
        '`{"event", "object": {"type", "id"}, "time", "organisation"}` '
        "with `X-TBX-Signature: sha256=<HMAC-SHA256 of the body with the endpoint's "
        "secret>`; `trial` objects are at `/api/v1/trials/{id}/`, `evidence_pack` objects "
        "at `/api/v1/evidence-packs/{id}/`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "accounts.idempotency.declare_in_schema",
    ],
    "ENUM_NAME_OVERRIDES": {
        "TrialStatusEnum": "trials.models.TrialStatus",
        "TestBedStatusEnum": "testbeds.models.TestBed.Status",
        "BookingStatusEnum": "testbeds.models.Booking.Status",
        "RegionEnum": "accounts.models.Region",
        "ChallengeStatusEnum": "challenges.models.ChallengeStatus",
        "ApplicationStatusEnum": "challenges.models.ApplicationStatus",
        "ChangeKindEnum": "trials.models.ChangeRequest.Kind",
        "LogEntryKindEnum": "trials.models.LogEntry.Kind",
        "EvidenceFileKindEnum": "trials.models.EvidenceFile.Kind",
        "PartnerRoleEnum": "trials.models.PartnerRole",
        "AdoptionStatusEnum": "adoption.models.AdoptionStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
    },
}

# Domain settings
INVITATION_VALID_DAYS = 14

# Portfolio and reminders
# A pack render claimed longer ago than this is taken to be dead (its process killed) and
# is rendered again by the periodic job or by retry. Rendering takes seconds.
EVIDENCE_PACK_CLAIM_SECONDS = int(os.environ.get("EVIDENCE_PACK_CLAIM_SECONDS", "300"))
EVIDENCE_DUE_DAYS = 30  # completed trials are "evidence overdue" after this many days
REVIEW_WAITING_DAYS = 7  # officers are reminded of reviews waiting longer than this


# Periodic jobs (core/periodic.py; each app registers its own). Celery beat runs each on the
# schedule below through core.run_periodic_job, the same function and lock as
# `manage.py run_periodic` (which runs them all once, for cron).
def _periodic(name: str, **when: object) -> dict:
    return {"task": "core.run_periodic_job", "schedule": crontab(**when), "args": (name,)}


CELERY_BEAT_SCHEDULE = {
    "start-due-trials": _periodic("start_due_trials", minute=5, hour=0),
    "lapse-waitlist-offers": _periodic("lapse_waitlist_offers", minute=15),
    "send-reminders": _periodic("send_reminders", minute=0, hour=7),
    "send-message-emails": _periodic("send_message_emails", minute="*/5"),
    "webhook-retries": _periodic("webhook_retries", minute="*"),
    "close-due-challenges": _periodic("close_due_challenges", minute="*/5"),
    "clear-expired": _periodic("clear_expired", minute=30, hour=3),
    "impact-report-reminders": _periodic("impact_report_reminders", minute=10, hour=7),
    "resume-evidence-packs": _periodic("resume_evidence_packs", minute="*"),
    "idempotency-keys": _periodic("idempotency_keys", minute=30),
}

# Webhooks (accounts/webhooks.py). Deliveries go only to public addresses unless this is
# set (local testing against a receiver on 127.0.0.1); checked at registration and at
# each delivery. An endpoint is disabled after this many failed attempts in a row.
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", False)
WEBHOOK_DISABLE_AFTER_FAILURES = 10
# The worker imports the webhook tasks (they live beside emit, not in a tasks module);
# beat sends the retries that are due every minute.
CELERY_IMPORTS = ["accounts.webhooks"]

# Enqueueing (core/tasks.py) gives up on a broker that does not accept a connection
# within this many seconds and runs the task in-process instead.
CELERY_BROKER_TRANSPORT_OPTIONS.setdefault("socket_connect_timeout", 2)

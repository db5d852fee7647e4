"""Settings shared by every environment.

Everything that differs between machines comes from the environment through django-environ;
`.env.example` documents each variable. Business knobs that staff change at runtime live in
sysconfig, not here.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env is a convenience for development; real deployments set the environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

APP_ENV = env.str("APP_ENV", default="development")
# The product's name, wherever people read it: pages, emails, the admin, the API docs.
PRODUCT_NAME = "Creatorscope"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
DEBUG = False
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_q",
    "allauth",
    "allauth.account",
    "anymail",
    "influencer",
    "campaigns",
    "scraping",
    "trials",
    "sysconfig",
    "backoffice",
    "imageproxy",
    "exports",
    "outreach",
    "workspace",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs login unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Sends users who have not finished onboarding there; PaymentRequired becomes a 402.
    "trials.middleware.TrialMiddleware",
]

ROOT_URLCONF = "influencer.urls"
WSGI_APPLICATION = "influencer.wsgi.application"

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
                "trials.context_processors.trial",
                "influencer.context_processors.product",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite by default (WAL, IMMEDIATE transactions so writers queue instead of failing with
# "database is locked" on upgrade); DATABASE_URL switches to Postgres.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
# Four aliases, each shared by every web and worker process unless said otherwise:
# - "default": allauth's failed-login counters and anything else that must not vanish early:
#   never culled while live (a culled lockout counter would be a way round the lockout);
# - "images": served images and remembered image failures (culled past MAX_ENTRIES);
# - "coordination": the upstream rate limiter's leases and slots and the sysconfig version stamp,
#   which must never be culled while live (core.cache.CoordinationCache);
# - "throttle": the API's per-user request histories, written on every throttled request. Without
#   Redis it is process memory, so a poll never writes to the database (each web process then
#   counts alone); with REDIS_URL it is shared and exact.
# The database cache tables are created by migrations.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    REDIS_CACHE = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    CACHES = {
        "default": REDIS_CACHE,
        "images": {**REDIS_CACHE, "KEY_PREFIX": "images"},
        "coordination": {**REDIS_CACHE, "KEY_PREFIX": "coordination"},
        "throttle": {**REDIS_CACHE, "KEY_PREFIX": "throttle"},
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.CoordinationCache",
            "LOCATION": "influencer_default_cache",
            "OPTIONS": {"MAX_ENTRIES": 1000},
        },
        "images": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "influencer_cache",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        },
        "coordination": {
            "BACKEND": "core.cache.CoordinationCache",
            "LOCATION": "influencer_coordination",
            # Past this many rows a write first deletes the expired ones (live keys: about two
            # seconds of rate slots plus the in-flight leases).
            "OPTIONS": {"MAX_ENTRIES": 1000},
        },
        "throttle": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "api-throttle",
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        },
    }

# --- Auth (django-allauth) ------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule: its `password_changed` hook revokes API tokens on every new password.
    {"NAME": "trials.accounts.NewPasswordRevokesApiTokens"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "landing"
# People are their email address: the generated username (u-…) is an internal id.
ACCOUNT_USER_DISPLAY = "trials.accounts.user_display"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{PRODUCT_NAME}] "
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="optional")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ADAPTER = "trials.accounts.AccountAdapter"
# allauth's rate limits live in the "default" cache. Failed logins: 10 a minute per IP and 5 per
# 5 minutes per address; past that even the right password is refused until the window passes.
# /admin/login/ redirects to allauth's login, so this is the staff lockout too. (The other
# actions keep allauth's defaults.)
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
# Users whose verified email is listed here become staff when they sign in.
ADMIN_EMAILS = [e.strip().lower() for e in env.list("ADMIN_EMAILS", default=[]) if e.strip()]

# --- Content-Security-Policy (django-csp) ---------------------------------------------------
# Everything comes from our own origin: our JS and CSS and the admin's (whitenoise), avatars
# (/api/proxy/image), Swagger UI (drf-spectacular-sidecar; its CSS has data: icons). No inline
# scripts or on* handlers anywhere. Styles allow 'unsafe-inline': style= attributes are common
# in our templates and in the email previews. Checkout and the billing portal are redirects
# answering a form post, which Chrome checks against form-action, so Stripe's hosts are listed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF, "https://checkout.stripe.com", "https://billing.stripe.com"],
        "frame-ancestors": [NONE],
    }
}

# --- Email (django-anymail; console in development) -----------------------------------------
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{PRODUCT_NAME} <hello@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
RESEND_API_KEY = env.str("RESEND_API_KEY", default="")
if RESEND_API_KEY:
    EMAIL_BACKEND = "anymail.backends.resend.EmailBackend"
    ANYMAIL = {"RESEND_API_KEY": RESEND_API_KEY}
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files (served by whitenoise; no CDN) --------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Background jobs (django-q2, ORM broker) ------------------------------------------------
# The ORM broker re-delivers a task `retry` seconds after it was pulled, so retry must exceed
# timeout or a slow step would run twice at once.
Q_CLUSTER = {
    "name": "influencer",
    "orm": "default",
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": 120,
    "retry": 180,
    "max_attempts": 3,
    "ack_failures": True,
    "catch_up": False,
    "poll": 0.2,
    "save_limit": 500,
    "label": "Task queue",
}

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous request gets 401 with WWW-Authenticate, not 403.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "EXCEPTION_HANDLER": "core.api.error_response",
    # DRF's defaults, with a JSON parser that refuses deeply nested bodies (400) before decoding.
    # Bodies over DATA_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MB) answer 413 (core.api).
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{PRODUCT_NAME} API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's assets come from the drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several "status" fields with different choices: each set gets its own name.
    "ENUM_NAME_OVERRIDES": {
        "EntryStatusEnum": "outreach.models.EntryStatus",
        "SendStatusEnum": "outreach.models.SendStatus",
    },
}

# --- ScrapeCreators -------------------------------------------------------------------------
SCRAPECREATORS_API_KEY = env.str("SCRAPECREATORS_API_KEY", default="")
SCRAPECREATORS_BASE_URL = env.str(
    "SCRAPECREATORS_BASE_URL", default="https://api.scrapecreators.com"
).rstrip("/")

# --- Billing (Stripe) -----------------------------------------------------------------------
# stripe | mock. Empty: mock only in DEBUG without STRIPE_SECRET_KEY, else stripe (see
# trials/billing.py mock_mode); production refuses to start on stripe without its keys.
BILLING_MODE = env.str("BILLING_MODE", default="")
if BILLING_MODE not in ("", "stripe", "mock"):
    raise ImproperlyConfigured(f"BILLING_MODE must be stripe or mock, not {BILLING_MODE!r}")
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_PRICE_STARTER = env.str("STRIPE_PRICE_STARTER", default="")
STRIPE_PRICE_PRO = env.str("STRIPE_PRICE_PRO", default="")

# --- Logging --------------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "influencer.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django-q": {"level": "WARNING" if LOG_LEVEL != "DEBUG" else "DEBUG"},
    },
}

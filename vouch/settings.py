"""Vouch settings: one file, read from the environment.

Defaults give a working local network with no services (SQLite, in-memory channel
layer, console e-mail). DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis.
With DEBUG off the defaults are production-safe and a missing SECRET_KEY stops start-up.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from vouch.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
# The test suite runs with vouch.settings_test (pyproject's DJANGO_SETTINGS_MODULE for pytest); VOUCH_TESTING=1 turns
# the same defaults on for a process started some other way. Servers a test starts run vouch.settings, as deployed.
TESTING = os.environ.get("DJANGO_SETTINGS_MODULE") == "vouch.settings_test" or env_bool("VOUCH_TESTING", False)

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # A development-only key: never used with DEBUG off (see above).
    SECRET_KEY = "dev-insecure-vouch-key-do-not-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    # Otherwise the server starts and answers every request with 400 Bad Request.
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off (comma-separated host names)")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
PORT = env_int("PORT", 8000, minimum=1, maximum=65535)

INSTALLED_APPS = [
    "daphne",
    "vouch.admin_site.VouchAdminConfig",  # django.contrib.admin with a throttled login (vouch/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "graphene_django",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.headless",
    "profiles",
    "skills",
    "endorsements",
    "badges",
    "notifications",
    "credentials",
    "backpack",
    "insights",
    "frontend",
    "django_tasks",
    "django_tasks_db",
    "jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "vouch.middleware.SecurityHeadersMiddleware",
    # Last: its process_exception answers API paths before Django's debug page would (DEBUG on or off).
    "vouch.middleware.ApiErrorsMiddleware",
]

ROOT_URLCONF = "vouch.urls"
ASGI_APPLICATION = "vouch.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frontend" / "templates", BASE_DIR / "vouch" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context_processors.site",
            ],
        },
    }
]

# --- Database -----------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    except Exception as exc:  # dj-database-url raises several types on a malformed URL
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # Typo tolerance of member search and skill suggestions (profiles/search.py, skills.services):
        # pg_trgm's operators compare against these per-session thresholds; set at connect so every pooled
        # connection has them. 0.5 lets one transposition in a 6-letter name through ("Okafro" finds
        # "Okafor"); pg_trgm's default is 0.6.
        _options = DATABASES["default"].setdefault("OPTIONS", {})
        _options["options"] = (
            _options.get("options", "")
            + " -c pg_trgm.word_similarity_threshold=0.5 -c pg_trgm.similarity_threshold=0.25"
        ).strip()
    if DATABASES["default"]["ENGINE"].endswith("postgresql") and env_bool("DB_POOL", True):
        # Under ASGI every request's sync code runs in a thread of its own, and persistent connections
        # (CONN_MAX_AGE) are per thread: one worker ended up holding 85-90 connections and PostgreSQL
        # answered "too many clients". A psycopg pool per process bounds them instead: a request borrows
        # a connection and gives it back when it ends (CONN_MAX_AGE must be 0 with a pool).
        # Arithmetic (docs/deploy.md): (web workers + job workers) x DB_POOL_MAX_SIZE <= max_connections - headroom.
        _pool_min = env_int("DB_POOL_MIN_SIZE", 2, minimum=0, maximum=1000)
        _pool_max = env_int("DB_POOL_MAX_SIZE", 10, minimum=1, maximum=1000)
        if _pool_min > _pool_max:
            raise ImproperlyConfigured("DB_POOL_MIN_SIZE must not exceed DB_POOL_MAX_SIZE")
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": _pool_min,
            "max_size": _pool_max,
            # Waiting longer than this for a free connection fails the request instead of queueing forever.
            "timeout": env_int("DB_POOL_TIMEOUT", 10, minimum=1, maximum=600),
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # The web server and the job worker share the file. WAL: readers never wait for the writer. A busy
            # timeout (20 s): a second writer waits for the first. IMMEDIATE: a transaction takes the write lock
            # when it begins; SQLite cannot wait to upgrade a read transaction to a write one and answered
            # "database is locked" at once (tests/test_sqlite_concurrency.py). synchronous=NORMAL is WAL's usual
            # pairing (durable across a process crash; the last commits may go on power loss).
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

# --- Channels, cache -------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
# Messages waiting in Redis for one worker's sockets, all sockets together (see CHANNEL_LAYERS below).
WORKER_CHANNEL_CAPACITY = env_int("WORKER_CHANNEL_CAPACITY", 10000, minimum=200, maximum=1_000_000)
REDIS_LAYER_SOCKET_TIMEOUT = 15
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"REDIS_URL must start with redis://, rediss:// or unix://, got {REDIS_URL!r}")
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # A socket timeout above channels_redis's blocking pop (BZPOPMIN, 5 s): redis-py's default
                # socket_timeout is 5 s too, so on a worker with no message for 5 s the pop's read timed out,
                # the consumer holding the receive lock died with redis TimeoutError and its socket closed —
                # one idle socket lost every 5 s (bench/notifications_live.py; tests/test_settings.py).
                "hosts": [{"address": REDIS_URL, "socket_timeout": REDIS_LAYER_SOCKET_TIMEOUT}],
                # Bounded queues: a slow or dead consumer cannot grow memory without limit. `capacity` bounds each
                # socket's in-process queue, and any channel outside a worker. But every socket of one worker
                # ("specific.<worker>!<socket>" channels) shares ONE Redis queue, whose bound is the "specific.*"
                # entry: at 200 a worker holding thousands of sockets dropped pushes as soon as it fell 200
                # messages (about a second at 200 notifications/s) behind (bench/notifications_live.py, fan-out).
                "capacity": 200,
                "channel_capacity": {"specific.*": WORKER_CHANNEL_CAPACITY},
                "expiry": 30,
                "group_expiry": 86400,
                "prefix": env_str("CHANNEL_PREFIX", "vouch"),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_PREFIX", "vouch"),
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 200, "expiry": 30}}
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "vouch"}}

# --- Auth and allauth ------------------------------------------------------------
AUTH_USER_MODEL = "profiles.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The anonymous profile read cache (vouch/profile_cache.py): seconds an entry lives; 0 turns it off. On by default
# only with Redis (the write generation must be shared by every web and job worker); off under the test settings
# (query-count tests count real reads), where its own tests turn it on.
PROFILE_CACHE_SECONDS = env_int("PROFILE_CACHE_SECONDS", 0 if TESTING or not REDIS_URL else 60, minimum=0, maximum=3600)

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/me/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_ADAPTER = "profiles.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "profiles.adapters.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_USERNAME_MIN_LENGTH = 3
ACCOUNT_USERNAME_VALIDATORS = "profiles.validators.username_validators"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
# The per-IP limits above count REMOTE_ADDR, which behind a load balancer is the balancer's address (one bucket for
# everybody). TRUSTED_PROXY_COUNT=N makes allauth take the client address from X-Forwarded-For, N proxies from the
# right; 0 (default) ignores the header, so a client cannot dodge a limit by sending one (docs/deploy.md).
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=10)
# allauth headless's OpenAPI specification at /_allauth/openapi.json and .yaml (docs/api-limits.md), listing only
# the endpoints Vouch serves; no HTML viewer (allauth's loads Redoc from a CDN).
HEADLESS_SERVE_SPECIFICATION = True
HEADLESS_SPECIFICATION_TEMPLATE_NAME = None
HEADLESS_FRONTEND_URLS = {
    "account_confirm_email": "/accounts/confirm-email/{key}/",
    "account_reset_password_from_key": "/accounts/password/reset/key/{key}/",
    "account_signup": "/accounts/signup/",
}

SOCIALACCOUNT_PROVIDERS: dict[str, dict] = {}
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
if env_str("GITHUB_CLIENT_ID"):
    INSTALLED_APPS.append("allauth.socialaccount.providers.github")
    SOCIALACCOUNT_PROVIDERS["github"] = {
        "APPS": [{"client_id": env_str("GITHUB_CLIENT_ID"), "secret": env_str("GITHUB_CLIENT_SECRET"), "key": ""}],
        "SCOPE": ["user:email"],
    }
if env_str("LINKEDIN_CLIENT_ID"):
    INSTALLED_APPS.append("allauth.socialaccount.providers.openid_connect")
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": "linkedin",
                "name": "LinkedIn",
                "client_id": env_str("LINKEDIN_CLIENT_ID"),
                "secret": env_str("LINKEDIN_CLIENT_SECRET"),
                "settings": {"server_url": "https://www.linkedin.com/oauth", "token_auth_method": "client_secret_post"},
            }
        ]
    }

# --- E-mail -------------------------------------------------------------------------
# The site's name in every mail (ours and allauth's) and the origin of the absolute links in them.
SITE_NAME = env_str("SITE_NAME", "Vouch").strip() or "Vouch"
SITE_URL = env_str("SITE_URL", "").strip().rstrip("/")
if not SITE_URL:
    SITE_URL = f"http://127.0.0.1:{PORT}" if DEBUG or not ALLOWED_HOSTS else f"https://{ALLOWED_HOSTS[0].lstrip('.')}"
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://, got {SITE_URL!r}")
EMAIL_URL = env_str("EMAIL_URL")
_mail_host = SITE_URL.split("://", 1)[1].split("/")[0].split(":")[0].strip("[]") or "vouch.local"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <no-reply@{_mail_host}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1, maximum=300)
# Digests (docs/notifications.md): at most one per member per DIGEST_INTERVAL_HOURS, covering the last
# DIGEST_WINDOW_DAYS, listing at most DIGEST_MAX_ITEMS (then "and N more").
DIGEST_INTERVAL_HOURS = env_int("DIGEST_INTERVAL_HOURS", 24, minimum=1)
DIGEST_WINDOW_DAYS = env_int("DIGEST_WINDOW_DAYS", 7, minimum=1)
DIGEST_MAX_ITEMS = env_int("DIGEST_MAX_ITEMS", 20, minimum=1, maximum=200)
UNSUBSCRIBE_TOKEN_MAX_AGE_DAYS = env_int("UNSUBSCRIBE_TOKEN_MAX_AGE_DAYS", 90, minimum=1)
if EMAIL_URL:
    from urllib.parse import unquote, urlsplit

    _email = urlsplit(EMAIL_URL)
    if _email.scheme not in {"smtp", "smtp+tls", "smtps"}:
        raise ImproperlyConfigured(f"EMAIL_URL must be smtp://, smtp+tls:// or smtps://, got {_email.scheme!r}")
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or (465 if _email.scheme == "smtps" else 587)
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_TLS = _email.scheme == "smtp+tls"
    EMAIL_USE_SSL = _email.scheme == "smtps"
elif env_str("EMAIL_FILE_PATH"):
    # Each message written to a file in this folder: a browser test's separate server process
    # (which cannot share locmem's outbox) hands the verification link to the test this way.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "

# --- Static and media -------------------------------------------------------------
STATIC_URL = "/static/"
# The project's own static files outside the apps: GraphiQL's vendored assets (vouch/static/graphiql/).
STATICFILES_DIRS = [BASE_DIR / "vouch" / "static"]
# Where collectstatic writes and whitenoise serves from; bin/serve-prod collects once before starting the workers.
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads: bounded in memory and on the wire. Avatars and badge images have their own, smaller limits.
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
MAX_REQUEST_BODY_BYTES = env_int("MAX_REQUEST_BODY_BYTES", 12 * 1024 * 1024, minimum=1024)
AVATAR_MAX_BYTES = env_int("AVATAR_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
# A JPEG's header may declare up to AVATAR_MAX_PIXELS (it is decoded scaled down); PNG and WebP, decoded at full
# size, up to AVATAR_MAX_DECODED_PIXELS (4K: 3840 x 2160 is 8.3 M; ~40 MB RGBA while decoding).
AVATAR_MAX_PIXELS = 40_000_000
AVATAR_MAX_DECODED_PIXELS = 10_000_000

# --- Security -----------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "vouch.error_views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # A load balancer probes each worker over plain HTTP: /healthz answers there instead of redirecting to https.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is the operator's choice for their whole domain (hard to undo), not a
        # default: without it `check --deploy` would always warn (security.W021).
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- The admin (vouch/admin_site.py, docs/security.md) ----------------------------------------------------------
# Where the Django admin is mounted ("admin/" by default with DEBUG on). With DEBUG off it is not mounted at all unless
# ADMIN_URL is set (e.g. ADMIN_URL=staff-3f9k/); "off" unmounts it everywhere. ADMIN_ALLOWED_NETWORKS (comma-separated
# addresses or CIDR networks, e.g. 10.0.0.0/8,203.0.113.7) makes every admin URL a 404 from anywhere else.
ADMIN_URL = env_str("ADMIN_URL", "admin/" if DEBUG else "").strip().strip("/")
ADMIN_URL = "" if ADMIN_URL.lower() == "off" else (ADMIN_URL + "/" if ADMIN_URL else "")
ADMIN_ALLOWED_NETWORKS = env_list("ADMIN_ALLOWED_NETWORKS", [])
for _network in ADMIN_ALLOWED_NETWORKS:
    try:
        import ipaddress

        ipaddress.ip_network(_network, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(f"ADMIN_ALLOWED_NETWORKS: {_network!r} is not an address or network") from exc
ADMIN_LOGIN_FAILURES_PER_USERNAME = env_int("ADMIN_LOGIN_FAILURES_PER_USERNAME", 5, minimum=1)
ADMIN_LOGIN_FAILURES_PER_IP = env_int("ADMIN_LOGIN_FAILURES_PER_IP", 10, minimum=1)
ADMIN_LOCKOUT_SECONDS = env_int("ADMIN_LOCKOUT_SECONDS", 300, minimum=1)

# --- Vouch ------------------------------------------------------------------------------
GRAPHENE = {
    "SCHEMA": "vouch.graphql.schema.schema",
    "ATOMIC_MUTATIONS": False,
}
GRAPHQL_MAX_DEPTH = env_int("GRAPHQL_MAX_DEPTH", 10, minimum=3)
GRAPHQL_MAX_PAGE_SIZE = env_int("GRAPHQL_MAX_PAGE_SIZE", 100, minimum=1)
# Objects one operation may return at most (vouch/graphql/limits.py, docs/api-limits.md has the table).
GRAPHQL_MAX_COST = env_int("GRAPHQL_MAX_COST", 25_000, minimum=10)
# A document is refused before parsing over either bound (QUERY_TOO_LARGE).
GRAPHQL_MAX_QUERY_BYTES = env_int("GRAPHQL_MAX_QUERY_BYTES", 32 * 1024, minimum=1024)
GRAPHQL_MAX_TOKENS = env_int("GRAPHQL_MAX_TOKENS", 4000, minimum=100)
GRAPHQL_MAX_BATCH = env_int("GRAPHQL_MAX_BATCH", 5, minimum=1)
GRAPHENE["RELAY_CONNECTION_MAX_LIMIT"] = GRAPHQL_MAX_PAGE_SIZE
SEED_DEMO = env_bool("SEED_DEMO", True)
MAX_SKILLS_PER_MEMBER = 50
# New names a member may add to the shared skill taxonomy in any 24 hours (listing existing skills is not counted),
# and words no new skill name may contain (comma-separated, beside skills.services.BLOCKED_WORDS).
# (Test set-ups build 50-skill profiles from new names; the moderation tests set the cap they test.)
SKILLS_CREATED_PER_DAY = env_int("SKILLS_CREATED_PER_DAY", 1000 if TESTING else 10, minimum=1)
SKILL_BLOCKED_WORDS = env_list("SKILL_BLOCKED_WORDS", [])
ENDORSEMENT_REQUEST_TTL_DAYS = env_int("ENDORSEMENT_REQUEST_TTL_DAYS", 30, minimum=1)
ENDORSEMENT_REQUESTS_PER_DAY = env_int("ENDORSEMENT_REQUESTS_PER_DAY", 20, minimum=1)
ENDORSEMENTS_PER_DAY = env_int("ENDORSEMENTS_PER_DAY", 50, minimum=1)
# "Still true?" (docs/weighting.md, "Freshness"): a member may ask an endorser to re-confirm an endorsement given
# (or last re-confirmed) at least RECONFIRM_AFTER_DAYS ago, once per endorsement per RECONFIRM_COOLDOWN_DAYS, and
# at most RECONFIRMATION_REQUESTS_PER_DAY times a day; the e-mailed link works RECONFIRM_LINK_DAYS.
# Skill insights (docs/insights.md): counts under INSIGHTS_MIN_COUNT (k) are never shown; demand is summed over
# INSIGHTS_WINDOW_DAYS; a member is "strong" in a skill from INSIGHTS_STRONG_SCORE; a visitor adds at most
# INSIGHTS_SIGNALS_PER_VISITOR_PER_DAY signals a day.
INSIGHTS_MIN_COUNT = env_int("INSIGHTS_MIN_COUNT", 5, minimum=2)
INSIGHTS_WINDOW_DAYS = env_int("INSIGHTS_WINDOW_DAYS", 30, minimum=1)
INSIGHTS_STRONG_SCORE = float(env_int("INSIGHTS_STRONG_SCORE", 25, minimum=1))
INSIGHTS_SIGNALS_PER_VISITOR_PER_DAY = env_int("INSIGHTS_SIGNALS_PER_VISITOR_PER_DAY", 100, minimum=1)
RECONFIRM_AFTER_DAYS = env_int("RECONFIRM_AFTER_DAYS", 365, minimum=0)
RECONFIRM_COOLDOWN_DAYS = env_int("RECONFIRM_COOLDOWN_DAYS", 30, minimum=1)
RECONFIRMATION_REQUESTS_PER_DAY = env_int("RECONFIRMATION_REQUESTS_PER_DAY", 10, minimum=1)
RECONFIRM_LINK_DAYS = env_int("RECONFIRM_LINK_DAYS", 60, minimum=1)
BADGE_FETCH_ALLOWED_HOSTS = frozenset(h.lower() for h in env_list("BADGE_FETCH_ALLOWED_HOSTS", []))
# Badge verification (docs/badges.md): "background" enqueues a job after the import commits (fair per member:
# jobs.fairness); "inline" runs it on commit in the request's own thread (unit tests, the demo seed); "off" leaves
# badges PENDING for `manage.py reverify_badges` (or the periodic sweep).
BADGE_VERIFY_MODE = env_str("BADGE_VERIFY_MODE", "inline" if TESTING else "background").strip().lower()
if BADGE_VERIFY_MODE not in {"background", "inline", "off"}:
    raise ImproperlyConfigured(f"BADGE_VERIFY_MODE must be background, inline or off, got {BADGE_VERIFY_MODE!r}")
BADGE_IMAGE_MAX_BYTES = env_int("BADGE_IMAGE_MAX_BYTES", 5 * 1000 * 1000, minimum=1024)
BADGE_TEXT_MAX_BYTES = env_int("BADGE_TEXT_MAX_BYTES", 1000 * 1000, minimum=1024)
BADGE_MAX_PER_MEMBER = env_int("BADGE_MAX_PER_MEMBER", 200, minimum=1)
BADGE_REVERIFY_INTERVAL_SECONDS = env_int("BADGE_REVERIFY_INTERVAL_SECONDS", 60, minimum=0)
BADGE_REVERIFY_AFTER_HOURS = env_int("BADGE_REVERIFY_AFTER_HOURS", 24, minimum=1)
BADGE_PENDING_STALE_MINUTES = env_int("BADGE_PENDING_STALE_MINUTES", 10, minimum=1)

# Portable proof (docs/credentials.md). The Ed25519 key credentials are signed with; without one (development
# only) a key is generated on first use and stored in the database.
VOUCH_SIGNING_KEY = env_str("VOUCH_SIGNING_KEY")
if not DEBUG and not VOUCH_SIGNING_KEY:
    raise ImproperlyConfigured(
        "VOUCH_SIGNING_KEY must be set when DEBUG is off: the Ed25519 key Vouch signs credentials with. "
        "Create one with `python manage.py generate_signing_key` and keep it secret; a key generated at start-up "
        "would change credentials' issuer keys on every deployment."
    )
# Public keys (z6Mk…) of earlier signing keys: still listed in the DID documents so old credentials verify.
VOUCH_RETIRED_SIGNING_KEYS = env_list("VOUCH_RETIRED_SIGNING_KEYS", [])
# The origin credentials and DIDs are issued under (e.g. https://vouch.example); default: the request's own.
VOUCH_ORIGIN = env_str("VOUCH_ORIGIN", "").rstrip("/")
# --- Background jobs (docs/architecture.md, "Jobs") -----------------------------------------------------------
# Django's Tasks API (the django-tasks backport) on the django-tasks-db backend: jobs are rows in this database, run
# by `manage.py run_jobs` workers. JOBS_BACKEND=immediate runs each job in the process that enqueues it (the unit
# tests' default; the real-worker tests use the database backend in separate processes).
JOBS_BACKEND = env_str("JOBS_BACKEND", "immediate" if TESTING else "database").strip().lower()
if JOBS_BACKEND not in {"database", "immediate"}:
    raise ImproperlyConfigured(f"JOBS_BACKEND must be database or immediate, got {JOBS_BACKEND!r}")
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if JOBS_BACKEND == "database"
        else "django_tasks.backends.immediate.ImmediateBackend",
    }
}
JOBS_HEARTBEAT_SECONDS = env_int("JOBS_HEARTBEAT_SECONDS", 5, minimum=1, maximum=300)
# A RUNNING job whose worker has not been seen for this long is run again by another worker.
JOBS_WORKER_LEASE_SECONDS = env_int("JOBS_WORKER_LEASE_SECONDS", 30, minimum=2, maximum=3600)
if JOBS_WORKER_LEASE_SECONDS <= JOBS_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured("JOBS_WORKER_LEASE_SECONDS must be longer than JOBS_HEARTBEAT_SECONDS")
JOBS_MAX_ATTEMPTS = env_int("JOBS_MAX_ATTEMPTS", 5, minimum=1, maximum=100)
# /healthz answers 503 when a job has waited longer than this with no live worker.
JOBS_MAX_WAIT_SECONDS = env_int("JOBS_MAX_WAIT_SECONDS", 60, minimum=1)
# Periodic jobs: run once per interval across all workers (0 turns one off). The trust recomputation job adds
# its line here: "trust.recompute": {"task": "<app>.tasks.<job>", "every": env_int("TRUST_RECOMPUTE_EVERY", ...)}.
PERIODIC_JOBS: dict[str, dict] = {
    "badges.reverify": {
        "task": "badges.tasks.reverify_due_badges",
        "every": env_int("BADGE_REVERIFY_EVERY_SECONDS", 600, minimum=0),
    },
    "endorsements.expire_requests": {
        "task": "endorsements.tasks.expire_requests",
        "every": env_int("EXPIRE_REQUESTS_EVERY_SECONDS", 3600, minimum=0),
    },
    "endorsements.recompute_trust": {
        "task": "endorsements.tasks.recompute_trust",
        "every": env_int("TRUST_RECOMPUTE_EVERY_SECONDS", 900, minimum=0),
    },
    # Freshness decay and trust, applied to every score (docs/weighting.md: the interval is the staleness bound).
    "endorsements.recompute_scores": {
        "task": "endorsements.tasks.recompute_scores",
        "every": env_int("SCORES_RECOMPUTE_EVERY_SECONDS", 86400, minimum=0),
    },
    # Skill insights' daily rollups (docs/insights.md): today's and yesterday's rows, rewritten each run.
    "insights.rollup": {
        "task": "insights.tasks.rollup",
        "every": env_int("INSIGHTS_ROLLUP_EVERY_SECONDS", 3600, minimum=0),
    },
    "notifications.send_digests": {
        "task": "notifications.tasks.send_digests",
        "every": env_int("DIGESTS_EVERY_SECONDS", 900, minimum=0),
    },
}

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"daphne": {"level": "WARNING"}, "django.channels.server": {"level": "WARNING"}},
}

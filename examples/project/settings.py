"""The ready-made project's configuration. Every setting comes from the environment.

This is a project next to the dynadmin app, not part of it: a team's own project only adds
``"dynadmin"`` to INSTALLED_APPS and ``path("dynamodb/", dynadmin.site.urls)`` to its URLs.

DEBUG is off unless DJANGO_DEBUG asks for it (``make run`` does), and without DEBUG the process
refuses to start without a strong DJANGO_SECRET_KEY.
"""

from __future__ import annotations

import os
from importlib.util import find_spec
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# The repository: the app's templates/ and static/ sit at its top (a built wheel carries
# them inside the package, where a host's app-directories loader finds them).
BASE_DIR = Path(__file__).resolve().parents[2]
PROJECT_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").strip().lower() in ("1", "true", "yes", "on")


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in env(name, default).split(",") if part.strip()]


def env_mapping(name: str) -> dict[str, str]:
    """``Logical=physical,Other=other-prod`` → ``{"Logical": "physical", ...}``."""
    mapping = {}
    for pair in env_list(name):
        logical, sep, physical = pair.partition("=")
        if not sep or not logical.strip() or not physical.strip():
            raise ImproperlyConfigured(f"{name}: expected Logical=physical pairs, got {pair!r}")
        mapping[logical.strip()] = physical.strip()
    return mapping


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production settings refuse to start without one "
            "(set DJANGO_DEBUG=1 for local development)."
        )
    SECRET_KEY = "dynadmin-development-only-not-secret"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "dynadmin",
    # Bulk jobs run on Django's Tasks framework: built in from Django 6, the django-tasks
    # backport before; their queue and results live in Django's database (django-tasks-db).
    *([] if find_spec("django.tasks") else ["django_tasks"]),
    "django_tasks_db",
    "examples.project",
    # Apps holding a dynadmin.py module with the entity definitions to register.
    *env_list("DYNADMIN_DEFINITION_APPS", "examples.shop"),
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's AuthenticationMiddleware, with the signed-in person (user, permissions,
    # scopes) kept in the shared cache: a page reads no user from the database.
    "dynadmin.people.PersonCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "examples.project.urls"
WSGI_APPLICATION = "examples.project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates", BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Django's own database: users, sessions, the audit log. SQLite under var/ by default; any
# database Django supports through DATABASE_URL, so several web hosts can share one.
VAR_DIR = Path(env("DYNADMIN_VAR_DIR", str(BASE_DIR / "var")))
if env("DATABASE_URL"):
    import dj_database_url

    DATABASES = {"default": dj_database_url.parse(env("DATABASE_URL"), conn_max_age=60,
                                                  conn_health_checks=True)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Kept open between requests like the PostgreSQL one: opening and closing the file on
    # every page cost about as much as reading the session from it (bench/README.md).
    # The server and the jobs' workers write to the same file: a transaction takes the write
    # lock when it begins (IMMEDIATE) and waits for it, where SQLite's default takes a read
    # lock, cannot upgrade it while another process writes, and fails at once with
    # "database is locked".
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                             "NAME": VAR_DIR / "dynadmin.sqlite3", "CONN_MAX_AGE": 60,
                             "CONN_HEALTH_CHECKS": True,
                             "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20}}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", str(BASE_DIR / "var" / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

if DEBUG:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
WHITENOISE_USE_FINDERS = DEBUG

# Nothing that must agree between processes may live in one process's memory: gunicorn runs
# several workers, and several hosts may sit behind a load balancer. Sessions (a logout must
# end them everywhere), login throttling and the cached DescribeTable answers all live here.
# REDIS_URL: Redis through Django's own backend, sessions in the database read through it.
# Without it, the database serves as the cache (`manage.py createcachetable`, run by `make run`
# and the Dockerfile), no extra server to run, and sessions are still read through the cache
# (`cached_db`): one SQL statement of the cache's instead of a query through the ORM, a
# quarter of the time of each signed-in request's session read.
if env("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": env("REDIS_URL")}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                          "LOCATION": "dynadmin_cache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Bulk jobs (dynadmin.jobs) are queued on the Tasks framework. By default on the database
# (`manage.py db_worker` runs them; `make run` starts one): nothing more to run. Any number
# of workers may share the queue: each job's chunks are leased, so a killed worker's chunk
# is taken over by another. DYNADMIN_TASKS_RQ_URL puts the queue on Redis instead
# (django-tasks-rq; workers: `manage.py rqworker default --job-class django_tasks_rq.Job
# --worker-class rq.worker.SimpleWorker --with-scheduler`, the scheduler running the deferred
# checks that replace lost workers). SimpleWorker runs each task in the worker's process: RQ's
# default Worker forks one per task, which builds its DynamoDB client, imports the URLconf and
# connects to the database again, and a job is many short tasks (bench/README.md, "Bulk jobs").
if env("DYNADMIN_TASKS_RQ_URL"):
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": env("DYNADMIN_TASKS_RQ_URL")}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# -- production hardening (all on unless DEBUG) -------------------------------------------
if not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY is too short or too simple: use 50+ random "
                               "characters (e.g. python -c 'import secrets; "
                               "print(secrets.token_urlsafe(50))').")
SESSION_COOKIE_HTTPONLY = True
# Off only for plain-HTTP setups such as docker compose on localhost.
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(env("DJANGO_SESSION_AGE", str(8 * 3600)))  # a working day
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# Preloading is a promise to browsers' built-in lists that is slow to undo, for the whole
# domain: the deployment opts in (DJANGO_HSTS_PRELOAD=1); Django's deploy check is told so.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD")
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
if env_bool("DJANGO_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"botocore": {"level": "WARNING"}, "urllib3": {"level": "WARNING"}},
}

# -- dynadmin -----------------------------------------------------------------------------
# Logical table names (as in the definitions) to physical DynamoDB table names.
DYNADMIN_TABLE_NAMES = env_mapping("DYNADMIN_TABLE_NAMES")
# The archive of changes (History, Activity): its table, or "" to turn it off.
DYNADMIN_HISTORY_TABLE = os.environ.get("DYNADMIN_HISTORY_TABLE", "dynadmin-history")
# Region and endpoint come from boto3's own chain (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB...).
DYNADMIN_REGION = env("AWS_REGION") or env("AWS_DEFAULT_REGION") or None
DYNADMIN_CONNECT_TIMEOUT = float(env("DYNADMIN_CONNECT_TIMEOUT", "2"))
DYNADMIN_READ_TIMEOUT = float(env("DYNADMIN_READ_TIMEOUT", "5"))
DYNADMIN_MAX_ATTEMPTS = int(env("DYNADMIN_MAX_ATTEMPTS", "3"))
DYNADMIN_READ_MAX_ATTEMPTS = int(env("DYNADMIN_READ_MAX_ATTEMPTS", "2"))
DYNADMIN_REQUEST_BUDGET = float(env("DYNADMIN_REQUEST_BUDGET", "10"))
DYNADMIN_FAST_CALLS = env_bool("DYNADMIN_FAST_CALLS", default=True)
# This file is still the ready-made project's settings: there, no DynamoDB client in the
# process may read a whole table, not only dynadmin's own (which always refuse). An app
# embedded in a host project leaves this False and the host's clients alone.
DYNADMIN_REFUSE_SCAN_PROCESS_WIDE = True
# The example shop only: the dashboard says "still loading" until seed_shop has written its
# marker item (examples/shop/management/commands/seed_shop.py, MARKER_KEY), and suggests
# where to start. Another design leaves both out.
if "examples.shop" in INSTALLED_APPS:
    DYNADMIN_LOADING_MARKER = {"Application": {"PK": "SEED#shop", "SK": "METADATA"}}
    DYNADMIN_DASHBOARD_SUGGESTIONS = [
        ("Alice, a customer (alice@example.com)", "alice@example.com"),
        ("Order 456", "456"),
        ("The whale customer (5,200 orders)", "0b5e55ed"),
        ("A broken TTL", "/t/Application/item/?pk=USER%23a11cebee&sk=SESSION%23ttl-milliseconds"),
        ("Orders by status", "/e/Application.Order/"),
    ]
# The one connection of this project (boto3's standard chain decides region, endpoint and
# credentials), and how every page labels it: the banner says where a person is looking.
DYNADMIN_CONNECTIONS = {"default": {
    "environment": env("DYNADMIN_ENVIRONMENT", "development" if DEBUG else "production"),
    "color": env("DYNADMIN_ENVIRONMENT_COLOR", "green" if DEBUG else "red"),
    "read_only": env_bool("DYNADMIN_READ_ONLY"),
}}
# Shorter than the health page's 30-second refresh, so a page never shows a stale "ACTIVE".
DYNADMIN_DESCRIBE_TTL = int(env("DYNADMIN_DESCRIBE_TTL", "10"))
DYNADMIN_CURSOR_MAX_AGE = int(env("DYNADMIN_CURSOR_MAX_AGE", str(24 * 3600)))
# Login throttling (failures per username; the client address gets 10x) and how many proxies
# of your own append to X-Forwarded-For in front of gunicorn (0: the header is not believed).
DYNADMIN_LOGIN_MAX_FAILURES = int(env("DYNADMIN_LOGIN_MAX_FAILURES", "5"))
DYNADMIN_TRUSTED_PROXIES = int(env("DYNADMIN_TRUSTED_PROXIES", "0"))

# -- signing in with the company's OpenID Connect provider (dynadmin.signin) --------------
# Only when DYNADMIN_OIDC_ISSUER, _CLIENT_ID and _CLIENT_SECRET are all set; otherwise
# nothing here changes and people sign in with dynadmin's own form. The endpoints come from
# the issuer's discovery document, read once at start, unless each is given explicitly.
OIDC_ENV = ("DYNADMIN_OIDC_ISSUER", "DYNADMIN_OIDC_CLIENT_ID", "DYNADMIN_OIDC_CLIENT_SECRET")
if any(env(name) for name in OIDC_ENV):
    if not all(env(name) for name in OIDC_ENV):
        raise ImproperlyConfigured(
            "Signing in with OpenID Connect needs " + ", ".join(OIDC_ENV) + ": "
            + ", ".join(name for name in OIDC_ENV if not env(name)) + " not set.")
    import json
    import urllib.request
    from urllib.parse import urlsplit

    from dynadmin.views.headers import DEFAULT_CSP

    OIDC_ISSUER = env("DYNADMIN_OIDC_ISSUER").rstrip("/")
    OIDC_ENDPOINTS = {"authorization_endpoint": "DYNADMIN_OIDC_AUTHORIZATION_ENDPOINT",
                      "token_endpoint": "DYNADMIN_OIDC_TOKEN_ENDPOINT",
                      "userinfo_endpoint": "DYNADMIN_OIDC_USERINFO_ENDPOINT",
                      "jwks_uri": "DYNADMIN_OIDC_JWKS_ENDPOINT",
                      "end_session_endpoint": "DYNADMIN_OIDC_END_SESSION_ENDPOINT"}
    OIDC_DISCOVERED: dict[str, str] = {}
    if not all(env(name) for key, name in OIDC_ENDPOINTS.items()
               if key != "end_session_endpoint"):
        discovery = f"{OIDC_ISSUER}/.well-known/openid-configuration"
        try:
            with urllib.request.urlopen(discovery, timeout=10) as answer:  # noqa: S310
                OIDC_DISCOVERED = json.load(answer)
        except (OSError, ValueError) as exc:
            raise ImproperlyConfigured(
                f"DYNADMIN_OIDC_ISSUER: could not read {discovery} ({exc}); set the "
                "endpoints explicitly (" + ", ".join(OIDC_ENDPOINTS.values()) + ")") from exc

    def oidc_endpoint(key: str) -> str:
        return env(OIDC_ENDPOINTS[key]) or OIDC_DISCOVERED.get(key, "")

    AUTHENTICATION_BACKENDS = ["dynadmin.signin.GroupMappingBackend"]
    # After the login, the ID token is renewed at the provider every few minutes (silently,
    # while the provider's session lasts): an account disabled there loses dynadmin at the
    # next request after this many seconds (mozilla-django-oidc's SessionRefresh, extended by
    # dynadmin to htmx requests and writes).
    MIDDLEWARE.insert(MIDDLEWARE.index("dynadmin.people.PersonCacheMiddleware") + 1,
                      "dynadmin.signin.SessionRefresh")
    OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS = int(env("DYNADMIN_OIDC_REFRESH_SECONDS", "900"))
    OIDC_RP_CLIENT_ID = env("DYNADMIN_OIDC_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = env("DYNADMIN_OIDC_CLIENT_SECRET")
    OIDC_RP_SCOPES = env("DYNADMIN_OIDC_SCOPES", "openid email profile")
    OIDC_RP_SIGN_ALGO = env("DYNADMIN_OIDC_SIGN_ALGO", "RS256")
    OIDC_OP_AUTHORIZATION_ENDPOINT = oidc_endpoint("authorization_endpoint")
    OIDC_OP_TOKEN_ENDPOINT = oidc_endpoint("token_endpoint")
    OIDC_OP_USER_ENDPOINT = oidc_endpoint("userinfo_endpoint")
    OIDC_OP_JWKS_ENDPOINT = oidc_endpoint("jwks_uri")
    OIDC_TIMEOUT = 10
    # Signing out ends the provider's session too where it offers RP-initiated logout.
    OIDC_OP_LOGOUT_ENDPOINT = oidc_endpoint("end_session_endpoint") or None
    OIDC_OP_LOGOUT_URL_METHOD = "dynadmin.signin.provider_logout_url"
    OIDC_STORE_ID_TOKEN = True
    LOGIN_URL = "oidc_authentication_init"
    LOGIN_REDIRECT_URL = "/"
    # A refused or failed sign-in, and a sign-out, land on a page that does not send the
    # person straight back to the provider (which could sign them in again at once).
    LOGIN_REDIRECT_URL_FAILURE = LOGOUT_REDIRECT_URL = "/login/?signed_out=1"
    DYNADMIN_LOGOUT_URL = "oidc_logout"
    DYNADMIN_OIDC_USERNAME_CLAIM = env("DYNADMIN_OIDC_USERNAME_CLAIM", "preferred_username")
    DYNADMIN_OIDC_GROUPS_CLAIM = env("DYNADMIN_OIDC_GROUPS_CLAIM", "groups")
    # provider-group=DjangoGroup pairs, e.g. support-staff=Support,dba=Admin
    DYNADMIN_OIDC_GROUP_MAP = env_mapping("DYNADMIN_OIDC_GROUP_MAP")
    # The sign-out form's redirects lead to the provider: the policy's form-action allows it.
    OIDC_PROVIDER_ORIGIN = "{0.scheme}://{0.netloc}".format(
        urlsplit(OIDC_OP_LOGOUT_ENDPOINT or OIDC_ISSUER))
    DYNADMIN_CSP = DEFAULT_CSP.replace("form-action 'self'",
                                       f"form-action 'self' {OIDC_PROVIDER_ORIGIN}")

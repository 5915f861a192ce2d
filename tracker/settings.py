"""Chancery's settings: one module, driven by the environment.

Local defaults are safe for a developer's machine (DEBUG on, a SQLite file in
the project folder). With DEBUG=0 nothing secret has a default: SECRET_KEY
must be set, and HTTPS_ONLY (on unless said otherwise) turns on what
`manage.py check --deploy` asks for.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    """Read a boolean variable; refuse anything that is not clearly one."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    value = value.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: use 1/0 or true/false")


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name, default, minimum=None):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number of at least {minimum}")
    return number


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0")
    # Only ever used on a developer's machine: DEBUG is on.
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])

HTTPS_ONLY = env_bool("HTTPS_ONLY", not DEBUG)
if HTTPS_ONLY:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Behind a TLS-terminating proxy, which must set this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # runserver leaves static files to WhiteNoise's middleware, so that they get the security headers there too.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    # Failed admin logins, and the lockouts they lead to (docs/security.md).
    "axes",
    "events",
]

MIDDLEWARE = [
    # First: the same security headers on every response, however far in it was made (events/security.py).
    "events.security.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads a body: an oversized API request is refused unread (413).
    "events.security.BodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # 503, not 500, for pages, the admin and exports when the database is down (events/errors.py).
    "events.errors.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # An API query string that is not UTF-8 is refused (400), not read as replacement characters;
    # the refusal gets the same headers as every answer from SecurityHeadersMiddleware, first above.
    "events.security.QueryTextMiddleware",
    # Records who made each change in the history tables.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Marks the requests whose reads may go to a replica (tracker/routers.py).
    "tracker.routers.ReplicaReadsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite closes nothing for us; a fresh connection per request is cheap.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # A writer waits up to 20 s for the one before it instead of failing with "database is locked".
            "timeout": 20,
            # Every transaction takes the write lock as it begins, before it reads: a transaction that read
            # first and then wrote would find another writer in and fail at once, whatever the timeout.
            # Writers then run one after the other, each reading what the one before it committed.
            "transaction_mode": "IMMEDIATE",
            # Write-ahead log: readers and the writer do not wait for each other. It persists in the file.
            "init_command": "PRAGMA journal_mode=WAL",
        }
    )
else:
    # A server that does not answer fails the request (503) in seconds, not minutes; ?connect_timeout= wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)

# A read-only copy of the database, kept up to date by PostgreSQL's replication.
# Safe-method requests read the events from it; tracker/routers.py has the rules.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
    if DATABASES["replica"]["ENGINE"] != "django.db.backends.sqlite3":
        DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    # Tests read the test database through this alias: no second test database.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["tracker.routers.ReplicaRouter"]
# How long a worker that could not connect to the replica reads from the primary before trying it again.
REPLICA_RETRY_SECONDS = env_int("REPLICA_RETRY_SECONDS", 10, minimum=0)

# Releases (docs/releases.md): frozen files of what is published, one directory each. Beside the SQLite
# file by default; with PostgreSQL, under the project's folder. Every web server must see the same directory.
CHANCERY_RELEASES_DIR = Path(
    os.environ.get("CHANCERY_RELEASES_DIR")
    or (
        Path(DATABASES["default"]["NAME"]).parent / "releases"
        if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
        and DATABASES["default"]["NAME"] not in ("", ":memory:")
        else BASE_DIR / "releases"
    )
).resolve()
# The site's address, for the citation a release's manifest carries (https://chancery.example.org).
CHANCERY_SITE_URL = os.environ.get("CHANCERY_SITE_URL", "").rstrip("/")
# The version a release's manifest names; without it, the checkout's commit (git describe).
CHANCERY_VERSION = os.environ.get("CHANCERY_VERSION", "")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: a locked-out username and address is refused before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# How many proxies in front of the site append to X-Forwarded-For. 0: the client
# is the connection's address, and the header, which anyone can send, is ignored.
# Login lockouts and the API's throttle both count by this address (tracker/proxies.py).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

# Brute-force protection of the admin login (docs/security.md): after
# AXES_FAILURE_LIMIT failed logins as one username from one address, that pair is
# locked out for AXES_COOLOFF_MINUTES; other usernames and addresses are not.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_MINUTES = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "tracker.proxies.client_ip"
AXES_COOLOFF_MESSAGE = (
    f"Too many failed logins: this username is locked out from your address for "
    f"{AXES_COOLOFF_MINUTES} minute{'s' if AXES_COOLOFF_MINUTES != 1 else ''}. "
    "Each further attempt meanwhile starts the wait again."
)

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

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# The largest request body read into memory; larger API requests get 413 (events/security.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_BODY_BYTES", 5 * 2**20)
# The largest file the admin's import page takes; a larger upload, or any other request to the pages
# and the admin with a body beyond it, gets 413 (events/security.py). Bigger files: manage.py import_dataset.
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 10 * 2**20, minimum=1)

# Publishing or reviewing needs someone other than the event's last editor (superusers excepted).
REVIEW_BY_ANOTHER = env_bool("REVIEW_BY_ANOTHER", True)

ANON_THROTTLE_RATE = os.environ.get("ANON_THROTTLE_RATE", "3000/minute")

# The anonymous throttle counts in Django's cache. In the database, every worker of every web server
# counts against the same rate; a cache in each process's memory (Django's default) would let each of
# them grant the whole rate. The table is made by migrate (events/migrations/0011_cache_table.py). Its
# rows are one per anonymous address seen within the throttle's period: culled only beyond MAX_ENTRIES.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "chancery_cache",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's, which also reads whether the user may see unpublished events (events/api/authentication.py).
        "events.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # DRF's DjangoModelPermissionsOrAnonReadOnly, which makes no queryset for a read (events/api/authentication.py).
    "DEFAULT_PERMISSION_CLASSES": ["events.api.authentication.ModelPermissionsOrAnonReadOnly"],
    # drf-spectacular's, knowing that anonymous clients may read (events/api/schema.py).
    "DEFAULT_SCHEMA_CLASS": "events.api.schema.ApiSchema",
    "DEFAULT_RENDERER_CLASSES": [
        # JSONRenderer, which writes the events' JSON texts from the database as they are (events/api/rendering.py).
        "events.api.rendering.SplicingJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser", "rest_framework.parsers.FormParser"],
    # `format` is the export endpoint's parameter; responses follow the Accept header instead.
    "URL_FORMAT_OVERRIDE": None,
    # Off when ANON_THROTTLE_RATE is empty; over the rate, anonymous clients get 429.
    "DEFAULT_THROTTLE_CLASSES": ["events.api.throttling.AnonRateThrottle"] if ANON_THROTTLE_RATE else [],
    "DEFAULT_THROTTLE_RATES": {"anon": ANON_THROTTLE_RATE or None},
    "EXCEPTION_HANDLER": "events.errors.exception_handler",
    # The throttle counts by X-Forwarded-For only behind trusted proxies.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Chancery API",
    "DESCRIPTION": (
        "Diplomatic events between states: talks, sanctions, expulsions, property, flights, missions, "
        "with their actors, dates of known precision, and sources. See docs/api.md."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # start_precision and end_precision share one set of choices: one enum, one name.
    "ENUM_NAME_OVERRIDES": {"PrecisionEnum": "events.models.Precision"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "events.api.schema.empty_values_allowed",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

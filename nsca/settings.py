"""Settings for the sister-city association site.

One module, driven by the environment (django-environ). Production behavior is switched
by environment variables, never by a separate settings file: see `.env.example`.
Secure by default: DEBUG is off unless the environment turns it on.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from nsca.email_url import email_config_from_url
from nsca.media_storage import media_storage_from_url

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# ENV_FILE names another file (relative to the project, or absolute): tests point it at
# /dev/null so a developer's own .env (DEBUG=true, say) cannot change what they measure.
environ.Env.read_env(BASE_DIR / env.str("ENV_FILE", default=".env"), overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# An empty SECRET_KEY (a copied .env.example, an unset variable in a unit file) counts as
# missing: a development key only when DEBUG is on; production must supply its own.
SECRET_KEY = env.str("SECRET_KEY", default="").strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")
    SECRET_KEY = "dev-only-key-not-for-production-use-0123456789abcdef"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Public address of the site, used in emails, feeds and calendar files.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# The project's own apps, in dependency order: later ones may import earlier ones. nsca
# composes pages from the others, so it comes last. They open INSTALLED_APPS in this order,
# so load_demo, run_jobs and the sitemap read what each app registers in it
# (association/registry.py), and their templates come before the admin's.
PROJECT_APPS = [
    "association",
    "outbox",
    "payments",
    "membership",
    "donations",
    "cities",
    "events",
    "tickets",
    "exchanges",
    "visits",
    "news",
    "nsca",
    # Who translates what: after cities, whose partnership admin it limits for partner
    # editors.
    "translations",
]

INSTALLED_APPS = [
    *PROJECT_APPS,
    "procrastinate.contrib.django",
    # Content translated field by field (each app's translation.py); before the admin, whose
    # forms it extends.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "template_partials",
    "csp",
]

MIDDLEWARE = [
    # Anonymous visitors' public pages, Django's cache middleware under a key prefix of
    # the versions of what each page shows (association/page_cache.py). First: a page is
    # stored with the security headers the middleware below added, and a hit needs
    # nothing else.
    "association.page_cache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language is the path's: /de/, /fr/, /ja/, /zh-hans/, English without a prefix
    # (nsca/urls.py). A path without a prefix is English whatever the browser asks.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp, with the card Checkout page allowed as a form target (payments/csp.py).
    "payments.csp.CheckoutCSPMiddleware",
    # Last, so it sees a view's exception first: an unreachable database is a 503 page.
    "nsca.unavailable.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "nsca.urls"

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
                "nsca.context_processors.association",
                "nsca.context_processors.languages",
            ],
        },
    },
]

WSGI_APPLICATION = "nsca.wsgi.application"

# SQLite by default so `make run` needs nothing installed; PostgreSQL (psycopg 3, pooled)
# whenever DATABASE_URL points at one.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Up when the database is not (nsca/unavailable.py, nsca/database.py): no wait for it is
# unbounded, so a request meeting a stopped or hung database gets the 503 page within a few
# seconds instead of tying up a worker, and no session it never saw die keeps an event
# locked; every connection is checked before use, so the site is back the moment the
# database is. Times in seconds; docs/deploy.md says what each is for.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    from nsca.database import bounded_connection_class, server_options

    _options = DATABASES["default"].setdefault("OPTIONS", {})
    # libpq's own limit (2 seconds is its minimum) for a host that does not answer at all;
    # a stopped server on a reachable host refuses at once.
    _options.setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=2))
    # A peer gone from the network: found by keepalives on an idle connection (5 s idle,
    # then 3 probes 1 s apart), and by tcp_user_timeout when data sent is not acknowledged.
    _options.setdefault("keepalives", 1)
    _options.setdefault("keepalives_idle", env.int("DATABASE_KEEPALIVES_IDLE", default=5))
    _options.setdefault("keepalives_interval", 1)
    _options.setdefault("keepalives_count", 3)
    DATABASE_TCP_USER_TIMEOUT = env.float("DATABASE_TCP_USER_TIMEOUT", default=5)
    _options.setdefault("tcp_user_timeout", int(DATABASE_TCP_USER_TIMEOUT * 1000))
    # The server's limits on each session. A page's statements take milliseconds; a slow
    # one is cancelled, not waited for. The event lock is held for milliseconds a checkout:
    # a wait longer than DATABASE_LOCK_TIMEOUT means a stuck holder, and the buyer is told
    # "busy, try again" (503). A session idle inside a transaction that long lost its client.
    DATABASE_STATEMENT_TIMEOUT = env.float("DATABASE_STATEMENT_TIMEOUT", default=5)
    DATABASE_LOCK_TIMEOUT = env.float("DATABASE_LOCK_TIMEOUT", default=3)
    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT = env.float(
        "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT", default=30
    )
    _options["options"] = " ".join(
        part
        for part in (
            _options.get("options", ""),  # the URL's own ?options=, if it has some
            server_options(
                statement_timeout=int(DATABASE_STATEMENT_TIMEOUT * 1000),
                lock_timeout=int(DATABASE_LOCK_TIMEOUT * 1000),
                idle_in_transaction_session_timeout=int(
                    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT * 1000
                ),
            ),
        )
        if part
    )
    # The pool runs psycopg_pool's check_connection on each connection it hands out.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if env.bool("DATABASE_POOL", default=True):
        _options["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN", default=1),
            "max_size": env.int("DATABASE_POOL_MAX", default=10),
            # Seconds a request waits for a connection. gunicorn's sync workers serve one
            # request at a time and each worker has its own pool, so a wait means every
            # connection is busy with a request of another thread (none in production) or
            # the database is not answering; 2 s is more than a healthy database ever
            # makes a request wait, and a hung one still gets the 503 page within seconds.
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=2),
            # Seconds the pool retries a failed connection in the background (with growing
            # pauses) before giving up. 0: it gives up at once and the next request that
            # needs a connection tries afresh, so no pause outlasts the database's restart.
            "reconnect_timeout": env.float("DATABASE_POOL_RECONNECT_TIMEOUT", default=0),
            # A server that accepts queries and never answers: each round trip ends after
            # the statement timeout and a second more (the server cancels a slow statement
            # itself first), the pool's check of a connection after DATABASE_CHECK_TIMEOUT.
            "connection_class": bounded_connection_class(
                answer_within=DATABASE_STATEMENT_TIMEOUT and DATABASE_STATEMENT_TIMEOUT + 1,
                check_within=env.float("DATABASE_CHECK_TIMEOUT", default=1),
            ),
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "membership.User"
AUTHENTICATION_BACKENDS = ["membership.backends.EmailBackend"]
LOGIN_URL = "/account/login/"
LOGIN_REDIRECT_URL = "/account/"
LOGOUT_REDIRECT_URL = "/"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# In-process by default, so `make run` needs nothing installed. With more than one server
# process (DEBUG off), CACHE_URL=redis://host:6379/0: Django's Redis backend, shared by
# every process; `check --deploy` warns otherwise (nsca.W005).
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://nsca")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    # A Redis that stops answering costs one short attempt, no retries; the site then does
    # without it for a while without asking again (association/shared_cache.py). Redis
    # answers in a millisecond when it answers at all.
    CACHE_SOCKET_TIMEOUT = env.float("CACHE_SOCKET_TIMEOUT", default=0.5)
    _cache_options = CACHES["default"].setdefault("OPTIONS", {})
    _cache_options.setdefault("socket_connect_timeout", CACHE_SOCKET_TIMEOUT)
    _cache_options.setdefault("socket_timeout", CACHE_SOCKET_TIMEOUT)
    _cache_options.setdefault("retry", Retry(NoBackoff(), 0))
    # The same cache, with one redis-py client per pool (association/redis_cache.py).
    CACHES["default"]["BACKEND"] = "association.redis_cache.RedisCache"
# The page cache (association/page_cache.py); off, every page is rendered for every request.
# On by default only with a cache every server process shares (Redis): with a per-process
# one, an edit would bump the version in one worker and leave the others' pages stale.
PAGE_CACHE_ENABLED = env.bool(
    "PAGE_CACHE_ENABLED",
    default=not CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache")),
)
# Pages: this process's copy in front of the shared one (association/tiered_cache.py), so
# a page one worker rendered is served by all, even with the database down. Fragments of
# `{% cache %}`: this process only, nothing kept with the page cache off.
CACHES["pages"] = {
    "BACKEND": "association.tiered_cache.TieredCache",
    "LOCATION": "pages",
    "OPTIONS": {"SHARED": "default", "LOCAL_ENTRIES": 2000},
}
CACHES["template_fragments"] = {
    "BACKEND": "association.page_cache.FragmentCache",
    "LOCATION": "template-fragments",
    "OPTIONS": {"MAX_ENTRIES": 5000},
}

# English at the root, the partners' languages under their prefix (nsca/urls.py,
# i18n_patterns). "en", not "en-us": US formats come from association/dateformats/en.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("ja", "日本語"),
    ("zh-hans", "简体中文"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Content: a column per language for each translated field (django-modeltranslation), and a
# field left empty in one language shows the English of that field alone, not the whole
# record in English.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
MODELTRANSLATION_AUTO_POPULATE = False
TIME_ZONE = "America/New_York"
# Dates Django writes by itself (the admin) in the site's own formats (association.formats).
FORMAT_MODULE_PATH = ["association.dateformats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
# Media on object storage (nsca/media_storage.py): with MEDIA_STORAGE_URL=s3://bucket/...
# uploads go to an S3-compatible bucket, shared by every app server; links to them come
# from the bucket's origin, which the Content Security Policy below allows for images.
MEDIA_STORAGE_URL = env.str("MEDIA_STORAGE_URL", default="").strip()
MEDIA_ORIGINS = []
if MEDIA_STORAGE_URL:
    STORAGES["default"], MEDIA_ORIGINS = media_storage_from_url(MEDIA_STORAGE_URL)
# Uploaded files are served by the web server in production; Django serves them under
# DEBUG or when SERVE_MEDIA is set (as `make serve` does, for a production-like preview).
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# Background work: procrastinate, on the database in use (association/background.py
# chooses: PostgreSQL's tables and the worker, or in-process after each commit on SQLite).
# Each app's tasks are in `<app>/tasks.py`. TASKS_RUN_AFTER_COMMIT: what a transaction
# deferred runs in the process once it commits; always on SQLite (no worker can reach
# its jobs), and on PostgreSQL only in the test suite (there the worker runs them).
PROCRASTINATE_ON_APP_READY = "association.background.choose_connector"
TASKS_RUN_AFTER_COMMIT = DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
# A job whose worker has not beaten for this long is queued again (a killed worker).
TASKS_STALLED_SECONDS = env.int("TASKS_STALLED_SECONDS", default=120)
if TASKS_RUN_AFTER_COMMIT:
    # Its tables are PostgreSQL's (PL/pgSQL functions); on SQLite jobs live in the process.
    MIGRATION_MODULES = {"procrastinate": None}

# Email: console in development, anything django-environ understands elsewhere
# (smtp+tls://user:password@host:587). EMAIL_URL configures the real delivery; every
# `send()` on the site only writes to the outbox (outbox/backends.py) and defers its
# sending task, in the caller's transaction; the procrastinate worker (or `run_jobs`)
# sends it.
# filemail:///var/spool/site-mail writes one file per email to that absolute folder
# (nsca/email_url.py mends django-environ's reading of it).
EMAIL_CONFIG = email_config_from_url(env.str("EMAIL_URL", default="consolemail://"))
vars().update(EMAIL_CONFIG)
OUTBOX_DELIVERY_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]
# Seconds the worker waits on a mail server that stops answering (SMTP) before counting a
# failed attempt, instead of holding its batch for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
EMAIL_BACKEND = "outbox.backends.OutboxBackend"
# The pause after the first failed attempt, doubled after each further one up to the cap;
# how many attempts before an email is failed for staff (the defaults keep trying for
# about five hours).
OUTBOX_RETRY_SECONDS = env.int("OUTBOX_RETRY_SECONDS", default=60)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=3600)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=10)
# Sent emails are deleted after this many days (the periodic jobs), and so are finished
# procrastinate jobs; failed emails are kept for staff.
OUTBOX_KEEP_SENT_DAYS = env.int("OUTBOX_KEEP_SENT_DAYS", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="webmaster@localhost")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# Security headers. HTTPS-only settings follow SECURE_HTTPS, on by default in production
# (`make serve` turns it off to preview over plain HTTP on 127.0.0.1).
SECURE_HTTPS = env.bool("SECURE_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = SECURE_HTTPS
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
# A year of HSTS over HTTPS. A shorter max-age (a staged roll-out, or 0 when the proxy sends
# the header) is allowed but named by `check --deploy` (nsca.W004).
HSTS_MIN_SECONDS = 31_536_000
SECURE_HSTS_SECONDS = env.int(
    "SECURE_HSTS_SECONDS", default=HSTS_MIN_SECONDS if SECURE_HTTPS else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# The header only makes the domain eligible for the browsers' preload list; nothing is
# preloaded until the domain's owner submits it. SECURE_HSTS_PRELOAD=false opts out.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
# Behind one reverse proxy (nginx, a load balancer) that sets X-Forwarded-Proto and appends
# the client's address to X-Forwarded-For. Off: both headers are the client's own words and
# are ignored (association/rate_limits.py:client_ip reads X-Forwarded-For only when this is on).
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# Content Security Policy: nothing from another host, scripts only with the request's nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *MEDIA_ORIGINS],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # procrastinate says at INFO which tasks it registers, at every start of every command,
    # and that a job was deferred, once per email of every request; its worker's own lines
    # (jobs started, finished, retried) stay at the root's level.
    "loggers": {
        "procrastinate.blueprints": {"level": "WARNING"},
        "procrastinate.periodic": {"level": "WARNING"},
        "procrastinate.jobs": {"level": "WARNING"},
    },
}

# Payment methods are registered in payments/methods.py; paying offline (check or at the
# door) can be switched off, card payments are on when both Stripe keys are set.
PAYMENT_OFFLINE_ENABLED = env.bool("PAYMENT_OFFLINE_ENABLED", default=True)
PAYMENT_OFFLINE_INSTRUCTIONS = env.str("PAYMENT_OFFLINE_INSTRUCTIONS", default="")
# Card payments (Stripe Checkout): offered only when both keys are set (payments/stripe_api.py).
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="").strip()
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="").strip()
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com").rstrip("/")
# Seconds to wait for Stripe (connecting, then between bytes of its answer), once: a buyer's
# request never retries, so a hung Stripe answers the buyer within this, well inside
# gunicorn's 30 s; `run_jobs` retries once (payments/stripe_api.py).
STRIPE_TIMEOUT = env.float("STRIPE_TIMEOUT", default=8.0)
# The origin of the hosted Checkout page, which forms may lead to while card payments are
# on (payments/csp.py). Stripe's own, unless the API is a fake on loopback (`make run`
# against tests/payments/fake_stripe.py): the fake serves its page from its own origin.
_stripe_api = urlsplit(STRIPE_API_BASE)
STRIPE_CHECKOUT_ORIGIN = env.str(
    "STRIPE_CHECKOUT_ORIGIN",
    default=(
        f"{_stripe_api.scheme}://{_stripe_api.netloc}"
        if _stripe_api.hostname in ("127.0.0.1", "localhost", "::1")
        else "https://checkout.stripe.com"
    ),
).rstrip("/")

# --- events ---
# How long a checkout holds its tickets as a pending order.
EVENTS_HOLD_MINUTES = env.int("EVENTS_HOLD_MINUTES", default=15)
# How long a waiting-list offer stays open.
EVENTS_WAITLIST_OFFER_HOURS = env.int("EVENTS_WAITLIST_OFFER_HOURS", default=24)
# Against hoarding (tickets/limits.py): checkouts allowed per IP address and per email
# address within the window (more are a 429), and places one email address may hold
# unpaid (pay later) at one event. `make bench` may raise them through the environment.
EVENTS_CHECKOUT_LIMIT_PER_IP = env.int("EVENTS_CHECKOUT_LIMIT_PER_IP", default=10)
EVENTS_CHECKOUT_LIMIT_PER_EMAIL = env.int("EVENTS_CHECKOUT_LIMIT_PER_EMAIL", default=5)
EVENTS_CHECKOUT_WINDOW_SECONDS = env.int("EVENTS_CHECKOUT_WINDOW_SECONDS", default=60 * 60)
EVENTS_UNPAID_PLACES_PER_EMAIL = env.int("EVENTS_UNPAID_PLACES_PER_EMAIL", default=10)
# The same per network address (several people behind one office or home router share one).
EVENTS_UNPAID_PLACES_PER_NETWORK = env.int("EVENTS_UNPAID_PLACES_PER_NETWORK", default=20)
# Unpaid pay-later reservations are released at the latest this long before the start
# (and pay later is no longer offered from then on), so the waiting list can use them.
EVENTS_PAY_LATER_RELEASE_HOURS = env.int("EVENTS_PAY_LATER_RELEASE_HOURS", default=12)
# The payment reminder goes this long before an unpaid reservation is released (or
# halfway through a shorter time to pay).
EVENTS_PAY_LATER_REMINDER_HOURS = env.int("EVENTS_PAY_LATER_REMINDER_HOURS", default=48)

# --- donations ---
# A gift on /donate/ is between these amounts, in dollars; the preset buttons are offered
# when within them.
DONATIONS_MIN = env.int("DONATIONS_MIN", default=5)
DONATIONS_MAX = env.int("DONATIONS_MAX", default=10_000)
DONATIONS_PRESET_AMOUNTS = env.list(
    "DONATIONS_PRESET_AMOUNTS", cast=int, default=[25, 50, 100, 250]
)
# Gifts one IP address may begin within the window (more are a 429): a brake on card testing.
DONATIONS_LIMIT_PER_IP = env.int("DONATIONS_LIMIT_PER_IP", default=10)
DONATIONS_LIMIT_WINDOW_SECONDS = env.int("DONATIONS_LIMIT_WINDOW_SECONDS", default=60 * 60)

# --- membership (added by the membership app) ---
# Days after the end of a term during which a member keeps member prices and access.
MEMBERSHIP_GRACE_DAYS = env.int("MEMBERSHIP_GRACE_DAYS", default=30)
# Months after an exchange program's travel ends before the applications of people who did
# not travel, and travelers' sensitive answers, are deleted (exchanges/privacy.py).
EXCHANGES_RETENTION_MONTHS = env.int("EXCHANGES_RETENTION_MONTHS", default=12)
# Days after a visit ends before its delegates' birth dates, allergies, health notes and
# emergency contacts are deleted (visits/privacy.py).
VISITS_SENSITIVE_RETENTION_DAYS = env.int("VISITS_SENSITIVE_RETENTION_DAYS", default=30)
# An unpaid membership (dues by check that never came) is cancelled after this many days.
MEMBERSHIP_PENDING_DAYS = env.int("MEMBERSHIP_PENDING_DAYS", default=60)
# Members may renew from this many days before the end of their term.
MEMBERSHIP_RENEWAL_WINDOW_DAYS = env.int("MEMBERSHIP_RENEWAL_WINDOW_DAYS", default=30)
# Failed sign-in attempts allowed per account and per IP address within the window.
MEMBERSHIP_SIGNIN_LIMIT_PER_ACCOUNT = env.int("MEMBERSHIP_SIGNIN_LIMIT_PER_ACCOUNT", default=5)
MEMBERSHIP_SIGNIN_LIMIT_PER_IP = env.int("MEMBERSHIP_SIGNIN_LIMIT_PER_IP", default=20)
MEMBERSHIP_SIGNIN_WINDOW_SECONDS = env.int("MEMBERSHIP_SIGNIN_WINDOW_SECONDS", default=15 * 60)
# Password-reset requests allowed per address (more are answered the same, but send no mail)
# and per IP address (more are a 429) within the window.
MEMBERSHIP_PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int(
    "MEMBERSHIP_PASSWORD_RESET_LIMIT_PER_ADDRESS", default=3
)
MEMBERSHIP_PASSWORD_RESET_LIMIT_PER_IP = env.int(
    "MEMBERSHIP_PASSWORD_RESET_LIMIT_PER_IP", default=10
)
MEMBERSHIP_PASSWORD_RESET_WINDOW_SECONDS = env.int(
    "MEMBERSHIP_PASSWORD_RESET_WINDOW_SECONDS", default=60 * 60
)
# --- end membership ---

# --- news ---
# A mailing's deliveries per task (news/delivery.py): workers send the batches in parallel.
NEWS_SEND_BATCH = env.int("NEWS_SEND_BATCH", default=500)
# Newsletter sign-ups allowed per client address within the window (more are a 429).
NEWS_SIGNUP_LIMIT_PER_IP = env.int("NEWS_SIGNUP_LIMIT_PER_IP", default=10)
NEWS_SIGNUP_WINDOW_SECONDS = env.int("NEWS_SIGNUP_WINDOW_SECONDS", default=60 * 60)
# --- end news ---

# --- cities ---
# The picture of a partnership without a photo (cities/pictures.py): "map", a crop of the
# world map centered on the partner city with its arc to Norfolk, or "flag", the partner
# country's flag drawn as SVG. An uploaded photo replaces either.
CITY_PICTURE_STYLE = env.str("CITY_PICTURE_STYLE", default="map").strip().lower()
if CITY_PICTURE_STYLE not in ("map", "flag"):
    raise ImproperlyConfigured('CITY_PICTURE_STYLE must be "map" or "flag".')
# --- end cities ---

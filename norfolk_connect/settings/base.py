"""Settings shared by every environment; each environment module starts from these."""

from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])

INSTALLED_APPS = [
    # Django's admin, for superusers only (norfolk_connect/admin.py says why).
    "norfolk_connect.apps.SuperuserAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_tables2",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "norfolk_connect",
    "norfolk_connect.people",
    "norfolk_connect.notifications",
    "norfolk_connect.sso",
    "norfolk_connect.twofactor.apps.TwoFactorConfig",
    # The API for councils' own systems and its personal access tokens (norfolk_connect/api).
    "norfolk_connect.api",
    "projects",
    "contributions",
    "reports",
]

MIDDLEWARE = [
    "norfolk_connect.middleware.ServerTimingMiddleware",
    # Outside everything else, so that every response has it, refusals and static files too.
    "norfolk_connect.middleware.PermissionsPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything reads the request: a NUL would reach PostgreSQL, which refuses it (500).
    "norfolk_connect.middleware.RefuseNulMiddleware",
    # Before the session and authentication middleware, which query the database themselves.
    "norfolk_connect.outage.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "norfolk_connect.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After sessions, authentication and messages: it signs out with a message saying why.
    "norfolk_connect.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username and address is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "norfolk_connect.urls"

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
            ],
            "builtins": ["django.templatetags.static", "projects.templatetags.govuk"],
        },
    },
]

WSGI_APPLICATION = "norfolk_connect.wsgi.application"
ASGI_APPLICATION = "norfolk_connect.asgi.application"

# SQLite is the embedded default; DATABASE_URL (postgres://...) selects PostgreSQL via psycopg 3.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False

# Where a checked import waits until it is confirmed (reports/workbook/pending.py): under the
# application's own folder, private to its user, rather than in the machine's shared /tmp.
IMPORT_PENDING_DIR = Path(
    env.str("DJANGO_IMPORT_PENDING_DIR", default="") or BASE_DIR / "var" / "imports"
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in lockout (django-axes): five failures lock out that username from that address only, so
# an attacker elsewhere cannot lock a facilitator out of their own office; the lock lifts itself.
AXES_FAILURE_LIMIT = env.int("DJANGO_AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("DJANGO_AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# A code typed at sign-in (norfolk_connect.twofactor) is not kept in the record of a failure.
AXES_SENSITIVE_PARAMETERS = ["code"]

# Two-factor sign-in (norfolk_connect.twofactor): a code from an authenticator app after the
# password. Where required (production's default), facilitators, administrators and superusers
# must use it; everyone else may. Off here, so that `make run`'s demo users sign in with their
# password alone. The issuer is the name the authenticator app shows beside the code.
TWO_FACTOR_REQUIRED = False
TWO_FACTOR_ISSUER = "Partnership programme manager"

# Sessions live in the database, so every app server behind a load balancer sees the same ones.
# An idle session ends after half an hour; however active, a session ends some hours after
# sign-in, so a machine left signed in in a council office does not stay signed in for days.
# SessionLifetimeMiddleware moves the idle limit on at most once a minute (SESSION_REFRESH_SECONDS)
# rather than writing the session on every request as SESSION_SAVE_EVERY_REQUEST would.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_REFRESH_SECONDS = 60
SESSION_ABSOLUTE_AGE = env.int("DJANGO_SESSION_ABSOLUTE_SECONDS", default=10 * 60 * 60)

# The Content-Security-Policy (django-csp), the same in every environment so that the tests and
# `make run` meet the policy production sends: scripts and styles only from our own static
# files (scripts may also carry the request's nonce), never inline styles or eval; htmx is told
# not to eval or inject styles (the htmx-config meta tag in base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}
# Browser features, and the origins that may use them (the Permissions-Policy header): the
# service takes no pictures, sound, location, payments or devices, so each of those is allowed
# to no origin. Full screen stays allowed to the site itself: the browser's PDF viewer uses it
# to present a board report shown in the page.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "browsing-topics": [],
    "camera": [],
    "clipboard-read": [],
    "clipboard-write": [],
    "display-capture": [],
    "encrypted-media": [],
    "fullscreen": ["self"],
    "gamepad": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "identity-credentials-get": [],
    "idle-detection": [],
    "local-fonts": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "otp-credentials": [],
    "payment": [],
    "picture-in-picture": [],
    "publickey-credentials-create": [],
    "publickey-credentials-get": [],
    "screen-wake-lock": [],
    "serial": [],
    "storage-access": [],
    "usb": [],
    "window-management": [],
    "xr-spatial-tracking": [],
}
# The Server-Timing header (how long the application spent on a request) is for benchmarks and
# developers' tools; it is off unless DJANGO_SERVER_TIMING turns it on (local settings do).
SERVER_TIMING = env.bool("DJANGO_SERVER_TIMING", default=False)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# An invitation's link (norfolk_connect.people) works once, for this many days.
INVITATION_DAYS = env.int("DJANGO_INVITATION_DAYS", default=7)

# Requests a personal access token may make to the API in one minute; past it, 429 with
# Retry-After. Counted in the cache, so every app server must share one (DJANGO_CACHE_URL).
API_RATE_LIMIT = env.int("DJANGO_API_RATE_LIMIT", default=120)
# Single sign-on (norfolk_connect/sso): how long to wait for a partnership's OpenID Connect
# provider before saying it is not answering, and how long its discovery document and keys are
# kept. Providers are reached over HTTPS only; the tests' provider on loopback is plain HTTP.
SSO_HTTP_TIMEOUT_SECONDS = env.float("DJANGO_SSO_TIMEOUT_SECONDS", default=5.0)
SSO_DISCOVERY_CACHE_SECONDS = 300
SSO_ALLOW_HTTP_LOOPBACK = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Our own static files, and the front-end build (GOV.UK Frontend CSS, htmx) made by `make`.
STATICFILES_DIRS = [BASE_DIR / "static", BASE_DIR / "build" / "static"]

# One cache for every app server: DJANGO_CACHE_URL (redis://host:6379/0 for Django's RedisCache);
# a process's own memory when unset, which is right for one server.
CACHES = {"default": env.cache_url("DJANGO_CACHE_URL", default="locmemcache://")}

# Background tasks (django-tasks) queued in the database itself, so nothing more is needed to run
# them than the database: `manage.py db_worker` runs them (`make run` starts one; see
# docs/deployment.md for production). A board report with more projects than
# REPORT_BACKGROUND_PROJECTS is made into a PDF by the worker rather than in the request.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    },
}
REPORT_BACKGROUND_PROJECTS = env.int("DJANGO_REPORT_BACKGROUND_PROJECTS", default=60)
# Any PDF (board report or partner statement) whose estimated work is more than this is made
# by the worker too. The estimate (reports.report.size) is in milliseconds of this project's
# reference machine, so the default keeps a PDF made in the request to about 2.5 s there.
PDF_BACKGROUND_WORK = env.int("DJANGO_PDF_BACKGROUND_WORK", default=2500)
# How long a PDF may take to lay out, in seconds, before it is stopped and the member told:
# in the request (well under gunicorn's --timeout of 120 s) and in the worker.
PDF_REQUEST_SECONDS = env.float("DJANGO_PDF_REQUEST_SECONDS", default=20.0)
PDF_WORKER_SECONDS = env.float("DJANGO_PDF_WORKER_SECONDS", default=120.0)

# Email: DJANGO_EMAIL_URL names the mail server (smtp+tls://user:password@host:587, see the
# README); by default emails are written to the console, so that nothing more is needed to run
# the service. The background worker sends them (norfolk_connect.notifications). Links in them
# start with SITE_URL, the address people reach the service at.
_email = env.email_url("DJANGO_EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str(
    "DJANGO_DEFAULT_FROM_EMAIL", default="Norfolk Connect <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITE_URL = env.str("DJANGO_SITE_URL", default="http://127.0.0.1:8000")

FORM_RENDERER = "norfolk_connect.forms.GovukFormRenderer"

DJANGO_TABLES2_TEMPLATE = "components/table.html"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"answered_unavailable": {"()": "norfolk_connect.outage.AnsweredUnavailable"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
    # A 500 that the outage middleware answered as 503 is not logged as a server error.
    "loggers": {"django.request": {"filters": ["answered_unavailable"]}},
}

"""Settings for a deployment: every secret comes from the environment and has no default.

docs/deployment.md lists the environment variables. The app servers are stateless: sessions
are in the database, the cache is the one DJANGO_CACHE_URL names, and static files are served
from STATIC_ROOT by WhiteNoise, so any number of them can stand behind one load balancer.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import MIDDLEWARE, env


def required(name: str, *, separator: str | None = None) -> str:
    """Return an environment variable that production cannot run without, or stop loudly."""
    value = env.str(name, default="").strip()
    if separator is not None:
        value = separator.join(part.strip() for part in value.split(separator) if part.strip())
    if not value:
        raise ImproperlyConfigured(
            f"Set the {name} environment variable: production settings have no default for it "
            f"(see docs/deployment.md)."
        )
    return value


DEBUG = False
SECRET_KEY = required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = required("DJANGO_ALLOWED_HOSTS", separator=",").split(",")
DATABASES = {"default": env.db_url_config(required("DATABASE_URL"))}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Origins a form may be posted from when they differ from the host the browser asked for
# (a proxy that rewrites Host, say): https://programmes.example.gov.uk,https://...
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# The emails' links start with the service's address: DJANGO_SITE_URL, else the first allowed
# host over HTTPS. The mail server is DJANGO_EMAIL_URL (base settings; docs/deployment.md): unset,
# emails are only written to the worker's log.
SITE_URL = env.str("DJANGO_SITE_URL", default="") or f"https://{ALLOWED_HOSTS[0]}"

# TLS ends at the proxy in front; it says so in X-Forwarded-Proto, which it must set itself
# (overwriting any the client sent), or any client could claim to be on HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies of ours append to X-Forwarded-For (the load balancer: 1); sign-in lockouts
# are counted per client address taken from it (norfolk_connect.network.client_ip).
PROXY_COUNT = env.int("DJANGO_PROXY_COUNT", default=1)
AXES_CLIENT_IP_CALLABLE = "norfolk_connect.network.client_ip"
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# The load balancer's health check comes over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
# No script reads the CSRF cookie: forms carry the token, and htmx only sends GETs.
CSRF_COOKIE_HTTPONLY = True

# Two-factor sign-in is required of facilitators, administrators and superusers on local
# accounts (norfolk_connect.twofactor); DJANGO_TWO_FACTOR_REQUIRED=false makes it optional.
TWO_FACTOR_REQUIRED = env.bool("DJANGO_TWO_FACTOR_REQUIRED", default=True)

# A checked import waits as a file until the facilitator confirms it (reports/workbook/pending.py):
# with several app servers the confirmation may reach another one, so the directory is shared.
if env.str("DJANGO_IMPORT_PENDING_DIR", default=""):
    IMPORT_PENDING_DIR = env.path("DJANGO_IMPORT_PENDING_DIR")

# WhiteNoise serves the collected static files straight after the security middleware (so they
# are redirected to HTTPS too), compressed and with content hashes in their names so browsers
# may cache them for ever.
MIDDLEWARE = MIDDLEWARE.copy()
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "norfolk_connect.storage.StaticFilesStorage"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"answered_unavailable": {"()": "norfolk_connect.outage.AnsweredUnavailable"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
    "loggers": {
        # WeasyPrint reports each step of every PDF at INFO: too much for a server's log.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # A 500 that the outage middleware answered as 503 is not logged as a server error.
        "django.request": {"filters": ["answered_unavailable"]},
    },
}

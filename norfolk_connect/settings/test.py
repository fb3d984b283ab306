"""Settings for the test suite: fast hashing, no debug, the database DATABASE_URL names."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-not-a-secret"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Emails are kept in memory (django.core.mail.outbox); the notifications' tests point them at a
# real SMTP server of their own on loopback.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SITE_URL = "http://testserver"

# The tests' OpenID Connect provider (tests/sso/provider.mjs) listens on plain HTTP on loopback.
SSO_ALLOW_HTTP_LOOPBACK = True
# Optional, as on a developer's machine; tests of two-factor sign-in turn it on (settings fixture).
TWO_FACTOR_REQUIRED = False

# The property-based run makes hundreds of requests with one token; the rate limit's own tests
# set it low.
API_RATE_LIMIT = 100_000

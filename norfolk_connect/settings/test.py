"""Settings for the test suite: fast hashing, no debug, the database DATABASE_URL names."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-not-a-secret"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Optional, as on a developer's machine; tests of two-factor sign-in turn it on (settings fixture).
TWO_FACTOR_REQUIRED = False

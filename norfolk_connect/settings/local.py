"""Settings for a developer's machine: `make run` serves the demo programme on SQLite."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-development-only-not-a-secret")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# Benchmarks (`make bench`) and the browser's developer tools read the Server-Timing header.
SERVER_TIMING = env.bool("DJANGO_SERVER_TIMING", default=True)
# A developer may try single sign-on against an OpenID Connect provider run on their machine.
SSO_ALLOW_HTTP_LOOPBACK = True

"""The sign-in between the password and the code: who is signing in, kept in the session.

Nobody is signed in (``login()`` is not called) until the code is right: the session holds only
the user's id, the password's session hash (so that a password changed meanwhile ends it), the
authentication backend, the page to go to afterwards and when the password was given. It lasts
``PENDING_SECONDS``; after that the person starts again with their password.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme

KEY = "twofactor_pending"
SETUP_SECRET = "twofactor_setup_secret"
SHOWN_CODES = "twofactor_recovery_codes"
PENDING_SECONDS = 5 * 60


def start(request: HttpRequest, user: Any, *, next_url: str, backend: str) -> None:
    """Remember that this user gave the right password, and where they were going."""
    request.session.pop(SETUP_SECRET, None)
    request.session[KEY] = {
        "user": str(user.pk),
        "hash": user.get_session_auth_hash(),
        "backend": backend,
        "next": next_url,
        "started": int(time.time()),
    }


def clear(request: HttpRequest) -> None:
    request.session.pop(KEY, None)
    request.session.pop(SETUP_SECRET, None)


def expired(request: HttpRequest) -> bool:
    """Say whether there was a pending sign-in that has run out (and forget it if so)."""
    pending = request.session.get(KEY)
    if pending and time.time() - pending.get("started", 0) > PENDING_SECONDS:
        clear(request)
        return True
    return False


def pending_user(request: HttpRequest) -> Any | None:
    """Return the user half-way through signing in, or None if there is none or it ran out."""
    pending = request.session.get(KEY)
    if not pending or expired(request):
        return None
    user = get_user_model().objects.filter(pk=pending.get("user"), is_active=True).first()
    if user is None or not constant_time_compare(
        user.get_session_auth_hash(), pending.get("hash", "")
    ):
        clear(request)
        return None
    return user


def safe_next(request: HttpRequest, url: str | None) -> str:
    """Return where to go after signing in: ``url`` if it is this site's, else the home page."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def finish(request: HttpRequest, user: Any) -> str:
    """Sign the user in at last; return the page they were going to."""
    pending = request.session.get(KEY) or {}
    next_url = safe_next(request, pending.get("next"))
    login(request, user, backend=pending.get("backend"))  # a new session key, the old data kept
    clear(request)
    return next_url

"""Cross-cutting request handling."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .sessions import LAST_SEEN, SIGNED_IN_AT


class ServerTimingMiddleware:
    """Report the time the application spent on a request in a Server-Timing header.

    Benchmarks and browsers' developer tools read it; it reveals only a duration.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = (time.perf_counter() - started) * 1000
        response["Server-Timing"] = f"app;dur={elapsed:.2f}"
        return response


class SessionLifetimeMiddleware:
    """Keep a signed-in session to its idle and absolute limits.

    Idle: the session's expiry (``SESSION_COOKIE_AGE`` from its last save) is moved on by a
    request at least ``SESSION_REFRESH_SECONDS`` after the last one that moved it, so a busy
    user's session is written about once a minute, not on every request. Absolute: once
    ``SESSION_ABSOLUTE_AGE`` seconds have passed since sign-in the user is signed out and told
    why, however busy the session. A session from before this middleware has no sign-in time:
    it is given one now rather than ended.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            session = request.session
            now = int(timezone.now().timestamp())
            if now - session.setdefault(SIGNED_IN_AT, now) > settings.SESSION_ABSOLUTE_AGE:
                logout(request)
                messages.info(
                    request,
                    f"You were signed out because you signed in more than "
                    f"{duration_words(settings.SESSION_ABSOLUTE_AGE)} ago. Sign in again.",
                )
            elif now - session.get(LAST_SEEN, 0) >= settings.SESSION_REFRESH_SECONDS:
                # Changing the session saves it, with a new expiry and a new cookie max-age.
                session[LAST_SEEN] = now
        return self.get_response(request)


def duration_words(seconds: int) -> str:
    """Say a duration in whole hours, or minutes when under two hours."""
    if seconds >= 2 * 60 * 60:
        return f"{seconds // 3600} hours"
    minutes = max(seconds // 60, 1)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"

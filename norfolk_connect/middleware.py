"""Cross-cutting request handling."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import MiddlewareNotUsed, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.defaults import bad_request
from django_htmx.http import HttpResponseClientRedirect

from .sessions import LAST_SEEN, SIGNED_IN_AT

security_logger = logging.getLogger("django.security.NulByte")


class PermissionsPolicyMiddleware:
    """Deny every page the browser features the service does not use (camera, payment, ...).

    A script that got onto a page could otherwise ask for them; ``settings.PERMISSIONS_POLICY``
    names each feature with the origins allowed it, most with none at all.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})"
            for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response


class ServerTimingMiddleware:
    """Report the time the application spent on a request in a Server-Timing header.

    Benchmarks and browsers' developer tools read it. It says only a duration, but a duration
    tells an outsider something (how much work a request caused), so it is sent only where
    ``settings.SERVER_TIMING`` is on: by default on a developer's machine, not in production.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not settings.SERVER_TIMING:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = (time.perf_counter() - started) * 1000
        response["Server-Timing"] = f"app;dur={elapsed:.2f}"
        return response


class NulByte(SuspiciousOperation):
    """A request carried a NUL character, which no page of the service takes."""


NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
API_PREFIX = "/api/v1/"


def refuse_nul(request: HttpRequest, reason: str) -> HttpResponse:
    """Answer the styled 400 page, logging one line: a request anyone can send is no error.

    The API answers in JSON, as its document says it answers a value it refuses: 422.
    """
    path = request.path.replace(NUL, "\\x00")[:200]
    security_logger.warning("%s %s %s", reason, request.method, path)
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            {
                "detail": "The request's values are not valid: nothing was changed",
                "errors": [{"field": "", "message": reason.rstrip(".")}],
            },
            status=422,
        )
    return bad_request(request, NulByte(reason))


class RefuseNulMiddleware:
    """Answer 400 to a request with a NUL character in its path, query, headers or form fields.

    PostgreSQL refuses NUL in text, so a NUL that reached a query or a save would be a server
    error (500) rather than the client's mistake; no field of the service has a use for one.
    The path, query string (raw or ``%00``), headers and cookies are looked at before anything
    else runs. Form fields are looked at just before the view, where Django's CSRF check reads
    them anyway; a view exempt from that check (one that must choose how its upload is read
    before the body is parsed) is left to read and check its own body. Uploaded files are not
    looked at: a workbook is binary and has NULs of its own.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if (
            NUL in request.path
            or NUL in request.path_info
            or NUL in query
            or "%00" in query
            or any(NUL in value for value in request.headers.values())
        ):
            return refuse_nul(request, "The request's path, query or headers contain a NUL.")
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func, view_args, view_kwargs
    ) -> HttpResponse | None:
        if request.method in {"GET", "HEAD", "OPTIONS", "TRACE"}:
            return None
        if not request.content_type.startswith(FORM_TYPES):
            return None
        if request.content_type.startswith("multipart/") and getattr(
            view_func, "csrf_exempt", False
        ):
            return None
        fields = request.POST.lists()
        if any(NUL in key or any(NUL in value for value in values) for key, values in fields):
            return refuse_nul(request, "A form field contains a NUL character.")
        # A file's field and name are text too, saved or shown.
        uploads = request.FILES.items()
        if any(NUL in key or NUL in (upload.name or "") for key, upload in uploads):
            return refuse_nul(request, "An uploaded file's name contains a NUL character.")
        return None


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Send a signed-out request to sign in, as Django's middleware does, htmx ones included.

    htmx follows a redirect itself and would swap the sign-in page into a part of the page; an
    htmx request is answered instead with an ``HX-Redirect`` to the sign-in page, so that the
    whole page goes there and comes back to the page the person was on. A session that ran
    out while idle and one that SessionLifetimeMiddleware has just ended both arrive here
    signed out.
    """

    def handle_no_permission(self, request: HttpRequest, view_func) -> HttpResponse:
        if request.headers.get("HX-Request") != "true":
            return super().handle_no_permission(request, view_func)
        login = redirect_to_login(
            page_path(request),
            resolve_url(self.get_login_url(view_func)),
            self.get_redirect_field_name(view_func),
        )
        return HttpResponseClientRedirect(login.url)


def page_path(request: HttpRequest) -> str:
    """Return the path of the page an htmx request came from, or the request's own path.

    htmx names the page in ``HX-Current-URL``; a header names anything, so a URL of another
    site (or scheme) is not believed.
    """
    host = request.get_host()
    current = request.headers.get("HX-Current-URL", "")
    if current and url_has_allowed_host_and_scheme(
        current, allowed_hosts={host}, require_https=request.is_secure()
    ):
        parts = urlsplit(current)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        # The path alone must still be this site's: not "//elsewhere/", say.
        if path.startswith("/") and url_has_allowed_host_and_scheme(path, allowed_hosts={host}):
            return path
    return request.get_full_path()


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

"""A clean answer while the database is unavailable: 503, a page saying so, and Retry-After.

When PostgreSQL restarts or cannot be reached, every query fails with OperationalError (or
InterfaceError on a connection that is already closed). Without this the user would get the
500 page, which says something is broken, and load balancers would see errors rather than a
service that is briefly unavailable. Persistent connections are health-checked before reuse
(CONN_HEALTH_CHECKS in production), so the first request after the database is back
reconnects and succeeds.

A request that carries a session cookie is about to read its session from the database, so
the connection is made (or its health checked) first, here: if the database is down the
request gets the 503 page at once, with one line in the log. Django turns an exception into a
response at every layer of middleware, so an error raised later inside another middleware
(the database going away mid-request, say) reaches this one as a finished 500 response, not as
an exception: such errors are recognised through the ``got_request_exception`` signal, which
Django sends while it handles the exception, and the response is rewritten. Errors in the view
arrive in ``process_exception``. Each way the answer is the 503 page.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 120
TEMPLATE = "503.html"
# Set on a request whose handling failed because the database was unavailable.
FAILED = "_database_unavailable"

logger = logging.getLogger(__name__)


def database_unavailable(error: BaseException | None) -> bool:
    """Return whether the exception says the database cannot be used at the moment."""
    return isinstance(error, DATABASE_UNAVAILABLE)


def note_database_failure(sender, request: HttpRequest | None = None, **kwargs) -> None:
    """Mark the request when the exception Django is handling is the database's."""
    error = sys.exc_info()[1]
    if request is not None and database_unavailable(error):
        setattr(request, FAILED, error)


got_request_exception.connect(note_database_failure, dispatch_uid="norfolk_connect.outage")


class DatabaseOutageMiddleware:
    """Answer 503 "service unavailable" instead of 500 when the database cannot be reached.

    It goes before the session and authentication middleware (which query the database
    themselves), so that it sees their failures too, and after the security and CSP
    middleware, so that the 503 page has their headers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            try:
                connect()
            except DATABASE_UNAVAILABLE as error:
                return unavailable_response(request, error)
        try:
            response = self.get_response(request)
        except DATABASE_UNAVAILABLE as error:
            # Only when exceptions propagate (DEBUG_PROPAGATE_EXCEPTIONS); normally Django has
            # already made them a response.
            return unavailable_response(request, error)
        error = getattr(request, FAILED, None)
        if response.status_code == 500 and error is not None:
            # Rewritten in place, keeping the security headers the inner middleware added.
            log(request, error)
            response.status_code = 503
            response.reason_phrase = "Service Unavailable"
            response.content = page()
            # CommonMiddleware, inside this one, has already given the 500 page its length.
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
            response["Content-Type"] = "text/html; charset=utf-8"
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            add_never_cache_headers(response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        if database_unavailable(exception):
            return unavailable_response(request, exception)
        return None


class AnsweredUnavailable(logging.Filter):
    """Drop Django's "Internal Server Error" entry, with its traceback, for a request this
    middleware then answered 503 (attached to the ``django.request`` logger in LOGGING).

    Django logs an error inside another middleware as a 500 before this middleware rewrites
    the answer, so without this a database restart would fill the log with server errors that
    no one received, and an alert on server errors would fire; the middleware's own warning
    line ("Database unavailable, answered 503 to …") says what happened. Any other 500 is kept.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        answered_unavailable = getattr(request, FAILED, None) is not None
        return not (answered_unavailable and getattr(record, "status_code", None) == 500)


def connect() -> None:
    """Make sure the database connection works, reconnecting if the server has restarted.

    This is what the request's first query would do (a health check of a kept connection
    runs once per request), only earlier; it adds no query.
    """
    connection.close_if_health_check_failed()
    connection.ensure_connection()


def page() -> str:
    """Return the page saying the service is unavailable."""
    # Rendered without the request: the context processors would look up the signed-in user,
    # which needs the database.
    return render_to_string(TEMPLATE)


def unavailable_response(request: HttpRequest, error: BaseException) -> HttpResponse:
    """Return the 503 page, telling clients when to try again, and log the cause."""
    log(request, error)
    response = HttpResponse(page(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def log(request: HttpRequest, error: BaseException) -> None:
    logger.warning(
        "Database unavailable, answered 503 to %s %s: %s: %s",
        request.method,
        request.path,
        type(error).__name__,
        str(error).strip().splitlines()[0] if str(error).strip() else "",
    )

"""Version 1 of the API: its authentication, its errors, its limits and its endpoints.

Every endpoint needs a personal access token (``Authorization: Bearer <token>``); a session
cookie is not read at all, so a signed-in browser cannot be made to call the API for someone
(no CSRF). A token reaches its own partnership's programmes only: another partnership's slug
or id answers 404, as an unknown one does. Errors are JSON objects with a ``detail``.

Each area has its own module and router: programmes and figures, projects, partners, papers,
the councils' money (invoices and payments) and delivery (spend, milestones and risks).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from ..tokens import token_user
from . import delivery, money, papers, partners, programmes, projects, writes
from .common import RateLimited, check_rate

DESCRIPTION = """\
The partnership programme's data for councils' own systems.

Each request carries a personal access token, made by a member of the partnership on their
own *API access tokens* page, as `Authorization: Bearer <token>`. A token belongs to one
partnership and reads only its programmes; it never does more than its owner's role allows
today, and a read-only token never writes. Amounts of money are decimal strings with two
decimals (`"1234.50"`), exactly as in the programme file, never numbers; dates are
`YYYY-MM-DD`.

Lists come a page at a time (`limit`, at most 500, and `offset`), with the whole `count`.
Every answer to a GET carries an `ETag`: send it back as `If-None-Match` to be answered
`304 Not Modified` when nothing changed, or as `If-Match` on a write to have it refused with
`412` when the record changed since you read it.

Errors are JSON objects with a `detail`: 401 for a missing, unknown, revoked or expired token,
403 for a write the token or its owner's role may not make, 404 for anything the token's
partnership does not have, 409 when a write needs confirming (its `warnings` and the
`confirmation` to send back), 412 for a failed `If-Match`, 422 for refused values (each in
`errors`, nothing saved) and 429 past the rate limit (wait the `Retry-After` seconds).
"""


class TokenAuth(HttpBearer):
    """A personal access token, as ``Authorization: Bearer ncp_…``; see norfolk_connect.api."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = token_user(request)
        if found is None:
            return None
        check_rate(found[0].pk)
        request.api_token, request.api_user, request.api_membership = found  # type: ignore[attr-defined]
        return found


api = NinjaAPI(
    title="Norfolk Connect API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=TokenAuth(),
    docs_url=None,  # Swagger UI would load scripts the pages' CSP does not allow: see /api/
    openapi_url="/openapi.json",
)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = api.create_response(
        request,
        {"detail": "Send a valid personal access token as 'Authorization: Bearer <token>'"},
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(RateLimited)
def rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = api.create_response(
        request,
        {
            "detail": "Too many requests with this token in a minute: try again in "
            f"{exc.retry_after} seconds"
        },
        status=429,
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(
        request,
        {
            "detail": "The request's body is too large: send at most 1,000 spend lines, or "
            f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes, at once"
        },
        status=413,
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found"}, status=404)


def _where(location: Any) -> str:
    """A ninja error's location without its source (body, query, path): ``lines.3.amount``."""
    parts = [str(part) for part in location if part not in ("body", "query", "path", "payload")]
    return ".".join(parts)


@api.exception_handler(NinjaValidationError)
def invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"field": _where(error.get("loc", ())), "message": str(error.get("msg", "Not valid"))}
        for error in exc.errors
    ]
    return api.create_response(
        request,
        {"detail": "The request's values are not valid: nothing was changed", "errors": errors},
        status=422,
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """A refusal in words; a body that is not JSON is 422, in the shape of the other values."""
    if not (exc.status_code == 400 and str(exc).startswith("Cannot parse request body")):
        return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)
    return api.create_response(
        request,
        {
            "detail": "The request's values are not valid: nothing was changed",
            "errors": [{"field": "", "message": "The body is not a JSON object the API can read"}],
        },
        status=422,
    )


@api.exception_handler(DjangoValidationError)
def refused_by_service(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": "" if field == "__all__" else field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        errors = [{"field": "", "message": message} for message in exc.messages]
    return api.create_response(
        request,
        {"detail": "The request was refused: nothing was changed", "errors": errors},
        status=422,
    )


api.add_router("/", programmes.router)
api.add_router("/", projects.router)
api.add_router("/", partners.router)
api.add_router("/", papers.router)
api.add_router("/", money.router)
api.add_router("/", delivery.router)
api.add_router("/", writes.router)

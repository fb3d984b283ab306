"""The API under /api/v1/, its page for developers, and each person's tokens' pages."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.urls import path, re_path
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt

from . import pages, views
from .v1 import api
from .v1.common import etag_of


@functools.cache
def query_parameters() -> dict[tuple[str, str], frozenset[str]]:
    """The query parameters each operation takes, by its path and method, from the document."""
    taken = {}
    for address, operations in api.get_openapi_schema()["paths"].items():
        for method, operation in operations.items():
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            taken[(address, method.upper())] = frozenset(names)
    return taken


def unknown_parameters(request: HttpRequest, address: str) -> HttpResponse | None:
    """Refuse a query parameter the operation does not take: a misspelt filter is not ignored.

    Ignoring it would answer the whole list as if filtered; a client learns of its mistake.
    """
    taken = query_parameters().get((address, request.method or ""))
    if taken is None:
        return None
    unknown = sorted(set(request.GET) - taken)
    if not unknown:
        return None
    allowed = ", ".join(sorted(taken)) or "none"
    return JsonResponse(
        {
            "detail": "The request's values are not valid: nothing was changed",
            "errors": [
                {"field": name, "message": f"Unknown query parameter: this address takes {allowed}"}
                for name in unknown
            ],
        },
        status=422,
    )


def json_errors(view: Callable[..., HttpResponse], route: str) -> Callable[..., HttpResponse]:
    """Answer in JSON, as every other API error, what ninja answers in HTML: 404 and 405."""
    address = "/api/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)

    @functools.wraps(view)  # keeps ninja's csrf_exempt: the API reads no cookie
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        refused = unknown_parameters(request, address)
        if refused is not None:
            return refused
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return not_found(request)
        is_json = response.get("Content-Type", "").startswith("application/json")
        if response.status_code == 404 and not is_json:
            return not_found(request)
        if response.status_code == 405 and not is_json:
            allowed = response.get("Allow", "")
            response = JsonResponse(
                {"detail": f"This address does not take {request.method}: use {allowed}"},
                status=405,
            )
            response["Allow"] = allowed
        return with_etag(request, response)

    # The API answers 401 to a request without a token, never a redirect to sign in: exempt
    # from LoginRequiredMiddleware (and from CSRF: a session cookie is not read at all).
    wrapped.login_required = False  # type: ignore[attr-defined]
    return wrapped


def with_etag(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Give a successful read its ETag, and answer 304 when the client's copy is that one.

    The ETag is the SHA-256 of the body, so it changes exactly when what is read changes; the
    answer depends on the token, so caches keep it apart per Authorization and revalidate. A
    record a write changes sets its version as its ETag (``v1.versions``): the digest follows
    it after a full stop, so that a write's If-Match can compare the version alone.
    """
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    if response.streaming:
        return response
    etag = etag_of(response.content)
    version = response.get("ETag", "")
    if version:
        etag = f'{version.removesuffix(chr(34))}.{etag.strip(chr(34))}"'

    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ["Authorization"])
    sent = request.headers.get("If-None-Match", "")
    if sent and (
        sent.strip() == "*" or etag in {p.strip().removeprefix("W/") for p in sent.split(",")}
    ):
        not_modified = HttpResponseNotModified()
        for header in ("ETag", "Cache-Control", "Vary"):
            not_modified[header] = response[header]
        return not_modified
    return response


@login_not_required
@csrf_exempt
def not_found(request: HttpRequest) -> HttpResponse:
    """Any other address under /api/v1/: a JSON 404, as the endpoints' own."""
    return JsonResponse({"detail": "Not found"}, status=404)


api_patterns, api_app, api_namespace = api.urls
for _pattern in api_patterns:
    _pattern.callback = json_errors(_pattern.callback, str(_pattern.pattern))  # type: ignore[union-attr]

urlpatterns = [
    path("api/v1/", (api_patterns, api_app, api_namespace)),
    re_path(r"^api/v1/", not_found),
    path("api/", pages.api_docs, name="api_docs"),
    path("account/tokens/", views.tokens, name="account_tokens"),
    path("account/tokens/new/", views.token_create, name="account_token_create"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="account_token_revoke"),
]

"""The API under /api/v1/, its page for developers, and each person's tokens' pages."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from . import pages, views
from .v1 import api


def json_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer in JSON, as every other API error, what ninja answers in HTML: 404 and 405."""

    @functools.wraps(view)  # keeps ninja's csrf_exempt: the API reads no cookie
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
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
        return response

    # The API answers 401 to a request without a token, never a redirect to sign in: exempt
    # from LoginRequiredMiddleware (and from CSRF: a session cookie is not read at all).
    wrapped.login_required = False  # type: ignore[attr-defined]
    return wrapped


@login_not_required
@csrf_exempt
def not_found(request: HttpRequest) -> HttpResponse:
    """Any other address under /api/v1/: a JSON 404, as the endpoints' own."""
    return JsonResponse({"detail": "Not found"}, status=404)


api_patterns, api_app, api_namespace = api.urls
for _pattern in api_patterns:
    _pattern.callback = json_errors(_pattern.callback)  # type: ignore[union-attr]

urlpatterns = [
    path("api/v1/", (api_patterns, api_app, api_namespace)),
    re_path(r"^api/v1/", not_found),
    path("api/", pages.api_docs, name="api_docs"),
    path("account/tokens/", views.tokens, name="account_tokens"),
    path("account/tokens/new/", views.token_create, name="account_token_create"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="account_token_revoke"),
]

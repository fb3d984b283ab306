"""The API under /api/v1/, its page for developers, and each person's tokens' pages."""

from django.urls import path

from . import pages, views
from .v1 import api

# The API answers 401 to a request without a token, never a redirect to sign in: its views
# are exempt from LoginRequiredMiddleware (and need no CSRF token: they read no cookie).
api_patterns, api_app, api_namespace = api.urls
for _pattern in api_patterns:
    _pattern.callback.login_required = False  # type: ignore[union-attr]

urlpatterns = [
    path("api/v1/", (api_patterns, api_app, api_namespace)),
    path("api/", pages.api_docs, name="api_docs"),
    path("account/tokens/", views.tokens, name="account_tokens"),
    path("account/tokens/new/", views.token_create, name="account_token_create"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="account_token_revoke"),
]

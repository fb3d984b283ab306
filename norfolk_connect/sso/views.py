"""The sign-in page with the councils' providers, and the single sign-on flow itself.

``start`` sends the person to their partnership's provider with a fresh state, nonce and PKCE
verifier kept in the session; ``callback`` takes the provider's answer back, checks it and
signs in the member that the verified email belongs to. Both are public (the person is not
signed in yet): tests/test_permissions.py declares them and tests/sso has their abuse tests.
"""

from __future__ import annotations

import hmac
import logging
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..forms import SignInForm
from . import oidc
from .models import IdentityProvider
from .selectors import enabled_provider, enabled_providers
from .services import email_is_verified, sign_in, user_for_verified_email

logger = logging.getLogger("norfolk_connect.sso")

PENDING = "sso_pending"  # the session key of the sign-in under way
PENDING_SECONDS = 10 * 60  # how long the person has at the provider


class SignInView(LoginView):
    """Django's sign-in page in the service's words, with the councils' providers offered."""

    authentication_form = SignInForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["identity_providers"] = list(enabled_providers())
        return context


def safe_next(request: HttpRequest, value: str | None) -> str:
    """Return ``next`` if it is a path on this site, else an empty string."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def callback_uri(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("sso:callback"))


def unavailable(
    request: HttpRequest, provider: IdentityProvider, error: oidc.ProviderError
) -> HttpResponse:
    """The page for a provider that does not answer (503) or cannot be trusted (502)."""
    answering = not isinstance(error, oidc.ProviderUnavailable)
    logger.warning(
        "Single sign-on through %s (%s) failed: %s",
        provider.issuer,
        provider.partnership.slug,
        error,
    )
    return render(
        request,
        "sso/unavailable.html",
        {"provider": provider, "answering": answering},
        status=502 if answering else 503,
    )


def incomplete(request: HttpRequest, reason: str) -> HttpResponse:
    """The page for a sign-in that cannot be finished: start again (400)."""
    logger.info("Single sign-on not completed: %s", reason)
    return render(request, "sso/incomplete.html", status=400)


@login_not_required
@never_cache
@require_GET
def start(request: HttpRequest, slug: str) -> HttpResponse:
    """Send the person to their partnership's provider to sign in."""
    provider = enabled_provider(slug)
    if provider is None:
        raise Http404("No single sign-on for this partnership")
    try:
        discovery = oidc.discover(provider.issuer)
    except oidc.ProviderError as error:
        return unavailable(request, provider, error)
    pending = {
        "slug": provider.partnership.slug,
        "state": oidc.random_token(),
        "nonce": oidc.random_token(),
        "verifier": oidc.random_token(),
        "next": safe_next(request, request.GET.get("next")),
        "started": int(time.time()),
    }
    request.session[PENDING] = pending
    return HttpResponseRedirect(
        oidc.authorization_url(
            discovery,
            client_id=provider.client_id,
            redirect_uri=callback_uri(request),
            state=pending["state"],
            nonce=pending["nonce"],
            code_verifier=pending["verifier"],
        )
    )


@login_not_required
@never_cache
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """Check the provider's answer and sign in the member the verified email belongs to."""
    # Taken out of the session at once: a callback can be used once, whatever happens next.
    pending = request.session.pop(PENDING, None)
    state = request.GET.get("state", "")
    if not isinstance(pending, dict) or not all(
        isinstance(pending.get(key), str) for key in ("slug", "state", "nonce", "verifier")
    ):
        return incomplete(request, "no sign-in under way in this session")
    if not state or not hmac.compare_digest(state, pending["state"]):
        return incomplete(request, "state does not match")
    if time.time() - pending.get("started", 0) > PENDING_SECONDS:
        return incomplete(request, "took too long at the provider")
    provider = enabled_provider(pending["slug"])
    if provider is None:
        return incomplete(request, f"no enabled provider for {pending['slug']}")
    answered = request.GET.get("error", "")
    if answered:
        if answered in {"server_error", "temporarily_unavailable"}:
            return unavailable(request, provider, oidc.ProviderUnavailable(f"error={answered}"))
        return incomplete(request, f"provider answered error={answered[:100]}")
    code = request.GET.get("code", "")
    if not code:
        return incomplete(request, "no code")
    secret = provider.secret()
    if not secret:
        missing = f"no client secret: set {provider.secret_environment_name} or store one"
        return unavailable(request, provider, oidc.ProviderInvalid(missing))
    try:
        discovery = oidc.discover(provider.issuer)
        tokens = oidc.exchange_code(
            discovery,
            client_id=provider.client_id,
            client_secret=secret,
            code=code,
            redirect_uri=callback_uri(request),
            code_verifier=pending["verifier"],
        )
        claims = oidc.id_token_claims(
            discovery,
            id_token=tokens["id_token"],
            client_id=provider.client_id,
            nonce=pending["nonce"],
        )
        claims = oidc.user_claims(discovery, claims=claims, access_token=tokens.get("access_token"))
    except oidc.ProviderError as error:
        return unavailable(request, provider, error)
    email = claims.get("email")
    verified = email_is_verified(claims)
    user = (
        user_for_verified_email(provider.partnership, email)
        if verified and isinstance(email, str)
        else None
    )
    if user is None:
        # A warning, so that the default log level keeps it: it answers "why can't I sign
        # in?". The email itself stays out of the log.
        logger.warning(
            "Single sign-on refused for %s at %s: %s",
            provider.partnership.slug,
            provider.issuer,
            "no member with that email" if verified else "email not verified",
        )
        return render(
            request,
            "sso/refused.html",
            {"provider": provider, "verified": verified},
            status=403,
        )
    sign_in(request, user)
    return HttpResponseRedirect(
        safe_next(request, pending.get("next")) or resolve_url(settings.LOGIN_REDIRECT_URL)
    )

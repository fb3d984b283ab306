"""Sign-in with a code after the password; setting two-factor sign-in up; the account page."""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from norfolk_connect.forms import SignInForm
from norfolk_connect.sso.views import SignInView as SingleSignOnOffered

from . import pending, services
from .forms import CodeForm


class SignInView(SingleSignOnOffered):
    """The password first; then, for a person with an authenticator app, its code.

    A person who must use two-factor sign-in and has no app yet sets one up before they are in.
    The page also offers the councils' own sign-in services (single sign-on), whose people
    give their second factor to their council rather than here.
    """

    authentication_form = SignInForm

    def form_valid(self, form: SignInForm) -> HttpResponse:
        user = form.get_user()
        pending.clear(self.request)
        has_app = services.has_authenticator(user)
        if not has_app and not services.two_factor_required(user):
            return super().form_valid(form)
        pending.start(
            self.request,
            user,
            next_url=self.get_redirect_url(),
            backend=getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        )
        return redirect("twofactor:verify" if has_app else "twofactor:setup")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "two_factor_required": two_factor_on()}


def two_factor_on() -> bool:
    return bool(settings.TWO_FACTOR_REQUIRED)


def pending_or_start_again(request: HttpRequest) -> tuple[Any | None, HttpResponse | None]:
    """Return the user half-way through signing in; or, if none, the way back to the password.

    A sign-in that ran out says so.
    """
    late = pending.expired(request)
    user = None if late else pending.pending_user(request)
    if user is not None:
        return user, None
    if late:
        messages.info(request, "Your sign-in took too long. Sign in again.")
    pending.clear(request)
    return None, redirect("login")


def credentials_of(user: Any) -> dict[str, str]:
    return {"username": user.get_username()}


def locked_out(request: HttpRequest, user: Any) -> bool:
    return bool(AxesProxyHandler.is_locked(request, credentials_of(user)))


def count_failure(request: HttpRequest, user: Any) -> None:
    """A wrong code counts as a failed sign-in to django-axes, as a wrong password does.

    Five lock that username out from that address; AxesMiddleware then answers with the
    lockout page (``request.axes_locked_out``).
    """
    user_login_failed.send(sender=__name__, credentials=credentials_of(user), request=request)


@login_not_required
@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the code from the person's authenticator app."""
    if request.user.is_authenticated and not request.session.get(pending.KEY):
        return redirect(settings.LOGIN_REDIRECT_URL)
    user, back = pending_or_start_again(request)
    if back is not None:
        return back
    if not services.has_authenticator(user):
        return redirect("twofactor:setup")
    if locked_out(request, user):
        pending.clear(request)
        return get_lockout_response(request, None, credentials_of(user))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if services.check_code(user, code):
            next_url = pending.finish(request, user)
            if services.is_recovery_code(code):
                left = services.recovery_codes_left(user)
                messages.info(
                    request,
                    f"You signed in with a recovery code. You have {left} left: make new ones "
                    f"on your account page if you are running out.",
                )
            return redirect(next_url)
        form.refuse()
        count_failure(request, user)
        if getattr(request, "axes_locked_out", False):
            pending.clear(request)  # AxesMiddleware answers with the lockout page
    return render(request, "twofactor/verify.html", {"form": form})


@login_not_required
@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), then enter a code.

    Signed in, from the account page; or between the password and being signed in, for a person
    who must use two-factor sign-in and has no app yet.
    """
    if request.user.is_authenticated and not request.session.get(pending.KEY):
        user, signing_in = request.user, False
    else:
        signing_in = True
        user, back = pending_or_start_again(request)
        if back is not None:
            return back
    if services.has_authenticator(user):
        if signing_in:
            return redirect("twofactor:verify")
        messages.info(request, "Two-factor sign-in is already set up on your account.")
        return redirect("account")
    secret = request.session.get(pending.SETUP_SECRET)
    if not secret:
        secret = request.session[pending.SETUP_SECRET] = services.new_secret()
    form = CodeForm(request.POST or None, recovery=False)
    if request.method == "POST" and form.is_valid():
        codes = services.set_up(user, secret, form.cleaned_data["code"])
        if codes is not None:
            next_url = pending.finish(request, user) if signing_in else reverse("account")
            request.session.pop(pending.SETUP_SECRET, None)
            request.session[pending.SHOWN_CODES] = {"codes": codes, "next": next_url}
            return redirect("twofactor:recovery_codes")
        form.refuse()
    qr_code, qr_size = services.qr_code(services.provisioning_uri(user, secret))
    return render(
        request,
        "twofactor/setup.html",
        {
            "form": form,
            "qr_code": qr_code,
            "qr_size": qr_size,
            "secret": services.grouped(secret),
            "signing_in": signing_in,
            "required": services.two_factor_required(user),
        },
    )


@never_cache
@require_http_methods(["GET"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Show the recovery codes just made, once: they are not kept in a form anyone can read."""
    shown = request.session.pop(pending.SHOWN_CODES, None)
    if not shown:
        messages.info(
            request,
            "Recovery codes are shown only once. Make new ones if you have lost yours.",
        )
        return redirect("account")
    return render(
        request,
        "twofactor/recovery_codes.html",
        {"codes": shown["codes"], "next": pending.safe_next(request, shown.get("next"))},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def new_recovery_codes(request: HttpRequest) -> HttpResponse:
    """Ask before replacing the recovery codes; then make new ones and show them once."""
    if not services.has_authenticator(request.user):
        return redirect("account")
    if request.method == "POST":
        codes = services.replace_recovery_codes(request.user)
        request.session[pending.SHOWN_CODES] = {"codes": codes, "next": reverse("account")}
        return redirect("twofactor:recovery_codes")
    return render(
        request,
        "twofactor/new_recovery_codes.html",
        {"left": services.recovery_codes_left(request.user)},
    )


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def turn_off(request: HttpRequest) -> HttpResponse:
    """Turn two-factor sign-in off, with a current code; or, where it is required, start again.

    A person who must use it may only replace their app (a new phone): the old one is removed
    and they set up the new one at once.
    """
    user = request.user
    if not services.has_authenticator(user):
        return redirect("account")
    required = services.two_factor_required(user)
    if locked_out(request, user):
        logout(request)
        return get_lockout_response(request, None, credentials_of(user))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.check_code(user, form.cleaned_data["code"]):
            services.turn_off(user)
            if required:
                return redirect("twofactor:setup")
            messages.success(request, "Two-factor sign-in is off.")
            return redirect("account")
        form.refuse()
        count_failure(request, user)
        if getattr(request, "axes_locked_out", False):
            logout(request)  # AxesMiddleware answers with the lockout page
    return render(request, "twofactor/turn_off.html", {"form": form, "required": required})


@never_cache
@require_http_methods(["GET"])
def account(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own account: who they are, and their two-factor sign-in."""
    user = request.user
    return render(
        request,
        "twofactor/account.html",
        {
            "authenticator": services.authenticator_of(user),
            "required": services.two_factor_required(user),
            "codes_left": services.recovery_codes_left(user),
        },
    )

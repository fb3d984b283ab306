"""The Django admin, open to superusers only.

The admin shows and changes rows of every partnership, and the users, groups, sign-in
lockouts and task queue that all partnerships share; it saves without the services' checks
(versions, conflicts). It is the service operators' tool, not a partnership's: a partnership's
administrators do their work in the service's own pages, which keep them to their partnership.
So being staff (``is_staff``) is not enough to use it; a superuser must sign in.

Its own sign-in page would let a person in with their password alone: where two-factor sign-in
is required it sends people to the service's sign-in page instead, and anywhere it refuses an
account that has an authenticator app, which must sign in there with a code.
"""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from .twofactor.services import has_authenticator


class SuperuserAuthenticationForm(AdminAuthenticationForm):
    """Let only an active superuser sign in to the admin."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": (
            "Please enter the correct %(username)s and password for a superuser account. "
            "Note that both fields may be case-sensitive."
        ),
    }

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not user.is_superuser:
            raise forms.ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )
        if has_authenticator(user):
            raise forms.ValidationError(
                "This account uses two-factor sign-in: sign in on the service's sign-in page.",
                code="two_factor",
            )


class SuperuserAdminSite(admin.AdminSite):
    """The admin site, for active superusers alone."""

    site_header = "Partnership programme manager: administration"
    site_title = "Partnership programme manager administration"
    login_form = SuperuserAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """Send people to the service's sign-in page, which asks for a code, where required."""
        if settings.TWO_FACTOR_REQUIRED:
            index = reverse("admin:index", current_app=self.name)
            return redirect_to_login(request.GET.get(REDIRECT_FIELD_NAME) or index)
        return super().login(request, extra_context)

"""The Django admin, open to superusers only.

The admin shows and changes rows of every partnership, and the users, groups, sign-in
lockouts and task queue that all partnerships share; it saves without the services' checks
(versions, conflicts). It is the service operators' tool, not a partnership's: a partnership's
administrators do their work in the service's own pages, which keep them to their partnership.
So being staff (``is_staff``) is not enough to use it; a superuser must sign in.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest


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


class SuperuserAdminSite(admin.AdminSite):
    """The admin site, for active superusers alone."""

    site_header = "Partnership programme manager: administration"
    site_title = "Partnership programme manager administration"
    login_form = SuperuserAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

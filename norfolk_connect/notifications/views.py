"""The person's own email preferences, and unsubscribing from a link in an email."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from . import mail, rules, services
from .forms import PreferencesForm


def _kinds_of(user: Any) -> list[str]:
    """The kinds of email that concern the person, from their roles in their partnerships."""
    roles = user.memberships.values_list("role", flat=True)
    return rules.kinds_for_roles(roles)


class PreferencesView(View):
    """How the signed-in person gets each kind of email that concerns them."""

    template_name = "notifications/preferences.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        kinds = _kinds_of(request.user)
        form = PreferencesForm(kinds=kinds, current=services.preferences_of(request.user, kinds))
        return self._page(request, form, kinds)

    def post(self, request: HttpRequest) -> HttpResponse:
        kinds = _kinds_of(request.user)
        form = PreferencesForm(request.POST, kinds=kinds)
        if not form.is_valid():
            return self._page(request, form, kinds, status=400)
        services.preferences_save(user=request.user, choices=form.cleaned_data)
        messages.success(request, "Your email preferences have been saved")
        return redirect("account_notifications")

    def _page(
        self, request: HttpRequest, form: PreferencesForm, kinds: list[str], status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            self.template_name,
            {"form": form, "kinds": kinds, "email": getattr(request.user, "email", "")},
            status=status,
        )


# The link in an email works without signing in: the signed token is the permission, naming
# one address and one kind of email. A GET only asks (mail clients and scanners fetch links);
# a POST unsubscribes, from the page's button or a mail client's one-click unsubscribe
# (RFC 8058), which has no CSRF token to send: the token in the address stands in for it.
@method_decorator([login_not_required, never_cache, csrf_exempt], name="dispatch")
class UnsubscribeView(View):
    template_name = "notifications/unsubscribe.html"

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        found = mail.read_unsubscribe_token(token)
        if found is None:
            return render(request, "notifications/unsubscribe_invalid.html", status=404)
        email, kind = found
        return render(request, self.template_name, self._context(email, kind))

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        found = mail.read_unsubscribe_token(token)
        if found is None:
            return render(request, "notifications/unsubscribe_invalid.html", status=404)
        email, kind = found
        services.unsubscribe(email=email, kind=kind)
        return render(
            request, self.template_name, {**self._context(email, kind), "unsubscribed": True}
        )

    def _context(self, email: str, kind: str) -> dict:
        label = rules.KIND_LABELS[kind]
        return {"email": email, "kind": kind, "what": f"{label[0].lower()}{label[1:]}"}

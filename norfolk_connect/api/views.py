"""The person's own personal access tokens: list, make (shown once) and revoke."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from . import services
from .forms import TokenForm
from .models import AccessToken


def tokens(request: HttpRequest) -> HttpResponse:
    """The signed-in person's tokens, newest first, with whether each still works."""
    own = AccessToken.objects.filter(user=request.user).select_related("partnership")
    return render(request, "api/tokens.html", {"tokens": own})


@never_cache
def token_create(request: HttpRequest) -> HttpResponse:
    """Make a token; the answer to the form shows it once and never again."""
    form = TokenForm(request.POST or None, user=request.user)
    if request.method != "POST" or not form.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(request, "api/token_create.html", {"form": form}, status=status)
    token, whole = services.token_create(
        user=request.user,
        partnership=form.cleaned_data["partnership"],
        name=form.cleaned_data["name"],
        scope=form.cleaned_data["scope"],
        days=form.cleaned_data["days"],
    )
    # Not a redirect: the token is in this answer only, never in a session or a later page.
    # never_cache: "no-store", so that no cache or back button keeps it either.
    return render(request, "api/token_created.html", {"token": token, "whole": whole})


def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask, then revoke one of the person's own tokens; another person's answers 404."""
    token = (
        AccessToken.objects.filter(user=request.user, pk=pk).select_related("partnership").first()
    )
    if token is None:
        raise Http404("No such token")
    if request.method == "POST":
        services.token_revoke(token=token)
        messages.success(request, f"The token “{token.name}” has been revoked")
        return redirect("account_tokens")
    return render(request, "api/token_revoke.html", {"token": token})

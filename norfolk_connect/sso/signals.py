"""Keep the single sign-on mark to the sign-in that made it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from .services import SIGNED_IN_BY_SSO


@receiver(user_logged_in)
def forget_single_sign_on(
    sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any
) -> None:
    """Clear the mark at every sign-in; a single sign-on sets it again just after."""
    if request is not None and hasattr(request, "session"):
        request.session.pop(SIGNED_IN_BY_SSO, None)

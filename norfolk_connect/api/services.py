"""Writes of the tokens' pages: make a token, revoke one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from projects.access import can_change_anything
from projects.models import Membership, Partnership

from .models import AccessToken, Scope
from .tokens import new_token

EXPIRY_DAYS = (30, 90, 365)


@transaction.atomic
def token_create(
    *, user: Any, partnership: Partnership, name: str, scope: str, days: int
) -> tuple[AccessToken, str]:
    """Make a token for the user in the partnership; return it and the whole token, shown once.

    The user must be a member of the partnership, and only one whose role may change some of
    its data may make a read-and-write token (an editor; a partner officer, whose token records
    their own council's payments only).
    """
    membership = Membership.objects.filter(user=user, partnership=partnership).first()
    if membership is None:
        raise PermissionDenied("You are not a member of that partnership.")
    if scope == Scope.READ_WRITE and not can_change_anything(membership):
        raise PermissionDenied("Your role in that partnership can only read its data.")
    if days not in EXPIRY_DAYS:
        raise ValueError(f"A token lasts one of {EXPIRY_DAYS} days, not {days}")
    made = new_token()
    now = timezone.now()
    token = AccessToken.objects.create(
        user=user,
        partnership=partnership,
        name=name,
        scope=scope,
        prefix=made.prefix,
        secret_hash=made.secret_hash,
        created=now,
        expires_at=now + timedelta(days=days),
    )
    return token, made.token


def token_revoke(*, token: AccessToken) -> None:
    """Revoke the token from now on; revoking one already revoked changes nothing."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])

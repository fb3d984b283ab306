"""Making, reading and checking personal access tokens.

A token reads ``ncp_<prefix>_<secret>``: the prefix (8 hex characters) finds the row, and the
secret (``secrets.token_urlsafe(32)``) is compared by its SHA-256 in constant time. The secret
itself is never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone

from projects.models import Membership

from .models import AccessToken

TOKEN_START = "ncp"
PREFIX_LENGTH = 8
# The token's last use is written at most this often: a busy client does not write on every call.
LAST_USED_EVERY = timedelta(minutes=1)
# Compared against when no token has the prefix, so that an unknown prefix takes as long.
_NO_HASH = hashlib.sha256(b"no such token").hexdigest()


@dataclass(frozen=True)
class NewToken:
    """A token's parts as it is made: the whole token is shown once, then only its hash kept."""

    prefix: str
    secret: str

    @property
    def token(self) -> str:
        return f"{TOKEN_START}_{self.prefix}_{self.secret}"

    @property
    def secret_hash(self) -> str:
        return secret_hash(self.secret)


def secret_hash(secret: str) -> str:
    """Return the SHA-256 of a token's secret, in hex: what the database keeps."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token() -> NewToken:
    """Return a new random token."""
    return NewToken(prefix=secrets.token_hex(PREFIX_LENGTH // 2), secret=secrets.token_urlsafe(32))


def split_token(token: str) -> tuple[str, str] | None:
    """Return a token's prefix and secret, or None when it is not shaped like one of ours."""
    start, _, rest = token.partition("_")
    prefix, _, secret = rest.partition("_")
    if start != TOKEN_START or len(prefix) != PREFIX_LENGTH or not secret or len(token) > 200:
        return None
    return prefix, secret


def bearer_token(request: HttpRequest) -> str | None:
    """Return the token of an ``Authorization: Bearer <token>`` header, or None."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def token_user(request: HttpRequest) -> tuple[AccessToken, object, Membership] | None:
    """Return the request's token, its owner and the owner's membership now, or None.

    None for no token, an unknown or wrong one, a revoked or expired one, an owner who is no
    longer active or no longer a member of the token's partnership. The membership is read
    afresh: the owner's role today decides what the token may do, never the role they had when
    they made it. A session cookie plays no part.
    """
    token = bearer_token(request)
    parts = split_token(token) if token else None
    if parts is None:
        return None
    prefix, secret = parts
    found = AccessToken.objects.select_related("user").filter(prefix=prefix).first()
    stored = found.secret_hash if found is not None else _NO_HASH
    if not hmac.compare_digest(stored, secret_hash(secret)) or found is None:
        return None
    now = timezone.now()
    if found.revoked_at is not None or found.expires_at <= now or not found.user.is_active:
        return None
    membership = (
        Membership.objects.select_related("partnership", "partner")
        .filter(user_id=found.user_id, partnership_id=found.partnership_id)
        .first()
    )
    if membership is None:
        return None
    if found.last_used_at is None or now - found.last_used_at >= LAST_USED_EVERY:
        AccessToken.objects.filter(pk=found.pk).update(last_used_at=now)
        found.last_used_at = now
    return found, found.user, membership

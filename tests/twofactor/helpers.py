"""Signing in as a person would, with real codes computed from the secret as an app does."""

from __future__ import annotations

import time

import pyotp
from django.urls import reverse
from django.utils import timezone

from norfolk_connect.twofactor.models import Authenticator
from norfolk_connect.twofactor.services import replace_recovery_codes

PASSWORD = "correct horse battery"


def code_now(secret: str, *, steps: int = 0) -> str:
    """The code an authenticator app shows now (or ``steps`` time steps later)."""
    return pyotp.TOTP(secret).at(time.time(), counter_offset=steps)


def with_app(user) -> tuple[str, list[str]]:
    """Give the user a confirmed authenticator app; return its secret and recovery codes."""
    secret = pyotp.random_base32(length=32)
    Authenticator.objects.create(user=user, secret=secret, confirmed_at=timezone.now())
    return secret, replace_recovery_codes(user)


def password(client, user, *, next_url: str | None = None, ip: str = "10.0.0.1"):
    url = reverse("login") + (f"?next={next_url}" if next_url is not None else "")
    data = {"username": user.username, "password": PASSWORD}
    if next_url is not None:
        data["next"] = next_url
    return client.post(url, data, REMOTE_ADDR=ip)


def enter_code(client, code: str, *, ip: str = "10.0.0.1"):
    return client.post(reverse("twofactor:verify"), {"code": code}, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session

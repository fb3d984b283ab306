"""Two-factor sign-in's rules and writes: who needs it, checking codes, setting up, turning off.

Codes are TOTP (RFC 6238: six digits, a new one every 30 seconds), as every authenticator app
makes them. A code of the time step before or after the server's is accepted too, for clocks a
little apart, and no code is accepted twice: each person's last accepted time step is kept.
Recovery codes are 12 random letters and digits (about 59 bits), kept as salted SHA-256
digests, so that the table alone gives none of them away; each works once.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

import pyotp
import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from .models import Authenticator, RecoveryCode

# The roles (projects.models.Role's values) whose members must use two-factor sign-in where it
# is required: they change a programme's data. tests/twofactor keep these in step with Role.
REQUIRED_ROLES = ("facilitator", "admin")
RECOVERY_CODE_COUNT = 10
# Lower-case letters and digits but those easily mistaken for one another (i, l, o, 0, 1).
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 12
STEP_SECONDS = 30
DRIFT_STEPS = 1  # a code of the step before or after the server's is accepted too


def two_factor_required(user: Any) -> bool:
    """Say whether this local account must sign in with a code as well as its password.

    Where ``settings.TWO_FACTOR_REQUIRED`` is on: superusers, and facilitators and
    administrators of any partnership. Single sign-on accounts are not asked (their own
    sign-in does it), so whoever handles them does not call this.
    """
    if not settings.TWO_FACTOR_REQUIRED or not getattr(user, "pk", None):
        return False
    if user.is_superuser:
        return True
    return bool(user.memberships.filter(role__in=REQUIRED_ROLES).exists())


def has_authenticator(user: Any) -> bool:
    return bool(user.pk) and Authenticator.objects.filter(user=user).exists()


# --- Codes (pure) ----------------------------------------------------------------------------


def new_secret() -> str:
    """Return a new TOTP secret: 32 base32 characters, 160 random bits."""
    return pyotp.random_base32(length=32)


def grouped(secret: str) -> str:
    """Return a secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalised(code: str) -> str:
    """Return a code as typed without its spaces and hyphens, in lower case."""
    return "".join(code.split()).replace("-", "").replace("\u2013", "").lower()


def is_totp_code(code: str) -> bool:
    return len(code) == 6 and code.isascii() and code.isdigit()


def is_recovery_code(code: str) -> bool:
    return len(code) == RECOVERY_LENGTH and all(c in RECOVERY_ALPHABET for c in code)


def matching_step(
    secret: str, code: str, *, at: float | None = None, after: int | None = None
) -> int | None:
    """Return the time step whose code this is, within the drift allowed, or None.

    A step not later than ``after`` (the last accepted) does not count: no code is used twice.
    """
    if not is_totp_code(code):
        return None
    totp = pyotp.TOTP(secret)
    now = int((time.time() if at is None else at) // STEP_SECONDS)
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if after is not None and step <= after:
            continue
        if constant_time_compare(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def provisioning_uri(user: Any, secret: str) -> str:
    """Return the otpauth:// address an app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(
        name=user.get_username(), issuer_name=settings.TWO_FACTOR_ISSUER
    )


QR_BORDER = 4  # modules of light margin all round, as the standard asks
QR_MAX_WIDTH = 260  # pixels: the code fits a phone 320 pixels wide, beside the page's margins


def qr_code(uri: str) -> tuple[str, int]:
    """Return the QR code of an address as an SVG data: URI (the CSP allows images so), and its
    width (and height) in pixels: as many whole pixels a module as fit ``QR_MAX_WIDTH``."""
    symbol = segno.make(uri, error="m")
    modules, _ = symbol.symbol_size(scale=1, border=QR_BORDER)
    scale = max(2, min(5, QR_MAX_WIDTH // int(modules)))
    return str(symbol.svg_data_uri(scale=scale, border=QR_BORDER)), int(modules) * scale


def digest(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def new_recovery_codes() -> list[str]:
    return [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]


def shown(code: str) -> str:
    """Return a recovery code as shown: in three groups of four, ``abcd-efgh-jkmn``."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


# --- Reads -----------------------------------------------------------------------------------


def recovery_codes_left(user: Any) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def authenticator_of(user: Any) -> Authenticator | None:
    return Authenticator.objects.filter(user=user).first()


# --- Writes ----------------------------------------------------------------------------------


def replace_recovery_codes(user: Any) -> list[str]:
    """Make ten new recovery codes in place of any the person had; return them, to show once."""
    codes = new_recovery_codes()
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        rows = []
        for code in codes:
            salt = secrets.token_hex(16)
            rows.append(RecoveryCode(user=user, salt=salt, digest=digest(salt, code)))
        RecoveryCode.objects.bulk_create(rows)
    return [shown(code) for code in codes]


def set_up(user: Any, secret: str, code: str) -> list[str] | None:
    """Confirm an authenticator app by one of its codes; return the new recovery codes.

    Return None, changing nothing, when the code is not the app's (or the person already has
    one: set-up does not replace an app silently).
    """
    step = matching_step(secret, normalised(code))
    if step is None:
        return None
    with transaction.atomic():
        if Authenticator.objects.select_for_update().filter(user=user).exists():
            return None
        Authenticator.objects.create(
            user=user, secret=secret, confirmed_at=timezone.now(), last_step=step
        )
        return replace_recovery_codes(user)


def check_code(user: Any, code: str) -> bool:
    """Accept a code of the person's app, or one of their unused recovery codes (using it up)."""
    code = normalised(code)
    with transaction.atomic():
        if is_totp_code(code):
            authenticator = Authenticator.objects.select_for_update().filter(user=user).first()
            if authenticator is None:
                return False
            step = matching_step(authenticator.secret, code, after=authenticator.last_step)
            if step is None:
                return False
            authenticator.last_step = step
            authenticator.save(update_fields=["last_step"])
            return True
        if is_recovery_code(code) and Authenticator.objects.filter(user=user).exists():
            unused = RecoveryCode.objects.select_for_update().filter(
                user=user, used_at__isnull=True
            )
            for row in unused:
                if constant_time_compare(row.digest, digest(row.salt, code)):
                    row.used_at = timezone.now()
                    row.save(update_fields=["used_at"])
                    return True
    return False


def turn_off(user: Any) -> None:
    """Remove the person's authenticator app and recovery codes."""
    with transaction.atomic():
        Authenticator.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()

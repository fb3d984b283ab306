"""A person's authenticator app (its TOTP secret) and their recovery codes, hashed."""

from django.conf import settings
from django.db import models


class Authenticator(models.Model):
    """The authenticator app a person confirmed by entering one of its codes.

    ``last_step`` is the 30-second time step of the last code accepted, so that a code seen over
    someone's shoulder cannot be used again, nor any code older than it.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="authenticator"
    )
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField()
    last_step = models.BigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Authenticator app of {self.user}"


class RecoveryCode(models.Model):
    """One single-use recovery code: only its salted SHA-256 digest is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    salt = models.CharField(max_length=32)
    digest = models.CharField(max_length=64)
    created = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Recovery code of {self.user}{' (used)' if self.used_at else ''}"

"""A personal access token: one person's key to the API, for one partnership."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Scope(models.TextChoices):
    READ = "read", "Read"
    READ_WRITE = "read_write", "Read and write"


class AccessToken(models.Model):
    """A token its owner made to let a system of their council use the API in their name.

    Only the SHA-256 of its secret is kept: the whole token is shown once, when it is made, and
    cannot be shown again. The prefix (its first characters, not secret) names it in lists and
    finds it when it is used. A token does what its scope allows and never more than its
    owner's role in the partnership allows at the time it is used.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens"
    )
    partnership = models.ForeignKey(
        "projects.Partnership", on_delete=models.CASCADE, related_name="access_tokens"
    )
    name = models.CharField(
        max_length=100, help_text="What the token is for, in its owner's words."
    )
    scope = models.CharField(max_length=20, choices=Scope.choices, default=Scope.READ)
    prefix = models.CharField(max_length=8, unique=True)
    secret_hash = models.CharField(max_length=64, help_text="SHA-256 of the secret, in hex.")
    created = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def status(self, now=None) -> str:
        """Say whether the token works: "Active", "Revoked" or "Expired"."""
        now = now or timezone.now()
        if self.revoked_at is not None:
            return "Revoked"
        if self.expires_at <= now:
            return "Expired"
        return "Active"

    @property
    def is_active(self) -> bool:
        return self.status() == "Active"

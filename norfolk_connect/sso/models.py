"""A partnership's OpenID Connect provider (its council's identity service)."""

from __future__ import annotations

import os
import re

from django.db import models

SECRET_ENVIRONMENT_PREFIX = "DJANGO_SSO_SECRET_"


def secret_environment_name(slug: str) -> str:
    """Return the environment variable that holds a partnership's client secret.

    ``norfolk-councils`` reads ``DJANGO_SSO_SECRET_NORFOLK_COUNCILS``.
    """
    return SECRET_ENVIRONMENT_PREFIX + re.sub(r"[^A-Z0-9]", "_", slug.upper())


class IdentityProvider(models.Model):
    """The OpenID Connect provider through which a partnership's people may sign in."""

    partnership = models.OneToOneField(
        "projects.Partnership", on_delete=models.CASCADE, related_name="identity_provider"
    )
    name = models.CharField(
        max_length=100,
        help_text='The name shown on the sign-in button, such as "Norfolk County Council account".',
    )
    issuer = models.URLField(
        "issuer URL",
        help_text=(
            "The provider's issuer, exactly as its discovery document gives it, such as "
            "https://login.microsoftonline.com/<tenant id>/v2.0"
        ),
    )
    client_id = models.CharField("client ID", max_length=255)
    client_secret = models.CharField(
        max_length=512,
        blank=True,
        help_text=(
            "Leave empty to read the secret from the environment variable "
            "DJANGO_SSO_SECRET_<PARTNERSHIP SLUG> (upper case, hyphens as underscores), which "
            "is read first whenever it is set."
        ),
    )
    enabled = models.BooleanField(
        default=True, help_text="Only enabled providers are offered on the sign-in page."
    )

    class Meta:
        verbose_name = "identity provider"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def secret_environment_name(self) -> str:
        return secret_environment_name(self.partnership.slug)

    def secret(self) -> str:
        """Return the client secret: the environment's, or else the one stored."""
        return os.environ.get(self.secret_environment_name) or self.client_secret

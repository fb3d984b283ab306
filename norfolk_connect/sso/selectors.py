"""Reading the identity providers."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import IdentityProvider


def enabled_providers() -> QuerySet[IdentityProvider]:
    """The providers offered on the sign-in page, by name."""
    return (
        IdentityProvider.objects.filter(enabled=True)
        .select_related("partnership")
        .order_by("name", "pk")
    )


def enabled_provider(slug: str) -> IdentityProvider | None:
    """The enabled provider of the partnership with that slug, or None."""
    return enabled_providers().filter(partnership__slug=slug).first()

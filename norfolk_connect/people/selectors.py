"""What the People page reads: the members, the invitations not yet used, the history."""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.functions import Lower

from projects.models import Membership, Partnership

from .models import AccessChange, Invitation

HISTORY_ROWS = 100  # the People page shows the latest changes; older ones stay in the database


def members(partnership: Partnership) -> QuerySet[Membership]:
    """The partnership's members with their accounts and councils, by name."""
    return (
        Membership.objects.filter(partnership=partnership)
        .select_related("user", "partner")
        .order_by(Lower("user__first_name"), Lower("user__username"), "pk")
    )


def open_invitations(partnership: Partnership) -> QuerySet[Invitation]:
    """Invitations neither accepted nor revoked: those still working and those expired."""
    return (
        Invitation.objects.filter(
            partnership=partnership, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("partner", "invited_by")
        .order_by("expires_at", "pk")
    )


def access_history(partnership: Partnership, limit: int = HISTORY_ROWS) -> list[AccessChange]:
    """The latest grants and removals of access, latest first."""
    return list(
        AccessChange.objects.filter(partnership=partnership)
        .select_related("partner")
        .order_by("-when", "-pk")[:limit]
    )


def member_of(partnership: Partnership, pk: int) -> Membership | None:
    return (
        Membership.objects.filter(partnership=partnership, pk=pk)
        .select_related("user", "partner", "partnership")
        .first()
    )


def invitation_of(partnership: Partnership, pk: int) -> Invitation | None:
    return (
        Invitation.objects.filter(partnership=partnership, pk=pk)
        .select_related("partner", "partnership")
        .first()
    )

"""Invitations to join a partnership, and the history of who was given and lost access.

An invitation's token is never stored: only its SHA-256, so that a copy of the database (a
backup, say) holds no link that lets anyone in. Every grant and removal of access writes one
``AccessChange`` in the same transaction as the change itself.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from projects.models import Partnership, Role
from projects.validators import validate_no_nul, validate_not_blank, validate_single_line

# Django's user model keeps a first name of 150 characters: the invited name goes there.
NAME_MAX_LENGTH = 150
EMAIL_MAX_LENGTH = 254


class Invitation(models.Model):
    """A facilitator's invitation to a person, by email, to join the partnership in a role."""

    # Not stored: whether the mail server refused the email just sent (services.email_invitation),
    # so that the page can say so.
    email_failed: bool = False

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField("email address", max_length=EMAIL_MAX_LENGTH)
    name = models.CharField(
        "name",
        max_length=NAME_MAX_LENGTH,
        validators=[validate_not_blank, validate_no_nul, validate_single_line],
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    partner = models.ForeignKey(
        "contributions.Partner",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        help_text="The council a partner officer works for.",
    )
    # The SHA-256 of the link's token, in hex: the token itself is only ever in the email.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [models.Index(Lower("email"), "partnership", name="invitation_email")]
        constraints = [
            models.CheckConstraint(
                condition=Q(role=Role.PARTNER_OFFICER, partner__isnull=False)
                | ~Q(role=Role.PARTNER_OFFICER),
                name="invitation_partner_officer_has_partner",
                violation_error_message="Select the partner officer's council",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>: {self.get_role_display()} of {self.partnership}"

    def is_pending(self, now: datetime | None = None) -> bool:
        """Whether the link still works: not accepted, not revoked and not yet expired."""
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at <= (now or timezone.now())


class Change(models.TextChoices):
    INVITED = "invited", "Invited"
    INVITATION_REVOKED = "invitation_revoked", "Invitation revoked"
    JOINED = "joined", "Joined"
    ROLE_CHANGED = "role_changed", "Role changed"
    REMOVED = "removed", "Removed"


class AccessChange(models.Model):
    """One grant or removal of access to a partnership, and who made it.

    The person's email and name are copied, so that the history still says who it was after
    their account is gone; the actor is empty for a change the system made itself.
    """

    when = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150, blank=True)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="access_changes"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    email = models.CharField(max_length=EMAIL_MAX_LENGTH, blank=True)
    name = models.CharField(max_length=NAME_MAX_LENGTH, blank=True)
    what = models.CharField(max_length=20, choices=Change.choices)
    role_before = models.CharField(max_length=20, choices=Role.choices, blank=True)
    role_after = models.CharField(max_length=20, choices=Role.choices, blank=True)
    partner = models.ForeignKey(
        "contributions.Partner",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    invitation = models.ForeignKey(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-when", "-pk"]
        indexes = [models.Index(fields=["partnership", "-when"], name="access_change_latest")]

    def __str__(self) -> str:
        return f"{self.when:%Y-%m-%d %H:%M} {self.get_what_display()}: {self.email}"

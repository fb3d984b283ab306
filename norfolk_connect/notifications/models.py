"""A record of every email, each person's choices, and the addresses that unsubscribed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from . import rules

KIND_CHOICES = list(rules.KIND_LABELS.items())
DELIVERY_CHOICES = list(rules.DELIVERY_LABELS.items())


class SendingState(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    HELD = "held", "Kept for the weekly digest"
    DIGESTED = "digested", "Sent in a weekly digest"
    SKIPPED = "skipped", "Not sent"


class Sending(models.Model):
    """One email of an event to one recipient: what it said, and whether it went.

    ``key`` names the event (``invoice-overdue:12``); with the recipient's address it is
    unique, so that an event found again (a second run of ``send_reminders``) sends nothing.
    """

    kind = models.CharField(max_length=30, choices=KIND_CHOICES)
    key = models.CharField(max_length=200)
    recipient_email = models.EmailField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sendings",
    )
    subject = models.CharField(max_length=300)
    # One line for the weekly digest, and the page it links to (absolute), if any.
    summary = models.CharField(max_length=500, blank=True)
    link = models.URLField(max_length=500, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    state = models.CharField(
        max_length=10, choices=SendingState.choices, default=SendingState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Why it was not sent, in words: "Unsubscribed", "No finance contact's email for ...".
    note = models.CharField(max_length=300, blank=True)
    digest = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )
    created = models.DateTimeField(auto_now_add=True)
    # When the next attempt is due after a failure; empty before the first.
    retry_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "recipient_email"], name="sending_once_per_event_and_recipient"
            ),
        ]
        indexes = [models.Index(fields=["state", "created"], name="sending_state_created")]

    def __str__(self) -> str:
        return f"{self.subject} to {self.recipient_email or 'nobody'} ({self.state})"


class Preference(models.Model):
    """How a person gets one kind of email: as it happens, in a weekly digest, or not at all."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences"
    )
    kind = models.CharField(max_length=30, choices=KIND_CHOICES)
    delivery = models.CharField(max_length=10, choices=DELIVERY_CHOICES, default=rules.IMMEDIATE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="preference_one_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {self.delivery}"


class OptOut(models.Model):
    """An address that unsubscribed from a kind of email, by the link in one: no sign-in."""

    email = models.EmailField()
    kind = models.CharField(max_length=30, choices=KIND_CHOICES)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), "kind", name="opt_out_once_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.email} unsubscribed from {self.kind}"

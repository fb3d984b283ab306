"""Every email sent, or not, with why: to be looked at, never changed."""

from django.contrib import admin
from django.http import HttpRequest

from .models import Sending


@admin.register(Sending)
class SendingAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient_email", "kind", "state", "attempts", "created", "sent_at"]
    list_filter = ["kind", "state"]
    search_fields = ["recipient_email", "subject", "key"]
    fields = (
        "kind",
        "key",
        "recipient_email",
        "user",
        "subject",
        "state",
        "note",
        "attempts",
        "last_error",
        "created",
        "retry_at",
        "sent_at",
        "body_text",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Sending | None = None) -> bool:
        return False

"""Emails about a programme's events, sent by the background worker (docs/design.md)."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "norfolk_connect.notifications"
    label = "notifications"
    verbose_name = "Notifications by email"
    default_auto_field = "django.db.models.BigAutoField"

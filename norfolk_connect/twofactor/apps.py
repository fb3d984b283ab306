"""Two-factor sign-in as an app of its own, for its tables (label ``twofactor``)."""

from django.apps import AppConfig


class TwoFactorConfig(AppConfig):
    name = "norfolk_connect.twofactor"
    label = "twofactor"
    verbose_name = "Two-factor sign-in"
    default_auto_field = "django.db.models.BigAutoField"

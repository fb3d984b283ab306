"""Single sign-on as an app of its own, with its model and migrations."""

from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "norfolk_connect.sso"
    label = "sso"
    verbose_name = "Single sign-on"

    def ready(self) -> None:
        """Connect the receiver that clears the single sign-on mark at a password sign-in."""
        from . import signals  # noqa: F401

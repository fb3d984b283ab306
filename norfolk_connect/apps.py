"""The site itself as an app, so that its signal receivers are connected at start-up."""

from django.apps import AppConfig


class NorfolkConnectConfig(AppConfig):
    name = "norfolk_connect"
    verbose_name = "Partnership programme manager"

    def ready(self) -> None:
        """Connect the receivers that keep sessions in step with sign-in and deactivation."""
        from . import sessions  # noqa: F401

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        """Register the app's system checks."""
        from . import checks  # noqa: F401

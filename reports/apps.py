from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        """Register the app's system checks."""
        # In ready(), as Django asks: the checks are registered once every app is loaded.
        from . import checks  # noqa: F401

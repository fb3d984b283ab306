"""The site itself as an app, so that its signal receivers are connected at start-up."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class NorfolkConnectConfig(AppConfig):
    name = "norfolk_connect"
    verbose_name = "Partnership programme manager"

    def ready(self) -> None:
        """Connect the receivers that keep sessions in step with sign-in and deactivation."""
        # In ready(), not at the top: the receivers import models, not yet loaded up there.
        from . import sessions  # noqa: F401


class SuperuserAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the site that only superusers may use (norfolk_connect.admin)."""

    default = False  # norfolk_connect's own configuration stays NorfolkConnectConfig
    default_site = "norfolk_connect.admin.SuperuserAdminSite"

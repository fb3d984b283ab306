"""The API app: personal access tokens and the endpoints under /api/v1/."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "norfolk_connect.api"
    label = "api"
    verbose_name = "API for councils' own systems"
    default_auto_field = "django.db.models.BigAutoField"

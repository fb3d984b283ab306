"""Checks run at start-up (and by ``manage.py check``) on the reports app's settings."""

from __future__ import annotations

from django.core.checks import Error, register

from .workbook.pending import configured_directory, directory_problem


@register()
def check_pending_directory(app_configs, **kwargs) -> list[Error]:
    """Refuse a folder for imports awaiting confirmation that other users can reach."""
    problem = directory_problem(configured_directory())
    if problem is None:
        return []
    return [
        Error(
            problem,
            hint="Set DJANGO_IMPORT_PENDING_DIR to a folder only the application's user can "
            "open, or leave it unset to use var/imports in the application's folder.",
            id="reports.E001",
        )
    ]

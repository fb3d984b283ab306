"""Reads: what a user may see, a whole programme as plain data, and the projects' pages."""

from .programmes import programme_document, programme_figures, programmes_for_user
from .projects import (
    DeletionImpact,
    TableTotals,
    deletion_impact,
    project_for_page,
    project_page,
    projects_for_table,
    table_totals,
)

__all__ = [
    "DeletionImpact",
    "TableTotals",
    "deletion_impact",
    "programme_document",
    "programme_figures",
    "programmes_for_user",
    "project_for_page",
    "project_page",
    "projects_for_table",
    "table_totals",
]

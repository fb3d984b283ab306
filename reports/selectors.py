"""Reads for reporting: a programme's figures from the database."""

from projects.models import Programme
from projects.selectors import programme_document

from .figures import ProgrammeFigures, compute_figures


def programme_figures(*, programme: Programme) -> ProgrammeFigures:
    """Return the programme's figures, in a fixed number of queries whatever its size."""
    return compute_figures(programme_document(programme=programme))

"""The autumn review's read: each council's agreed cap against the cap a phase's decision needs."""

from __future__ import annotations

from django.utils import timezone

from ..models import Agreement, Phase, Programme
from ..money.figures import figures_and_missing_basis
from ..money.review import CapReview, cap_review
from .programmes import programme_document


def phase_cap_review(*, programme: Programme, phase: Phase) -> CapReview | None:
    """Return each council's agreed cap against the cap it needs now and with the decision.

    None before the programme has an agreement, in one query; once it has, the whole programme
    is read, in a fixed number of queries whatever its size.
    """
    if not Agreement.objects.filter(meeting__programme=programme).exists():
        return None
    document = programme_document(programme=programme)
    # Partners that cannot share costs yet (no weight, no population) need no cap yet either.
    figures, _problem = figures_and_missing_basis(document, timezone.localdate())
    return cap_review(document, figures, project=phase.project.slug, phase=phase.number)

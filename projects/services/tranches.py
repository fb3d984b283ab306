"""A save that may move the partners' tranches: tried first, and kept only once confirmed."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from django.db import transaction

from ..models import Programme
from ..money.document import ProgrammeDocument
from ..money.figures import ProgrammeFigures, figures_and_missing_basis
from ..money.tranches import TrancheChange, tranche_changes
from ..selectors.programmes import programme_document

T = TypeVar("T")


@dataclass(frozen=True)
class TrancheCheck(Generic[T]):
    """What a save returned, how it moves the tranches, and whether it was kept."""

    saved: bool
    result: T | None
    change: TrancheChange
    before: ProgrammeFigures
    after: ProgrammeFigures
    names: Mapping[str, str] = field(default_factory=dict)  # the partners' names, by slug


def fingerprint(change: TrancheChange) -> str:
    """Return a short digest of a change's moves, for a form to carry back as confirmed."""
    return hashlib.sha256(change.key.encode()).hexdigest()[:16]


def _figures(programme: Programme) -> tuple[ProgrammeDocument, ProgrammeFigures]:
    # As stored: a form may already have set the settings it validated on the instance it has.
    stored = Programme.objects.select_related("partnership").get(pk=programme.pk)
    document = programme_document(programme=stored)
    # Partners that cannot share costs yet (no weight, no population) have no tranche to move.
    figures, _problem = figures_and_missing_basis(document)
    return document, figures


def save_checking_tranches(
    *, programme: Programme, save: Callable[[], T], confirmed: str
) -> TrancheCheck[T]:
    """Run the save; keep it only if it moves no tranche, or moves them as was confirmed.

    The save runs for real inside a savepoint, so the very service that would save decides the
    effect; when the effect is not the one confirmed (``confirmed`` is the fingerprint of the
    change the facilitator was shown), the savepoint is rolled back and nothing is kept. A
    refusal by the service (a ValidationError, a concurrent edit) goes through to the caller.
    The check reads the programme twice: a fixed number of queries whatever its size.
    """
    with transaction.atomic():
        before_document, before = _figures(programme)
        result = save()
        after_document, after = _figures(programme)
        names = {partner.slug: partner.name for partner in before_document.partners}
        names.update({partner.slug: partner.name for partner in after_document.partners})
        change = tranche_changes(before.per_partner, after.per_partner, names)
        saved = not change or confirmed == fingerprint(change)
        if not saved:
            transaction.set_rollback(True)
    return TrancheCheck(
        saved=saved,
        result=result if saved else None,
        change=change,
        before=before,
        after=after,
        names=names,
    )

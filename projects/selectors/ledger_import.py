"""Reads for importing a ledger: the programme's phases by project, its spend lines, its mapping.

Three queries whatever the size of the programme or of the file: the phases with their
projects, the spend lines recorded, and the remembered mapping.
"""

from __future__ import annotations

from decimal import Decimal

from ..models import LedgerMapping, Phase, Programme, Spend
from ..money.ledger_import import FIELDS, PhaseTarget, project_key, words


def ledger_phases(*, programme: Programme, lock: bool = False) -> dict[str, dict[int, PhaseTarget]]:
    """Return the programme's phases by ``project_key`` of each project's name and slug.

    With ``lock``, the phases' rows are locked until the transaction ends: their decisions
    cannot change while spend on them is written.
    """
    query = Phase.objects.filter(project__programme=programme).select_related("project")
    if lock:
        query = query.select_for_update(of=("self",))
    by_slug: dict[str, dict[int, PhaseTarget]] = {}
    by_name: dict[str, dict[int, PhaseTarget]] = {}
    for phase in query.order_by("project__name", "number"):
        project = phase.project
        target = PhaseTarget(
            key=phase.pk,
            project=project.name,
            number=phase.number,
            gated=phase.gated,
            decision=phase.decision,
        )
        by_slug.setdefault(project_key(project.slug), {})[phase.number] = target
        by_name.setdefault(project_key(project.name), {})[phase.number] = target
    # A project is found by its name first: a slug never hides another project's name.
    return {**by_slug, **by_name}


def ledger_recorded(*, programme: Programme) -> dict[tuple[str, Decimal], str]:
    """Return the programme's spend lines by reference and amount, each described for a message."""
    recorded: dict[tuple[str, Decimal], str] = {}
    rows = (
        Spend.objects.filter(phase__project__programme=programme)
        .order_by("date", "pk")
        .values_list("reference", "amount", "date", "phase__number", "phase__project__name")
    )
    for reference, amount, day, number, project in rows:
        recorded.setdefault((reference, amount), f"phase {number} of {project}, dated {words(day)}")
    return recorded


def ledger_mapping(*, programme: Programme) -> dict[str, str]:
    """Return the programme's remembered mapping of fields to headings; empty before the first."""
    mapping = LedgerMapping.objects.filter(programme=programme).first()
    if mapping is None or not isinstance(mapping.columns, dict):
        return {}
    return {
        field: str(heading)
        for field, heading in mapping.columns.items()
        if field in FIELDS and isinstance(heading, str)
    }

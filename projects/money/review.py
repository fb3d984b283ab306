"""After an agreement: what a pending business case would ask of each council, and what is due.

Pure, as every money rule. ``cap_warnings`` says, per council, which pending business cases
would take the money it is needed for past its agreed cap if the case were approved: approving a
gated phase moves its cost into the committed minimum, and the council's exact share of that
minimum (not rounded) is what it would then be needed for. ``next_due`` is the earliest due date,
on or after the day, of the council's invoices with money still to pay on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .bounds import programme_extra_bounds
from .document import CallData, ProgrammeDocument
from .ledger import invoices_of, latest_agreement
from .shares import partner_positions
from .vocabulary import Borne, Decision

ZERO = Decimal("0.00")
# The pending business cases looked at, at most: a page lists them, and each costs a share-out.
CASES_LOOKED_AT = 200


@dataclass(frozen=True)
class CapWarning:
    """A pending business case that would need more from a council than it agreed to."""

    partner: str  # the council's slug
    project: str  # the project's name
    phase: int
    phase_name: str
    needed: Decimal  # the council's exact share of the committed minimum if approved
    cap: Decimal  # its agreed cap


def cap_warnings(document: ProgrammeDocument) -> list[CapWarning]:
    """Return, council by council, the pending cases that would take it past its agreed cap."""
    meetings = {meeting.slug: meeting.date for meeting in document.meetings}
    agreement = latest_agreement(document.agreements, meetings)
    if agreement is None:
        return []
    caps = {part.partner: part.cap for part in agreement.per_partner}
    bounds = programme_extra_bounds(document.projects)
    programme = document.programme
    pending = [
        (project, phase)
        for project in document.projects
        for phase in project.phases
        if phase.gated and phase.decision == Decision.PENDING and phase.extra_cost is not None
    ][:CASES_LOOKED_AT]
    warnings = []
    for project, phase in pending:
        cost = phase.extra_cost or ZERO
        individual = phase.borne == Borne.INDIVIDUAL
        positions = partner_positions(
            partners=document.partners,
            method=programme.apportionment,
            rounding_step=programme.rounding_step,
            shared_min=bounds.shared_min + (ZERO if individual else cost),
            individual_min=bounds.individual_min + (cost if individual else ZERO),
            shared_max=bounds.shared_max,
            individual_max=bounds.individual_max,
            contributions=(),
        )
        for position in positions:
            cap = caps.get(position.partner, ZERO)
            if position.share_min > cap:
                warnings.append(
                    CapWarning(
                        partner=position.partner,
                        project=project.name,
                        phase=phase.number,
                        phase_name=phase.name,
                        needed=position.share_min,
                        cap=cap,
                    )
                )
    return sorted(warnings, key=lambda warning: warning.partner)


def next_due(partner: str, calls: Sequence[CallData], as_of: date) -> date | None:
    """Return the earliest due date on or after the day of the partner's invoices still owed."""
    dates = [
        call.due
        for call, invoice in invoices_of(partner, calls)
        if call.due >= as_of and sum((p.amount for p in invoice.payments), ZERO) < invoice.amount
    ]
    return min(dates, default=None)

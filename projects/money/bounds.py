"""The money rules of projects: existing resource, and the extra cost's minimum and maximum.

Pure functions on the plain data of ``projects.money.document``; no ORM.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .document import FundingData, PhaseData, ProjectData
from .vocabulary import Borne, Decision, FundingStatus

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ExtraBounds:
    """The extra cost committed (minimum) and possible (maximum), split by who bears it."""

    shared_min: Decimal = ZERO
    individual_min: Decimal = ZERO
    shared_max: Decimal = ZERO
    individual_max: Decimal = ZERO
    tbc_phases: int = 0  # phases still in play whose cost is to be confirmed, left out of sums

    @property
    def minimum(self) -> Decimal:
        """Return the whole minimum, shared and individually borne."""
        return self.shared_min + self.individual_min

    @property
    def maximum(self) -> Decimal:
        """Return the whole maximum, shared and individually borne."""
        return self.shared_max + self.individual_max

    def __add__(self, other: ExtraBounds) -> ExtraBounds:
        """Return the bounds of both together."""
        return ExtraBounds(
            shared_min=self.shared_min + other.shared_min,
            individual_min=self.individual_min + other.individual_min,
            shared_max=self.shared_max + other.shared_max,
            individual_max=self.individual_max + other.individual_max,
            tbc_phases=self.tbc_phases + other.tbc_phases,
        )


def project_existing_resource(funding: Iterable[FundingData]) -> Decimal:
    """Return the sum of the secured funding; prospective money is not yet a resource."""
    return sum(
        (line.amount for line in funding if line.status == FundingStatus.SECURED),
        ZERO,
    )


def counts_in_minimum(phase: PhaseData) -> bool:
    """Return whether the phase's cost is committed: not gated, or its business case approved."""
    if phase.decision == Decision.NOT_PROCEEDING:
        return False
    return not phase.gated or phase.decision == Decision.APPROVED


def counts_in_maximum(phase: PhaseData) -> bool:
    """Return whether the phase's cost may be needed: committed, or gated and awaiting decision."""
    return counts_in_minimum(phase) or (phase.gated and phase.decision == Decision.PENDING)


def project_extra_bounds(phases: Iterable[PhaseData]) -> ExtraBounds:
    """Return the minimum and maximum extra cost of a project's phases, counting TBC ones."""
    shared_min = individual_min = shared_max = individual_max = ZERO
    tbc_phases = 0
    for phase in phases:
        if phase.extra_cost is None:
            # Unknown cost: flag it rather than treat it as zero; a stopped phase needs no flag.
            if phase.decision != Decision.NOT_PROCEEDING:
                tbc_phases += 1
            continue
        individual = phase.borne == Borne.INDIVIDUAL
        if counts_in_minimum(phase):
            if individual:
                individual_min += phase.extra_cost
            else:
                shared_min += phase.extra_cost
        if counts_in_maximum(phase):
            if individual:
                individual_max += phase.extra_cost
            else:
                shared_max += phase.extra_cost
    return ExtraBounds(
        shared_min=shared_min,
        individual_min=individual_min,
        shared_max=shared_max,
        individual_max=individual_max,
        tbc_phases=tbc_phases,
    )


def programme_extra_bounds(projects: Iterable[ProjectData]) -> ExtraBounds:
    """Return the minimum and maximum extra cost of all the projects together."""
    return sum((project_extra_bounds(project.phases) for project in projects), ExtraBounds())

"""The headline figures of a programme, computed from its plain data, and their JSON form.

``compute_figures`` is pure: the command, the dashboard and the board report all read the same
``ProgrammeFigures``, and ``figures_as_json`` gives the object that docs/design.md (section 6,
"The figures object") fixes for ``programme_figures SLUG --json``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from projects.calculations import programme_extra_bounds, project_existing_resource
from projects.choices import ContributionStatus, Grade
from projects.data import ProgrammeDocument

from .calculations import (
    PLEDGED_STATUSES,
    PartnerPosition,
    funding_gap,
    partner_positions,
)

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Mismatch:
    """A figure typed from paper that differs from the one computed from the lines."""

    field: str  # "existing_total" or "extra_total"
    stated: Decimal
    computed: Decimal

    @property
    def difference(self) -> Decimal:
        """Return how far the computed figure is above the stated one."""
        return self.computed - self.stated


@dataclass(frozen=True)
class OutcomeCounts:
    """The number of priority outcome claims of each grade."""

    required: int = 0
    good: int = 0
    excellent: int = 0


@dataclass(frozen=True)
class ProgrammeFigures:
    """Everything the programme's money adds up to, as docs/design.md's figures object."""

    programme: str  # the programme's slug
    projects: int
    partners: int  # contributing partners only
    existing_total: Decimal
    existing_stated: Decimal | None
    extra_min: Decimal
    extra_max: Decimal
    extra_stated: Decimal | None
    # The largest over the contributing partners; None when no partner contributes.
    share_min: Decimal | None
    share_max: Decimal | None
    immediate_per_partner: Decimal | None
    cap_per_partner: Decimal | None
    pledged: Decimal
    received: Decimal
    gap_min: Decimal
    gap_max: Decimal
    outcomes: OutcomeCounts
    projects_supporting_strategy: int
    tbc_phases: int
    mismatches: tuple[Mismatch, ...]
    per_partner: tuple[PartnerPosition, ...]


def _largest(amounts: list[Decimal]) -> Decimal | None:
    """Return the largest amount, or None when there is none."""
    return max(amounts) if amounts else None


def _mismatches(
    *,
    existing_stated: Decimal | None,
    existing_total: Decimal,
    extra_stated: Decimal | None,
    extra_max: Decimal,
) -> tuple[Mismatch, ...]:
    """Return the stated totals that differ from the computed ones."""
    # The paper's extra total is what the partners might be asked for: the maximum.
    pairs = (
        ("existing_total", existing_stated, existing_total),
        ("extra_total", extra_stated, extra_max),
    )
    return tuple(
        Mismatch(field=field, stated=stated, computed=computed)
        for field, stated, computed in pairs
        if stated is not None and stated != computed
    )


def compute_figures(document: ProgrammeDocument) -> ProgrammeFigures:
    """Return the figures of the programme the document describes."""
    programme = document.programme
    bounds = programme_extra_bounds(document.projects)
    existing_total = sum(
        (project_existing_resource(project.funding) for project in document.projects), ZERO
    )
    positions = tuple(
        partner_positions(
            partners=document.partners,
            method=programme.apportionment,
            rounding_step=programme.rounding_step,
            shared_min=bounds.shared_min,
            individual_min=bounds.individual_min,
            shared_max=bounds.shared_max,
            individual_max=bounds.individual_max,
            contributions=document.contributions,
        )
    )
    # All money pledged counts against the gap, whichever partner's ledger it sits in.
    pledged = sum((c.amount for c in document.contributions if c.status in PLEDGED_STATUSES), ZERO)
    received = sum(
        (c.amount for c in document.contributions if c.status == ContributionStatus.RECEIVED),
        ZERO,
    )
    grades = Counter(
        claim.grade for project in document.projects for claim in project.outcome_claims
    )
    return ProgrammeFigures(
        programme=programme.slug,
        projects=len(document.projects),
        partners=sum(1 for partner in document.partners if partner.contributes),
        existing_total=existing_total,
        existing_stated=programme.stated_existing_total,
        extra_min=bounds.minimum,
        extra_max=bounds.maximum,
        extra_stated=programme.stated_extra_total,
        share_min=_largest([p.share_min for p in positions]),
        share_max=_largest([p.share_max for p in positions]),
        immediate_per_partner=_largest([p.immediate for p in positions]),
        cap_per_partner=_largest([p.cap for p in positions]),
        pledged=pledged,
        received=received,
        gap_min=funding_gap(bounds.minimum, pledged),
        gap_max=funding_gap(bounds.maximum, pledged),
        outcomes=OutcomeCounts(
            required=grades[Grade.REQUIRED],
            good=grades[Grade.GOOD],
            excellent=grades[Grade.EXCELLENT],
        ),
        projects_supporting_strategy=sum(
            1 for project in document.projects if project.supports_strategy
        ),
        tbc_phases=bounds.tbc_phases,
        mismatches=_mismatches(
            existing_stated=programme.stated_existing_total,
            existing_total=existing_total,
            extra_stated=programme.stated_extra_total,
            extra_max=bounds.maximum,
        ),
        per_partner=positions,
    )


def _money(amount: Decimal | None) -> str | None:
    """Return an amount as a string with exactly two decimals, or None when absent."""
    if amount is None:
        return None
    amount = amount.quantize(PENNY)
    # A zero that picked up a minus sign along the way is still plain zero.
    return f"{abs(amount) if amount.is_zero() else amount:f}"


def figures_as_json(figures: ProgrammeFigures) -> dict[str, Any]:
    """Return the figures as the JSON object docs/design.md (section 6) specifies."""
    return {
        "programme": figures.programme,
        "projects": figures.projects,
        "partners": figures.partners,
        "existing_total": _money(figures.existing_total),
        "existing_stated": _money(figures.existing_stated),
        "extra_min": _money(figures.extra_min),
        "extra_max": _money(figures.extra_max),
        "extra_stated": _money(figures.extra_stated),
        "share_min": _money(figures.share_min),
        "share_max": _money(figures.share_max),
        "immediate_per_partner": _money(figures.immediate_per_partner),
        "cap_per_partner": _money(figures.cap_per_partner),
        "pledged": _money(figures.pledged),
        "received": _money(figures.received),
        "gap_min": _money(figures.gap_min),
        "gap_max": _money(figures.gap_max),
        "outcomes": {
            "required": figures.outcomes.required,
            "good": figures.outcomes.good,
            "excellent": figures.outcomes.excellent,
        },
        "projects_supporting_strategy": figures.projects_supporting_strategy,
        "tbc_phases": figures.tbc_phases,
        "mismatches": [
            {
                "field": mismatch.field,
                "stated": _money(mismatch.stated),
                "computed": _money(mismatch.computed),
            }
            for mismatch in figures.mismatches
        ],
        "per_partner": [
            {
                "partner": position.partner,
                "share_min": _money(position.share_min),
                "share_max": _money(position.share_max),
                "immediate": _money(position.immediate),
                "cap": _money(position.cap),
                "pledged": _money(position.pledged),
                "received": _money(position.received),
                "outstanding": _money(position.outstanding),
            }
            for position in figures.per_partner
        ],
    }

"""What needs doing in a programme: the facilitator's first screen, read from its plain data.

Three kinds of work, each item naming where to act: business cases awaiting a decision, money
the partners owe (the immediate tranche not yet pledged, pledges not yet received), and figures
to check (stated totals that differ from the lines, partners without the basis their costs are
shared by, phases whose cost is to be confirmed). Every amount comes from the figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..models import Programme
from ..money.document import ProgrammeDocument
from ..money.figures import STATED_TOTALS, ZERO, ProgrammeFigures, figures_and_missing_basis
from ..money.vocabulary import Decision
from .programmes import programme_document

# Past this many of one kind the first are listed, and the page that lists them all is a link away.
TO_DO_SHOWN = 20


@dataclass(frozen=True)
class AwaitingPhase:
    """A gated phase whose business case awaits a decision."""

    project_slug: str
    project_name: str
    number: int
    name: str
    extra_cost: Decimal | None  # None: to be confirmed


@dataclass(frozen=True)
class PartnerOwes:
    """A contributing partner with money still to pledge or to pay."""

    partner_slug: str
    partner_name: str
    to_pledge: Decimal  # its immediate tranche less what it has pledged, never negative
    outstanding: Decimal  # pledged less received


@dataclass(frozen=True)
class StatedMismatch:
    """A total typed from the paper that the programme's lines do not add up to."""

    label: str
    stated: Decimal
    computed: Decimal

    @property
    def size(self) -> Decimal:
        """Return how far apart the two totals are, whichever is higher."""
        return abs(self.computed - self.stated)


@dataclass(frozen=True)
class UnconfirmedPhase:
    """A phase in play whose extra cost is to be confirmed, so no total counts it."""

    project_slug: str
    project_name: str
    number: int
    name: str


@dataclass(frozen=True)
class ToDo:
    """Everything that needs doing in a programme; each tuple holds the first ``TO_DO_SHOWN``."""

    decisions: tuple[AwaitingPhase, ...]
    decision_count: int
    owing: tuple[PartnerOwes, ...]
    owing_count: int
    to_pledge: Decimal  # every contributing partner's immediate tranche not yet pledged
    outstanding: Decimal  # every pledge not yet received
    mismatches: tuple[StatedMismatch, ...]
    missing_basis: str  # which partners lack the basis their costs are shared by, or ""
    unconfirmed: tuple[UnconfirmedPhase, ...]
    unconfirmed_count: int

    @property
    def figures_to_check(self) -> int:
        return len(self.mismatches) + (1 if self.missing_basis else 0) + self.unconfirmed_count

    @property
    def total(self) -> int:
        """Return how many things need doing in all."""
        return self.decision_count + self.owing_count + self.figures_to_check


def awaiting_decision(document: ProgrammeDocument) -> list[AwaitingPhase]:
    """Return the gated phases whose business case is still pending, in board order."""
    return [
        AwaitingPhase(
            project_slug=project.slug,
            project_name=project.name,
            number=phase.number,
            name=phase.name,
            extra_cost=phase.extra_cost,
        )
        for project in document.projects
        for phase in project.phases
        if phase.gated and phase.decision == Decision.PENDING
    ]


def partners_owing(document: ProgrammeDocument, figures: ProgrammeFigures) -> list[PartnerOwes]:
    """Return the contributing partners that owe a pledge or a payment, in partnership order."""
    names = {partner.slug: partner.name for partner in document.partners}
    order = {partner.slug: index for index, partner in enumerate(document.partners)}
    owing = [
        PartnerOwes(
            partner_slug=position.partner,
            partner_name=names[position.partner],
            to_pledge=position.immediate_to_pledge,
            outstanding=position.outstanding,
        )
        for position in figures.per_partner
    ]
    return sorted(
        (row for row in owing if row.to_pledge > 0 or row.outstanding > 0),
        key=lambda row: order[row.partner_slug],
    )


def _stated_mismatches(figures: ProgrammeFigures) -> tuple[StatedMismatch, ...]:
    labels = {figure.key: figure.label for figure in STATED_TOTALS}
    return tuple(
        StatedMismatch(
            label=labels[mismatch.field], stated=mismatch.stated, computed=mismatch.computed
        )
        for mismatch in figures.mismatches
    )


def to_do_from_document(
    document: ProgrammeDocument, figures: ProgrammeFigures, *, missing_basis: str = ""
) -> ToDo:
    """Return what needs doing in the programme the document describes; pure, no ORM.

    ``figures`` and ``missing_basis`` are ``figures_and_missing_basis`` of the document.
    """
    decisions = awaiting_decision(document)
    owing = partners_owing(document, figures)
    unconfirmed = [
        UnconfirmedPhase(
            project_slug=project.slug,
            project_name=project.name,
            number=phase.number,
            name=phase.name,
        )
        for project in document.projects
        for phase in project.phases
        if phase.extra_cost is None and phase.decision != Decision.NOT_PROCEEDING
    ]
    return ToDo(
        decisions=tuple(decisions[:TO_DO_SHOWN]),
        decision_count=len(decisions),
        owing=tuple(owing[:TO_DO_SHOWN]),
        owing_count=len(owing),
        to_pledge=sum((row.to_pledge for row in owing), ZERO),
        outstanding=sum((row.outstanding for row in owing), ZERO),
        mismatches=_stated_mismatches(figures),
        missing_basis=missing_basis,
        unconfirmed=tuple(unconfirmed[:TO_DO_SHOWN]),
        unconfirmed_count=len(unconfirmed),
    )


def programme_to_do(*, programme: Programme) -> ToDo:
    """Return what needs doing in the programme, in a fixed number of queries whatever its size."""
    document = programme_document(programme=programme)
    figures, problem = figures_and_missing_basis(document)
    return to_do_from_document(document, figures, missing_basis=problem)

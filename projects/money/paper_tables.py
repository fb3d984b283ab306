"""The tables of the papers after the meeting, worked out from a programme's data: pure.

The autumn review paper (``PaperTemplate.AUTUMN_REVIEW``) tells the board what became of each
phase that waited on a business case (``business_cases``) and sets each council's money against
the cap it needs now (``contribution_review``): its agreed immediate tranche and cap, what it has
been invoiced and paid, and its exact share of the current maximum, with the difference in the
words of the phase decision page ("£10,625 within its agreed cap"). Before an agreement the
review shows the recommendation worked out now instead. A progress report (``PaperTemplate.
PROGRESS``) sets out each council's money on the paper's date (``progress_money``) and the pot.

Every amount is an exact ``Decimal``; every total is the sum of its column, to the penny, and a
total in words is made of the sums of the rows' differences, so that it adds up too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .document import PartnerData, PhaseData, ProgrammeDocument
from .figures import ProgrammeFigures
from .formatting import money
from .review import cap_words
from .vocabulary import Borne, Decision

ZERO = Decimal("0.00")
TBC = "TBC"

#: A business case's decision as the autumn review says it.
CASE_DECISIONS = {
    Decision.APPROVED: "Approved",
    Decision.NOT_PROCEEDING: "Not proceeding",
    Decision.PENDING: "Awaiting a decision",
}


def day_text(day: date) -> str:
    """Return a date as the papers write it: "15 October 2004"."""
    return f"{day.day} {day:%B %Y}"


# The autumn review: the business cases


@dataclass(frozen=True)
class BusinessCase:
    """A gated phase: the business case it waited on and what became of it."""

    project_slug: str
    project: str  # the project's name
    phase: int
    phase_name: str
    extra_cost: Decimal | None  # None: to be confirmed
    individual: bool  # the cost is borne by each council for itself
    cost_note: str  # the phase's own note on its cost, such as "individual connection costs"
    decision: Decision
    decided_on: date | None
    note: str  # the decision's note, as recorded with it

    @property
    def heading(self) -> str:
        """Return the phase as the row names it under its project: "Phase 2: Connection"."""
        number = f"Phase {self.phase}"
        return f"{number}: {self.phase_name}" if self.phase_name else number

    @property
    def title(self) -> str:
        """Return the case with its project: "Authentication / Gateway, phase 2: Connection"."""
        return f"{self.project}, {self.heading[:1].lower()}{self.heading[1:]}"

    @property
    def cost_text(self) -> str:
        """Return the extra cost as money, or TBC."""
        return money(self.extra_cost, TBC)

    @property
    def decision_text(self) -> str:
        """Return the decision in words, with its date when one was recorded."""
        words = CASE_DECISIONS[self.decision]
        if self.decided_on is not None and self.decision != Decision.PENDING:
            return f"{words} on {day_text(self.decided_on)}"
        return words


def _case(project_slug: str, project: str, phase: PhaseData) -> BusinessCase:
    return BusinessCase(
        project_slug=project_slug,
        project=project,
        phase=phase.number,
        phase_name=phase.name,
        extra_cost=phase.extra_cost,
        individual=phase.borne == Borne.INDIVIDUAL,
        cost_note=phase.note,
        decision=Decision(phase.decision),
        decided_on=phase.decided_on,
        note=phase.decision_note,
    )


def business_cases(document: ProgrammeDocument) -> tuple[BusinessCase, ...]:
    """Return every gated phase of the programme, project by project, phase by phase."""
    return tuple(
        _case(project.slug, project.name, phase)
        for project in document.projects
        for phase in sorted(project.phases, key=lambda phase: phase.number)
        if phase.gated
    )


# The autumn review: each council's contribution


@dataclass(frozen=True)
class Difference:
    """How the cap a council needs stands against its agreed cap, split into over and within."""

    over: Decimal  # how far the need is past the cap, or 0
    within: Decimal  # how far the need is inside the cap, or 0


@dataclass(frozen=True)
class CouncilContribution:
    """One contributing council under the agreement: its money and the cap it needs now."""

    partner: str  # the council's slug
    name: str
    agreed_immediate: Decimal
    agreed_cap: Decimal
    invoiced: Decimal
    paid: Decimal
    needed: Decimal  # its exact share of the current maximum, not rounded

    @property
    def difference(self) -> Difference:
        gap = self.needed - self.agreed_cap
        return Difference(over=max(gap, ZERO), within=max(-gap, ZERO))

    @property
    def words(self) -> str:
        """Say the difference, in the phase decision page's words: "£10,625 within its agreed
        cap", "£1,875 over its agreed cap"."""
        return cap_words(self.needed, self.agreed_cap)


@dataclass(frozen=True)
class RecommendedContribution:
    """One contributing council before an agreement: the contribution recommended now."""

    partner: str
    name: str
    immediate: Decimal  # its share of the minimum, rounded up to the programme's step
    cap: Decimal  # its share of the maximum, rounded up to the step
    share_max: Decimal  # its exact share of the maximum


def total_words(over: Decimal, within: Decimal) -> str:
    """Say the councils' differences in all: the sums of what is over and what is within."""
    if over and within:
        return f"{money(over)} over and {money(within)} within the agreed caps"
    if over:
        return f"{money(over)} over the agreed caps"
    if within:
        return f"{money(within)} within the agreed caps"
    return "exactly the agreed caps"


@dataclass(frozen=True)
class ContributionReview:
    """Each council's contribution: under the agreement that stands, or as recommended now.

    ``agreed_on`` is None before an agreement: then ``recommended`` holds the recommendation
    worked out now and ``rows`` is empty. ``problem`` says why no council's share can be
    worked out, when it cannot.
    """

    agreed_on: date | None
    rows: tuple[CouncilContribution, ...] = ()
    recommended: tuple[RecommendedContribution, ...] = ()
    problem: str = ""

    @property
    def agreed(self) -> bool:
        return self.agreed_on is not None

    def _sum(self, key: str, rows: Sequence[object] | None = None) -> Decimal:
        return sum((getattr(row, key) for row in (self.rows if rows is None else rows)), ZERO)

    @property
    def agreed_immediate(self) -> Decimal:
        return self._sum("agreed_immediate")

    @property
    def agreed_cap(self) -> Decimal:
        return self._sum("agreed_cap")

    @property
    def invoiced(self) -> Decimal:
        return self._sum("invoiced")

    @property
    def paid(self) -> Decimal:
        return self._sum("paid")

    @property
    def needed(self) -> Decimal:
        return self._sum("needed")

    @property
    def over(self) -> Decimal:
        return sum((row.difference.over for row in self.rows), ZERO)

    @property
    def within(self) -> Decimal:
        return sum((row.difference.within for row in self.rows), ZERO)

    @property
    def words(self) -> str:
        """Say the total difference: the rows' overs and withins, summed apart."""
        return total_words(self.over, self.within)

    @property
    def recommended_immediate(self) -> Decimal:
        return self._sum("immediate", self.recommended)

    @property
    def recommended_cap(self) -> Decimal:
        return self._sum("cap", self.recommended)

    @property
    def recommended_share_max(self) -> Decimal:
        return self._sum("share_max", self.recommended)


def _in_partner_order(
    partners: Sequence[PartnerData], slugs: Sequence[str]
) -> list[tuple[int, str]]:
    """Return the indexes of ``slugs`` with their slugs, in the partnership's order."""
    order = {partner.slug: index for index, partner in enumerate(partners)}
    return sorted(enumerate(slugs), key=lambda item: order.get(item[1], len(order)))


def contribution_review(
    document: ProgrammeDocument, figures: ProgrammeFigures, *, problem: str = ""
) -> ContributionReview:
    """Return each contributing council's contribution, in the partnership's order.

    ``figures`` are the document's (``figures_and_missing_basis``), ``problem`` why the
    councils' shares cannot be worked out, if they cannot. Under the agreement that stands:
    what each agreed, was invoiced and paid, and the cap it needs now, its exact share of the
    current maximum. Before one: the recommendation worked out now.
    """
    names = {partner.slug: partner.name for partner in document.partners}
    positions = figures.per_partner
    ordered = _in_partner_order(document.partners, [p.partner for p in positions])
    agreement = figures.ledger.agreement if figures.ledger is not None else None
    if agreement is None:
        return ContributionReview(
            agreed_on=None,
            recommended=tuple(
                RecommendedContribution(
                    partner=slug,
                    name=names.get(slug, slug),
                    immediate=positions[index].immediate,
                    cap=positions[index].cap,
                    share_max=positions[index].share_max,
                )
                for index, slug in ordered
            ),
            problem=problem,
        )
    rows = []
    for index, slug in ordered:
        ledger = figures.ledgers[index]
        rows.append(
            CouncilContribution(
                partner=slug,
                name=names.get(slug, slug),
                agreed_immediate=ledger.agreed_immediate or ZERO,
                agreed_cap=ledger.agreed_cap or ZERO,
                invoiced=ledger.invoiced,
                paid=ledger.paid,
                needed=positions[index].share_max,
            )
        )
    return ContributionReview(agreed_on=agreement.date, rows=tuple(rows), problem=problem)


# A progress report: the money


def owed_text(amount: Decimal) -> str:
    """Return what is owed as money, or what is in credit: "£0.01 in credit"."""
    return f"{money(-amount)} in credit" if amount < 0 else money(amount)


@dataclass(frozen=True)
class CouncilMoney:
    """One contributing council's money on the paper's date."""

    partner: str
    name: str
    agreed_cap: Decimal | None  # None before an agreement
    invoiced: Decimal
    paid: Decimal
    owed: Decimal  # negative: in credit
    overdue: Decimal

    @property
    def owed_text(self) -> str:
        return owed_text(self.owed)


@dataclass(frozen=True)
class PotLine:
    """One figure of the pot: what the councils paid, what went back, what was spent."""

    key: str
    label: str
    amount: Decimal


@dataclass(frozen=True)
class ProgressMoney:
    """The money a progress report sets out: each council's on the paper's date, and the pot."""

    as_of: date
    agreed_on: date | None  # the day of the meeting whose agreement stands; None before one
    rows: tuple[CouncilMoney, ...]
    pot: tuple[PotLine, ...]
    problem: str = ""

    @property
    def as_of_text(self) -> str:
        return day_text(self.as_of)

    def _sum(self, key: str) -> Decimal:
        return sum((getattr(row, key) or ZERO for row in self.rows), ZERO)

    @property
    def agreed_cap(self) -> Decimal:
        return self._sum("agreed_cap")

    @property
    def invoiced(self) -> Decimal:
        return self._sum("invoiced")

    @property
    def paid(self) -> Decimal:
        return self._sum("paid")

    @property
    def owed(self) -> Decimal:
        return self._sum("owed")

    @property
    def owed_text(self) -> str:
        return owed_text(self.owed)

    @property
    def overdue(self) -> Decimal:
        return self._sum("overdue")


def pot_lines(figures: ProgrammeFigures) -> tuple[PotLine, ...]:
    """Return the pot's figures: paid, refunded, spent where there is spend, and what is left.

    What is left is paid less refunded less spent, so the lines add up to it.
    """
    paid = figures.paid if figures.ledger is not None else ZERO
    refunded = figures.refunded if figures.ledger is not None else ZERO
    lines = [
        PotLine("paid", "Paid by the councils", paid),
        PotLine("refunded", "Refunded to the councils", refunded),
    ]
    if figures.spent:
        lines.append(PotLine("spent", "Spent", figures.spent))
    lines.append(PotLine("balance", "Held in the pot", paid - refunded - figures.spent))
    return tuple(lines)


def progress_money(
    document: ProgrammeDocument, figures: ProgrammeFigures, *, problem: str = ""
) -> ProgressMoney:
    """Return each contributing council's money, in the partnership's order, and the pot.

    ``figures`` are worked out on the paper's date, which is the day what is overdue is
    counted on.
    """
    names = {partner.slug: partner.name for partner in document.partners}
    ordered = _in_partner_order(document.partners, [p.partner for p in figures.per_partner])
    rows = tuple(
        CouncilMoney(
            partner=slug,
            name=names.get(slug, slug),
            agreed_cap=figures.ledgers[index].agreed_cap,
            invoiced=figures.ledgers[index].invoiced,
            paid=figures.ledgers[index].paid,
            owed=figures.ledgers[index].owed,
            overdue=figures.ledgers[index].overdue,
        )
        for index, slug in ordered
    )
    agreement = figures.ledger.agreement if figures.ledger is not None else None
    return ProgressMoney(
        as_of=figures.as_of or date.today(),
        agreed_on=agreement.date if agreement is not None else None,
        rows=rows,
        pot=pot_lines(figures),
        problem=problem,
    )

"""After an agreement: what a pending business case would ask of each council, and what is due.

Pure, as every money rule. ``cap_warnings`` says, per council, which pending business cases
would take the money it is needed for past its agreed cap if the case were approved: approving a
gated phase moves its cost into the committed minimum, and the council's exact share of that
minimum (not rounded) is what it would then be needed for. ``next_due`` is the earliest due date,
on or after the day, of the council's invoices with money still to pay on them.

The autumn review (``cap_review``, ``caps_after``): the cap a council needs is its exact share of
the programme's maximum, to the penny and not rounded up to the step, so that the councils' needs
always sum to the maximum. A decision on a gated phase is set against each council's agreed cap
before it is saved, for either outcome, and once saved says who now needs more than its cap and
who has paid beyond its share of the new maximum (its surplus, to be offered back).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from .bounds import programme_extra_bounds
from .document import CallData, ProgrammeDocument, ProjectData
from .figures import ProgrammeFigures
from .formatting import money
from .ledger import invoices_of, latest_agreement
from .shares import partner_positions
from .vocabulary import Borne, Decision
from .wording import capitalise, listed, number_word

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


# The autumn review: the cap each council needs, against the cap it agreed


def cap_words(needed: Decimal, cap: Decimal) -> str:
    """Say how the cap a council needs stands against its agreed cap, in the papers' words."""
    if needed == cap:
        return "exactly its agreed cap"
    if needed > cap:
        return f"{money(needed - cap)} over its agreed cap"
    return f"{money(cap - needed)} within its agreed cap"


@dataclass(frozen=True)
class Need:
    """The cap a council needs (its exact share of a maximum) against the cap it agreed."""

    amount: Decimal
    cap: Decimal

    @property
    def over(self) -> Decimal:
        """Return how far the need is past the agreed cap, or 0 within it."""
        return max(self.amount - self.cap, ZERO)

    @property
    def words(self) -> str:
        return cap_words(self.amount, self.cap)


@dataclass(frozen=True)
class CapNeeded:
    """One council: its agreed cap, the cap it needs now, and with either decision."""

    partner: str  # the council's slug
    name: str
    agreed_cap: Decimal
    now: Need
    approved: Need  # the business case approved (or still awaited: the maximum is the same)
    not_proceeding: Need

    def with_decision(self, decision: str) -> Need:
        """Return the need once the phase has this decision."""
        return self.not_proceeding if decision == Decision.NOT_PROCEEDING else self.approved


# What each outcome is called at the head of a warning.
OUTCOMES = {
    Decision.APPROVED: "If the business case is approved",
    Decision.NOT_PROCEEDING: "If the phase does not proceed",
}


@dataclass(frozen=True)
class CapReview:
    """Every contributing council's agreed cap against the cap it needs, now and with a decision."""

    agreed_on: date  # the day of the meeting whose agreement stands
    rows: tuple[CapNeeded, ...]
    agreed_total: Decimal
    maximum_now: Decimal
    maximum_approved: Decimal
    maximum_not_proceeding: Decimal

    def over(self, decision: str) -> tuple[CapNeeded, ...]:
        """Return the councils that would need more than their agreed cap with the decision."""
        return tuple(row for row in self.rows if row.with_decision(decision).over > 0)

    @property
    def warnings(self) -> tuple[str, ...]:
        """Say, for each outcome, which councils it would take past their agreed caps."""
        sentences = []
        for decision, lead in OUTCOMES.items():
            over = [(row.name, row.with_decision(decision).over) for row in self.over(decision)]
            if over:
                words = over_words(over, future=True, of=len(self.rows))
                sentences.append(f"{lead}, {words}")
        return tuple(sentences)


def over_words(over: Sequence[tuple[str, Decimal]], *, future: bool, of: int) -> str:
    """Say which councils need more than their agreed caps, and by how much, as a sentence end.

    ``of`` is the number of contributing councils: when all of them need the same more, the
    sentence says "every council".
    """
    need, needs = ("will need", "will need") if future else ("now need", "now needs")
    if len(over) == 1:
        name, amount = over[0]
        return f"{name} {needs} {money(amount)} more than its agreed cap."
    amounts = {amount for _, amount in over}
    if len(amounts) == 1:
        same = money(amounts.pop())
        if len(over) == of:
            return f"every council {needs} {same} more than its agreed cap."
        names = listed([name for name, _ in over])
        return (
            f"{number_word(len(over))} councils {need} {same} more each than their agreed "
            f"caps: {names}."
        )
    each = listed([f"{name} {money(amount)}" for name, amount in over])
    return f"{number_word(len(over))} councils {need} more than their agreed caps: {each}."


def _with_decision(
    projects: Sequence[ProjectData], project: str, phase: int, decision: Decision
) -> list[ProjectData]:
    """Return the projects with the phase given the decision."""
    return [
        replace(
            item,
            phases=tuple(
                replace(part, decision=decision) if part.number == phase else part
                for part in item.phases
            ),
        )
        if item.slug == project
        else item
        for item in projects
    ]


def shares_of_maximum(
    document: ProgrammeDocument, projects: Sequence[ProjectData], contributing: Sequence[str]
) -> dict[str, Decimal]:
    """Return each contributing council's exact share of the projects' maximum, by slug."""
    bounds = programme_extra_bounds(projects)
    partners = tuple(
        replace(partner, contributes=partner.slug in contributing) for partner in document.partners
    )
    positions = partner_positions(
        partners=partners,
        method=document.programme.apportionment,
        rounding_step=document.programme.rounding_step,
        shared_min=bounds.shared_min,
        individual_min=bounds.individual_min,
        shared_max=bounds.shared_max,
        individual_max=bounds.individual_max,
        contributions=(),
    )
    return {position.partner: position.share_max for position in positions}


def cap_review(
    document: ProgrammeDocument, figures: ProgrammeFigures, *, project: str, phase: int
) -> CapReview | None:
    """Return each council's agreed cap against the cap it needs now and with a decision.

    ``figures`` are the document's (``figures_and_missing_basis``); ``project`` and ``phase`` are
    the slug and number of the gated phase being decided. None before an agreement, or when no
    council's share can be worked out.
    """
    if figures.ledger is None or figures.ledger.agreement is None or not figures.per_partner:
        return None
    contributing = [position.partner for position in figures.per_partner]
    approved = shares_of_maximum(
        document, _with_decision(document.projects, project, phase, Decision.APPROVED), contributing
    )
    stopped = shares_of_maximum(
        document,
        _with_decision(document.projects, project, phase, Decision.NOT_PROCEEDING),
        contributing,
    )
    names = {partner.slug: partner.name for partner in document.partners}
    rows = []
    for position, ledger in zip(figures.per_partner, figures.ledgers, strict=True):
        cap = ledger.agreed_cap or ZERO
        rows.append(
            CapNeeded(
                partner=position.partner,
                name=names.get(position.partner, position.partner),
                agreed_cap=cap,
                now=Need(position.share_max, cap),
                approved=Need(approved[position.partner], cap),
                not_proceeding=Need(stopped[position.partner], cap),
            )
        )
    return CapReview(
        agreed_on=figures.ledger.agreement.date,
        rows=tuple(rows),
        agreed_total=sum((row.agreed_cap for row in rows), ZERO),
        maximum_now=sum((row.now.amount for row in rows), ZERO),
        maximum_approved=sum((row.approved.amount for row in rows), ZERO),
        maximum_not_proceeding=sum((row.not_proceeding.amount for row in rows), ZERO),
    )


@dataclass(frozen=True)
class CouncilAmount:
    partner: str  # the council's slug
    name: str
    amount: Decimal


@dataclass(frozen=True)
class CapsAfter:
    """Once a decision is saved: who needs more than its agreed cap, and who has a surplus."""

    over: tuple[CouncilAmount, ...]  # how far past its agreed cap each council's need now is
    surplus: tuple[CouncilAmount, ...]  # paid beyond its share of the maximum, to offer back
    councils: int  # the contributing councils

    @property
    def over_sentence(self) -> str:
        """Say who now needs more than its agreed cap, or "" when no council does."""
        if not self.over:
            return ""
        words = over_words([(i.name, i.amount) for i in self.over], future=False, of=self.councils)
        return capitalise(words)

    @property
    def surplus_sentence(self) -> str:
        """Say who has paid beyond its share of the new maximum, or "" when no council has."""
        if not self.surplus:
            return ""
        if len(self.surplus) == 1:
            item = self.surplus[0]
            return (
                f"{item.name} has paid {money(item.amount)} more than its share of the new maximum"
            )
        each = listed([f"{item.name} {money(item.amount)}" for item in self.surplus])
        return (
            f"{capitalise(number_word(len(self.surplus)))} councils have paid more than their "
            f"shares of the new maximum: {each}"
        )


def caps_after(figures: ProgrammeFigures, names: Mapping[str, str]) -> CapsAfter | None:
    """Return who needs more than its agreed cap and who has a surplus, from the new figures.

    None before an agreement. ``names`` are the councils' names by slug.
    """
    if figures.ledger is None or figures.ledger.agreement is None:
        return None
    over = []
    surplus = []
    for position, ledger in zip(figures.per_partner, figures.ledgers, strict=True):
        name = names.get(position.partner, position.partner)
        past = position.share_max - (ledger.agreed_cap or ZERO)
        if past > 0:
            over.append(CouncilAmount(position.partner, name, past))
        if ledger.surplus > 0:
            surplus.append(CouncilAmount(position.partner, name, ledger.surplus))
    return CapsAfter(over=tuple(over), surplus=tuple(surplus), councils=len(figures.per_partner))

"""The progress report's tables on finance, delivery and risks, from a programme's data: pure.

A progress report (``PaperTemplate.PROGRESS``) sets out, on the paper's date:

- **spend against budget** (``spend_against_budget``): each project's budget (its phases' extra
  cost; unknown while any phase's is to be confirmed), what is spent, what is forecast of the
  rest, the forecast outturn and the variance, as the project's spend page shows them, with the
  programme's totals (the sums over the projects, to the penny);
- **delivery** (``delivery_on``): each project's red, amber or green status with its reason and
  the day it was set, and the milestones late or due in the next 30 days;
- **risks** (``open_risks``): the open risks, highest score first, each past its review flagged.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .delivery import (
    MilestoneDates,
    heat_map,
    latest_updates,
    milestone_dates,
    past_review,
    risk_band,
    risk_score,
)
from .document import ProgrammeDocument
from .spend import PhaseOutturn, phase_outturn, project_outturn
from .vocabulary import Rag, RiskStatus

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ProjectSpend:
    """One project's money on the paper's date."""

    slug: str
    name: str
    money: PhaseOutturn
    over_budget_phases: int


@dataclass(frozen=True)
class SpendAgainstBudget:
    rows: tuple[ProjectSpend, ...]
    totals: PhaseOutturn

    @property
    def over_budget_phases(self) -> int:
        return sum(row.over_budget_phases for row in self.rows)


def spend_against_budget(document: ProgrammeDocument) -> SpendAgainstBudget:
    """Return each project's budget, spend, forecast, outturn and variance, and their sums."""
    spent: dict[tuple[str, int], list[Decimal]] = defaultdict(list)
    for line in document.spend:
        spent[(line.project, line.phase)].append(line.amount)
    forecast: dict[tuple[str, int], list[Decimal]] = defaultdict(list)
    for item in document.forecasts:
        forecast[(item.project, item.phase)].append(item.amount)
    rows = []
    all_phases = []
    for project in document.projects:
        phases = [
            phase_outturn(
                phase.extra_cost,
                spent[(project.slug, phase.number)],
                forecast[(project.slug, phase.number)],
            )
            for phase in project.phases
        ]
        all_phases.extend(phases)
        rows.append(
            ProjectSpend(
                slug=project.slug,
                name=project.name,
                money=project_outturn(phases),
                over_budget_phases=sum(1 for phase in phases if phase.over_budget),
            )
        )
    return SpendAgainstBudget(rows=tuple(rows), totals=project_outturn(all_phases))


@dataclass(frozen=True)
class ProjectStatusRow:
    """A project's latest status, or none yet."""

    slug: str
    name: str
    status: Rag | None
    set_on: date | None
    reason: str


@dataclass(frozen=True)
class MilestoneRow:
    project: str  # the project's name
    phase: int | None
    name: str
    dates: MilestoneDates


@dataclass(frozen=True)
class DeliveryTables:
    as_of: date
    statuses: tuple[ProjectStatusRow, ...]
    # Late, or due in the next 30 days, the soonest expected first.
    milestones: tuple[MilestoneRow, ...]
    milestones_in_all: int

    def count(self, status: str | None) -> int:
        return sum(1 for row in self.statuses if row.status == status)

    @property
    def by_status(self) -> tuple[tuple[str, int], ...]:
        """Counts in the board's order: red, amber, green, then those not set."""
        return (
            *((rag.label, self.count(rag)) for rag in Rag),
            ("Not set", self.count(None)),
        )


def delivery_on(document: ProgrammeDocument, as_of: date) -> DeliveryTables:
    """Return each project's status and the milestones late or due soon, on the day."""
    updates = latest_updates(document.status_updates)
    statuses = []
    for project in document.projects:
        latest = updates.get(project.slug)
        statuses.append(
            ProjectStatusRow(
                slug=project.slug,
                name=project.name,
                status=None if latest is None else Rag(latest.status),
                set_on=None if latest is None else latest.date,
                reason="" if latest is None else latest.reason,
            )
        )
    names = {project.slug: project.name for project in document.projects}
    rows = [
        MilestoneRow(
            project=names.get(item.project, item.project),
            phase=item.phase,
            name=item.name,
            dates=milestone_dates(item.baseline, item.forecast, item.actual, as_of=as_of),
        )
        for item in document.milestones
    ]
    watched = sorted(
        (row for row in rows if not row.dates.reached and (row.dates.late or row.dates.due_soon)),
        key=lambda row: (row.dates.expected, row.project, row.name),
    )
    return DeliveryTables(
        as_of=as_of,
        statuses=tuple(statuses),
        milestones=tuple(watched),
        milestones_in_all=len(rows),
    )


@dataclass(frozen=True)
class RiskRow:
    reference: str
    description: str
    project: str  # the project's name, or "Programme"
    likelihood: int
    impact: int
    owner: str
    mitigation: str
    next_review: date | None
    past_review: bool

    @property
    def score(self) -> int:
        return risk_score(self.likelihood, self.impact)

    @property
    def band(self) -> str:
        return risk_band(self.score)


@dataclass(frozen=True)
class RiskTables:
    rows: tuple[RiskRow, ...]  # the open risks, highest score first
    closed: int
    grid: tuple[tuple[int, ...], ...]  # the open risks' heat map, likelihood 5 at the top

    @property
    def past_review(self) -> int:
        return sum(1 for row in self.rows if row.past_review)


def open_risks(document: ProgrammeDocument, as_of: date) -> RiskTables:
    """Return the open risks, highest score first (then by reference), on the day."""
    names = {project.slug: project.name for project in document.projects}
    rows = [
        RiskRow(
            reference=risk.reference,
            description=risk.description,
            project="Programme" if risk.project is None else names.get(risk.project, risk.project),
            likelihood=risk.likelihood,
            impact=risk.impact,
            owner=risk.owner,
            mitigation=risk.mitigation,
            next_review=risk.next_review,
            past_review=past_review(status=risk.status, next_review=risk.next_review, as_of=as_of),
        )
        for risk in document.risks
        if risk.status == RiskStatus.OPEN
    ]
    rows.sort(key=lambda row: (-row.score, row.reference))
    return RiskTables(
        rows=tuple(rows),
        closed=sum(1 for risk in document.risks if risk.status != RiskStatus.OPEN),
        grid=heat_map((row.likelihood, row.impact) for row in rows),
    )

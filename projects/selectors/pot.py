"""Reads for the programme's spend and the pot: each project against its budget, and the pot.

Summed in the database, in a fixed number of queries whatever the number of projects, phases,
spend lines, payments and refunds: the phases with their spend and forecasts (one query), the
projects (one), and the pot's payments, refunds and spend by day (three), which
``projects.money.pot`` sorts into financial years.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from ..models import MONEY, Forecast, Payment, Phase, Programme, Project, Refund, Spend
from ..money.figures import ProgrammeFigures
from ..money.pot import Pot, pot_by_year
from ..money.spend import PhaseOutturn, phase_outturn, project_outturn
from ..money.vocabulary import RefundKind

ZERO = Decimal("0.00")
MONEY_FIELD: DecimalField = DecimalField(
    max_digits=MONEY["max_digits"], decimal_places=MONEY["decimal_places"]
)


def _sum_by_phase(queryset: QuerySet) -> Coalesce:
    """Return the sum of the rows' amounts for the phase of the outer query, £0 when none."""
    total = Subquery(
        queryset.filter(phase=OuterRef("pk"))
        .order_by()
        .values("phase")
        .annotate(total=Sum("amount"))
        .values("total")[:1],
        output_field=MONEY_FIELD,
    )
    return Coalesce(total, Value(ZERO), output_field=MONEY_FIELD)


def _phase_money(programme: Programme) -> list[dict]:
    """Return each phase's project, budget, spent and forecast, summed by the database."""
    return list(
        Phase.objects.filter(project__programme=programme)
        .order_by("project", "number")
        .annotate(
            spent=_sum_by_phase(Spend.objects.all()),
            forecast=_sum_by_phase(Forecast.objects.all()),
        )
        .values("project_id", "extra_cost", "spent", "forecast")
    )


@dataclass(frozen=True)
class ProjectSpendRow:
    """One project's budget, spend, forecast, outturn and variance, and its phases over budget."""

    slug: str
    name: str
    money: PhaseOutturn
    over_budget_phases: int


@dataclass(frozen=True)
class SpendSummary:
    """The programme's totals against its budget."""

    totals: PhaseOutturn  # its budget is None when a phase's is to be confirmed
    known: PhaseOutturn  # over the phases whose budget is known
    over_budget_phases: int
    tbc_phases: int  # phases whose budget is to be confirmed


@dataclass(frozen=True)
class ProgrammeSpend:
    """The programme's spend page: the pot by financial year, and each project and the total."""

    pot: Pot
    projects: tuple[ProjectSpendRow, ...]
    summary: SpendSummary


def _summary(phases: list[PhaseOutturn]) -> SpendSummary:
    return SpendSummary(
        totals=project_outturn(phases),
        known=project_outturn(phase for phase in phases if phase.budget is not None),
        over_budget_phases=sum(1 for phase in phases if phase.over_budget),
        tbc_phases=sum(1 for phase in phases if phase.budget is None),
    )


def _outturns(rows: list[dict]) -> list[PhaseOutturn]:
    return [phase_outturn(row["extra_cost"], [row["spent"]], [row["forecast"]]) for row in rows]


def spend_summary(*, programme: Programme) -> SpendSummary:
    """Return the programme's budget, spent, forecast, outturn and variance, in one query."""
    return _summary(_outturns(_phase_money(programme)))


def _by_day(queryset: QuerySet) -> list[tuple]:
    """Return (day, total) for each day the rows have amounts on.

    Grouped by the date column itself: a month's truncation is a function of every row, slower
    than the sum (SQLite calls back into Python for it), and days are few enough to sort into
    years here, a few hundred a year at most.
    """
    return list(
        queryset.order_by()
        .values("date")
        .annotate(total=Sum("amount"))
        .values_list("date", "total")
    )


def programme_pot(*, programme: Programme) -> Pot:
    """Return the pot by financial year, in three queries.

    It counts the contributing councils' payments and refunds (not credits, which are set
    against invoices), as the figures do, so that its balance is ``figures.pot_balance``.
    """
    return pot_by_year(
        paid=_by_day(
            Payment.objects.filter(
                invoice__call__programme=programme, invoice__partner__contributes=True
            )
        ),
        refunded=_by_day(
            Refund.objects.filter(
                programme=programme, kind=RefundKind.REFUND, partner__contributes=True
            )
        ),
        spent=_by_day(Spend.objects.filter(phase__project__programme=programme)),
        years=programme.financial_years,
    )


def programme_spend(*, programme: Programme) -> ProgrammeSpend:
    """Return the programme's spend page in five queries, whatever its size."""
    rows = _phase_money(programme)
    outturns = _outturns(rows)
    by_project: dict[int, list[PhaseOutturn]] = defaultdict(list)
    for row, outturn in zip(rows, outturns, strict=True):
        by_project[row["project_id"]].append(outturn)
    projects = Project.objects.filter(programme=programme).values_list("pk", "slug", "name")
    return ProgrammeSpend(
        pot=programme_pot(programme=programme),
        projects=tuple(
            ProjectSpendRow(
                slug=slug,
                name=name,
                money=project_outturn(by_project[pk]),
                over_budget_phases=sum(1 for phase in by_project[pk] if phase.over_budget),
            )
            for pk, slug, name in projects
        ),
        summary=_summary(outturns),
    )


@dataclass(frozen=True)
class DashboardSpend:
    """The dashboard's spend against budget, and the pot as the figures give it."""

    summary: SpendSummary
    paid: Decimal
    refunded: Decimal
    spent: Decimal
    balance: Decimal


def dashboard_spend(*, programme: Programme, figures: ProgrammeFigures) -> DashboardSpend:
    """Return the dashboard's spend and pot: one query more than the figures."""
    return DashboardSpend(
        summary=spend_summary(programme=programme),
        paid=figures.paid,
        refunded=figures.refunded,
        spent=figures.spent,
        balance=figures.pot_balance,
    )

"""Reads for a project's spend and forecasts: each phase's budget, spent, forecast and outturn.

Three queries whatever the number of phases, spend lines and forecasts: the phases, the spend
lines and the forecasts, each read once and summed by ``projects.money.spend``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from ..models import Forecast, Phase, Project, Spend
from ..money.spend import PhaseOutturn, financial_year_of, phase_outturn, project_outturn


@dataclass(frozen=True)
class PhaseSpendRow:
    """One phase of the project with its money and whether spend on it is refused."""

    phase: Phase
    money: PhaseOutturn
    forecasts: dict[str, Decimal]  # per financial year


@dataclass(frozen=True)
class SpendLine:
    """A spend line as the page lists it, with the financial year its date falls in."""

    spend: Spend
    financial_year: str


@dataclass(frozen=True)
class ProjectSpendPage:
    project: Project
    phases: tuple[PhaseSpendRow, ...]
    totals: PhaseOutturn
    lines: tuple[SpendLine, ...]


def project_spend(*, project: Project) -> ProjectSpendPage:
    """Return the project's phases with their money, its totals and its spend lines."""
    phases = list(Phase.objects.filter(project=project).order_by("number"))
    lines = list(Spend.objects.filter(phase__project=project).order_by("date", "pk"))
    forecasts = list(Forecast.objects.filter(phase__project=project))
    by_pk = {phase.pk: phase for phase in phases}
    spent: dict[int, list[Decimal]] = defaultdict(list)
    for line in lines:
        line.phase = by_pk[line.phase_id]
        spent[line.phase_id].append(line.amount)
    forecast: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for item in forecasts:
        forecast[item.phase_id][item.financial_year] = item.amount
    rows = []
    for phase in phases:
        phase.project = project
        rows.append(
            PhaseSpendRow(
                phase=phase,
                money=phase_outturn(phase.extra_cost, spent[phase.pk], forecast[phase.pk].values()),
                forecasts=forecast[phase.pk],
            )
        )
    return ProjectSpendPage(
        project=project,
        phases=tuple(rows),
        totals=project_outturn(row.money for row in rows),
        lines=tuple(SpendLine(line, financial_year_of(line.date)) for line in lines),
    )


def project_forecasts(*, project: Project) -> tuple[list[Phase], dict[tuple[int, str], Decimal]]:
    """Return the project's phases and their forecasts by phase pk and financial year."""
    phases = list(Phase.objects.filter(project=project).order_by("number"))
    forecasts = {
        (item.phase_id, item.financial_year): item.amount
        for item in Forecast.objects.filter(phase__project=project)
    }
    return phases, forecasts

"""Reads for a project's spend and forecasts: each phase's budget, spent, forecast and outturn.

Three queries whatever the number of phases, spend lines and forecasts: the phases, the spend
lines and the forecasts, each read once and summed by ``projects.money.spend``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from ..models import Forecast, Phase, Programme, Project, Spend
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


def programme_spend(
    *,
    programme: Programme,
    project: str | None = None,
    phase: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    supplier: str | None = None,
) -> QuerySet[Spend]:
    """Return the spend lines of the programme's projects, oldest first, with their phases and
    projects: of a project (slug), a phase (number), between two days or of a supplier (its
    name in any case), if given. One query for any page of it."""
    lines = Spend.objects.filter(phase__project__programme=programme)
    if project is not None:
        lines = lines.filter(phase__project__slug=project)
    if phase is not None:
        lines = lines.filter(phase__number=phase)
    if date_from is not None:
        lines = lines.filter(date__gte=date_from)
    if date_to is not None:
        lines = lines.filter(date__lte=date_to)
    if supplier is not None:
        lines = lines.filter(supplier__iexact=supplier)
    return lines.select_related("phase__project").order_by("date", "pk")

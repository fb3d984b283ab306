"""Scenarios: what the programme's money would be if gated phases were decided otherwise.

A scenario overrides the decisions of gated phases, each named by its project's slug and its
phase number, and may try another apportionment method and rounding step. It is plain data:
written to a query string so that its URL can be sent to a colleague, applied to a programme
document to give another document, whose figures are compared with the recorded ones. Nothing
here touches the database, and nothing a scenario does is ever saved, unless a facilitator
applies its phase decisions through the services.

Money returned and released, per contributing partner, in a scenario: the scenario's cap is the
most the partner could be asked for. Money the partner has already paid (received) beyond that
cap would be **returned** to it (paid back or credited); money it has pledged or been invoiced
for but not yet paid, beyond both the cap and what it has paid, would be **released** (the
pledge reduced, never collected). What the partner keeps committed is then the smaller of its
pledges and the cap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import NamedTuple
from urllib.parse import urlencode

from .document import ProgrammeDocument
from .figures import ProgrammeFigures, compute_figures
from .shares import PartnerPosition, partner_weights
from .vocabulary import Apportionment, Borne, Decision

ZERO = Decimal("0.00")

METHOD_PARAM = "method"
STEP_PARAM = "step"
# A phase's parameter is "<project slug>.<phase number>", as in "authentication-gateway.2".
PHASE_PARAM = re.compile(r"^(?P<project>[a-z0-9-]{1,50})\.(?P<number>[1-9][0-9]{0,8})$")
# What a person would read as the words for the decisions, in the order they are offered.
DECISION_WORDS = {
    Decision.APPROVED: "Proceeds",
    Decision.PENDING: "Awaiting decision",
    Decision.NOT_PROCEEDING: "Does not proceed",
}


class PhaseKey(NamedTuple):
    """A phase named as a URL names it: its project's slug and its number."""

    project: str
    number: int


class ScenarioError(ValueError):
    """A scenario that cannot be applied to the programme; the message says why."""


def phase_param(key: PhaseKey) -> str:
    """Return the query-string parameter that carries the phase's decision."""
    return f"{key.project}.{key.number}"


def read_phase_param(name: str) -> PhaseKey | None:
    """Return the phase a query-string parameter names, or None if it is not a phase's name."""
    match = PHASE_PARAM.match(name)
    if match is None:
        return None
    return PhaseKey(match["project"], int(match["number"]))


def step_param(step: Decimal | None) -> str:
    """Return the rounding step as the query string writes it: 10000, 2500.50, or empty."""
    if step is None:
        return ""
    return f"{step:f}".removesuffix(".00")


@dataclass(frozen=True)
class Scenario:
    """Phase decisions overridden by (project slug, phase number), a method and a step."""

    apportionment: Apportionment
    rounding_step: Decimal | None  # None: no rounding
    decisions: Mapping[PhaseKey, Decision] = field(default_factory=dict)


def recorded_scenario(document: ProgrammeDocument) -> Scenario:
    """Return the scenario of the programme as recorded: its own method and step, no overrides."""
    programme = document.programme
    return Scenario(apportionment=programme.apportionment, rounding_step=programme.rounding_step)


def scenario_query(scenario: Scenario) -> str:
    """Return the scenario as a query string, phases sorted, so a URL names it exactly."""
    params = [
        (phase_param(key), str(scenario.decisions[key])) for key in sorted(scenario.decisions)
    ]
    params.append((METHOD_PARAM, str(scenario.apportionment)))
    params.append((STEP_PARAM, step_param(scenario.rounding_step)))
    return urlencode(params)


@dataclass(frozen=True)
class GatedPhase:
    """A phase whose money waits on a business case, with its recorded decision."""

    key: PhaseKey
    project_name: str
    name: str
    extra_cost: Decimal | None  # None: to be confirmed
    borne: Borne
    decision: Decision  # as recorded

    @property
    def number(self) -> int:
        return self.key.number

    @property
    def decision_words(self) -> str:
        """Return the recorded decision in the scenario's words."""
        return DECISION_WORDS[self.decision]


def gated_phases(document: ProgrammeDocument) -> list[GatedPhase]:
    """Return the programme's gated phases, in board order then phase number."""
    return [
        GatedPhase(
            key=PhaseKey(project.slug, phase.number),
            project_name=project.name,
            name=phase.name,
            extra_cost=phase.extra_cost,
            borne=phase.borne,
            decision=phase.decision,
        )
        for project in document.projects
        for phase in sorted(project.phases, key=lambda phase: phase.number)
        if phase.gated
    ]


def phase_key_problem(document: ProgrammeDocument, key: PhaseKey) -> str | None:
    """Say why a scenario cannot set the decision of the phase named, or None if it can."""
    project = next((p for p in document.projects if p.slug == key.project), None)
    if project is None:
        return f"there is no project “{key.project}” in this programme"
    phase = next((p for p in project.phases if p.number == key.number), None)
    if phase is None:
        return f"there is no phase {key.number} in {project.name}"
    if not phase.gated:
        return (
            f"phase {key.number} of {project.name} is not gated by a business case, so its "
            "cost is committed and a scenario cannot change it"
        )
    return None


def method_problem(document: ProgrammeDocument, method: Apportionment) -> str | None:
    """Say why the programme's partners cannot be apportioned by the method, or None."""
    try:
        partner_weights(method, document.partners)
    except ValueError as error:
        need = "an agreed weight" if method == Apportionment.WEIGHTS else "a population"
        return (
            f"Sharing by {str(method.label).lower()} needs every contributing partner to have "
            f"{need} above zero ({error}). A facilitator can enter them on the partners page."
        )
    return None


def apply_scenario(document: ProgrammeDocument, scenario: Scenario) -> ProgrammeDocument:
    """Return the document as the scenario would have it; the document itself is unchanged."""
    for key in scenario.decisions:
        problem = phase_key_problem(document, key)
        if problem:
            raise ScenarioError(f"The scenario cannot be applied: {problem}.")
    projects = tuple(
        replace(
            project,
            phases=tuple(
                replace(phase, decision=scenario.decisions[PhaseKey(project.slug, phase.number)])
                if (project.slug, phase.number) in scenario.decisions
                else phase
                for phase in project.phases
            ),
        )
        if any(key.project == project.slug for key in scenario.decisions)
        else project
        for project in document.projects
    )
    programme = replace(
        document.programme,
        apportionment=scenario.apportionment,
        rounding_step=scenario.rounding_step,
    )
    return replace(document, programme=programme, projects=projects)


@dataclass(frozen=True)
class PhaseChange:
    """A gated phase whose decision the scenario changes."""

    phase: GatedPhase
    decision: Decision  # in the scenario

    @property
    def decision_words(self) -> str:
        """Return the scenario's decision in the scenario's words."""
        return DECISION_WORDS[self.decision]


def scenario_changes(document: ProgrammeDocument, scenario: Scenario) -> tuple[PhaseChange, ...]:
    """Return the gated phases whose decision in the scenario differs from the recorded one."""
    return tuple(
        PhaseChange(phase=phase, decision=scenario.decisions[phase.key])
        for phase in gated_phases(document)
        if phase.key in scenario.decisions and scenario.decisions[phase.key] != phase.decision
    )


def without_recorded_decisions(document: ProgrammeDocument, scenario: Scenario) -> Scenario:
    """Return the scenario keeping only the decisions that differ from the recorded ones."""
    changed = {change.phase.key for change in scenario_changes(document, scenario)}
    return replace(scenario, decisions={key: scenario.decisions[key] for key in sorted(changed)})


def money_returned(*, received: Decimal, cap: Decimal) -> Decimal:
    """Return the money a partner has paid beyond its cap, which would be returned to it."""
    return max(received - cap, ZERO)


def money_released(*, pledged: Decimal, received: Decimal, cap: Decimal) -> Decimal:
    """Return the money pledged but not yet paid beyond the cap, which would be released."""
    return max(pledged - max(received, cap), ZERO)


@dataclass(frozen=True)
class Gap:
    """Money still to find (a gap) or pledged beyond what is needed (headroom)."""

    amount: Decimal  # needed minus pledged: negative is headroom

    @property
    def is_headroom(self) -> bool:
        return self.amount < 0

    @property
    def size(self) -> Decimal:
        """Return the gap or the headroom as a positive amount."""
        return abs(self.amount)


@dataclass(frozen=True)
class FigureChange:
    """One of the programme's figures, as recorded and in the scenario."""

    label: str
    recorded: Decimal
    scenario: Decimal

    @property
    def change(self) -> Decimal:
        return self.scenario - self.recorded


@dataclass(frozen=True)
class GapChange:
    """The gap or headroom for one of the programme's bounds, as recorded and in the scenario."""

    label: str
    recorded: Gap
    scenario: Gap

    @property
    def change(self) -> Decimal:
        """Return how much more money the scenario leaves to find (negative: less)."""
        return self.scenario.amount - self.recorded.amount


@dataclass(frozen=True)
class PartnerComparison:
    """A contributing partner's recommended tranches as recorded and in the scenario."""

    partner: str  # slug
    name: str
    recorded: PartnerPosition
    scenario: PartnerPosition
    returned: Decimal
    released: Decimal

    @property
    def immediate_change(self) -> Decimal:
        return self.scenario.immediate - self.recorded.immediate

    @property
    def cap_change(self) -> Decimal:
        return self.scenario.cap - self.recorded.cap


@dataclass(frozen=True)
class PartnerTotals:
    """The sums of the partners' rows."""

    recorded_immediate: Decimal
    immediate: Decimal
    immediate_change: Decimal
    recorded_cap: Decimal
    cap: Decimal
    cap_change: Decimal
    pledged: Decimal
    received: Decimal
    returned: Decimal
    released: Decimal


@dataclass(frozen=True)
class ScenarioComparison:
    """The programme's figures as recorded and in the scenario, side by side."""

    scenario: Scenario
    recorded_figures: ProgrammeFigures
    scenario_figures: ProgrammeFigures
    changes: tuple[PhaseChange, ...]
    partners: tuple[PartnerComparison, ...]
    totals: PartnerTotals
    figures: tuple[FigureChange, ...]  # the minimum and maximum, the largest tranche and cap
    gaps: tuple[GapChange, ...]  # for the minimum and for the maximum


def _total(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, ZERO)


def compare_scenario(document: ProgrammeDocument, scenario: Scenario) -> ScenarioComparison:
    """Return the scenario's figures next to the recorded ones, with the money it would return.

    Both sides are ``compute_figures``: of the document as recorded and of the document as the
    scenario would have it. Raises ScenarioError if the scenario names a phase it cannot set,
    and ValueError if either side's method lacks its partners' figures.
    """
    recorded = compute_figures(document)
    figures = compute_figures(apply_scenario(document, scenario))
    names = {partner.slug: partner.name for partner in document.partners}
    before = {position.partner: position for position in recorded.per_partner}
    partners = tuple(
        PartnerComparison(
            partner=position.partner,
            name=names[position.partner],
            recorded=before[position.partner],
            scenario=position,
            returned=money_returned(received=position.received, cap=position.cap),
            released=money_released(
                pledged=position.pledged, received=position.received, cap=position.cap
            ),
        )
        for position in figures.per_partner
    )
    totals = PartnerTotals(
        recorded_immediate=_total(p.recorded.immediate for p in partners),
        immediate=_total(p.scenario.immediate for p in partners),
        immediate_change=_total(p.immediate_change for p in partners),
        recorded_cap=_total(p.recorded.cap for p in partners),
        cap=_total(p.scenario.cap for p in partners),
        cap_change=_total(p.cap_change for p in partners),
        pledged=_total(p.scenario.pledged for p in partners),
        received=_total(p.scenario.received for p in partners),
        returned=_total(p.returned for p in partners),
        released=_total(p.released for p in partners),
    )
    return ScenarioComparison(
        scenario=scenario,
        recorded_figures=recorded,
        scenario_figures=figures,
        changes=scenario_changes(document, scenario),
        partners=partners,
        totals=totals,
        figures=_figure_changes(recorded, figures),
        gaps=(
            GapChange("For the minimum", Gap(recorded.gap_min), Gap(figures.gap_min)),
            GapChange("For the maximum", Gap(recorded.gap_max), Gap(figures.gap_max)),
        ),
    )


def _figure_changes(
    recorded: ProgrammeFigures, scenario: ProgrammeFigures
) -> tuple[FigureChange, ...]:
    """Return the programme's bounds and its recommendation per partner, both ways."""
    rows = [
        FigureChange("Extra cost minimum (committed)", recorded.extra_min, scenario.extra_min),
        FigureChange("Extra cost maximum (possible)", recorded.extra_max, scenario.extra_max),
    ]
    # Absent only when no partner contributes: there is then no recommendation to show.
    if recorded.immediate_per_partner is not None and scenario.immediate_per_partner is not None:
        rows.append(
            FigureChange(
                "Immediate tranche per partner",
                recorded.immediate_per_partner,
                scenario.immediate_per_partner,
            )
        )
    if recorded.cap_per_partner is not None and scenario.cap_per_partner is not None:
        rows.append(
            FigureChange("Cap per partner", recorded.cap_per_partner, scenario.cap_per_partner)
        )
    return tuple(rows)

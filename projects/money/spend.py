"""Spend and forecasts: which phases may be spent on, and each phase's outturn against budget.

Pure functions on ``Decimal`` pounds and pence, as every money rule:

- money is spent only on a committed phase: one no business case gates, or one whose case is
  approved (design, section 9); a phase that does not proceed, or waits for its case, is not;
- a spend line's financial year is the UK local government year, 1 April to 31 March;
- a phase's forecast outturn = spent + the sum of its forecasts; its variance = budget -
  outturn (negative: over budget; ``None`` when the budget is to be confirmed);
- a project's totals are the sums over its phases, to the penny.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .formatting import money
from .vocabulary import Decision

ZERO = Decimal("0.00")

WAITS = "waits for its business case"
STOPPED = "does not proceed"


def spend_refused_because(*, gated: bool, decision: str) -> str | None:
    """Say why a phase may not be spent on (``WAITS`` or ``STOPPED``); ``None`` when it may."""
    if decision == Decision.NOT_PROCEEDING:
        return STOPPED
    if gated and decision != Decision.APPROVED:
        return WAITS
    return None


def spend_refused_message(*, gated: bool, decision: str, phase: str) -> str | None:
    """Say, to someone entering spend, why it is refused on the named phase; ``None`` if not."""
    why = spend_refused_because(gated=gated, decision=decision)
    if why == STOPPED:
        return f"{phase} does not proceed: spend on it is refused."
    if why == WAITS:
        return (
            f"{phase} awaits its business case: spend on it is refused until the case is approved."
        )
    return None


def financial_year_of(day: date) -> str:
    """Return the UK local government financial year the day falls in, such as 2004/05."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


@dataclass(frozen=True)
class PhaseOutturn:
    """One phase's budget, what is spent on it, what is forecast and how it ends up."""

    budget: Decimal | None  # the phase's extra cost; None while to be confirmed
    spent: Decimal
    forecast: Decimal

    @property
    def outturn(self) -> Decimal:
        return self.spent + self.forecast

    @property
    def variance(self) -> Decimal | None:
        """Budget - outturn: negative when over budget; None while the budget is unknown."""
        return None if self.budget is None else self.budget - self.outturn

    @property
    def variance_words(self) -> str:
        """Say the variance as the board reads it: "£1,200 over budget", "£300 under budget"."""
        variance = self.variance
        if variance is None:
            return "Budget to be confirmed"
        if variance < 0:
            return f"{money(-variance)} over budget"
        if variance > 0:
            return f"{money(variance)} under budget"
        return "On budget"

    @property
    def over_budget(self) -> bool:
        variance = self.variance
        return variance is not None and variance < 0


def phase_outturn(
    budget: Decimal | None, spent: Iterable[Decimal], forecasts: Iterable[Decimal]
) -> PhaseOutturn:
    """Return a phase's outturn from its budget, its spend lines' and its forecasts' amounts."""
    return PhaseOutturn(budget, sum(spent, ZERO), sum(forecasts, ZERO))


def project_outturn(phases: Iterable[PhaseOutturn]) -> PhaseOutturn:
    """Return a project's totals over its phases; its budget is unknown if any phase's is."""
    phases = list(phases)
    known = [phase.budget for phase in phases if phase.budget is not None]
    budget = sum(known, ZERO) if len(known) == len(phases) else None
    return PhaseOutturn(
        budget,
        sum((phase.spent for phase in phases), ZERO),
        sum((phase.forecast for phase in phases), ZERO),
    )

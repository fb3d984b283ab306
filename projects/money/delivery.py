"""Delivery: milestones and their slippage, projects' red, amber and green status, and risks.

Pure functions on dates and whole numbers (docs/design.md, section 9.8):

- a milestone's expected date is its actual date once reached, else its forecast date, else its
  baseline date; on a day, a milestone not reached whose expected date has passed is expected
  no earlier than that day;
- its slippage is the days from its baseline date to its expected date, never less than 0; it is
  late when its slippage is more than 0, and due soon when not reached, not late and expected
  within the next 30 days;
- a project's status is its latest update (by date, then the order they were recorded in);
- a risk's score is likelihood x impact (1 to 25): high from 15, medium from 5, else low; an open
  risk whose next review date has passed is past its review.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .document import StatusUpdateData
from .vocabulary import Rag, RiskStatus

DUE_SOON_DAYS = 30
SCORES = range(1, 6)  # likelihood and impact run from 1 to 5
HIGH_FROM = 15
MEDIUM_FROM = 5


@dataclass(frozen=True)
class MilestoneDates:
    """A milestone's dates, and where it stands on a day."""

    baseline: date
    forecast: date | None
    actual: date | None
    as_of: date

    @property
    def reached(self) -> bool:
        return self.actual is not None

    @property
    def expected(self) -> date:
        """The day it was or is expected to be reached, seen from the as-of day."""
        if self.actual is not None:
            return self.actual
        return max(self.forecast or self.baseline, self.as_of)

    @property
    def slippage(self) -> int:
        """Days late against the baseline date: 0 when on or ahead of it."""
        return max(0, (self.expected - self.baseline).days)

    @property
    def late(self) -> bool:
        return self.slippage > 0

    @property
    def due_soon(self) -> bool:
        """Not reached, not late, and expected within the next 30 days."""
        return (
            not self.reached
            and not self.late
            and self.as_of <= self.expected <= self.as_of + timedelta(days=DUE_SOON_DAYS)
        )

    @property
    def state(self) -> str:
        """In the board's words: "Reached", "Late", "Due soon" or "On track"."""
        if self.reached:
            return "Reached late" if self.late else "Reached"
        if self.late:
            return "Late"
        return "Due soon" if self.due_soon else "On track"

    @property
    def slippage_words(self) -> str:
        days = self.slippage
        if days == 0:
            return "On time"
        return f"{days} day{'' if days == 1 else 's'} late"


def milestone_dates(
    baseline: date, forecast: date | None, actual: date | None, *, as_of: date
) -> MilestoneDates:
    return MilestoneDates(baseline, forecast, actual, as_of)


def latest_updates(updates: Iterable[StatusUpdateData]) -> dict[str, StatusUpdateData]:
    """Return each project's latest status update, by its slug: by date, then the order given
    (the order recorded); a project with none is not in it."""
    latest: dict[str, tuple[date, int, StatusUpdateData]] = {}
    for order, update in enumerate(updates):
        found = latest.get(update.project)
        if found is None or (update.date, order) >= found[:2]:
            latest[update.project] = (update.date, order, update)
    return {project: found[2] for project, found in latest.items()}


def projects_by_status(statuses: Iterable[str | None]) -> dict[str, int]:
    """Count projects by their status, in red, amber, green order, then those without one."""
    counts = Counter(statuses)
    by_status = {rag.value: counts.get(rag.value, 0) for rag in Rag}
    by_status["not_set"] = counts.get(None, 0)
    return by_status


def risk_score(likelihood: int, impact: int) -> int:
    return likelihood * impact


def risk_band(score: int) -> str:
    """Return "high", "medium" or "low" for a score from 1 to 25."""
    if score >= HIGH_FROM:
        return "high"
    return "medium" if score >= MEDIUM_FROM else "low"


def past_review(*, status: str, next_review: date | None, as_of: date) -> bool:
    """An open risk whose next review date has passed has not been reviewed in time."""
    return status == RiskStatus.OPEN and next_review is not None and next_review < as_of


def open_risks_by_score(risks: Iterable[tuple[str, int, int]]) -> list[dict[str, int]]:
    """Count open risks, given as (status, likelihood, impact), by score, highest first."""
    counts = Counter(
        risk_score(likelihood, impact)
        for status, likelihood, impact in risks
        if status == RiskStatus.OPEN
    )
    return [{"score": score, "count": counts[score]} for score in sorted(counts, reverse=True)]


def heat_map(risks: Iterable[tuple[int, int]]) -> tuple[tuple[int, ...], ...]:
    """Count risks, given as (likelihood, impact), in a 5 x 5 grid.

    Rows run from likelihood 5 down to 1, as the map is drawn; columns from impact 1 to 5.
    """
    counts = Counter(risks)
    return tuple(
        tuple(counts.get((likelihood, impact), 0) for impact in SCORES)
        for likelihood in reversed(SCORES)
    )

"""Reads of the risk register: each risk with its score, band and whether its review is overdue.

Scores, bands and the past-review rule are ``projects.money.delivery``'s; the database is asked
only to count and order by the same rules, so that every page reads a fixed number of queries
however many risks the programme has:

- the register: one query for its risks (with their projects' names), one for the heat map's
  counts;
- the dashboard's top risks: one query, which also counts the open risks and those past review;
- a project's risks: one query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)

from ..models import Programme, Project, Risk
from ..money.delivery import HIGH_FROM, MEDIUM_FROM, heat_map, past_review, risk_band, risk_score
from ..money.vocabulary import RiskStatus

TOP_RISKS = 5
PROGRAMME_AS_A_WHOLE = "programme"  # the project filter's choice of risks to no one project
BAND_WORDS = {"high": "High", "medium": "Medium", "low": "Low"}
BAND_TAGS = {"high": "govuk-tag--red", "medium": "govuk-tag--orange", "low": "govuk-tag--green"}


@dataclass(frozen=True)
class RiskRow:
    """A risk as the pages show it: its score and band, and whether its review is overdue."""

    risk: Risk
    score: int
    band: str  # "high", "medium" or "low"
    past_review: bool

    @property
    def band_words(self) -> str:
        return BAND_WORDS[self.band]

    @property
    def band_tag(self) -> str:
        return BAND_TAGS[self.band]

    @property
    def project_name(self) -> str:
        """The project the risk belongs to, or "Programme" for a risk to the whole programme."""
        project = self.risk.project  # fetched with the risk: no query
        return project.name if project is not None else "Programme"

    @property
    def is_open(self) -> bool:
        return self.risk.status == RiskStatus.OPEN


def risk_row(risk: Risk, *, as_of: date) -> RiskRow:
    score = risk_score(risk.likelihood, risk.impact)
    return RiskRow(
        risk=risk,
        score=score,
        band=risk_band(score),
        past_review=past_review(status=risk.status, next_review=risk.next_review, as_of=as_of),
    )


SCORE = ExpressionWrapper(F("likelihood") * F("impact"), output_field=IntegerField())


def with_score(risks: QuerySet[Risk]) -> QuerySet[Risk]:
    """Annotate each risk with its score, as ``risk_score`` works it out."""
    return risks.annotate(score_value=SCORE)


def in_band(risks: QuerySet[Risk], band: str) -> QuerySet[Risk]:
    """Keep the risks whose score falls in the band, as ``risk_band`` draws them."""
    scored = with_score(risks)
    if band == "high":
        return scored.filter(Q(score_value__gte=HIGH_FROM))
    if band == "medium":
        return scored.filter(Q(score_value__gte=MEDIUM_FROM) & Q(score_value__lt=HIGH_FROM))
    return scored.filter(Q(score_value__lt=MEDIUM_FROM))


def register_risks(*, programme: Programme | int) -> QuerySet[Risk]:
    """The programme's risks with their projects: open first, highest score first, by reference."""
    open_first = Case(
        When(status=RiskStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        with_score(Risk.objects.filter(programme=programme))
        .select_related("project")
        .order_by(open_first, F("score_value").desc(), "reference", "pk")
    )


def filtered_risks(
    *,
    programme: Programme,
    status: str | None = None,
    project: str | None = None,
    band: str | None = None,
) -> QuerySet[Risk]:
    """The register's risks, in its order, filtered as the register's filters do: by status,
    by project (its slug, or "programme" for the risks to the programme as a whole) and by band.
    """
    risks = register_risks(programme=programme)
    if status is not None:
        risks = risks.filter(status=status)
    if project == PROGRAMME_AS_A_WHOLE:
        risks = risks.filter(project__isnull=True)
    elif project is not None:
        risks = risks.filter(project__slug=project)
    return risks if band is None else in_band(risks, band)


def risk_rows(risks: Iterable[Risk], *, as_of: date) -> list[RiskRow]:
    return [risk_row(risk, as_of=as_of) for risk in risks]


def open_heat_map(*, programme: Programme) -> tuple[tuple[int, ...], ...]:
    """Count the programme's open risks by likelihood and impact: at most 25 rows read."""
    counts = (
        Risk.objects.filter(programme=programme, status=RiskStatus.OPEN)
        .values_list("likelihood", "impact")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return heat_map(
        (likelihood, impact) for likelihood, impact, count in counts for _ in range(count)
    )


@dataclass(frozen=True)
class RiskRegister:
    rows: list[RiskRow]
    heat_map: tuple[tuple[int, ...], ...]


def risk_register(
    *, programme: Programme, as_of: date, risks: QuerySet[Risk] | None = None
) -> RiskRegister:
    """The register's rows (``risks``, filtered, or every risk) and the open risks' heat map."""
    chosen = register_risks(programme=programme) if risks is None else risks
    return RiskRegister(
        rows=risk_rows(chosen, as_of=as_of), heat_map=open_heat_map(programme=programme)
    )


@dataclass(frozen=True)
class TopRisks:
    """The dashboard's risks: the highest-scoring open ones, how many are open and overdue."""

    rows: list[RiskRow]
    open_count: int
    past_review_count: int


def top_risks(*, programme: Programme, as_of: date, limit: int = TOP_RISKS) -> TopRisks:
    """The open risks with the highest scores, overdue reviews first among equals; one query.

    The counts ride on each row as window functions over every open risk, so the query that
    reads the first five also says how many there are and how many are past their review.
    """
    overdue = Q(next_review__isnull=False, next_review__lt=as_of)
    risks = list(
        with_score(Risk.objects.filter(programme=programme, status=RiskStatus.OPEN))
        .select_related("project")
        .annotate(
            overdue=Case(When(overdue, then=Value(True)), default=Value(False),
                         output_field=BooleanField()),
            open_total=Window(Count("pk")),
            overdue_total=Window(Sum(Case(When(overdue, then=Value(1)), default=Value(0)))),
        )
        .order_by(F("score_value").desc(), F("overdue").desc(), "next_review", "reference", "pk")[
            :limit
        ]
    )  # fmt: skip
    return TopRisks(
        rows=risk_rows(risks, as_of=as_of),
        open_count=risks[0].open_total if risks else 0,
        past_review_count=risks[0].overdue_total if risks else 0,
    )


def project_risks(*, project: Project, as_of: date) -> list[RiskRow]:
    """The project's risks, open first and highest score first; one query."""
    risks = list(register_risks(programme=project.programme_id).filter(project=project))
    for risk in risks:
        risk.project = project
    return risk_rows(risks, as_of=as_of)

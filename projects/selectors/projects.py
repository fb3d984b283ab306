"""Reads for the project pages: the projects table with its money, and one project's page.

The table's money is computed in the database, one correlated subquery per figure: joining
phases and funding lines in one query would multiply the rows and so the sums. The rules are
those of ``projects.money.bounds`` (tested against it), written as query conditions.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from projects.money.figures import ProgrammeFigures, compute_figures

from ..history import HistoryEntry, history_entries
from ..models import FundingLine, Milestone, OutcomeClaim, Phase, Programme, Project, StatusUpdate
from ..money.bounds import ExtraBounds, project_existing_resource, project_extra_bounds
from ..money.progress_tables import ProjectSpend, spend_against_budget
from ..money.status import ShownStatus, shown_status
from ..money.vocabulary import Decision, FundingStatus, Grade, Rag
from .programmes import programme_document

MONEY_FIELD: DecimalField = DecimalField(max_digits=14, decimal_places=2)
ZERO = Decimal("0.00")
PENNY = Decimal("0.01")

# A phase that does not proceed leaves both bounds; an unknown (TBC) cost is left out of sums.
IN_MAXIMUM = Q(extra_cost__isnull=False) & ~Q(decision=Decision.NOT_PROCEEDING)
IN_MINIMUM = IN_MAXIMUM & (Q(gated=False) | Q(decision=Decision.APPROVED))
TO_BE_CONFIRMED = Q(extra_cost__isnull=True) & ~Q(decision=Decision.NOT_PROCEEDING)
AWAITING_DECISION = Q(gated=True, decision=Decision.PENDING)

GRADE_ANNOTATIONS = {
    Grade.REQUIRED: "required_claims",
    Grade.GOOD: "good_claims",
    Grade.EXCELLENT: "excellent_claims",
}


def _per_project_sum(
    model: type[Phase | FundingLine | OutcomeClaim], field: str, condition: Q
) -> Coalesce:
    """Return the sum of a child row's field for the outer project, zero when it has none."""
    rows = (
        model.objects.filter(condition, project=OuterRef("pk"))
        .order_by()  # the default ordering would otherwise join the GROUP BY
        .values("project")
        .annotate(total=Sum(field))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=MONEY_FIELD), Value(ZERO), output_field=MONEY_FIELD)


def _per_project_count(model: type[Phase | FundingLine | OutcomeClaim], condition: Q) -> Coalesce:
    """Return the number of the outer project's child rows meeting the condition."""
    rows = (
        model.objects.filter(condition, project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def with_totals(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Annotate each project with its existing resource, extra minimum and maximum, TBC phases.

    Also the number of its outcome claims of each grade, as ``required_claims`` and so on.
    """
    return projects.annotate(
        existing_resource=_per_project_sum(FundingLine, "amount", Q(status=FundingStatus.SECURED)),
        extra_min=_per_project_sum(Phase, "extra_cost", IN_MINIMUM),
        extra_max=_per_project_sum(Phase, "extra_cost", IN_MAXIMUM),
        tbc_phases=_per_project_count(Phase, TO_BE_CONFIRMED),
        **{
            name: _per_project_count(OutcomeClaim, Q(grade=grade))
            for grade, name in GRADE_ANNOTATIONS.items()
        },
    )


def projects_for_table(*, programme: Programme) -> QuerySet[Project]:
    """Return the programme's projects with their lead partner and money, in board order.

    Each also counts its phases and those not proceeding, for the status it is shown with
    (``projects.money.status``).
    """
    return (
        with_totals(Project.objects.filter(programme=programme).select_related("lead_partner"))
        .annotate(
            phase_count=_per_project_count(Phase, Q()),
            stopped_phases=_per_project_count(Phase, Q(decision=Decision.NOT_PROCEEDING)),
        )
        .order_by("position", "name")
    )


def awaiting_decision(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Keep the projects with a gated phase whose business case awaits a decision."""
    return projects.filter(Exists(Phase.objects.filter(AWAITING_DECISION, project=OuterRef("pk"))))


def claiming_grade(projects: QuerySet[Project], grade: str) -> QuerySet[Project]:
    """Keep the projects that claim at least one outcome of the grade."""
    return projects.filter(Exists(OutcomeClaim.objects.filter(project=OuterRef("pk"), grade=grade)))


def search(projects: QuerySet[Project], text: str) -> QuerySet[Project]:
    """Keep the projects whose name, description or outputs contain every word of the text."""
    for word in text.split():
        projects = projects.filter(
            Q(name__icontains=word) | Q(description__icontains=word) | Q(outputs__icontains=word)
        )
    return projects


@dataclass(frozen=True)
class TableTotals:
    """The sums of the projects table over every project that the filters keep."""

    projects: int
    existing_resource: Decimal
    extra_min: Decimal
    extra_max: Decimal
    tbc_phases: int
    required_claims: int
    good_claims: int
    excellent_claims: int


def table_totals(projects: QuerySet[Project]) -> TableTotals:
    """Return the totals of projects annotated by ``with_totals``, in one aggregate query."""
    money_fields = ("existing_resource", "extra_min", "extra_max")
    count_fields = ("tbc_phases", *GRADE_ANNOTATIONS.values())
    # Each sum takes a name of its own: one named as the annotation it sums would replace it.
    sums = projects.order_by().aggregate(
        total_projects=Count("pk"),
        **{
            f"total_{name}": Coalesce(Sum(name), Value(ZERO), output_field=MONEY_FIELD)
            for name in money_fields
        },
        **{f"total_{name}": Coalesce(Sum(name), Value(0)) for name in count_fields},
    )
    totals = {name.removeprefix("total_"): value for name, value in sums.items()}
    for name in money_fields:
        # SQLite sums decimals as floats: back to exact pounds and pence.
        totals[name] = Decimal(totals[name]).quantize(PENNY)
    return TableTotals(**totals)


@dataclass(frozen=True)
class ProjectPage:
    """Everything the project page shows: the project, its money, the programme's, its history."""

    project: Project  # with its lead partner, phases, funding lines and outcome claims
    status: ShownStatus
    existing_resource: Decimal
    bounds: ExtraBounds
    figures: ProgrammeFigures
    history: list[HistoryEntry]
    # Its budget, spent to date, forecast of the rest, outturn and variance, summed over its
    # phases as its spend page sums them (from the programme read once: no query more).
    spend: ProjectSpend | None = None


def project_for_page(*, programme: Programme, slug: str) -> Project:
    """Return the programme's project with this slug and its rows, or 404."""
    return get_object_or_404(
        Project.objects.filter(programme=programme)
        .select_related("lead_partner")
        .prefetch_related("phases", "funding_lines", "outcome_claims"),
        slug=slug,
    )


def history_label(record: Any) -> str:
    """Name the row a historical record is of, as the project page shows it."""
    model = record.instance_type
    if model is Project:
        return "Project"
    if model is Phase:
        return f"Phase {record.number}: {record.name}"
    if model is FundingLine:
        return f"Funding: {record.source}"
    if model is OutcomeClaim:
        grade = Grade(record.grade).label if record.grade in Grade.values else record.grade
        return f"Outcome claim: {grade}{f' {record.code}' if record.code else ''}"
    if model is Milestone:
        return f"Milestone: {record.name}"
    if model is StatusUpdate:
        status = Rag(record.status).label if record.status in Rag.values else record.status
        return f"Status: {status}, set {record.date.day} {record.date:%B %Y}"
    return str(model._meta.verbose_name).capitalize()


def project_history(*, project: Project) -> list[HistoryEntry]:
    """Return the changes to the project, its phases, funding, claims, milestones and status.

    Rows since removed from the project are included: their history names the project still.
    Saves that changed no field a person sees (only the version, which moves on with every
    decision on a phase) are left out.
    """
    records = [
        *project.history.select_related("history_user"),
        *Phase.history.filter(project_id=project.pk).select_related("history_user"),
        *FundingLine.history.filter(project_id=project.pk).select_related("history_user"),
        *OutcomeClaim.history.filter(project_id=project.pk).select_related("history_user"),
        # Delivery: how each milestone slipped or was reached, and each status set.
        *Milestone.history.filter(project_id=project.pk).select_related("history_user"),
        *StatusUpdate.history.filter(project_id=project.pk).select_related("history_user"),
    ]
    return [
        entry
        for entry in history_entries(records, label=history_label)
        if entry.changes or entry.action != "Changed"
    ]


def project_page(*, programme: Programme, project: Project) -> ProjectPage:
    """Return the page of a project from ``project_for_page``, in a fixed number of queries."""
    document = programme_document(programme=programme, spend_summed=True)
    data = next(item for item in document.projects if item.slug == project.slug)
    return ProjectPage(
        project=project,
        status=shown_status(
            data.status,
            phases=len(data.phases),
            stopped=sum(1 for phase in data.phases if phase.decision == Decision.NOT_PROCEEDING),
        ),
        existing_resource=project_existing_resource(data.funding),
        bounds=project_extra_bounds(data.phases),
        figures=compute_figures(document),
        history=project_history(project=project),
        spend=next(
            (row for row in spend_against_budget(document).rows if row.slug == project.slug),
            None,
        ),
    )


@dataclass(frozen=True)
class DeletionImpact:
    """What deleting a project takes with it, and how the programme's figures move."""

    phases: int
    funding_lines: int
    claims: int
    minimum_before: Decimal
    minimum_after: Decimal
    maximum_before: Decimal
    maximum_after: Decimal


def deletion_impact(project: Project, programme: Programme) -> DeletionImpact:
    """Count the project's rows and work out the programme's figures without it."""
    document = programme_document(programme=programme)
    data = next(item for item in document.projects if item.slug == project.slug)
    before = compute_figures(document)
    after = compute_figures(
        replace(document, projects=tuple(p for p in document.projects if p.slug != project.slug))
    )
    return DeletionImpact(
        phases=len(data.phases),
        funding_lines=len(data.funding),
        claims=len(data.outcome_claims),
        minimum_before=before.extra_min,
        minimum_after=after.extra_min,
        maximum_before=before.extra_max,
        maximum_after=after.extra_max,
    )

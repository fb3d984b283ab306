"""Reads of delivery: milestones with where they stand on a day, and projects' status.

Each read is a fixed number of queries whatever the number of projects, milestones and status
updates: a project's current status is the latest of its updates, read by a subquery beside the
project rather than one query per project. Where a milestone stands (expected date, slippage,
state) is worked out by ``projects.money.delivery``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce

from ..models import Milestone, Programme, Project, StatusUpdate
from ..money.delivery import (
    DUE_SOON_DAYS,
    MilestoneDates,
    milestone_dates,
    projects_by_status,
)
from ..money.vocabulary import Rag

DASHBOARD_MILESTONES = 10


@dataclass(frozen=True)
class MilestoneRow:
    """A milestone with its dates and where it stands on the as-of day."""

    milestone: Milestone
    dates: MilestoneDates

    @property
    def state_tag(self) -> str:
        """The GOV.UK tag colour of its state; the state's words are always shown with it."""
        return {
            "Reached": "green",
            "Reached late": "orange",
            "Late": "red",
            "Due soon": "yellow",
            "On track": "blue",
        }[self.dates.state]


def milestone_row(milestone: Milestone, *, as_of: date) -> MilestoneRow:
    return MilestoneRow(
        milestone=milestone,
        dates=milestone_dates(
            milestone.baseline, milestone.forecast, milestone.actual, as_of=as_of
        ),
    )


@dataclass(frozen=True)
class CurrentStatus:
    """A project's status now: its latest update's status, reason and date."""

    status: str
    date: date
    reason: str

    @property
    def label(self) -> str:
        return Rag(self.status).label


def current_status(update: StatusUpdate | None) -> CurrentStatus | None:
    if update is None:
        return None
    return CurrentStatus(status=update.status, date=update.date, reason=update.reason)


@dataclass(frozen=True)
class ProjectDelivery:
    """A project's milestones, its status now and how its status moved, newest first."""

    milestones: tuple[MilestoneRow, ...]
    status: CurrentStatus | None
    history: tuple[StatusUpdate, ...]


def project_milestones(*, project: Project, as_of: date) -> tuple[MilestoneRow, ...]:
    """Return the project's milestones in baseline order, each with where it stands: 1 query."""
    milestones = Milestone.objects.filter(project=project).select_related("phase")
    rows = []
    for milestone in milestones.order_by("baseline", "pk"):
        milestone.project = project
        rows.append(milestone_row(milestone, as_of=as_of))
    return tuple(rows)


def status_history(*, project: Project) -> tuple[StatusUpdate, ...]:
    """Return the project's status updates, the latest (its status now) first: 1 query."""
    return tuple(StatusUpdate.objects.filter(project=project).order_by("-date", "-pk"))


def project_delivery(*, project: Project, as_of: date) -> ProjectDelivery:
    """Return the project's milestones and status, in 2 queries."""
    history = status_history(project=project)
    return ProjectDelivery(
        milestones=project_milestones(project=project, as_of=as_of),
        status=current_status(history[0] if history else None),
        history=history,
    )


def _latest(field: str) -> Subquery:
    latest = StatusUpdate.objects.filter(project=OuterRef("pk")).order_by("-date", "-pk")
    return Subquery(latest.values(field)[:1])


def with_current_status(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Annotate each project with its current status, for ``status_of``: no query more.

    Each carries ``rag`` (None when no status is set), ``rag_date`` and ``rag_reason``.
    """
    return projects.annotate(
        rag=_latest("status"), rag_date=_latest("date"), rag_reason=_latest("reason")
    )


def projects_with_status(*, programme: Programme) -> QuerySet[Project]:
    """Return the programme's projects, in order, each with its current status: 1 query."""
    return with_current_status(Project.objects.filter(programme=programme)).order_by(
        "position", "name"
    )


def status_of(project: Project) -> CurrentStatus | None:
    """Return the current status of a project from ``projects_with_status``."""
    if project.rag is None:  # type: ignore[attr-defined]
        return None
    return CurrentStatus(
        status=project.rag,  # type: ignore[attr-defined]
        date=project.rag_date,  # type: ignore[attr-defined]
        reason=project.rag_reason,  # type: ignore[attr-defined]
    )


def late_or_due_soon(as_of: date) -> Q:
    """Milestones not reached that are late, or expected within the next 30 days, on a day.

    The rule of ``projects.money.delivery`` as a filter: expected is the forecast (or baseline)
    date but no earlier than the day, so a milestone not reached is late when its forecast is
    after its baseline or its baseline has passed; otherwise it is due soon when its forecast
    (or baseline) falls within 30 days.
    """
    return Q(actual__isnull=True) & (
        Q(forecast__gt=F("baseline"))
        | Q(baseline__lt=as_of)
        | Q(expected_on__lte=as_of + timedelta(days=DUE_SOON_DAYS))
    )


def late_milestones(as_of: date) -> Q:
    """Milestones late on a day: the rule of ``projects.money.delivery`` as a filter.

    Expected is the actual date once reached, else the forecast (or baseline) date but no
    earlier than the day; late is expected after the baseline. So a milestone reached is late
    when reached after its baseline; one not reached when its forecast is after its baseline or
    its baseline has passed.
    """
    return Q(actual__isnull=False, actual__gt=F("baseline")) | (
        Q(actual__isnull=True) & (Q(forecast__gt=F("baseline")) | Q(baseline__lt=as_of))
    )


def programme_milestones(
    *,
    programme: Programme,
    as_of: date,
    project: str | None = None,
    late: bool | None = None,
) -> QuerySet[Milestone]:
    """Return the programme's milestones, project by project in baseline order, with their
    projects and phases: of a project (slug), and late or not on the day, if given. One query
    for any page of it."""
    milestones = Milestone.objects.filter(project__programme=programme)
    if project is not None:
        milestones = milestones.filter(project__slug=project)
    if late is not None:
        milestones = milestones.annotate(
            is_late=Case(
                When(late_milestones(as_of), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        ).filter(is_late=late)
    return milestones.select_related("project", "phase").order_by(
        "project__position", "project__name", "project__pk", "baseline", "pk"
    )


def programme_milestone(*, programme: Programme, pk: int) -> Milestone | None:
    """Return the programme's milestone with this key, with its project and phase, or None."""
    return (
        Milestone.objects.filter(project__programme=programme, pk=pk)
        .select_related("project", "phase")
        .first()
    )


@dataclass(frozen=True)
class DueMilestone:
    """A milestone late or due soon, with its project."""

    row: MilestoneRow
    project: Project


def milestones_late_or_due(
    *, programme: Programme, as_of: date, limit: int | None = None
) -> tuple[tuple[DueMilestone, ...], int]:
    """Return the programme's milestones late or due soon, by expected date, and how many.

    The first ``limit`` of them (all with None) and their number, in 1 query.
    """
    milestones = (
        Milestone.objects.filter(project__programme=programme)
        .annotate(expected_on=Coalesce("forecast", "baseline"))
        .filter(late_or_due_soon(as_of))
        .annotate(total=Window(Count("pk")))
        .select_related("project", "phase")
        .order_by("expected_on", "baseline", "project__position", "pk")
    )
    found = list(milestones if limit is None else milestones[:limit])
    total = found[0].total if found else 0
    return (
        tuple(DueMilestone(row=milestone_row(m, as_of=as_of), project=m.project) for m in found),
        total,
    )


@dataclass(frozen=True)
class StatusCount:
    status: str  # red, amber, green or not_set
    label: str
    count: int


@dataclass(frozen=True)
class DeliverySummary:
    """The dashboard's delivery: projects by status, and milestones late or due soon."""

    by_status: tuple[StatusCount, ...]
    due: tuple[DueMilestone, ...]
    due_total: int
    projects: int


def status_counts(statuses: list[str | None]) -> tuple[StatusCount, ...]:
    counts = projects_by_status(statuses)
    labels = {rag.value: rag.label for rag in Rag} | {"not_set": "Not set"}
    return tuple(StatusCount(key, labels[key], count) for key, count in counts.items())


def delivery_summary(*, programme: Programme, as_of: date) -> DeliverySummary:
    """Return the dashboard's delivery section, in 2 queries whatever the programme's size."""
    statuses = list(
        Project.objects.filter(programme=programme)
        .annotate(rag=_latest("status"))
        .values_list("rag", flat=True)
    )
    due, total = milestones_late_or_due(
        programme=programme, as_of=as_of, limit=DASHBOARD_MILESTONES
    )
    return DeliverySummary(
        by_status=status_counts(statuses), due=due, due_total=total, projects=len(statuses)
    )


@dataclass(frozen=True)
class ProgrammeDelivery:
    """The programme's projects with their status and milestones, for its delivery page."""

    projects: tuple[tuple[Project, CurrentStatus | None, tuple[MilestoneRow, ...]], ...]
    by_status: tuple[StatusCount, ...]


def programme_delivery(*, programme: Programme, as_of: date) -> ProgrammeDelivery:
    """Return every project with its status and milestones, in 2 queries."""
    projects = list(projects_with_status(programme=programme))
    by_project: dict[int, list[MilestoneRow]] = {project.pk: [] for project in projects}
    milestones = Milestone.objects.filter(project__programme=programme).select_related("phase")
    for milestone in milestones.order_by("baseline", "pk"):
        by_project[milestone.project_id].append(milestone_row(milestone, as_of=as_of))
    rows = []
    for project in projects:
        project.programme = programme
        for row in by_project[project.pk]:
            row.milestone.project = project
        rows.append((project, status_of(project), tuple(by_project[project.pk])))
    return ProgrammeDelivery(
        projects=tuple(rows),
        by_status=status_counts([project.rag for project in projects]),  # type: ignore[attr-defined]
    )

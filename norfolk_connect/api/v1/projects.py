"""Projects: the programme's projects table, filtered as on its page, and one project's rows.

Each project's money is the projects table's (``projects_for_table``), so the API's figures are
the page's; the filters are the table's own FilterSet (``ProjectFilter``), given by slug.
"""

# No "from __future__ import annotations": ninja reads the filters' type from the signature
# of the paginated function, outside this module, so it must be the class itself.

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from projects.filters import ProjectFilter
from projects.models import FundingLine, OutcomeClaim, Phase, Programme, Project
from projects.money.status import shown_status
from projects.money.vocabulary import (
    Borne,
    Decision,
    FundingKind,
    FundingStatus,
    Grade,
    ProjectStatus,
    Rag,
)
from projects.selectors import projects_for_table
from projects.selectors.contacts import project_lead
from projects.selectors.delivery import status_of, with_current_status

from .common import MONEY_FIELD, Page, answers, money_text, own_programme

router = Router(tags=["Projects"])

StatusValue = Literal[tuple(ProjectStatus.values)]  # type: ignore[valid-type]
GradeValue = Literal[tuple(Grade.values)]  # type: ignore[valid-type]
RagValue = Literal[tuple(Rag.values)]  # type: ignore[valid-type]
DecisionValue = Literal[tuple(Decision.values)]  # type: ignore[valid-type]
BorneValue = Literal[tuple(Borne.values)]  # type: ignore[valid-type]
FundingKindValue = Literal[tuple(FundingKind.values)]  # type: ignore[valid-type]
FundingStatusValue = Literal[tuple(FundingStatus.values)]  # type: ignore[valid-type]


class PartnerRef(Schema):
    """A partner council of the partnership, named."""

    slug: str = Field(description="The council's short name, used in the API's addresses.")
    name: str = Field(description="The council's name.")


class PersonOut(Schema):
    """A named officer, as the pages show them; either the name or the email may be empty."""

    name: str = Field(description="Their name; empty when only the email is recorded.")
    email: str = Field(description="Their email address; empty when only the name is recorded.")


class CurrentStatus(Schema):
    """A project's red, amber or green status now: its latest status update."""

    status: RagValue = Field(description="Red, amber or green: `red`, `amber` or `green`.")
    date: dt.date = Field(description="The day it was set, YYYY-MM-DD.")
    reason: str = Field(description="Why it was set, as the facilitator wrote it.")


class ClaimCounts(Schema):
    """How many outcome claims of each grade the project makes."""

    required: int = Field(description="Claims graded Required.")
    good: int = Field(description="Claims graded Good.")
    excellent: int = Field(description="Claims graded Excellent.")


class ProjectOut(Schema):
    """A project of the programme with its lead, its status and its money, as the projects
    table shows it."""

    slug: str = Field(description="The project's short name, used in the API's addresses.")
    name: str = Field(description="The project's name.")
    position: int = Field(
        description="Its place in the programme's order (the board report's table), from 0; "
        "the list comes in this order."
    )
    lead_partner: PartnerRef | None = Field(
        description="The council that leads it; null when none is named."
    )
    lead: PersonOut | None = Field(
        description="The officer who leads its work; null when none is recorded."
    )
    supports_strategy: bool = Field(description="Whether it supports the partnership's strategy.")
    status: StatusValue = Field(
        description="Its status as set: `proposed`, `active`, `complete` or `withdrawn`."
    )
    shown_status: str = Field(
        description="Its status as the pages show it: the status as set, except that a "
        "proposed project all of whose phases do not proceed shows `Not proceeding`."
    )
    current_status: CurrentStatus | None = Field(
        description="Its red, amber or green status now (its latest update); null when none "
        "has been set."
    )
    existing_resource: str = Field(
        description=f"Its secured funding, its existing resource. {MONEY_FIELD}"
    )
    extra_min: str = Field(
        description="The extra cost committed: its phases not gated by a business case, or "
        f"gated and approved. {MONEY_FIELD}"
    )
    extra_max: str = Field(
        description="The extra cost possible: every phase still in play, whatever its "
        f"business case's decision. {MONEY_FIELD}"
    )
    tbc_phases: int = Field(
        description="How many of its phases still in play have a cost to be confirmed, left "
        "out of the sums."
    )
    claims: ClaimCounts = Field(description="How many outcome claims it makes, by grade.")

    @staticmethod
    def resolve_lead_partner(project: Project) -> dict | None:
        partner = project.lead_partner
        return None if partner is None else {"slug": partner.slug, "name": partner.name}

    @staticmethod
    def resolve_lead(project: Project) -> Any:
        return project_lead(project)

    @staticmethod
    def resolve_shown_status(project: Any) -> str:
        return shown_status(
            project.status, phases=project.phase_count, stopped=project.stopped_phases
        ).label

    @staticmethod
    def resolve_current_status(project: Project) -> Any:
        return status_of(project)

    @staticmethod
    def resolve_existing_resource(project: Any) -> str | None:
        return money_text(project.existing_resource)

    @staticmethod
    def resolve_extra_min(project: Any) -> str | None:
        return money_text(project.extra_min)

    @staticmethod
    def resolve_extra_max(project: Any) -> str | None:
        return money_text(project.extra_max)

    @staticmethod
    def resolve_claims(project: Any) -> dict:
        return {
            "required": project.required_claims,
            "good": project.good_claims,
            "excellent": project.excellent_claims,
        }


class PhaseOut(Schema):
    """A phase of a project, with the fields the programme file holds for it."""

    number: int = Field(description="Its number, unique in the project.")
    name: str = Field(description="The phase's name.")
    extra_cost: str | None = Field(
        description="New money it needs from the partners; null when its cost is to be "
        f"confirmed. {MONEY_FIELD}"
    )
    gated: bool = Field(
        description="Whether a business case gates it: its money is drawn down only if the "
        "business case is approved."
    )
    decision: DecisionValue = Field(
        description="The business case's decision: `pending`, `approved` or `not_proceeding` "
        "(a phase not gated is committed unless it does not proceed)."
    )
    borne: BorneValue = Field(
        description="Who bears its cost: `shared` by the apportionment, or `individual`, split "
        "equally."
    )
    note: str = Field(description="A note on the phase; empty when there is none.")
    decided_on: dt.date | None = Field(
        description="The day its decision was taken, YYYY-MM-DD; null when not recorded."
    )
    decision_note: str = Field(description="A note on the decision; empty when there is none.")

    @staticmethod
    def resolve_extra_cost(phase: Phase) -> str | None:
        return money_text(phase.extra_cost)


class FundingOut(Schema):
    """A line of a project's funding: money already found for it."""

    source: str = Field(description="Where the money comes from.")
    kind: FundingKindValue = Field(description="`local` or `external` money.")
    amount: str = Field(description=f"The amount. {MONEY_FIELD}")
    status: FundingStatusValue = Field(
        description="`secured` (counted in the existing resource) or `prospective`."
    )
    note: str = Field(description="A note on the line; empty when there is none.")

    @staticmethod
    def resolve_amount(line: FundingLine) -> str | None:
        return money_text(line.amount)


class ClaimOut(Schema):
    """A priority outcome the project claims to achieve."""

    grade: GradeValue = Field(description="The claim's grade: `required`, `good` or `excellent`.")
    code: str | None = Field(description="The ODPM outcome code; null when it is not known.")

    @staticmethod
    def resolve_code(claim: OutcomeClaim) -> str | None:
        return claim.code or None


class ProjectDetailOut(ProjectOut):
    """A project with its text and every phase, funding line and outcome claim, as the
    programme file holds them, and its money as the projects table shows it."""

    description: str = Field(description="What the project does; empty when not written.")
    outputs: str = Field(description="What it produces; empty when not written.")
    external_project: str = Field(
        description="The national or external project it belongs to; empty when none."
    )
    phases: list[PhaseOut] = Field(description="Its phases, by number.")
    funding: list[FundingOut] = Field(description="Its funding lines, in the file's order.")
    outcome_claims: list[ClaimOut] = Field(description="Its outcome claims, in the file's order.")

    @staticmethod
    def resolve_funding(project: Project) -> Any:
        return project.funding_lines.all()

    @staticmethod
    def resolve_outcome_claims(project: Project) -> Any:
        return project.outcome_claims.all()


class ProjectFilters(Schema):
    """The projects table's filters: each narrows the list; together, every one must hold."""

    q: str | None = Field(
        None,
        max_length=200,
        description="Words in the name, description or outputs: a project must contain every "
        "word, in any case.",
    )
    status: StatusValue | None = Field(
        None,
        description="Only projects with this status as set: `proposed`, `active`, `complete` "
        "or `withdrawn`.",
    )
    lead_partner: str | None = Field(
        None,
        max_length=100,
        description="Only projects led by the council with this slug; a slug the partnership "
        "has no council with is refused (422).",
    )
    grade: GradeValue | None = Field(
        None,
        description="Only projects claiming at least one outcome of this grade: `required`, "
        "`good` or `excellent`.",
    )
    supports_strategy: bool | None = Field(
        None,
        description="`true`: only projects supporting the partnership's strategy; `false`: only "
        "those that do not.",
    )
    decision_pending: bool = Field(
        False,
        description="`true`: only projects with a business case awaiting a decision; `false` or "
        "absent: every project.",
    )


class _ProjectFilter(ProjectFilter):
    """The projects table's filters, naming the lead partner by its slug rather than its id."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["lead_partner"].extra["to_field_name"] = "slug"


def filtered_projects(programme: Programme, filters: ProjectFilters) -> QuerySet[Project]:
    """The programme's projects with the table's money, kept by the table's own filters.

    Filters that do not make sense are refused with the table's messages (422), never ignored.
    """
    data: dict[str, str] = {}
    if filters.q:
        data["q"] = filters.q
    for name in ("status", "lead_partner", "grade"):
        if getattr(filters, name):
            data[name] = getattr(filters, name)
    if filters.supports_strategy is not None:
        data["supports_strategy"] = "yes" if filters.supports_strategy else "no"
    if filters.decision_pending:
        data["decision_pending"] = "true"
    projects = with_current_status(projects_for_table(programme=programme))
    filterset = _ProjectFilter(data, queryset=projects, partnership=programme.partnership)
    if not filterset.is_valid():
        raise ValidationError(
            {
                name: [str(message) for message in errors]
                for name, errors in filterset.errors.items()
            }
        )
    return filterset.qs.order_by("position", "name", "pk")


@router.get(
    "/programmes/{slug}/projects",
    response=answers(list[ProjectOut]),
    url_name="projects",
    summary="List a programme's projects",
    description=(
        "The programme's projects in its order (the board report's), a page at a time, each "
        "with its lead, its status and its money as the projects table shows them. The "
        "filters are the table's: each one given narrows the list, and the `count` is of the "
        "projects kept. A filter value that does not make sense answers 422 naming it. 404 "
        "when the token's partnership has no programme with this slug."
    ),
)
@paginate(Page)
def projects(request: HttpRequest, slug: str, filters: ProjectFilters = Query(...)) -> Any:  # noqa: B008
    programme = own_programme(request, slug)
    return filtered_projects(programme, filters)


@router.get(
    "/programmes/{slug}/projects/{project}",
    response=answers(ProjectDetailOut),
    url_name="project",
    summary="A project and its rows",
    description=(
        "One project of the programme: what the list gives for it, its text, and every phase, "
        "funding line and outcome claim with the fields the programme file holds for them. "
        "404 when the programme has no project with this slug, or the token's partnership no "
        "such programme."
    ),
)
def project(request: HttpRequest, slug: str, project: str) -> Any:
    programme = own_programme(request, slug)
    found = (
        with_current_status(projects_for_table(programme=programme))
        .filter(slug=project)
        .prefetch_related(
            Prefetch("phases", queryset=Phase.objects.order_by("number")),
            Prefetch("funding_lines", queryset=FundingLine.objects.order_by("position", "pk")),
            Prefetch("outcome_claims", queryset=OutcomeClaim.objects.order_by("position", "pk")),
        )
        .first()
    )
    if found is None:
        raise Http404("No such project")
    return found

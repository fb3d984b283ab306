"""Delivery: the spend on the projects, their milestones and the risk register.

Where a milestone stands and a risk's score, band and review are worked out by the pure rules
the pages use (``projects.money.delivery``, through ``projects.selectors``), on today's date.
"""

# Without ``from __future__ import annotations``: ninja reads the filters' class from the
# paginated endpoint's signature, which a string annotation would leave undefined.

import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from projects import rules
from projects.models import Milestone, Risk, Spend
from projects.money.spend import financial_year_of
from projects.selectors.delivery import (
    MilestoneRow,
    milestone_row,
    programme_milestone,
    programme_milestones,
)
from projects.selectors.risks import PROGRAMME_AS_A_WHOLE, RiskRow, filtered_risks, risk_row
from projects.selectors.spend import programme_spend

from .common import MONEY_FIELD, MONEY_PATTERN, Page, answers, money_text, own_programme
from .filters import ID_MAX, slug_filter, text_filter
from .versions import record_etag

router = Router(tags=["Delivery"])


class SpendOut(Schema):
    """A spend line: money paid out of the pot for a phase of a project."""

    id: int = Field(description="The spend line's id.")
    project: str = Field(description="The slug of the project it was spent on.")
    phase: int = Field(description="The number of the project's phase it was spent on.")
    date: datetime.date = Field(description="The day it was spent.")
    financial_year: str = Field(description="The financial year its day falls in, as 2004/05.")
    amount: str = Field(description=f"The amount spent. {MONEY_FIELD}", pattern=MONEY_PATTERN)
    supplier: str = Field(description="Who was paid; may be empty.")
    reference: str = Field(description="Its reference, such as an order number; may be empty.")
    description: str = Field(description="What it was spent on; may be empty.")

    @staticmethod
    def resolve_project(spend: Spend) -> str:
        return spend.phase.project.slug

    @staticmethod
    def resolve_phase(spend: Spend) -> int:
        return spend.phase.number

    @staticmethod
    def resolve_financial_year(spend: Spend) -> str:
        return financial_year_of(spend.date)

    @staticmethod
    def resolve_amount(spend: Spend) -> str | None:
        return money_text(spend.amount)


def _standing(milestone: Milestone) -> MilestoneRow:
    """Where the milestone stands today, as its project's page shows it."""
    return milestone_row(milestone, as_of=timezone.localdate())


class MilestoneOut(Schema):
    """A milestone of a project, or of one of its phases, and where it stands today."""

    id: int = Field(description="The milestone's id, as in its address.")
    project: str = Field(description="The slug of its project.")
    phase: int | None = Field(
        description="The number of the phase it belongs to; null for the project as a whole."
    )
    name: str = Field(description="What is to be reached.")
    baseline: datetime.date = Field(description="The day it was planned for at first.")
    forecast: datetime.date | None = Field(
        description="The day it is now forecast for; null when not forecast."
    )
    actual: datetime.date | None = Field(
        description="The day it was reached; null while not reached."
    )
    expected: datetime.date = Field(
        description="The day it was reached, else its forecast (or baseline) day but no "
        "earlier than today."
    )
    slippage_days: int = Field(
        description="Days from its baseline to its expected day; 0 when on or ahead of it."
    )
    late: bool = Field(description="Whether its slippage is more than 0 days.")
    due_soon: bool = Field(
        description="Whether it is not reached, not late and expected within the next 30 days."
    )
    state: Literal["Reached", "Reached late", "Late", "Due soon", "On track"] = Field(
        description="Where it stands, in the words its project's page shows."
    )

    @staticmethod
    def resolve_project(milestone: Milestone) -> str:
        return milestone.project.slug

    @staticmethod
    def resolve_phase(milestone: Milestone) -> int | None:
        return None if milestone.phase is None else milestone.phase.number

    @staticmethod
    def resolve_expected(milestone: Milestone) -> datetime.date:
        return _standing(milestone).dates.expected

    @staticmethod
    def resolve_slippage_days(milestone: Milestone) -> int:
        return _standing(milestone).dates.slippage

    @staticmethod
    def resolve_late(milestone: Milestone) -> bool:
        return _standing(milestone).dates.late

    @staticmethod
    def resolve_due_soon(milestone: Milestone) -> bool:
        return _standing(milestone).dates.due_soon

    @staticmethod
    def resolve_state(milestone: Milestone) -> str:
        return _standing(milestone).dates.state


def _scored(risk: Risk) -> RiskRow:
    """The risk's score, band and review today, as the register shows them."""
    return risk_row(risk, as_of=timezone.localdate())


class RiskOut(Schema):
    """A risk of the register: to the programme as a whole, or to one of its projects."""

    id: int = Field(description="The risk's id.")
    reference: str = Field(description="How the register names it, such as 3.1 or R4.")
    project: str | None = Field(
        description="The slug of the project it is a risk to; null for the programme as a whole."
    )
    description: str = Field(description="The risk, in the register's words.")
    likelihood: int = Field(description="How likely it is, from 1 (least) to 5.")
    impact: int = Field(description="How great its impact would be, from 1 (least) to 5.")
    score: int = Field(description="Likelihood times impact, from 1 to 25.")
    band: Literal["high", "medium", "low"] = Field(
        description="`high` for a score from 15, `medium` from 5, else `low`."
    )
    owner: str = Field(description="Who owns it; may be empty.")
    mitigation: str = Field(description="What is done about it; may be empty.")
    status: Literal["open", "closed"] = Field(description="Whether it is open or closed.")
    next_review: datetime.date | None = Field(
        description="The day it is next to be reviewed; null when none is set."
    )
    review_overdue: bool = Field(
        description="Whether it is open and its next review day has passed."
    )

    @staticmethod
    def resolve_project(risk: Risk) -> str | None:
        return None if risk.project is None else risk.project.slug

    @staticmethod
    def resolve_score(risk: Risk) -> int:
        return _scored(risk).score

    @staticmethod
    def resolve_band(risk: Risk) -> str:
        return _scored(risk).band

    @staticmethod
    def resolve_review_overdue(risk: Risk) -> bool:
        return _scored(risk).past_review


class SpendFilters(Schema):
    """Which of the programme's spend lines to list."""

    project: str | None = slug_filter("Only the spend on the project with this slug.")
    phase: int | None = Field(
        None,
        ge=rules.PHASE_NUMBER_MIN,
        le=rules.PHASE_NUMBER_MAX,
        description="Only the spend on the phases with this number.",
    )
    date_from: datetime.date | None = Field(None, description="Only the spend on or after it.")
    date_to: datetime.date | None = Field(None, description="Only the spend on or before it.")
    supplier: str | None = text_filter(
        "Only the spend with this supplier: its whole name, in upper or lower case."
    )


class MilestoneFilters(Schema):
    """Which of the programme's milestones to list."""

    project: str | None = slug_filter("Only the milestones of the project with this slug.")
    late: bool | None = Field(
        None, description="`true`: only the milestones late today; `false`: only those not late."
    )


class RiskFilters(Schema):
    """Which risks of the register to list: the register page's filters."""

    status: Literal["open", "closed"] | None = Field(
        None, description="Only the open risks, or only the closed."
    )
    project: str | None = slug_filter(
        f"Only the risks to the project with this slug; `{PROGRAMME_AS_A_WHOLE}` for only those "
        "to the programme as a whole."
    )
    band: Literal["high", "medium", "low"] | None = Field(
        None, description="Only the risks scoring `high` (15 to 25), `medium` (5 to 14) or `low`."
    )


@router.get(
    "/programmes/{slug}/spend",
    response=answers(list[SpendOut]),
    url_name="spend",
    summary="List the spend on the programme's projects",
    description=(
        "The spend lines of every project of the programme, oldest first. Filtered by project, "
        "phase number, the days spent between and supplier. 404 when the token's partnership "
        "has no programme with this slug."
    ),
)
@paginate(Page)
def spend_list(request: HttpRequest, slug: str, filters: Query[SpendFilters]) -> Any:
    programme = own_programme(request, slug)
    return programme_spend(
        programme=programme,
        project=filters.project,
        phase=filters.phase,
        date_from=filters.date_from,
        date_to=filters.date_to,
        supplier=filters.supplier,
    )


@router.get(
    "/programmes/{slug}/milestones",
    response=answers(list[MilestoneOut]),
    url_name="milestones",
    summary="List the programme's milestones",
    description=(
        "The milestones of every project of the programme, project by project in order of "
        "baseline, each with where it stands today as the project's page shows it. Filtered "
        "by project and by late or not. 404 when the token's partnership has no programme "
        "with this slug."
    ),
)
@paginate(Page)
def milestone_list(request: HttpRequest, slug: str, filters: Query[MilestoneFilters]) -> Any:
    programme = own_programme(request, slug)
    return programme_milestones(
        programme=programme,
        as_of=timezone.localdate(),
        project=filters.project,
        late=filters.late,
    )


@router.get(
    "/programmes/{slug}/milestones/{milestone}",
    response=answers(MilestoneOut),
    url_name="milestone",
    summary="One milestone",
    description=(
        "One milestone of the programme's projects, by its id, with where it stands today. Its "
        "ETag starts with the milestone's version: send it as `If-Match` when setting its "
        "actual date. 404 when the token's partnership has no programme with this slug or "
        "the programme no milestone with this id."
    ),
)
def milestone_one(
    request: HttpRequest,
    response: HttpResponse,
    slug: str,
    milestone: int = Path(..., ge=1, le=ID_MAX, description="The milestone's id."),
) -> Any:
    programme = own_programme(request, slug)
    found = programme_milestone(programme=programme, pk=milestone)
    if found is None:
        raise Http404("No such milestone")
    response["ETag"] = record_etag(found)  # its version, for a write's If-Match
    return found


@router.get(
    "/programmes/{slug}/risks",
    response=answers(list[RiskOut]),
    url_name="risks",
    summary="List the programme's risks",
    description=(
        "The risk register: open risks first, highest score first, then by reference, each "
        "with its score, band and whether its review is overdue today, as the register page "
        "shows them. Filtered as that page is: by status, project and band. 404 when the "
        "token's partnership has no programme with this slug."
    ),
)
@paginate(Page)
def risk_list(request: HttpRequest, slug: str, filters: Query[RiskFilters]) -> Any:
    programme = own_programme(request, slug)
    return filtered_risks(
        programme=programme, status=filters.status, project=filters.project, band=filters.band
    )

"""Programmes and their figures."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from pydantic import ConfigDict, create_model

from projects.models import Programme
from projects.money.figures import DELIVERY_FIGURES, FIGURES, Kind, figures_as_json
from projects.selectors import programme_figures

from .common import MONEY_FIELD, Page, answers, own_programme

router = Router(tags=["Programmes"])


class ProgrammeOut(Schema):
    """A programme of the token's partnership."""

    slug: str = Field(description="The programme's short name, used in the API's addresses.")
    name: str = Field(description="The programme's name as its papers give it.")
    financial_years: list[str] = Field(
        description="The UK local government financial years it spans, such as 2004/05, in order."
    )


def _figure_field(figure: Any) -> tuple[Any, Any]:
    """The type and description of one key of the figures object, from the figures' registry."""
    label = figure.label or figure.key
    if figure.kind == Kind.MONEY:
        return str | None, Field(description=f"{label}. {MONEY_FIELD}")
    if figure.kind == Kind.COUNT:
        return int, Field(description=f"{label}: a count.")
    if figure.kind == Kind.TEXT:
        return str, Field(description=f"{label}.")
    return Any, Field(description=f"{label}: as the programme_figures command writes it.")


# The figures object's keys come from the one registry the command, the reports and the
# workbook read (projects.money.figures), so the schema cannot drift from what is served.
Figures = create_model(  # type: ignore[call-overload]
    "Figures",
    __config__=ConfigDict(title="Figures"),
    __doc__=(
        "A programme's figures: the same object as `manage.py programme_figures --json` "
        "prints, key for key."
    ),
    **{figure.key: _figure_field(figure) for figure in (*FIGURES, *DELIVERY_FIGURES)},
)


@router.get(
    "/programmes/",
    response=answers(list[ProgrammeOut]),
    url_name="programmes",
    summary="List the partnership's programmes",
    description="The programmes of the token's partnership, in order of name, a page at a time.",
)
@paginate(Page)
def programmes(request: HttpRequest) -> Any:
    membership = request.api_membership  # type: ignore[attr-defined]
    return Programme.objects.filter(partnership_id=membership.partnership_id).order_by("name", "pk")


@router.get(
    "/programmes/{slug}/figures",
    response=answers(Figures),
    url_name="programme_figures",
    summary="A programme's figures",
    description=(
        "The programme's figures as of today: the same object, with the same keys and the same "
        "values, as `manage.py programme_figures <slug> --json` prints. 404 when the token's "
        "partnership has no programme with this slug."
    ),
)
def figures(request: HttpRequest, slug: str) -> Any:
    programme = own_programme(request, slug)
    return figures_as_json(programme_figures(programme=programme, as_of=None))

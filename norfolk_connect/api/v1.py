"""Version 1 of the API: its authentication, its errors and its endpoints (read-only so far).

Every endpoint needs a personal access token (``Authorization: Bearer <token>``); a session
cookie is not read at all, so a signed-in browser cannot be made to call the API for someone
(no CSRF). A token reaches its own partnership's programmes only: another partnership's slug
answers 404, as an unknown one does. Errors are JSON objects with a ``detail``.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from pydantic import ConfigDict, Field, create_model

from projects.models import Programme
from projects.money.figures import DELIVERY_FIGURES, FIGURES, Kind, figures_as_json
from projects.selectors import programme_figures

from .tokens import token_user

DESCRIPTION = """\
The partnership programme's data for councils' own systems.

Each request carries a personal access token, made by a member of the partnership on their
own *API access tokens* page, as `Authorization: Bearer <token>`. A token belongs to one
partnership and reads only its programmes; it never does more than its owner's role allows
today. Amounts of money are decimal strings with two decimals (`"1234.50"`), exactly as in the
programme file, never numbers. Errors are JSON objects with a `detail`: 401 for a missing,
unknown, revoked or expired token, 404 for anything the token's partnership does not have.
"""


class TokenAuth(HttpBearer):
    """A personal access token, as ``Authorization: Bearer ncp_…``; see norfolk_connect.api."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = token_user(request)
        if found is None:
            return None
        request.api_token, request.api_user, request.api_membership = found  # type: ignore[attr-defined]
        return found


api = NinjaAPI(
    title="Norfolk Connect API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=TokenAuth(),
    docs_url=None,  # Swagger UI would load scripts the pages' CSP does not allow: see /api/
    openapi_url="/openapi.json",
)


class Error(Schema):
    """What went wrong, in words."""

    detail: str = Field(description="What went wrong, for the developer of the client.")


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = api.create_response(
        request,
        {"detail": "Send a valid personal access token as 'Authorization: Bearer <token>'"},
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found"}, status=404)


class ProgrammeOut(Schema):
    """A programme of the token's partnership."""

    slug: str = Field(description="The programme's short name, used in the API's addresses.")
    name: str = Field(description="The programme's name as its papers give it.")
    financial_years: list[str] = Field(
        description="The UK local government financial years it spans, such as 2004/05, in order."
    )


MONEY_FIELD = (
    'An amount in pounds as a decimal string with exactly two decimals, such as "1234.50"; '
    "null where the figure does not apply."
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


def _own_programme(request: HttpRequest, slug: str) -> Programme:
    """The programme with the slug in the token's partnership, or 404 (never 403)."""
    membership = request.api_membership  # type: ignore[attr-defined]
    programme = Programme.objects.filter(
        partnership_id=membership.partnership_id, slug=slug
    ).first()
    if programme is None:
        raise Http404("No such programme")
    return programme


@api.get(
    "/programmes/",
    response={200: list[ProgrammeOut], 401: Error},
    url_name="programmes",
    summary="List the partnership's programmes",
    description="The programmes of the token's partnership, in order of name.",
    tags=["Programmes"],
)
def programmes(request: HttpRequest) -> Any:
    membership = request.api_membership  # type: ignore[attr-defined]
    return Programme.objects.filter(partnership_id=membership.partnership_id).order_by("name", "pk")


@api.get(
    "/programmes/{slug}/figures",
    response={200: Figures, 401: Error, 404: Error},
    url_name="programme_figures",
    summary="A programme's figures",
    description=(
        "The programme's figures as of today: the same object, with the same keys and the same "
        "values, as `manage.py programme_figures <slug> --json` prints. 404 when the token's "
        "partnership has no programme with this slug."
    ),
    tags=["Programmes"],
)
def figures(request: HttpRequest, slug: str) -> Any:
    programme = _own_programme(request, slug)
    return figures_as_json(programme_figures(programme=programme, as_of=None))

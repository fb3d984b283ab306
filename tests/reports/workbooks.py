"""Helpers for the workbook tests: the demo programme, its workbook, and edits made to it."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import openpyxl
from openpyxl.workbook import Workbook

from projects.models import (
    Contribution,
    FundingLine,
    OutcomeClaim,
    Partner,
    Phase,
    Programme,
    Project,
)
from projects.money.figures import compute_figures, figures_and_missing_basis
from projects.money.vocabulary import ContributionStatus, FundingStatus, Tranche
from projects.programme_file import parse_programme
from projects.selectors import programme_document
from projects.services import phase_decide, programme_load
from reports.workbook.export import write_programme_workbook
from tests.conftest import SEED_FILE
from tests.contributions.factories import ContributionFactory
from tests.projects.factories import FundingLineFactory, UserFactory

DEMO = "norfolk-connect-2004"


def load_seed() -> Programme:
    """Load the Norfolk Connect 2004 programme and return it."""
    programme_load(document=parse_programme(SEED_FILE.read_bytes()))
    return Programme.objects.select_related("partnership").get(slug=DEMO)


def workbook_of(programme: Programme) -> bytes:
    """Return the programme's workbook as the download makes it."""
    document = programme_document(programme=programme)
    figures, missing_basis = figures_and_missing_basis(document)
    stream = io.BytesIO()
    write_programme_workbook(
        document=document, figures=figures, stream=stream, missing_basis=missing_basis
    )
    return stream.getvalue()


def edited(content: bytes, edit: Callable[[Workbook], None]) -> bytes:
    """Open a workbook as a person's spreadsheet program would, change it and save it."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    edit(book)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def opened(content: bytes, **options) -> Workbook:
    return openpyxl.load_workbook(io.BytesIO(content), **options)


def column(sheet, heading: str) -> int:
    """Return the 1-based index of the column with this heading in row 1."""
    headings = [cell.value for cell in sheet[1]]
    return headings.index(heading) + 1


def row_of(sheet, heading: str, value, start: int = 2) -> int:
    """Return the number of the first row whose cell under the heading holds the value."""
    index = column(sheet, heading)
    for number in range(start, sheet.max_row + 1):
        if sheet.cell(number, index).value == value:
            return number
    raise LookupError(f"no row with {heading} = {value!r}")


def set_cell(book: Workbook, title: str, key_heading: str, key, heading: str, value) -> None:
    """Set the cell under the heading in the first row whose key column holds the key."""
    sheet = book[title]
    sheet.cell(row_of(sheet, key_heading, key), column(sheet, heading)).value = value


def snapshot() -> dict:
    """Everything an import could touch, to show a refused import changed nothing."""
    models = [Programme, Project, Phase, FundingLine, OutcomeClaim, Partner, Contribution]
    return {model.__name__: sorted(map(repr, model.objects.values_list())) for model in models}


def existing_total(programme: Programme) -> Decimal:
    return compute_figures(programme_document(programme=programme)).existing_total


CONNECTION = ("authentication-gateway", 2)  # gated, £100,000, borne by each partner
PARTNERSHIP_SUPPORT = ("partnership-support", 1)  # not gated, £10,000
BENEFITS_LINKS = ("benefits-form", 2)  # gated, cost to be confirmed


def money_of(value) -> Decimal:
    """Return a number as a workbook stores it, in pounds and pence as the figures have them."""
    return Decimal(repr(value)).quantize(Decimal("0.01"))


def demo_with_money(decisions: dict[tuple[str, int], str]) -> Programme:
    """Load the demo with contributions of every status and a prospective funding line, then
    record the decisions on its phases as the phase's page does."""
    programme = load_seed()
    partners = {partner.slug: partner for partner in Partner.objects.all()}
    for slug, year, tranche, amount, status in (
        ("broadland", "2004/05", Tranche.IMMEDIATE, "10000.00", ContributionStatus.RECEIVED),
        ("norwich", "2004/05", Tranche.IMMEDIATE, "10000.00", ContributionStatus.INVOICED),
        ("breckland", "2004/05", Tranche.IMMEDIATE, "9375.50", ContributionStatus.PLEDGED),
        ("norwich", "2005/06", Tranche.REVIEW, "2500.25", ContributionStatus.RETURNED),
    ):
        ContributionFactory(programme=programme, partner=partners[slug], financial_year=year,
                            tranche=tranche, amount=Decimal(amount), status=status)  # fmt: skip
    FundingLineFactory(
        project=Project.objects.get(slug="portal"),
        amount=Decimal("4999.99"),
        status=FundingStatus.PROSPECTIVE,
        position=9,
    )
    facilitator = UserFactory()
    for (project, number), decision in decisions.items():
        phase = Phase.objects.select_related("project").get(project__slug=project, number=number)
        phase_decide(phase=phase, decision=decision, decided_on=date(2004, 9, 27), note="",
                     expected_version=phase.project.version, user=facilitator)  # fmt: skip
    return programme

"""Helpers for the workbook tests: the demo programme, its workbook, and edits made to it."""

from __future__ import annotations

import io
from collections.abc import Callable
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
from projects.programme_file import parse_programme
from projects.selectors import programme_document
from projects.services import programme_load
from reports.workbook.export import write_programme_workbook
from tests.conftest import SEED_FILE

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

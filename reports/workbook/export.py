"""Write a programme as an Excel workbook that adds up in Excel, in openpyxl's write-only mode.

Rows are streamed to the file as they are made, so memory stays flat however large the
programme. Amounts are numbers in a pound format, each table ends in a total row of SUM
formulas, and the heading row is frozen and filtered.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from decimal import Decimal
from typing import IO, Any

from django.db import models
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from projects.money import document as data
from projects.money import figures as registry
from projects.money.bounds import project_existing_resource, project_extra_bounds
from projects.money.document import ProgrammeDocument, ProjectData
from projects.money.figures import ProgrammeFigures
from projects.money.vocabulary import Grade

from .layout import (
    CLAIMS,
    CONTRIBUTIONS,
    COUNT_FORMAT,
    DATE_FORMAT,
    FIGURES_TITLE,
    FUNDING,
    MONEY_FORMAT,
    PARTNERS,
    PHASES,
    SHARES,
    TOTAL,
    Column,
    Kind,
    Sheet,
    projects_sheet,
    supports_heading,
)

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HEADING_FONT = Font(bold=True)
HEADING_FILL = PatternFill("solid", fgColor="DDDDDD")
TOTAL_FONT = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
# Characters XML 1.0 cannot hold; openpyxl refuses them rather than write a broken file.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class SheetWriter:
    """Stream one table to a write-only sheet: heading, rows, then the total row and filter."""

    def __init__(self, book: Workbook, sheet: Sheet, *, rows: int | None = None) -> None:
        self.sheet = sheet
        self.worksheet = book.create_sheet(sheet.title)
        self.rows = 0
        if rows is not None:
            # The sheet's size, written at its top: a reader that streams the file (openpyxl's
            # read-only mode, the import) otherwise reads every row once just to find it.
            # openpyxl asks a write-only sheet for it only if the sheet can tell.
            last = f"{get_column_letter(len(sheet.columns))}{rows + 2}"
            self.worksheet.calculate_dimension = lambda: f"A1:{last}"
        # Widths and the frozen heading are written before the first row, so set them now.
        for index, column in enumerate(sheet.columns, 1):
            self.worksheet.column_dimensions[get_column_letter(index)].width = column.width
        self.worksheet.freeze_panes = "A2"
        self.worksheet.append(
            [self.styled(column.heading, font=HEADING_FONT, fill=HEADING_FILL)
             for column in sheet.columns]
        )  # fmt: skip

    def append(self, values: Mapping[str, Any]) -> None:
        """Write one row, each column's value taken by the column's key."""
        self.worksheet.append(
            [self.value_cell(column, values[column.key]) for column in self.sheet.columns]
        )
        self.rows += 1

    def close(self, *, totals: bool = True) -> None:
        """Add the total row, the filter over the rows and the drop-down lists of choices."""
        last = self.rows + 1
        width = len(self.sheet.columns)
        if totals:
            cells = []
            for index, column in enumerate(self.sheet.columns, 1):
                if index == 1:
                    cells.append(self.styled(TOTAL, font=TOTAL_FONT))
                elif column.total:
                    letter = get_column_letter(index)
                    formula = f"=SUM({letter}2:{letter}{last})" if self.rows else 0
                    cells.append(
                        self.styled(formula, font=TOTAL_FONT, number_format=_format(column))
                    )
                else:
                    cells.append(None)
            self.worksheet.append(cells)
        self.worksheet.auto_filter.ref = f"A1:{get_column_letter(width)}{last}"
        for index, column in enumerate(self.sheet.columns, 1):
            if column.choices is None or not self.rows:
                continue
            labels = ",".join(str(label) for label in column.choices.labels)
            validation = DataValidation(
                type="list",
                formula1=f'"{labels}"',
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle=column.heading,
                error=f"Choose one of: {labels.replace(',', ', ')}.",
            )
            letter = get_column_letter(index)
            validation.add(f"{letter}2:{letter}{last}")
            self.worksheet.data_validations.append(validation)

    def value_cell(self, column: Column, value: Any) -> Any:
        """Return what to write for a value of the column: a plain value or a styled cell."""
        if value is None or value == "":
            return None
        if column.kind in (Kind.AMOUNT, Kind.COST, Kind.OPTIONAL_AMOUNT, Kind.MONEY):
            return self.styled(value, number_format=MONEY_FORMAT)
        if column.kind == Kind.DATE:
            return self.styled(value, number_format=DATE_FORMAT)
        if column.kind == Kind.YES_NO:
            return "Yes" if value else "No"
        if column.kind == Kind.CHOICE and column.choices is not None:
            return str(column.choices(value).label)
        if isinstance(value, str):
            return text_cell(
                self.worksheet, value, wrap=column.kind == Kind.TEXT and column.width >= 30
            )
        return value

    def styled(self, value: Any, **style: Any) -> WriteOnlyCell:
        return _styled(self.worksheet, value, **style)


def _styled(worksheet, value: Any, *, font=None, fill=None, number_format=None) -> WriteOnlyCell:
    cell = WriteOnlyCell(worksheet, value=value)
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if number_format is not None:
        cell.number_format = number_format
    return cell


def text_cell(worksheet, value: str, *, wrap: bool = False) -> Any:
    """Return text to write as it is: never run as a formula, without characters XML refuses."""
    value = _ILLEGAL.sub("", value)
    # Text starting with "=" would otherwise be written as a formula that Excel runs.
    if not wrap and not value.startswith("="):
        return value
    cell = WriteOnlyCell(worksheet, value=value)
    cell.data_type = "s"
    if wrap:
        cell.alignment = WRAP
    return cell


def _format(column: Column) -> str:
    return COUNT_FORMAT if column.kind in (Kind.COUNT, Kind.WHOLE) else MONEY_FORMAT


def write_programme_workbook(
    *, document: ProgrammeDocument, figures: ProgrammeFigures, stream: IO[bytes]
) -> None:
    """Write the programme's workbook: its tables, the partners' shares and the figures."""
    book = Workbook(write_only=True)
    _write_projects(book, document)
    _write_rows(
        book,
        PHASES,
        (
            {"project": project.slug, **data.PHASE.values(phase)}
            for project in document.projects
            for phase in project.phases
        ),
    )
    _write_rows(
        book,
        FUNDING,
        (
            {"project": project.slug, **data.FUNDING.values(line)}
            for project in document.projects
            for line in project.funding
        ),
    )
    _write_rows(
        book,
        CLAIMS,
        (
            {"project": project.slug, **data.OUTCOME_CLAIM.values(claim)}
            for project in document.projects
            for claim in project.outcome_claims
        ),
        totals=False,
    )
    _write_rows(
        book, CONTRIBUTIONS, (data.CONTRIBUTION.values(item) for item in document.contributions)
    )
    _write_rows(
        book,
        PARTNERS,
        (data.PARTNER.values(partner) for partner in document.partners),
        totals=False,
    )
    names = {partner.slug: partner.name for partner in document.partners}
    _write_rows(
        book,
        SHARES,
        (
            {**asdict(position), "name": names.get(position.partner, "")}
            for position in figures.per_partner
        ),
    )
    _write_figures(book, document, figures)
    book.save(stream)


def _write_rows(
    book: Workbook, sheet: Sheet, rows: Iterable[Mapping[str, Any]], *, totals: bool = True
) -> None:
    rows = list(rows)
    writer = SheetWriter(book, sheet, rows=len(rows))
    for row in rows:
        writer.append(row)
    writer.close(totals=totals)


def _write_projects(book: Workbook, document: ProgrammeDocument) -> None:
    writer = SheetWriter(
        book, projects_sheet(document.partnership.strategy), rows=len(document.projects)
    )
    for project in document.projects:
        writer.append(_project_row(project))
    writer.close()


def _project_row(project: ProjectData) -> dict[str, Any]:
    grades = Counter(claim.grade for claim in project.outcome_claims)
    bounds = project_extra_bounds(project.phases)
    return {
        **data.PROJECT.values(project),
        "required_outcomes": grades[Grade.REQUIRED],
        "good_outcomes": grades[Grade.GOOD],
        "excellent_outcomes": grades[Grade.EXCELLENT],
        "existing_resource": project_existing_resource(project.funding),
        "extra_min": bounds.minimum,
        "extra_max": bounds.maximum,
        "tbc_phases": bounds.tbc_phases,
    }


def _write_figures(book: Workbook, document: ProgrammeDocument, figures: ProgrammeFigures) -> None:
    """Write the headline figures, then the stated totals that differ from the computed ones."""
    worksheet = book.create_sheet(FIGURES_TITLE)
    for letter, width in zip("ABCD", (62, 20, 16, 16), strict=True):
        worksheet.column_dimensions[letter].width = width

    def heading(*texts: str) -> None:
        worksheet.append([_styled(worksheet, text, font=HEADING_FONT, fill=HEADING_FILL)
                          for text in texts])  # fmt: skip

    def money(amount: Decimal | None) -> Any:
        return None if amount is None else _styled(worksheet, amount, number_format=MONEY_FORMAT)

    heading("Figure", "Value")
    worksheet.append(["Programme", text_cell(worksheet, document.programme.name)])
    strategy = supports_heading(document.partnership.strategy).lower()
    outcomes = tuple(
        (grade.in_sheet(strategy=strategy), getattr(figures.outcomes, grade.key))
        for grade in registry.OUTCOME_FIGURES
    )
    # In the figures object's order, the outcomes one line a grade; read when called, so the
    # sheet follows the registry.
    for figure in registry.FIGURES:
        if figure.key == "outcomes":
            for label, count in outcomes:
                worksheet.append([label, count])
        elif figure.kind == registry.Kind.MONEY:
            worksheet.append(
                [figure.in_sheet(strategy=strategy), money(getattr(figures, figure.key))]
            )
        elif figure.kind == registry.Kind.COUNT:
            worksheet.append([figure.in_sheet(strategy=strategy), getattr(figures, figure.key)])
    worksheet.append([])
    heading("Stated total that differs from its lines", "Stated", "Computed", "Difference")
    labels = {total.key: total.in_sheet(strategy=strategy) for total in registry.STATED_TOTALS}
    for mismatch in figures.mismatches:
        worksheet.append(
            [labels.get(mismatch.field, mismatch.field), money(mismatch.stated),
             money(mismatch.computed), money(mismatch.difference)]
        )  # fmt: skip
    if not figures.mismatches:
        worksheet.append(["None: the stated totals agree with the lines."])
    worksheet.append([])
    worksheet.append(
        ["Computed when the workbook was made. The import ignores this sheet, the Partner "
         "shares sheet and the computed columns of the Projects sheet."]
    )  # fmt: skip


def write_projects_table_workbook(
    *,
    projects: Iterable[models.Model],
    strategy: str,
    filters: Sequence[tuple[str, str]],
    stream: IO[bytes],
) -> None:
    """Write the projects table as the user has it on screen: filtered, sorted and totalled.

    ``projects`` are annotated by ``projects.selectors.projects.with_totals``.
    """
    book = Workbook(write_only=True)
    sheet = Sheet(
        "Projects",
        (
            Column("Slug", "slug", Kind.SLUG, 22),
            Column("Project", "name", Kind.NAME, 32),
            Column("Status", "status", Kind.TEXT, 12),
            Column("Lead partner", "lead_partner", Kind.TEXT, 28),
            Column(supports_heading(strategy), "supports_strategy", Kind.YES_NO, 14),
            Column("Existing resource", "existing_resource", Kind.MONEY, 16, total=True),
            Column("Extra cost minimum", "extra_min", Kind.MONEY, 16, total=True),
            Column("Extra cost maximum", "extra_max", Kind.MONEY, 16, total=True),
            Column("Phases TBC", "tbc_phases", Kind.COUNT, 10, total=True),
            Column("Required outcomes", "required_claims", Kind.COUNT, 11, total=True),
            Column("Good outcomes", "good_claims", Kind.COUNT, 11, total=True),
            Column("Excellent outcomes", "excellent_claims", Kind.COUNT, 11, total=True),
        ),
        imported=False,
    )
    writer = SheetWriter(book, sheet)
    for project in projects:
        shown = {
            "status": project.get_status_display(),
            "lead_partner": project.lead_partner.name if project.lead_partner else "",
        }
        writer.append(
            {column.key: shown.get(column.key, getattr(project, column.key))
             for column in sheet.columns}
        )  # fmt: skip
    writer.close()
    about = book.create_sheet("Filters")
    about.column_dimensions["A"].width = 30
    about.column_dimensions["B"].width = 40
    heading = []
    for text in ("Filter", "Value"):
        cell = WriteOnlyCell(about, value=text)
        cell.font = HEADING_FONT
        heading.append(cell)
    about.append(heading)
    for label, value in filters or [("Filters", "None: every project")]:
        about.append([text_cell(about, label), text_cell(about, value)])
    book.save(stream)

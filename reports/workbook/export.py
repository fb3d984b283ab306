"""Write a programme as an Excel workbook that adds up in Excel, in openpyxl's write-only mode.

Rows are streamed to the file as they are made, so memory stays flat however large the
programme. Amounts are numbers in a pound format, each table ends in a total row of SUM
formulas, and the heading row is frozen and filtered.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, Any

from django.db import models
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

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

    def append(self, values: Sequence[Any]) -> None:
        """Write one row of values, in the sheet's column order."""
        columns = self.sheet.columns
        self.worksheet.append(
            [self.value_cell(column, value) for column, value in zip(columns, values, strict=True)]
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
            (project.slug, phase.number, phase.name, phase.extra_cost, phase.gated,
             phase.decision, phase.borne, phase.note, phase.decided_on, phase.decision_note)
            for project in document.projects
            for phase in project.phases
        ),
    )  # fmt: skip
    _write_rows(
        book,
        FUNDING,
        (
            (project.slug, line.source, line.kind, line.amount, line.status, line.note)
            for project in document.projects
            for line in project.funding
        ),
    )
    _write_rows(
        book,
        CLAIMS,
        (
            (project.slug, claim.grade, claim.code)
            for project in document.projects
            for claim in project.outcome_claims
        ),
        totals=False,
    )
    _write_rows(
        book,
        CONTRIBUTIONS,
        (
            (item.partner, item.financial_year, item.tranche, item.amount, item.status,
             item.pledged_on, item.invoiced_on, item.received_on, item.returned_on, item.note)
            for item in document.contributions
        ),
    )  # fmt: skip
    _write_rows(
        book,
        PARTNERS,
        (
            (
                partner.slug,
                partner.name,
                partner.contributes,
                partner.population,
                partner.weight,
                partner.ieg_grant,
            )
            for partner in document.partners
        ),
        totals=False,
    )
    names = {partner.slug: partner.name for partner in document.partners}
    _write_rows(
        book,
        SHARES,
        (
            (position.partner, names.get(position.partner, ""),
             *(getattr(position, figure.key) for figure in registry.PARTNER_FIGURES))
            for position in figures.per_partner
        ),
    )  # fmt: skip
    _write_figures(book, document, figures)
    book.save(stream)


def _write_rows(book: Workbook, sheet: Sheet, rows: Iterable[Sequence[Any]], *, totals=True):
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


def _project_row(project: ProjectData) -> tuple[Any, ...]:
    grades = Counter(claim.grade for claim in project.outcome_claims)
    bounds = project_extra_bounds(project.phases)
    return (
        project.slug,
        project.name,
        project.description,
        project.outputs,
        grades[Grade.REQUIRED],
        grades[Grade.GOOD],
        grades[Grade.EXCELLENT],
        project.supports_strategy,
        project_existing_resource(project.funding),
        bounds.minimum,
        bounds.maximum,
        bounds.tbc_phases,
        project.status,
        project.lead_partner,
        project.external_project,
    )


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
            Column("Slug", "", Kind.SLUG, 22),
            Column("Project", "", Kind.NAME, 32),
            Column("Status", "", Kind.TEXT, 12),
            Column("Lead partner", "", Kind.TEXT, 28),
            Column(supports_heading(strategy), "", Kind.YES_NO, 14),
            Column("Existing resource", "", Kind.MONEY, 16, total=True),
            Column("Extra cost minimum", "", Kind.MONEY, 16, total=True),
            Column("Extra cost maximum", "", Kind.MONEY, 16, total=True),
            Column("Phases TBC", "", Kind.COUNT, 10, total=True),
            Column("Required outcomes", "", Kind.COUNT, 11, total=True),
            Column("Good outcomes", "", Kind.COUNT, 11, total=True),
            Column("Excellent outcomes", "", Kind.COUNT, 11, total=True),
        ),
        imported=False,
    )
    writer = SheetWriter(book, sheet)
    for project in projects:
        writer.append(
            (
                project.slug,
                project.name,
                project.get_status_display(),
                project.lead_partner.name if project.lead_partner else "",
                project.supports_strategy,
                project.existing_resource,
                project.extra_min,
                project.extra_max,
                project.tbc_phases,
                project.required_claims,
                project.good_claims,
                project.excellent_claims,
            )
        )
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

"""Write a programme as an Excel workbook that adds up in Excel, in openpyxl's write-only mode.

Rows are streamed to the file as they are made, so memory stays flat however large the
programme. Amounts are numbers in a pound format, each table ends in a total row of SUM
formulas, and the heading row is frozen and filtered.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.db import models
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from projects.money import document as data
from projects.money import figures as registry
from projects.money.bounds import project_existing_resource, project_extra_bounds
from projects.money.document import ProgrammeDocument, ProjectData
from projects.money.figures import ProgrammeFigures, partner_values
from projects.money.schema import Entity
from projects.money.vocabulary import Grade
from projects.programme_file.dumping import after_the_meeting as has_records_after_the_meeting

from .cached import with_cached_values
from .layout import (
    AGREEMENTS,
    CALLS,
    CLAIMS,
    CONTRIBUTIONS,
    COUNT_FORMAT,
    DATE_FORMAT,
    EXTRA_MAX_HEADING,
    EXTRA_MIN_HEADING,
    FIGURES_TITLE,
    FORECASTS,
    FUNDING,
    INVOICES,
    MEETINGS,
    MILESTONES,
    MONEY_FORMAT,
    NO,
    PARTNERS,
    PAYMENTS,
    PHASES,
    REFUNDS,
    RISKS,
    SHARES,
    SHEETS_BY_TITLE,
    SPEND,
    STATUS_UPDATES,
    TOTAL,
    YES,
    Column,
    Condition,
    Kind,
    Sheet,
    Total,
    projects_sheet,
    strategy_name,
    supports_heading,
)

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HEADING_FONT = Font(bold=True)
HEADING_FILL = PatternFill("solid", fgColor="DDDDDD")
TOTAL_FONT = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
HEADING_WRAP = Alignment(wrap_text=True, vertical="bottom")
RIGHT = Alignment(horizontal="right")
TBC = "TBC"
# Characters XML 1.0 cannot hold; openpyxl refuses them rather than write a broken file.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class Book:
    """A write-only workbook, and the values of the total formulas written in it."""

    def __init__(self) -> None:
        self.workbook = Workbook(write_only=True)
        self.cached: dict[str, dict[str, Decimal | int | str]] = {}

    def save(self, stream: IO[bytes]) -> None:
        """Save the workbook with each total's value stored beside its formula."""
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        stream.write(with_cached_values(buffer.getvalue(), self.cached))


class SheetWriter:
    """Stream one table to a write-only sheet: heading, rows, then the total rows and filter.

    Each total row is a formula, so the sheet still adds up once a person edits it, and the
    value the same rows give in Python (with Decimal, exact to the penny), stored beside it.
    """

    def __init__(self, book: Book, sheet: Sheet, *, rows: int | None = None) -> None:
        self.book = book
        self.sheet = sheet
        self.worksheet = book.workbook.create_sheet(sheet.title)
        self.rows = 0
        self.sums = {
            (total, column.key): Decimal(0) if _is_money(column) else 0
            for total in sheet.totals
            for column in sheet.columns
            if column.total
        }
        if rows is not None:
            # The sheet's size, written at its top: a reader that streams the file (openpyxl's
            # read-only mode, the import) otherwise reads every row once just to find it.
            # openpyxl asks a write-only sheet for it only if the sheet can tell.
            last = f"{get_column_letter(len(sheet.columns))}{rows + 1 + len(sheet.totals)}"
            self.worksheet.calculate_dimension = lambda: f"A1:{last}"
        # Widths and the frozen heading are written before the first row, so set them now.
        for index, column in enumerate(sheet.columns, 1):
            self.worksheet.column_dimensions[get_column_letter(index)].width = column.width
        self.worksheet.freeze_panes = "A2"
        fit_to_page_width(self.worksheet)
        self.worksheet.print_title_rows = "1:1"
        self.worksheet.append(
            [self.styled(column.heading, font=HEADING_FONT, fill=HEADING_FILL,
                         alignment=HEADING_WRAP)
             for column in sheet.columns]
        )  # fmt: skip

    def append(self, values: Mapping[str, Any]) -> None:
        """Write one row, each column's value taken by the column's key, and count it in."""
        columns = self.sheet.columns
        shown = {column.key: shown_value(column, values[column.key]) for column in columns}
        number = self.rows + 2  # after the heading row
        self.worksheet.append(
            [
                self.value_cell(column, values[column.key])
                if column.formula is None
                else self.formula_cell(column, shown[column.key], number)
                for column in self.sheet.columns
            ]
        )
        self.rows += 1
        for total, key in self.sums:
            if counts(total, shown) and values[key] is not None:
                self.sums[total, key] += values[key]

    def close(self) -> None:
        """Add the total rows, the filter over the rows and the drop-down lists of choices."""
        last = self.rows + 1
        width = len(self.sheet.columns)
        cached = self.book.cached.setdefault(self.sheet.title, {})
        for number, total in enumerate(self.sheet.totals, start=last + 1):
            cells: list[Any] = []
            for index, column in enumerate(self.sheet.columns, 1):
                if index == 1:
                    cells.append(self.styled(total.label, font=TOTAL_FONT))
                elif column.total:
                    letter = get_column_letter(index)
                    value = self.sums[total, column.key]
                    if self.rows:
                        formula = self.formula(total, letter, last)
                        cached[f"{letter}{number}"] = value
                    else:
                        formula = value  # nothing to add up: the value is the total
                    cells.append(
                        self.styled(formula, font=TOTAL_FONT, number_format=_format(column))
                    )
                else:
                    cells.append(None)
            self.worksheet.append(cells)
        self.worksheet.auto_filter.ref = f"A1:{get_column_letter(width)}{last}"
        for index, column in enumerate(self.sheet.columns, 1):
            if column.choices is None or column.computed or not self.rows:
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

    def formula(self, total: Total, letter: str, last: int) -> str:
        """Return the formula adding up a column's rows that the total counts."""
        if not total.groups:
            return f"=SUM({letter}2:{letter}{last})"
        letters = {
            column.key: get_column_letter(index)
            for index, column in enumerate(self.sheet.columns, 1)
        }

        def tested(condition: Condition) -> str:
            cells = f"{letters[condition.key]}2:{letters[condition.key]}{last}"
            return f"{cells},{_criterion(condition)}"

        return "=" + "+".join(
            f"SUMIFS({letter}2:{letter}{last},{','.join(map(tested, group))})"
            for group in total.groups
        )

    def value_cell(self, column: Column, value: Any) -> Any:
        """Return what to write for a value of the column: a plain value or a styled cell."""
        value = shown_value(column, value)
        if value is None:
            return None
        if column.kind == Kind.COST and value == TBC:
            return self.styled(value, alignment=RIGHT)
        if _is_money(column):
            return self.styled(value, number_format=MONEY_FORMAT)
        if column.kind == Kind.DATE:
            return self.styled(value, number_format=DATE_FORMAT)
        if isinstance(value, str):
            return text_cell(
                self.worksheet, value, wrap=column.kind == Kind.TEXT and column.width >= 30
            )
        return value

    def formula_cell(self, column: Column, shown: Any, number: int) -> WriteOnlyCell:
        """Return a cell of a column worked out by a formula, its value as Python works it out
        stored beside it."""
        assert column.formula is not None
        formula = _cells_of(self.sheet, column.formula, number)
        if shown is not None:
            reference = f"{get_column_letter(self.sheet.columns.index(column) + 1)}{number}"
            self.book.cached.setdefault(self.sheet.title, {})[reference] = _stored(shown)
        return self.styled(formula, number_format=_number_format(column))

    def styled(self, value: Any, **style: Any) -> WriteOnlyCell:
        return _styled(self.worksheet, value, **style)


# A formula's reference to a cell: ``{key}`` in this row, or ``{Sheet.key}`` a whole column.
_REFERENCE = re.compile(r"\{(?:(\w+)\.)?(\w+)\}")
_EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of a spreadsheet's dates, as Excel counts them


def _cells_of(sheet: Sheet, formula: str, number: int) -> str:
    """Return a column's formula for one row, its references turned into cells."""

    def cells(match: re.Match[str]) -> str:
        title, key = match.groups()
        if title is None:
            return f"${sheet.letter(key)}{number}"
        letter = SHEETS_BY_TITLE[title].letter(key)
        return f"{title}!${letter}:${letter}"

    return _REFERENCE.sub(cells, formula)


def _number_format(column: Column) -> str | None:
    if column.kind == Kind.DATE:
        return DATE_FORMAT
    return MONEY_FORMAT if _is_money(column) else None


def _stored(value: Any) -> Decimal | int | str:
    """Return a formula's value as the file stores it: a date as the day's number."""
    if isinstance(value, date):
        return (value - _EXCEL_EPOCH).days
    if isinstance(value, Decimal | int):
        return value
    return str(value)


def fit_to_page_width(worksheet) -> None:
    """Print the sheet across the page, so that a total's label and its amount print together."""
    worksheet.page_setup.orientation = "landscape"
    worksheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0  # as many pages down as the rows need
    worksheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def shown_value(column: Column, value: Any) -> Any:
    """Return a value of the column as the sheet shows it: a choice by its label, Yes or No."""
    if column.kind == Kind.COST and value is None:
        return TBC  # what the import reads back as a cost to be confirmed
    if value is None or value == "":
        return None
    if column.kind == Kind.YES_NO:
        return YES if value else NO
    if column.kind == Kind.CHOICE and column.choices is not None:
        return str(column.choices(value).label)
    return value


def counts(total: Total, shown: Mapping[str, Any]) -> bool:
    """Return whether a total counts a row, its cells as the sheet shows them.

    As the spreadsheet's SUMIFS does: a text matches whatever its case, and a blank cell is
    not equal to any text.
    """
    if not total.groups:
        return True

    def meets(condition: Condition) -> bool:
        value = shown.get(condition.key)
        same = isinstance(value, str) and value.casefold() == condition.shown.casefold()
        return same == condition.equal

    return any(all(meets(condition) for condition in group) for group in total.groups)


def _criterion(condition: Condition) -> str:
    """Return a SUMIFS criterion, as a formula's quoted text: equal to the text, or not."""
    text = ("" if condition.equal else "<>") + condition.shown
    return '"' + text.replace('"', '""') + '"'


def _is_money(column: Column) -> bool:
    return column.kind in (Kind.AMOUNT, Kind.COST, Kind.OPTIONAL_AMOUNT, Kind.MONEY)


def _styled(
    worksheet, value: Any, *, font=None, fill=None, number_format=None, alignment=None
) -> WriteOnlyCell:
    cell = WriteOnlyCell(worksheet, value=value)
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if number_format is not None:
        cell.number_format = number_format
    if alignment is not None:
        cell.alignment = alignment
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
    *,
    document: ProgrammeDocument,
    figures: ProgrammeFigures,
    stream: IO[bytes],
    missing_basis: str = "",
) -> None:
    """Write the programme's workbook: its tables, the partners' shares and the figures.

    ``figures`` are the screen's (``figures_and_missing_basis``): ``missing_basis`` says why
    the partners' shares cannot be worked out, when they cannot.
    """
    book = Book()
    _write_projects(book, document)
    partners = {partner.slug: partner.name for partner in document.partners}

    def of_projects(entity: Entity, children: str) -> Iterator[dict[str, Any]]:
        for project in document.projects:
            for child in getattr(project, children):
                yield {"project": project.slug, **entity.values(child)}

    _write_rows(book, PHASES, of_projects(data.PHASE, "phases"))
    _write_rows(book, FUNDING, of_projects(data.FUNDING, "funding"))
    _write_rows(book, CLAIMS, of_projects(data.OUTCOME_CLAIM, "outcome_claims"))
    _write_rows(
        book,
        CONTRIBUTIONS,
        (
            {**data.CONTRIBUTION.values(item), "partner_name": partners.get(item.partner, "")}
            for item in document.contributions
        ),
    )
    _write_rows(book, PARTNERS, (data.PARTNER.values(partner) for partner in document.partners))
    _write_rows(
        book,
        SHARES,
        (
            {
                **asdict(position),
                **partner_values(figures, index),
                "name": partners.get(position.partner, position.partner),
            }
            for index, position in enumerate(figures.per_partner)
        ),
    )
    if has_records_after_the_meeting(document):
        _write_after_the_meeting(book, document, partners)
    if document.milestones or document.status_updates or document.risks:
        _write_delivery(book, document)
    _write_figures(book, document, figures, missing_basis=missing_basis)
    book.save(stream)


def _write_after_the_meeting(
    book: Book, document: ProgrammeDocument, partners: Mapping[str, str]
) -> None:
    """Write the records after the meeting, one row a record, as the import reads them back."""
    meetings = {
        meeting.slug: f"{meeting.body}, {meeting.date.day} {meeting.date:%B %Y}"
        for meeting in document.meetings
    }
    phases = {
        (project.slug, phase.number): phase.name
        for project in document.projects
        for phase in project.phases
    }

    def named(partner: str) -> str:
        return partners.get(partner, partner)

    def paid(invoice: data.InvoiceData) -> Decimal:
        return sum((payment.amount for payment in invoice.payments), Decimal("0.00"))

    _write_rows(book, MEETINGS, (data.MEETING.values(meeting) for meeting in document.meetings))
    _write_rows(
        book,
        AGREEMENTS,
        (
            {
                **data.AGREEMENT.values(agreement),
                "meeting_name": meetings.get(agreement.meeting, agreement.meeting),
                "partner_name": named(part.partner),
                **data.PARTNER_AGREEMENT.values(part),
            }
            for agreement in document.agreements
            for part in agreement.per_partner
        ),
    )
    _write_rows(
        book,
        CALLS,
        (
            {
                **data.CALL.values(call),
                "invoiced": sum((invoice.amount for invoice in call.invoices), Decimal("0.00")),
                "paid": sum(map(paid, call.invoices), Decimal("0.00")),
            }
            for call in document.calls
        ),
    )
    _write_rows(
        book,
        INVOICES,
        (
            {
                **data.CALL.values(call, leave_out=("slug",)),
                "call": call.slug,
                **data.INVOICE.values(invoice),
                "partner_name": named(invoice.partner),
                "paid": paid(invoice),
                "owed": invoice.amount - paid(invoice),
            }
            for call in document.calls
            for invoice in call.invoices
        ),
    )
    _write_rows(
        book,
        PAYMENTS,
        (
            {
                "invoice": invoice.number,
                "partner_name": named(invoice.partner),
                **data.PAYMENT.values(payment),
            }
            for call in document.calls
            for invoice in call.invoices
            for payment in invoice.payments
        ),
    )
    _write_rows(
        book,
        REFUNDS,
        (
            {**data.REFUND.values(item), "partner_name": named(item.partner)}
            for item in document.refunds
        ),
    )
    for sheet, entity, records in (
        (SPEND, data.SPEND, document.spend),
        (FORECASTS, data.FORECAST, document.forecasts),
    ):
        _write_rows(
            book,
            sheet,
            (
                {**entity.values(item), "phase_name": phases.get((item.project, item.phase))}
                for item in records
            ),
        )


def _write_delivery(book: Book, document: ProgrammeDocument) -> None:
    """Write the milestones, the projects' status updates and the risks, one row a record."""
    names = {project.slug: project.name for project in document.projects}
    for sheet, entity, records in (
        (MILESTONES, data.MILESTONE, document.milestones),
        (STATUS_UPDATES, data.STATUS_UPDATE, document.status_updates),
    ):
        _write_rows(
            book,
            sheet,
            (
                {**entity.values(item), "project_name": names.get(item.project, item.project)}
                for item in records
            ),
        )
    _write_rows(book, RISKS, (data.RISK.values(item) for item in document.risks))


def _write_rows(book: Book, sheet: Sheet, rows: Iterable[Mapping[str, Any]]) -> None:
    rows = list(rows)
    writer = SheetWriter(book, sheet, rows=len(rows))
    for row in rows:
        writer.append(row)
    writer.close()


def _write_projects(book: Book, document: ProgrammeDocument) -> None:
    writer = SheetWriter(
        book, projects_sheet(document.partnership.strategy), rows=len(document.projects)
    )
    partners = {partner.slug: partner.name for partner in document.partners}
    for project in document.projects:
        writer.append(_project_row(project, partners))
    writer.close()


def _project_row(project: ProjectData, partners: Mapping[str, str]) -> dict[str, Any]:
    grades = Counter(claim.grade for claim in project.outcome_claims)
    bounds = project_extra_bounds(project.phases)
    lead = project.lead_partner
    return {
        **data.PROJECT.values(project),
        "required_outcomes": grades[Grade.REQUIRED],
        "good_outcomes": grades[Grade.GOOD],
        "excellent_outcomes": grades[Grade.EXCELLENT],
        "existing_resource": project_existing_resource(project.funding),
        "extra_min": bounds.minimum,
        "extra_max": bounds.maximum,
        "tbc_phases": bounds.tbc_phases,
        "lead_partner_name": None if lead is None else partners.get(lead, lead),
    }


def _write_figures(
    book: Book, document: ProgrammeDocument, figures: ProgrammeFigures, *, missing_basis: str
) -> None:
    """Write the headline figures, then the stated totals that differ from the computed ones."""
    worksheet = book.workbook.create_sheet(FIGURES_TITLE)
    fit_to_page_width(worksheet)
    for letter, width in zip("ABCD", (62, 20, 16, 16), strict=True):
        worksheet.column_dimensions[letter].width = width

    def heading(*texts: str) -> None:
        worksheet.append([_styled(worksheet, text, font=HEADING_FONT, fill=HEADING_FILL)
                          for text in texts])  # fmt: skip

    def money(amount: Decimal | None) -> Any:
        return None if amount is None else _styled(worksheet, amount, number_format=MONEY_FORMAT)

    heading("Figure", "Value")
    worksheet.append(["Programme", text_cell(worksheet, document.programme.name)])
    strategy = strategy_name(document.partnership.strategy)
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
    if missing_basis:
        worksheet.append(
            [text_cell(worksheet, f"The partners' shares cannot be worked out: {missing_basis}.")]
        )
    worksheet.append([])
    heading("Total stated on the paper that differs from its lines", "Stated", "Computed",
            "Difference")  # fmt: skip
    labels = {total.key: total.in_sheet(strategy=strategy) for total in registry.STATED_TOTALS}
    for mismatch in figures.mismatches:
        worksheet.append(
            [labels.get(mismatch.field, mismatch.field), money(mismatch.stated),
             money(mismatch.computed), money(mismatch.difference)]
        )  # fmt: skip
    if not figures.mismatches:
        worksheet.append(["None: the totals stated on the paper agree with their lines."])
    worksheet.append([])
    for note in (
        "The minimum counts the phases certain to go ahead: those needing no business case, "
        "and those whose business case is approved.",
        "The maximum counts all phases that may proceed: those in the minimum, and those whose "
        "business case is pending. Neither counts a phase that is not proceeding, nor one whose "
        "cost is to be confirmed (TBC).",
        "Computed when the workbook was made. The import ignores this sheet, the Partner shares "
        "sheet, the total rows, the names shown beside slugs, and the columns worked out for "
        "the reader: the computed columns of the Projects sheet, and an invoice's call and what "
        "is invoiced, paid and owed on the Calls and Invoices sheets.",
    ):
        worksheet.append([note])


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
    book = Book()
    sheet = Sheet(
        "Projects",
        (
            Column("Slug", "slug", Kind.SLUG, 22),
            Column("Project", "name", Kind.NAME, 32),
            Column("Status", "status", Kind.TEXT, 12),
            Column("Lead partner", "lead_partner", Kind.TEXT, 28),
            Column(supports_heading(strategy), "supports_strategy", Kind.YES_NO, 14),
            Column("Existing resource", "existing_resource", Kind.MONEY, 16, total=True),
            Column(EXTRA_MIN_HEADING, "extra_min", Kind.MONEY, 16, total=True),
            Column(EXTRA_MAX_HEADING, "extra_max", Kind.MONEY, 16, total=True),
            Column("Phases TBC", "tbc_phases", Kind.COUNT, 10, total=True),
            Column("Required outcomes", "required_claims", Kind.COUNT, 11, total=True),
            Column("Good outcomes", "good_claims", Kind.COUNT, 11, total=True),
            Column("Excellent outcomes", "excellent_claims", Kind.COUNT, 11, total=True),
        ),
        imported=False,
        totals=(Total(f"{TOTAL} of the projects listed"),),
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
    about = book.workbook.create_sheet("Filters")
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

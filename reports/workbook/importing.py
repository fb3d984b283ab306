"""Read an uploaded workbook or programme file back into a programme, checking every cell.

A workbook is turned into the programme file's plain values cell by cell, then checked by the
programme file's own parser, so that both ways in obey the same rules. Every problem is reported
where the person can find it: ``Funding!D12 (Amount)``, ``Phases row 7`` or a sheet's name.
Nothing here writes: the caller previews the result and applies it through a service.
"""

from __future__ import annotations

import io
import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._reader import CELL_TAG, FORMULA_TAG, ROW_TAG, WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from projects.money.document import FORMAT, PARTNER, PROJECT, ProgrammeDocument
from projects.money.schema import Entity
from projects.programme_file import (
    Problem,
    ProgrammeFileError,
    dump_programme,
    parse_programme,
)
from projects.programme_file.problems import FILE_PATH, path_section

from .cells import OMIT, CellError, blank, convert_cell, stand_in
from .layout import (
    AFTER_THE_MEETING,
    AFTER_THE_MEETING_MARKS,
    AGREEMENTS,
    CALLS,
    CLAIMS,
    CONTRIBUTIONS,
    DELIVERY,
    DELIVERY_MARKS,
    FORECASTS,
    FUNDING,
    INVOICES,
    MEETINGS,
    MILESTONES,
    PARTNERS,
    PAYMENTS,
    PHASES,
    REFUNDS,
    RISKS,
    SPEND,
    STATUS_UPDATES,
    TOTAL,
    Column,
    Sheet,
    projects_sheet,
)
from .safety import JSON, Limits, check_archive, check_upload_size, refuse, upload_kind

logger = logging.getLogger(__name__)
_T = TypeVar("_T")

MAX_COLUMNS = 60  # columns read per row; the layout has 15 at most
MAX_CELLS_PER_ROW = 16_384  # the columns a spreadsheet has, A to XFD
SHEET_DATA_TAG = f"{{{SHEET_MAIN_NS}}}sheetData"
# The sheet each top-level key of the programme file is read from.
SHEET_OF_SECTION = {
    "partners": PARTNERS.title,
    "projects": "Projects",
    "contributions": CONTRIBUTIONS.title,
    "meetings": MEETINGS.title,
    "agreements": AGREEMENTS.title,
    "calls": CALLS.title,
    "refunds": REFUNDS.title,
    "spend": SPEND.title,
    "forecasts": FORECASTS.title,
    "milestones": MILESTONES.title,
    "status_updates": STATUS_UPDATES.title,
    "risks": RISKS.title,
}
# A programme file path inside a parser message, such as "(also projects[3].phases[0])".
_PATH_IN_MESSAGE = re.compile(rf"\b(?:{'|'.join(SHEET_OF_SECTION)})(?:\[\d+\](?:\.\w+)?)+")
# The sheet of the records each sheet's rows belong to, by the key in its parent column.
_PARENT_SHEET = {
    PHASES.title: "Projects",
    FUNDING.title: "Projects",
    CLAIMS.title: "Projects",
    INVOICES.title: CALLS.title,
    PAYMENTS.title: INVOICES.title,
}
# A partner's consent is one object in the file, two columns in the workbook.
_CONSENT_PATH = re.compile(r"\.consent(?:\.(date|reference))?$")


def sheet_of(path: str) -> str | None:
    """Return the sheet a programme file path is read from, or None if no sheet holds it."""
    if path_section(path) == "calls":
        if ".payments[" in path:
            return PAYMENTS.title
        if ".invoices[" in path:
            return INVOICES.title
    return SHEET_OF_SECTION.get(path_section(path))


def read_upload(content: bytes, *, name: str, current: ProgrammeDocument) -> ProgrammeDocument:
    """Return the programme an uploaded file holds, or raise ProgrammeFileError listing problems.

    ``current`` is the programme being imported into: a workbook keeps its settings, and a
    programme file must be of the same programme.
    """
    limits = Limits.from_settings()
    check_upload_size(len(content), limits)
    if upload_kind(content, name) == JSON:
        document = parse_programme(content)
        check_same_programme(document, current)
        return document
    check_archive(content, limits)
    return read_workbook(content, current=current, limits=limits)


def check_same_programme(document: ProgrammeDocument, current: ProgrammeDocument) -> None:
    """Refuse a programme file of another programme or partnership than the one imported into."""
    problems = []
    if document.partnership.slug != current.partnership.slug:
        problems.append(
            Problem(
                "partnership.slug",
                f"the file is of the partnership '{document.partnership.slug}', but this "
                f"programme belongs to '{current.partnership.slug}'",
            )
        )
    if document.programme.slug != current.programme.slug:
        problems.append(
            Problem(
                "programme.slug",
                f"the file holds the programme '{document.programme.slug}', not "
                f"'{current.programme.slug}' that you are importing into; change the slug in "
                "the file to import it here",
            )
        )
    if problems:
        raise ProgrammeFileError(problems)


def read_workbook(
    content: bytes, *, current: ProgrammeDocument, limits: Limits | None = None
) -> ProgrammeDocument:
    """Return the programme a workbook in the export's layout holds, the settings kept as now.

    The records after the meeting are read from their sheets when the workbook has them; one
    without them (downloaded before the import read them, or before the meeting) keeps the
    programme's records as they are.
    """
    layout = (
        projects_sheet(current.partnership.strategy),
        PHASES,
        FUNDING,
        CLAIMS,
        CONTRIBUTIONS,
        PARTNERS,
    )
    sheets, layout = _read_sheets(content, layout, limits or Limits.from_settings())
    return _WorkbookReader(current, layout).read(sheets)


# Reading the cells


class _Uncalculated:
    """The value of a formula cell that no spreadsheet program has calculated yet."""


UNCALCULATED: Any = _Uncalculated()


@dataclass
class _RawSheet:
    """A sheet's heading row and its data rows, as cell values, by row number."""

    title: str
    headings: list[Any] = field(default_factory=list)
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)


class _RowTooWide(Exception):
    """A row of a sheet has more cells than a spreadsheet has columns."""


class _CellParser(WorkSheetParser):
    """Read a sheet's rows a cell at a time, each cell as a spreadsheet last calculated it.

    openpyxl reads either a formula or its calculated value, so telling an uncalculated formula
    from a blank cell took a second reading of the workbook; a formula without a value is
    recognised here instead, in the one reading. openpyxl also holds a whole row's XML before
    reading its cells, so one row of millions of cells took gigabytes: here each cell is let go
    once read, and a row may have no more cells than a spreadsheet has columns.
    """

    def parse(self) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        """Yield each row's number and its cells; only the rows, which is all the import reads."""
        cells: list[dict[str, Any]] | None = None
        rows = None  # the element the rows are in, to let each go once read
        for event, element in iterparse(self.source, events=("start", "end")):
            if element.tag == SHEET_DATA_TAG and event == "start":
                rows = element
            elif element.tag == CELL_TAG:
                if event == "end" and cells is not None:
                    if len(cells) >= MAX_CELLS_PER_ROW:
                        raise _RowTooWide(self.row_counter)
                    cells.append(self.parse_cell(element))
                    element.clear()
            elif element.tag == ROW_TAG:
                if event == "start":
                    self.start_row(element.get("r"))
                    cells = []
                else:
                    yield self.row_counter, cells or []
                    cells = None
                    element.clear()
                    if rows is not None and len(rows) and rows[0] is element:
                        del rows[0]

    def start_row(self, number: str | None) -> None:
        """Number the row as openpyxl does: as it says, or the one after the last."""
        if number is None:
            self.row_counter += 1
        else:
            value = float(number)
            if not value.is_integer():
                raise ValueError(f"{number} is not a valid row number")
            self.row_counter = int(value)
        self.col_counter = 0

    def parse_cell(self, element):
        cell = super().parse_cell(element)
        if cell["value"] is None and element.find(FORMULA_TAG) is not None:
            cell["value"] = UNCALCULATED
        return cell


@dataclass
class _Budget:
    """The rows a sheet and the workbook may have, and the time, spent as rows are read."""

    rows: int
    seconds: float
    deadline: float
    rows_in_all: int
    spent: int = 0

    @classmethod
    def start(cls, limits: Limits) -> _Budget:
        return cls(
            limits.rows, limits.seconds, time.monotonic() + limits.seconds, limits.rows_in_all
        )

    def spend(self, title: str, rows_read: int) -> None:
        """Refuse the workbook once a sheet or all have too many rows, or the time is spent."""
        if rows_read > self.rows:
            raise ProgrammeFileError(
                [Problem(title, f"has more than {self.rows:,} rows; no programme is that large")]
            )
        self.spent += 1
        if self.spent > self.rows_in_all:
            raise ProgrammeFileError(
                [
                    Problem(
                        title,
                        f"takes the workbook past {self.rows_in_all:,} rows in all, empty rows "
                        "included; no programme is that large",
                    )
                ]
            )
        if time.monotonic() > self.deadline:
            raise refuse(
                f"Reading the workbook took longer than the {self.seconds:g} seconds allowed, "
                "so it was stopped. A programme's workbook is read in a few seconds: check that "
                "its sheets have no large blocks of empty or formatted rows, save it and upload "
                "it again."
            )


def _read_sheets(
    content: bytes, layout: tuple[Sheet, ...], limits: Limits
) -> tuple[dict[str, _RawSheet], tuple[Sheet, ...]]:
    """Read the layout's sheets' values, and those after the meeting if the workbook has any of
    them; formulas give the value a spreadsheet last calculated. Returns the sheets read."""
    budget = _Budget.start(limits)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # whatever openpyxl raises, the file is at fault
        logger.info("Unreadable workbook: %r", error)
        raise refuse(
            "The file cannot be opened as an Excel workbook. Open it in Excel or LibreOffice, "
            "save it as an Excel Workbook (.xlsx) and upload it again."
        ) from error
    try:
        names = list(book.sheetnames)
        if {name.strip().casefold() for name in names} & {
            title.casefold() for title in AFTER_THE_MEETING_MARKS
        }:
            layout = (*layout, *AFTER_THE_MEETING)
        if {name.strip().casefold() for name in names} & {
            title.casefold() for title in DELIVERY_MARKS
        }:
            layout = (*layout, *DELIVERY)
        titles = _sheet_titles(names, layout)
        sheets = {
            sheet.title: _read_sheet(book, book[titles[sheet.title]], sheet.title, budget)
            for sheet in layout
        }
        return sheets, layout
    except ProgrammeFileError:
        raise
    except Exception as error:  # a sheet whose XML openpyxl cannot read
        logger.info("Unreadable sheet: %r", error)
        raise refuse(
            "Part of the workbook cannot be read (it may be damaged). Open it in Excel or "
            "LibreOffice, save it as an Excel Workbook (.xlsx) and upload it again."
        ) from error
    finally:
        book.close()


def _sheet_titles(names: list[str], layout: tuple[Sheet, ...]) -> dict[str, str]:
    """Return the workbook's name of each sheet of the layout, or refuse naming those missing."""
    found = {name.strip().casefold(): name for name in names}
    titles = {}
    problems = []
    for sheet in layout:
        name = found.get(sheet.title.casefold())
        if name is None:
            problems.append(
                Problem(
                    sheet.title,
                    f"the workbook has no sheet named “{sheet.title}” (it has: "
                    f"{', '.join(names) or 'none'}); keep the sheets of the programme's download",
                )
            )
        titles[sheet.title] = name
    if problems:
        raise ProgrammeFileError(problems)
    return titles


def _read_sheet(book, worksheet, title: str, budget: _Budget) -> _RawSheet:
    """Return a sheet's heading row and every row that holds data, skipping the total rows."""
    sheet = _RawSheet(title)
    last = 0
    for rows_read, (number, cells) in enumerate(_sheet_rows(book, worksheet, title), start=1):
        # Every row counts, empty or not: reading empty rows costs time too.
        budget.spend(title, rows_read)
        if number <= last:  # a row number given twice: the first is the row
            continue
        last = number
        values = _row_values(cells)
        if number == 1:
            sheet.headings = values
            continue
        if all(blank(value) for value in values):
            continue
        if isinstance(values[0], str) and values[0].strip().startswith(TOTAL):
            continue
        sheet.rows.append((number, values))
    return sheet


def _sheet_rows(book, worksheet, title: str) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """Yield the rows as the file has them, each with its cells as read."""
    # Not openpyxl's rows: the dimension a file states may be wrong (or huge), and it pads the
    # rows a file leaves out; here only the rows really there cost any time.
    with worksheet._get_source() as source:
        parser = _CellParser(
            source,
            worksheet._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        try:
            yield from parser.parse()
        except _RowTooWide as error:
            message = (
                f"row {error.args[0]} has more than {MAX_CELLS_PER_ROW:,} cells, more than a "
                "spreadsheet has columns"
            )
            raise ProgrammeFileError([Problem(title, message)]) from error


def _row_values(cells: list[dict[str, Any]]) -> list[Any]:
    """Return a row's values by column, as long as its last cell read, at most MAX_COLUMNS."""
    columns = [cell["column"] for cell in cells if cell["column"] <= MAX_COLUMNS]
    values: list[Any] = [None] * max(columns, default=0)
    for cell in cells:
        if cell["column"] <= MAX_COLUMNS:
            values[cell["column"] - 1] = cell["value"]
    return values


# Turning cells into the programme file's values


@dataclass
class _Place:
    """Where in the workbook a value of the programme file came from."""

    text: str
    order: tuple[int, int, int]  # sheet, row, column: the order problems are listed in


@dataclass(frozen=True)
class _Row:
    """The row a record of the programme file came from, and the column of each of its keys."""

    sheet: Sheet
    number: int
    columns: dict[str, int]


def _off_the_sheet(entity: Entity, records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Return, by slug, each stored record's values of the fields its sheet has no column for."""
    keys = [spec.key for spec in entity.fields if not spec.in_workbook]
    return {
        record["slug"]: {key: record[key] for key in keys if key in record} for record in records
    }


def _keeping(record: dict[str, Any], kept: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Give a row read from a sheet the values off the sheet of the stored row it matches."""
    slug = record.get("slug")
    if isinstance(slug, str):
        for key, value in kept.get(slug, {}).items():
            record.setdefault(key, value)
    return record


class _WorkbookReader:
    """Turn the sheets into a programme file's contents, noting where each value came from."""

    def __init__(self, current: ProgrammeDocument, layout: tuple[Sheet, ...]) -> None:
        self.current = current
        self.layout = layout
        self.sheet_order = {sheet.title: index for index, sheet in enumerate(layout)}
        self.problems: dict[str, tuple[_Place, Problem]] = {}
        # Programme file path of each record -> its row. A value's cell is worked out from its
        # row only when a problem needs it: most cells never have one.
        self.rows: dict[str, _Row] = {}
        self.read_columns = {
            sheet.title: [
                column
                for column in sheet.columns
                if not column.computed and column.key != sheet.parent
            ]
            for sheet in layout
        }

    def read(self, sheets: dict[str, _RawSheet]) -> ProgrammeDocument:
        projects_layout = self.layout[0]
        columns = {sheet.title: self.columns(sheet, sheets[sheet.title]) for sheet in self.layout}
        if any(value is None for value in columns.values()):
            raise self.error()

        def rows(sheet: Sheet) -> list[tuple[int, list[Any]]]:
            return self.data_rows(sheet, sheets[sheet.title], columns[sheet.title])

        content = dump_programme(self.current)
        # No report text and no papers: the load then keeps the programme's as they are.
        content.pop("report", None)
        content.pop("papers", None)
        # The named people are no columns of the sheets: a row keeps its partner's or project's.
        partners_kept = _off_the_sheet(PARTNER, content["partners"])
        projects_kept = _off_the_sheet(PROJECT, content["projects"])
        content["partners"] = [
            _keeping(
                self.record(PARTNERS, columns, number, values, f"partners[{index}]"),
                partners_kept,
            )
            for index, (number, values) in enumerate(rows(PARTNERS))
        ]
        projects = []
        slugs: dict[str, int] = {}
        for index, (number, values) in enumerate(rows(projects_layout)):
            project = self.record(projects_layout, columns, number, values, f"projects[{index}]")
            _keeping(project, projects_kept)
            project.update(outcome_claims=[], funding=[], phases=[])
            if isinstance(project.get("slug"), str):
                slugs.setdefault(project["slug"], index)
            projects.append(project)
        for sheet, key in ((PHASES, "phases"), (FUNDING, "funding"), (CLAIMS, "outcome_claims")):
            for number, values in rows(sheet):
                index = self.parent_of(
                    sheet, columns, number, values, slugs, "there is no project with the slug"
                )
                if index is None:
                    continue
                children = projects[index][key]
                path = f"projects[{index}].{key}[{len(children)}]"
                children.append(self.record(sheet, columns, number, values, path))
        content["projects"] = projects
        content["contributions"] = [
            self.record(CONTRIBUTIONS, columns, number, values, f"contributions[{index}]")
            for index, (number, values) in enumerate(rows(CONTRIBUTIONS))
        ]
        if MEETINGS.title in columns:
            content.update(self.after_the_meeting(rows, columns))
            content["format"] = FORMAT
        if MILESTONES.title in columns:
            content.update(
                {
                    key: [
                        self.record(sheet, columns, number, values, f"{key}[{index}]")
                        for index, (number, values) in enumerate(rows(sheet))
                    ]
                    for key, sheet in (
                        ("milestones", MILESTONES),
                        ("status_updates", STATUS_UPDATES),
                        ("risks", RISKS),
                    )
                }
            )
            content["format"] = FORMAT
        try:
            document = parse_programme(json.dumps(content))
        except ProgrammeFileError as error:
            for problem in error.problems:
                self.add_parser_problem(problem)
            raise self.error() from error
        if self.problems:
            raise self.error()
        return document

    def error(self) -> ProgrammeFileError:
        ordered = sorted(self.problems.values(), key=lambda item: item[0].order)
        return ProgrammeFileError([problem for _, problem in ordered])

    # The heading row

    def columns(self, sheet: Sheet, raw: _RawSheet) -> dict[str, int] | None:
        """Return the index of each of the layout's columns in the sheet, by key."""
        positions: dict[str, int] = {}
        seen: dict[str, int] = {}
        wanted = {self.heading_key(column.heading): column for column in sheet.columns}
        ok = True
        for index, heading in enumerate(raw.headings):
            if blank(heading) or not isinstance(heading, str):
                continue
            key = self.heading_key(heading)
            if key in seen:
                self.add(
                    _Place(sheet.title, (self.sheet_order[sheet.title], 1, index)),
                    f"the heading “{heading.strip()}” is in columns "
                    f"{get_column_letter(seen[key] + 1)} and {get_column_letter(index + 1)}; "
                    "keep one",
                )
                ok = False
            seen[key] = index
            column = wanted.get(key)
            if column is not None and not column.computed:
                positions[column.key] = index
        for column in sheet.columns:
            if column.computed or column.key in positions:
                continue
            # A workbook downloaded before the column's heading changed has it under an old one.
            former = [seen[key] for key in map(self.heading_key, column.former) if key in seen]
            if former:
                positions[column.key] = former[0]
                continue
            self.add(
                _Place(sheet.title, (self.sheet_order[sheet.title], 1, 0)),
                f"has no column “{column.heading}”: row 1 must hold the headings of the "
                "programme's download",
            )
            ok = False
        return positions if ok else None

    @staticmethod
    def heading_key(heading: str) -> str:
        key = " ".join(heading.split()).casefold()
        # The strategy's name is the partnership's; any "Supports ..." heading is that column.
        return "supports" if key.startswith("supports") else key

    # Rows and cells

    def record(
        self, sheet: Sheet, columns: dict, number: int, values: list[Any], path: str
    ) -> dict[str, Any]:
        """Return a row's values by programme file key, noting where the row came from."""
        positions = columns[sheet.title]
        self.rows[path] = _Row(sheet, number, positions)
        record: dict[str, Any] = {}
        width = len(values)
        for column in self.read_columns[sheet.title]:
            index = positions[column.key]
            value = values[index] if index < width else None
            converted = self.convert(column, value, sheet, number, index)
            if converted is not OMIT:
                record[column.key] = converted
        return record

    def data_rows(
        self, sheet: Sheet, raw: _RawSheet, positions: dict[str, int]
    ) -> list[tuple[int, list[Any]]]:
        """Return the rows with a value in a column the import reads.

        A row holding only what the import ignores (formulas filled down past the last record,
        a note in a column of the reader's own) is no record.
        """
        read = [positions[column.key] for column in sheet.columns if not column.computed]
        return [
            (number, values)
            for number, values in raw.rows
            if any(index < len(values) and not blank(values[index]) for index in read)
        ]

    def parent_value(self, sheet: Sheet, columns: dict, number: int, values: list[Any]) -> Any:
        """Return the key a row gives of the record it belongs to, or None, said why, if none."""
        assert sheet.parent is not None
        column = sheet.column(sheet.parent)
        index = columns[sheet.title][sheet.parent]
        value = self.convert(
            column, values[index] if index < len(values) else None, sheet, number, index
        )
        if not isinstance(value, str):
            return None
        if not value.strip():
            self.add(self.cell_place(sheet, column, number, index), "must not be empty")
            return None
        return value.strip()

    def parent_of(
        self,
        sheet: Sheet,
        columns: dict,
        number: int,
        values: list[Any],
        found: dict[str, _T],
        unknown: str,
        skipped: frozenset[str] = frozenset(),
    ) -> _T | None:
        """Return what a row of a sheet of children belongs to, by the key the row gives.

        ``unknown`` begins the message for a key given on no row of the parents' sheet; a key in
        ``skipped`` is a parent whose own row has a problem, said already.
        """
        key = self.parent_value(sheet, columns, number, values)
        if key is None or key in skipped:
            return None
        if key not in found:
            assert sheet.parent is not None
            column = sheet.column(sheet.parent)
            parents = _PARENT_SHEET[sheet.title]
            self.add(
                self.cell_place(sheet, column, number, columns[sheet.title][sheet.parent]),
                f"{unknown} “{key}” on the {parents} sheet",
            )
            return None
        return found[key]

    # The records after the meeting

    def after_the_meeting(self, rows: Callable, columns: dict) -> dict[str, Any]:
        """Return the records after the meeting as the programme file has them, by key."""

        def listed(sheet: Sheet, key: str) -> list[dict[str, Any]]:
            return [
                self.record(sheet, columns, number, values, f"{key}[{index}]")
                for index, (number, values) in enumerate(rows(sheet))
            ]

        agreements: list[dict[str, Any]] = []
        by_meeting: dict[str, int] = {}
        for number, values in rows(AGREEMENTS):
            meeting = self.parent_value(AGREEMENTS, columns, number, values)
            if meeting is None:
                continue
            if meeting not in by_meeting:
                by_meeting[meeting] = len(agreements)
                # The agreement is where its first row is: its meeting's cell, for a problem.
                path = f"agreements[{len(agreements)}]"
                self.rows[path] = _Row(AGREEMENTS, number, columns[AGREEMENTS.title])
                agreements.append({"meeting": meeting, "per_partner": []})
            parts = agreements[by_meeting[meeting]]["per_partner"]
            path = f"agreements[{by_meeting[meeting]}].per_partner[{len(parts)}]"
            parts.append(self.consent(self.record(AGREEMENTS, columns, number, values, path), path))

        calls = listed(CALLS, "calls")
        call_of: dict[str, int] = {}
        for index, call in enumerate(calls):
            call["invoices"] = []
            if isinstance(call.get("slug"), str):
                call_of.setdefault(call["slug"], index)
        invoice_of: dict[str, tuple[int, int]] = {}
        without_a_call: set[str] = set()
        for number, values in rows(INVOICES):
            index = self.parent_of(
                INVOICES, columns, number, values, call_of, "there is no call with the slug"
            )
            if index is None:
                # Its payments are not reported too: the invoice's row says what is wrong.
                without_a_call.add(self.invoice_number(columns, values))
                continue
            invoices = calls[index]["invoices"]
            path = f"calls[{index}].invoices[{len(invoices)}]"
            invoice = self.record(INVOICES, columns, number, values, path)
            invoice["payments"] = []
            if isinstance(invoice.get("number"), str):
                invoice_of.setdefault(invoice["number"].strip(), (index, len(invoices)))
            invoices.append(invoice)
        for number, values in rows(PAYMENTS):
            found = self.parent_of(
                PAYMENTS,
                columns,
                number,
                values,
                invoice_of,
                "there is no invoice numbered",
                frozenset(without_a_call),
            )
            if found is None:
                continue
            payments = calls[found[0]]["invoices"][found[1]]["payments"]
            path = f"calls[{found[0]}].invoices[{found[1]}].payments[{len(payments)}]"
            payments.append(self.record(PAYMENTS, columns, number, values, path))
        return {
            "meetings": listed(MEETINGS, "meetings"),
            "agreements": agreements,
            "calls": calls,
            "refunds": listed(REFUNDS, "refunds"),
            "spend": listed(SPEND, "spend"),
            "forecasts": listed(FORECASTS, "forecasts"),
        }

    def invoice_number(self, columns: dict, values: list[Any]) -> str:
        """Return the number an invoice's row gives, as text, without checking it."""
        index = columns[INVOICES.title]["number"]
        value = values[index] if index < len(values) else None
        return "" if blank(value) else str(value).strip()

    def consent(self, part: dict[str, Any], path: str) -> dict[str, Any]:
        """Return a partner's part of an agreement with its consent as the file holds it."""
        day = part.pop("consent_date", None)
        reference = part.pop("consent_reference", "")
        if day is None and isinstance(reference, str) and reference.strip():
            row = self.rows[path]
            column = AGREEMENTS.column("consent_date")
            self.add(
                self.cell_place(AGREEMENTS, column, row.number, row.columns[column.key]),
                "must not be empty when there is a consent reference: enter the date the "
                "council consented, or clear the reference",
            )
        part["consent"] = None if day is None else {"date": day, "reference": reference}
        return part

    def cell_place(self, sheet: Sheet, column: Column, number: int, index: int) -> _Place:
        cell = f"{get_column_letter(index + 1)}{number}"
        return _Place(
            f"{sheet.title}!{cell} ({column.heading})",
            (self.sheet_order[sheet.title], number, index + 1),
        )

    def add(self, place: _Place, message: str) -> None:
        """Report a problem at a place, once: a cell's first problem explains it."""
        self.problems.setdefault(place.text, (place, Problem(place.text, message)))

    def add_parser_problem(self, problem: Problem) -> None:
        path = _CONSENT_PATH.sub(lambda match: f".consent_{match.group(1) or 'date'}", problem.path)
        place = self.place_of(path)
        message = _PATH_IN_MESSAGE.sub(
            lambda match: self.place_of(match.group(0)).text.split(" (")[0], problem.message
        )
        message = message.replace("(its contributes is false)", "(its Contributes is No)")
        message = message.replace('"not_proceeding"', "“Not proceeding”")
        self.add(place, message)

    def place_of(self, path: str) -> _Place:
        """Return the cell or row a programme file path came from, or the closest one known."""
        key = None  # the key right after the path, when it is a value of a record
        while path:
            row = self.rows.get(path)
            if row is not None:
                if key in row.columns:
                    column = row.sheet.column(key)
                    return self.cell_place(row.sheet, column, row.number, row.columns[key])
                order = self.sheet_order[row.sheet.title]
                return _Place(f"{row.sheet.title} row {row.number}", (order, row.number, 0))
            trimmed = re.sub(r"(\.\w+|\[\d+\])$", "", path)
            if trimmed == path:
                break
            tail = path[len(trimmed) :]
            key = tail[1:] if tail.startswith(".") else None
            path = trimmed
        title = sheet_of(path)
        if title is not None:
            # Records a workbook without their sheet keeps are listed after the sheets.
            return _Place(title, (self.sheet_order.get(title, len(self.layout)), 0, 0))
        return _Place(FILE_PATH, (-1, 0, 0))

    def convert(self, column: Column, value: Any, sheet: Sheet, number: int, index: int) -> Any:
        """Return a cell's value as the programme file has it, or report why it cannot be read."""
        if value is UNCALCULATED:
            cell = f"{get_column_letter(index + 1)}{number}"
            self.add(
                self.cell_place(sheet, column, number, index),
                f"cell {cell} holds a formula that has not been calculated; open the file in "
                "Excel or LibreOffice, save it and upload it again (or type the value)",
            )
            return stand_in(column, self.current)
        try:
            return convert_cell(column, value, self.current)
        except CellError as error:
            self.add(self.cell_place(sheet, column, number, index), str(error))
            return stand_in(column, self.current)

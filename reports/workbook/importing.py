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
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._reader import CELL_TAG, FORMULA_TAG, ROW_TAG, WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from projects.money.document import ProgrammeDocument
from projects.programme_file import (
    Problem,
    ProgrammeFileError,
    dump_programme,
    parse_programme,
)
from projects.programme_file.problems import FILE_PATH, path_section

from .cells import OMIT, CellError, blank, convert_cell, stand_in
from .layout import (
    CLAIMS,
    CONTRIBUTIONS,
    FUNDING,
    PARTNERS,
    PHASES,
    TOTAL,
    Column,
    Sheet,
    projects_sheet,
)
from .safety import JSON, Limits, check_archive, check_upload_size, refuse, upload_kind

logger = logging.getLogger(__name__)

MAX_COLUMNS = 60  # columns read per row; the layout has 15 at most
MAX_CELLS_PER_ROW = 16_384  # the columns a spreadsheet has, A to XFD
SHEET_DATA_TAG = f"{{{SHEET_MAIN_NS}}}sheetData"
# A programme file path inside a parser message, such as "(also projects[3].phases[0])".
_PATH_IN_MESSAGE = re.compile(r"\b(?:partners|projects|contributions)(?:\[\d+\](?:\.\w+)?)+")


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
    """Return the programme a workbook in the export's layout holds, the settings kept as now."""
    layout = (
        projects_sheet(current.partnership.strategy),
        PHASES,
        FUNDING,
        CLAIMS,
        CONTRIBUTIONS,
        PARTNERS,
    )
    sheets = _read_sheets(content, layout, limits or Limits.from_settings())
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


def _read_sheets(content: bytes, layout: tuple[Sheet, ...], limits: Limits) -> dict[str, _RawSheet]:
    """Read the layout's sheets' values; formulas give the value a spreadsheet last calculated."""
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
        titles = _sheet_titles(list(book.sheetnames), layout)
        return {
            sheet.title: _read_sheet(book, book[titles[sheet.title]], sheet.title, budget)
            for sheet in layout
        }
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
                if not column.computed and column.key != "project"
            ]
            for sheet in layout
        }

    def read(self, sheets: dict[str, _RawSheet]) -> ProgrammeDocument:
        projects_layout, phases, funding, claims, contributions, partners = self.layout
        columns = {sheet.title: self.columns(sheet, sheets[sheet.title]) for sheet in self.layout}
        if any(value is None for value in columns.values()):
            raise self.error()

        content = dump_programme(self.current)
        # No report text: the load then keeps the programme's as it is.
        content.pop("report", None)
        content["partners"] = [
            self.record(partners, columns, number, values, f"partners[{index}]")
            for index, (number, values) in enumerate(sheets[partners.title].rows)
        ]
        projects = []
        slugs: dict[str, int] = {}
        for index, (number, values) in enumerate(sheets[projects_layout.title].rows):
            project = self.record(projects_layout, columns, number, values, f"projects[{index}]")
            project.update(outcome_claims=[], funding=[], phases=[])
            if isinstance(project.get("slug"), str):
                slugs.setdefault(project["slug"], index)
            projects.append(project)
        for sheet, key in ((phases, "phases"), (funding, "funding"), (claims, "outcome_claims")):
            for number, values in sheets[sheet.title].rows:
                index = self.project_of(sheet, columns, number, values, slugs)
                if index is None:
                    continue
                children = projects[index][key]
                path = f"projects[{index}].{key}[{len(children)}]"
                children.append(self.record(sheet, columns, number, values, path))
        content["projects"] = projects
        content["contributions"] = [
            self.record(contributions, columns, number, values, f"contributions[{index}]")
            for index, (number, values) in enumerate(sheets[contributions.title].rows)
        ]
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

    def project_of(
        self, sheet: Sheet, columns: dict, number: int, values: list[Any], slugs: dict[str, int]
    ) -> int | None:
        """Return the index of the project a row of a project's sheet belongs to."""
        column = sheet.column("project")
        index = columns[sheet.title]["project"]
        slug = self.convert(
            column, values[index] if index < len(values) else None, sheet, number, index
        )
        if not isinstance(slug, str):
            return None
        if slug not in slugs:
            self.add(
                self.cell_place(sheet, column, number, index),
                f"there is no project with the slug “{slug}” on the Projects sheet",
            )
            return None
        return slugs[slug]

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
        place = self.place_of(problem.path)
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
        sheet = {"partners": "Partners", "projects": "Projects", "contributions": "Contributions"}
        title = sheet.get(path_section(path))
        if title is not None:
            return _Place(title, (self.sheet_order[title], 0, 0))
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

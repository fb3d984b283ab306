"""Read spend lines out of a council's ledger export, by the columns the facilitator mapped.

Pure functions, no Django: the rows are lists of cell values (text from a CSV; text, numbers
and dates from a workbook), the first row the headings. A mapping names, for each field of a
spend line, the heading of the column holding it. Each row gives a ``LedgerLine`` or the
problems with it, said as a person reads them ("Row 4: the amount '12,00x' is not an amount of
money"); rows are numbered as the spreadsheet numbers them, the headings being row 1.

A row is one spend line: its date (2004-09-30, 30/09/2004 or a workbook's date), its amount (more
than £0, in pounds and pence: "£1,200.50", "1200.5"), its reference (required: a line imported
twice is recognised by its reference and amount), supplier and description (optional), and the
phase it is spent on: the project, by name or slug, and the phase's number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from ..rules import AMOUNT_MAX_WHOLE_DIGITS, NAME_MAX_LENGTH
from .document import REFERENCE_MAX_LENGTH
from .formatting import money
from .spend import spend_refused_message

DESCRIPTION_MAX_LENGTH = 2_000
# Rows read from one file, headings included: a council's year of spend for a programme is a
# few thousand lines at most; the bound keeps the work of a preview bounded.
LEDGER_MAX_ROWS = 50_000

# The fields of a spend line, in the order the mapping form asks for them, with their labels.
FIELDS: dict[str, str] = {
    "date": "Date",
    "amount": "Amount",
    "reference": "Reference",
    "project": "Project",
    "phase": "Phase number",
    "supplier": "Supplier",
    "description": "Description",
}
REQUIRED_FIELDS = ("date", "amount", "reference", "project", "phase")

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.]+)?")
_UK = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_AMOUNT = re.compile(r"£?\d{1,3}(?:,\d{3})+(?:\.\d+)?|£?\d+(?:\.\d+)?|£?\.\d+")
_PHASE = re.compile(r"\d{1,3}")
_MAX_AMOUNT = Decimal(10) ** AMOUNT_MAX_WHOLE_DIGITS
PENNY = Decimal("0.01")


@dataclass(frozen=True)
class LedgerLine:
    """One row of the ledger, read: the spend line it records and the phase it is for."""

    row: int
    project: str  # as written in the file
    phase: int
    date: date
    amount: Decimal
    reference: str
    supplier: str
    description: str


@dataclass(frozen=True)
class LedgerRead:
    """What a ledger's rows gave: the lines read, and the problems with the rows that did not."""

    lines: tuple[LedgerLine, ...]
    problems: tuple[str, ...]


def heading_text(value: object) -> str:
    """Return a heading as the mapping names it: its text, spaces trimmed."""
    return "" if value is None else str(value).strip()


def headings_of(header: Sequence[object]) -> list[str]:
    """Return the file's headings that a field may be mapped to: the non-blank ones, once each."""
    return list(dict.fromkeys(text for text in map(heading_text, header) if text))


def mapping_problems(header: Sequence[object], mapping: Mapping[str, str]) -> list[str]:
    """Say what is wrong with a mapping for these headings; an empty list means it can be used."""
    return [message for _, message in field_problems(header, mapping)]


def field_problems(header: Sequence[object], mapping: Mapping[str, str]) -> list[tuple[str, str]]:
    """Say what is wrong with a mapping, each problem with the field it is about."""
    headings = [heading_text(value) for value in header]
    problems = []
    for field, label in FIELDS.items():
        column = mapping.get(field, "")
        if not column:
            if field in REQUIRED_FIELDS:
                problems.append((field, f"Choose the column that holds the {label.lower()}"))
        elif column not in headings:
            problems.append(
                (
                    field,
                    f"The file has no column headed '{column}' for the {label.lower()}: choose "
                    "one of its columns",
                )
            )
        elif headings.count(column) > 1:
            problems.append(
                (
                    field,
                    f"The file has {headings.count(column)} columns headed '{column}': rename "
                    "them so that each heading is different",
                )
            )
    used = [mapping[field] for field in FIELDS if mapping.get(field)]
    for column in dict.fromkeys(used):
        fields = [f for f in FIELDS if mapping.get(f) == column]
        if len(fields) > 1:
            labels = " and the ".join(FIELDS[f].lower() for f in fields)
            problems.append(
                (
                    fields[-1],
                    f"The column '{column}' is chosen for both the {labels}: choose a "
                    "different column for each",
                )
            )
    return problems


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_date(value: object) -> date | None:
    """Read a date: a workbook's date, 2004-09-30 or 30/09/2004; ``None`` if it is none."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    match = _ISO.fullmatch(text)
    if match:
        year, month, day_ = (int(part) for part in match.groups())
    else:
        match = _UK.fullmatch(text)
        if not match:
            return None
        day_, month, year = (int(part) for part in match.groups())
    if year < 1900:
        return None
    try:
        return date(year, month, day_)
    except ValueError:
        return None


def parse_amount(value: object) -> Decimal | None:
    """Read an amount of money as written: £1,200.50, 1200.5, -40; ``None`` if it is none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        # A workbook keeps money as binary fractions: 1200.5, or 12.299999999999999 after a sum.
        pence = round(value * 100)
        if abs(value * 100 - pence) < 1e-6:
            return Decimal(pence) / 100
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    text = _text(value).replace(" ", "")
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text.startswith("-"):
        negative, text = not negative, text[1:]
    if not _AMOUNT.fullmatch(text):
        return None
    try:
        amount = Decimal(text.lstrip("£").replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None
    return -amount if negative else amount


def _shown(value: object) -> str:
    text = _text(value)
    return text if len(text) <= 40 else f"{text[:40]}…"


def read_row(number: int, cells: Mapping[str, object]) -> LedgerLine | list[str]:
    """Read one row's cells (by field) into a line, or say what is wrong with it."""
    problems: list[str] = []
    where = f"Row {number}"

    raw = cells.get("date")
    day = parse_date(raw)
    if _text(raw) == "":
        problems.append(f"{where}: there is no date")
    elif day is None:
        problems.append(
            f"{where}: the date '{_shown(raw)}' is not a date written as 30/09/2004 or 2004-09-30"
        )

    raw = cells.get("amount")
    amount = parse_amount(raw)
    if _text(raw) == "":
        problems.append(f"{where}: there is no amount")
    elif amount is None:
        problems.append(f"{where}: the amount '{_shown(raw)}' is not an amount of money")
    elif amount < 0:
        problems.append(
            f"{where}: the amount {money(amount)} is negative; only money paid out is spend, "
            "so record a refund or correction by hand"
        )
    elif amount == 0:
        problems.append(f"{where}: the amount is £0; a spend line must be more than £0")
    elif amount != amount.quantize(PENNY, rounding="ROUND_DOWN"):
        problems.append(f"{where}: the amount '{_shown(raw)}' has fractions of a penny")
    elif amount >= _MAX_AMOUNT:
        problems.append(f"{where}: the amount {money(amount)} is too large to be spend")

    reference = _text(cells.get("reference"))
    if not reference:
        problems.append(
            f"{where}: there is no reference; each line needs one, so that a line imported "
            "twice is recognised"
        )
    project = _text(cells.get("project"))
    if not project:
        problems.append(f"{where}: there is no project")
    raw = cells.get("phase")
    phase_text = _text(raw)
    if phase_text.lower().startswith("phase"):
        phase_text = phase_text[5:].strip()
    if not phase_text:
        problems.append(f"{where}: there is no phase number")
    elif not _PHASE.fullmatch(phase_text) or int(phase_text) < 1:
        problems.append(f"{where}: the phase '{_shown(raw)}' is not a phase number such as 2")
    supplier = _text(cells.get("supplier"))
    description = _text(cells.get("description"))
    for label, text, limit in (
        ("reference", reference, REFERENCE_MAX_LENGTH),
        ("supplier", supplier, NAME_MAX_LENGTH),
        ("description", description, DESCRIPTION_MAX_LENGTH),
    ):
        if len(text) > limit:
            problems.append(f"{where}: the {label} is longer than {limit:,} characters")
        if "\x00" in text:
            problems.append(f"{where}: the {label} holds a null character")
    if "\x00" in project:
        problems.append(f"{where}: the project holds a null character")
    if problems:
        return problems
    assert day is not None and amount is not None
    return LedgerLine(
        row=number,
        project=project,
        phase=int(phase_text),
        date=day,
        amount=amount.quantize(PENNY),
        reference=reference,
        supplier=supplier,
        description=description,
    )


def read_ledger(
    header: Sequence[object], rows: Sequence[Sequence[object]], mapping: Mapping[str, str]
) -> LedgerRead:
    """Read every row below the headings by the mapping; rows blank in its columns are passed over.

    The mapping must be usable (``mapping_problems`` empty): each field's column is found by
    its heading.
    """
    headings = [heading_text(value) for value in header]
    columns = {
        field: headings.index(mapping[field])
        for field in FIELDS
        if mapping.get(field) and mapping[field] in headings
    }
    lines: list[LedgerLine] = []
    problems: list[str] = []
    width = max(columns.values(), default=-1) + 1
    for offset, row in enumerate(rows):
        if len(row) < width:
            row = [*row, *([None] * (width - len(row)))]
        cells = {field: row[index] for field, index in columns.items()}
        # A row whose mapped cells are all blank is no spend line: a gap, or a note beside.
        if all(value is None or value == "" or _text(value) == "" for value in cells.values()):
            continue
        read = read_row(offset + 2, cells)
        if isinstance(read, LedgerLine):
            lines.append(read)
        else:
            problems.extend(read)
    return LedgerRead(tuple(lines), tuple(problems))


@dataclass(frozen=True)
class PhaseTarget:
    """A phase a ledger line may name: its key (the row's id), project, number and decision."""

    key: int
    project: str  # the project's name, as the programme has it
    number: int
    gated: bool
    decision: str

    @property
    def label(self) -> str:
        return f"Phase {self.number} of {self.project}"


@dataclass(frozen=True)
class PlannedLine:
    """A line the import adds, with the phase it is spent on."""

    line: LedgerLine
    phase: PhaseTarget


@dataclass(frozen=True)
class SkippedLine:
    """A line the import passes over, as it repeats one recorded or one earlier in the file."""

    line: LedgerLine
    reason: str


@dataclass(frozen=True)
class LedgerPlan:
    """What importing the ledger would do: lines added, repeats skipped, rows refused."""

    to_add: tuple[PlannedLine, ...]
    duplicates: tuple[SkippedLine, ...]
    refused: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def total(self) -> Decimal:
        return sum((planned.line.amount for planned in self.to_add), Decimal("0.00"))

    @property
    def can_apply(self) -> bool:
        """Whether the import may be applied: nothing refused, and something to add."""
        return not self.refused and bool(self.to_add)


def project_key(text: str) -> str:
    """Return how a project is looked up: its name or slug, case and outer spaces ignored."""
    return text.strip().casefold()


def plan_ledger(
    read: LedgerRead,
    *,
    phases: Mapping[str, Mapping[int, PhaseTarget]],
    recorded: Mapping[tuple[str, Decimal], str],
    starts: date | None = None,
    ends: date | None = None,
) -> LedgerPlan:
    """Say what importing the lines read would do.

    ``phases`` finds a project's phases by ``project_key`` of its name or slug; ``recorded``
    names, by reference and amount, the spend lines the programme already has (how each is
    described in the message). A line with the reference and amount of one recorded, or of one
    earlier in the file, is skipped, not doubled; a line on a project or phase the programme
    does not have, or on a phase not committed, is refused, and with it the whole import.
    """
    to_add: list[PlannedLine] = []
    duplicates: list[SkippedLine] = []
    refused: list[str] = list(read.problems)
    warnings: list[str] = []
    seen: dict[tuple[str, Decimal], int] = {}
    for line in read.lines:
        where = f"Row {line.row}"
        key = (line.reference, line.amount)
        if key in recorded:
            duplicates.append(
                SkippedLine(
                    line,
                    f"A spend line of {money(line.amount)} with reference {line.reference} is "
                    f"already recorded ({recorded[key]}).",
                )
            )
            continue
        project = phases.get(project_key(line.project))
        if project is None:
            refused.append(f"{where}: the programme has no project named '{line.project}'")
            continue
        phase = project.get(line.phase)
        if phase is None:
            some = next(iter(project.values()), None)
            name = some.project if some else line.project
            refused.append(f"{where}: {name} has no phase {line.phase}")
            continue
        why = spend_refused_message(gated=phase.gated, decision=phase.decision, phase=phase.label)
        if why:
            refused.append(f"{where}: {why}")
            continue
        if key in seen:
            duplicates.append(
                SkippedLine(
                    line,
                    f"It repeats row {seen[key]}, with the same reference and amount: it is "
                    "imported once.",
                )
            )
            continue
        seen[key] = line.row
        to_add.append(PlannedLine(line, phase))
        if starts and line.date < starts:
            warnings.append(
                f"{where}: the date, {words(line.date)}, is before the programme starts on "
                f"{words(starts)}."
            )
        elif ends and line.date > ends:
            warnings.append(
                f"{where}: the date, {words(line.date)}, is after the programme ends on "
                f"{words(ends)}."
            )
    return LedgerPlan(tuple(to_add), tuple(duplicates), tuple(refused), tuple(warnings))


def words(day: date) -> str:
    """Write a date as the pages do: 30 September 2004."""
    return f"{day.day} {day:%B %Y}"

"""Read a council's ledger export, a CSV or an Excel workbook, into its headings and rows.

The same guards as the workbook import (``safety``): the upload's size, a workbook's archive
checked before it is opened, its rows read one at a time and the reading timed. A ledger may
have at most ``LEDGER_MAX_ROWS`` rows, so that checking and previewing it is bounded work. A
CSV must be UTF-8 (Excel's "CSV UTF-8"); any other encoding is refused, as guessing one would
misread suppliers' names without saying so.
"""

from __future__ import annotations

import csv
import io
import logging
import time
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook

from projects.money.ledger_import import LEDGER_MAX_ROWS
from projects.programme_file import ProgrammeFileError

from .importing import UNCALCULATED, _sheet_rows
from .safety import (
    OLE_SIGNATURE,
    ZIP_SIGNATURE,
    Limits,
    check_archive,
    check_upload_size,
    refuse,
)

logger = logging.getLogger(__name__)

LEDGER_MAX_COLUMNS = 200  # columns read per row: a council's export has a few dozen
CSV_FIELD_MAX_CHARACTERS = 10_000
DELIMITERS = ",;\t"


@dataclass(frozen=True)
class LedgerFile:
    """A ledger's heading row and the rows below it, as cell values."""

    header: list[Any]
    rows: list[list[Any]]


def too_many_rows() -> Exception:
    return refuse(
        f"The file has more than {LEDGER_MAX_ROWS:,} rows, the most one import reads. Split "
        "the export into smaller files, such as one per quarter, and import each."
    )


def read_ledger_file(content: bytes, *, name: str = "", limits: Limits | None = None) -> LedgerFile:
    """Return the file's headings and rows, or refuse it (``ProgrammeFileError``) with a reason."""
    limits = limits or Limits.from_settings()
    check_upload_size(len(content), limits)
    if not content.strip():
        raise refuse("The file is empty.")
    if content.startswith(OLE_SIGNATURE):
        raise refuse(
            "The file is an old-style Excel 97-2003 workbook (.xls), or is protected with a "
            "password. Save it as an Excel Workbook (.xlsx) or as CSV UTF-8, then upload that."
        )
    if content.startswith(ZIP_SIGNATURE):
        check_archive(content, limits)
        rows = _workbook_rows(content, limits)
    else:
        rows = _csv_rows(content, name)
    while rows and all(_blank(value) for value in rows[0]):
        rows.pop(0)
    if not rows:
        raise refuse("The file is empty.")
    header, body = rows[0], rows[1:]
    if not any(not all(_blank(value) for value in row) for row in body):
        raise refuse(
            "The file has headings but no rows below them: export the ledger's lines with "
            "their headings."
        )
    return LedgerFile(header=header, rows=body)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _csv_rows(content: bytes, name: str) -> list[list[Any]]:
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if b"\x00" in content[:4096] or suffix in ("pdf", "docx", "ods", "xls"):
        raise refuse(
            "The file is neither a CSV file nor an Excel workbook. Export the ledger as CSV "
            "UTF-8 (.csv) or as an Excel Workbook (.xlsx)."
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise refuse(
            "The file is not UTF-8 text, so its letters and £ signs cannot be read reliably. "
            "In Excel choose File, Save As, 'CSV UTF-8 (Comma delimited)' and upload that file."
        ) from error
    first = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first.count)
    rows: list[list[Any]] = []
    limit = csv.field_size_limit()
    try:
        csv.field_size_limit(CSV_FIELD_MAX_CHARACTERS)
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if len(rows) > LEDGER_MAX_ROWS:
                raise too_many_rows()
            rows.append(row[:LEDGER_MAX_COLUMNS])
    except csv.Error as error:
        raise refuse(
            f"The file cannot be read as CSV: near row {len(rows) + 1}, {error}. Export the "
            "ledger again as CSV UTF-8."
        ) from error
    finally:
        csv.field_size_limit(limit)
    return rows


def _workbook_rows(content: bytes, limits: Limits) -> list[list[Any]]:
    """Read the first sheet's rows, numbered as the sheet numbers them (gaps as empty rows)."""
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # whatever openpyxl raises, the file is at fault
        logger.info("Unreadable ledger workbook: %r", error)
        raise refuse(
            "The file cannot be opened as an Excel workbook. Open it in Excel or LibreOffice, "
            "save it as an Excel Workbook (.xlsx) and upload it again."
        ) from error
    deadline = time.monotonic() + limits.seconds
    rows: list[list[Any]] = []
    try:
        worksheet = book.worksheets[0]
        for read, (number, cells) in enumerate(_sheet_rows(book, worksheet, "the sheet"), 1):
            if read > LEDGER_MAX_ROWS + 1 or number > LEDGER_MAX_ROWS + 1:
                raise too_many_rows()
            if time.monotonic() > deadline:
                raise refuse(
                    f"Reading the workbook took longer than the {limits.seconds:g} seconds "
                    "allowed, so it was stopped. Save the ledger as CSV UTF-8 and upload that."
                )
            if number <= len(rows):  # a row number given twice: the first is the row
                continue
            rows.extend([] for _ in range(number - 1 - len(rows)))
            values: list[Any] = [None] * min(
                max((cell["column"] for cell in cells), default=0), LEDGER_MAX_COLUMNS
            )
            for cell in cells:
                if cell["column"] <= LEDGER_MAX_COLUMNS:
                    value = cell["value"]
                    values[cell["column"] - 1] = None if value is UNCALCULATED else value
            rows.append(values)
        return rows
    except ProgrammeFileError:
        raise
    except Exception as error:  # a sheet whose XML openpyxl cannot read
        logger.info("Unreadable ledger sheet: %r", error)
        raise refuse(
            "The workbook's first sheet cannot be read (it may be damaged). Open it in Excel or "
            "LibreOffice, save it as an Excel Workbook (.xlsx) and upload it again."
        ) from error
    finally:
        book.close()

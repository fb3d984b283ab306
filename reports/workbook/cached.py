"""Store each formula's value beside it in a saved workbook, as a spreadsheet program does.

openpyxl writes a cell's formula or its value, never both. Excel and LibreOffice calculate the
formulas when they open the file, but a previewer (Quick Look, a phone, a mail client) and any
program reading the stored values (openpyxl's ``data_only``) show a formula without a stored
value as blank. The exporter works each total out in Python from the rows it writes; this
writes those values into the saved file's XML, beside the formulas.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from decimal import Decimal
from posixpath import dirname, join, normpath
from xml.sax.saxutils import escape

from openpyxl.xml.functions import fromstring

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PACKAGE = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# A formula cell as openpyxl writes it: its reference, attributes, formula and an empty value.
_FORMULA_CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"([^>]*)><f>([^<]*)</f><v\s*/>')

# sheet title -> cell reference -> value
Values = Mapping[str, Mapping[str, Decimal | int | str]]


class CachedValueError(Exception):
    """A value was given for a cell that is not a formula openpyxl wrote."""


def with_cached_values(content: bytes, values: Values) -> bytes:
    """Return the workbook with each given formula cell's value stored beside its formula."""
    source = zipfile.ZipFile(io.BytesIO(content))
    parts = _sheet_parts(source)
    edits = {parts[title]: cells for title, cells in values.items() if cells}
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename in edits:
                data = _store(data.decode("utf-8"), edits[item.filename], item.filename)
            target.writestr(item, data)
    return stream.getvalue()


def _sheet_parts(book: zipfile.ZipFile) -> dict[str, str]:
    """Return the name of the file in the archive that holds each sheet, by the sheet's title."""
    workbook = fromstring(book.read("xl/workbook.xml"))
    relationships = fromstring(book.read("xl/_rels/workbook.xml.rels"))
    targets = {
        item.get("Id"): item.get("Target") for item in relationships.iter(f"{_PACKAGE}Relationship")
    }
    parts = {}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets[sheet.get(_RELATIONSHIP)]
        # A target is relative to the workbook's folder, or absolute within the archive.
        path = target[1:] if target.startswith("/") else normpath(join(dirname("xl/"), target))
        parts[sheet.get("name")] = path
    return parts


def _store(xml: str, cells: Mapping[str, Decimal | int | str], part: str) -> str:
    """Return a sheet's XML with the values stored in the formula cells given."""
    stored = set()

    def replace(match: re.Match[str]) -> str:
        reference, attributes, formula = match.groups()
        if reference not in cells:
            return match.group(0)
        stored.add(reference)
        value = cells[reference]
        if isinstance(value, str):  # a formula's text, such as a name looked up on another sheet
            return f'<c r="{reference}"{attributes} t="str"><f>{formula}</f><v>{escape(value)}</v>'
        return f'<c r="{reference}"{attributes}><f>{formula}</f><v>{_number(value)}</v>'

    xml = _FORMULA_CELL.sub(replace, xml)
    missing = set(cells) - stored
    if missing:
        raise CachedValueError(f"{part}: no formula in {', '.join(sorted(missing))}")
    return xml


def _number(value: Decimal | int) -> str:
    """Return a value as the file stores a number: plain digits, never an exponent."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise CachedValueError(f"{value!r} is not a number")
    return f"{value:f}" if isinstance(value, Decimal) else str(value)

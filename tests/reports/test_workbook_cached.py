"""Formula cells carry their value: what previewers and openpyxl's data_only show."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook

from projects.programme_file import parse_programme
from reports.workbook.cached import CachedValueError, with_cached_values
from tests.conftest import SEED_FILE
from tests.reports.workbooks import opened

D = Decimal


def book_with_formulas() -> bytes:
    book = Workbook(write_only=True)
    for title in ("First", "Second sheet"):
        sheet = book.create_sheet(title)
        sheet.append([1.25, 2])
        sheet.append(["=SUM(A1:A1)", "=SUM(B1:B1)"])
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def test_each_formula_given_keeps_its_formula_and_gains_its_value():
    content = with_cached_values(
        book_with_formulas(), {"Second sheet": {"A2": D("1234567.89"), "B2": 2}}
    )
    stored = opened(content, data_only=True)
    assert stored["Second sheet"]["A2"].value == 1234567.89
    assert stored["Second sheet"]["B2"].value == 2
    assert stored["First"]["A2"].value is None  # not given: left as openpyxl wrote it
    formulas = opened(content)
    assert formulas["Second sheet"]["A2"].value == "=SUM(A1:A1)"
    assert formulas["First"]["B2"].value == "=SUM(B1:B1)"


def test_a_value_is_written_in_plain_digits_to_the_penny():
    values = {"First": {"A2": D("1E+5"), "B2": D("0.10")}}
    content = with_cached_values(book_with_formulas(), values)
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>SUM(A1:A1)</f><v>100000</v>" in sheet
    assert "<f>SUM(B1:B1)</f><v>0.10</v>" in sheet


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"First": {"A1": 1}}, "no formula in A1"),  # a plain value, not a formula
        ({"First": {"C9": 1}}, "no formula in C9"),
        ({"First": {"A2": 1.5}}, "is not a number"),
    ],
)
def test_a_value_for_a_cell_with_no_formula_is_a_mistake_said_at_once(values, message):
    with pytest.raises(CachedValueError, match=message):
        with_cached_values(book_with_formulas(), values)


def test_every_other_part_of_the_file_is_kept_as_it_was():
    content = book_with_formulas()
    before = zipfile.ZipFile(io.BytesIO(content))
    after = zipfile.ZipFile(io.BytesIO(with_cached_values(content, {"First": {"A2": 1}})))
    assert after.namelist() == before.namelist()
    for name in before.namelist():
        if name != "xl/worksheets/sheet1.xml":
            assert after.read(name) == before.read(name), name


def test_every_total_of_the_demo_workbook_has_a_stored_value():
    from projects.money.figures import compute_figures
    from reports.workbook.export import write_programme_workbook

    document = parse_programme(SEED_FILE.read_bytes())
    stream = io.BytesIO()
    write_programme_workbook(document=document, figures=compute_figures(document), stream=stream)
    formulas = opened(stream.getvalue())
    stored = opened(stream.getvalue(), data_only=True)
    checked = 0
    for sheet in formulas:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    value = stored[sheet.title][cell.coordinate].value
                    assert isinstance(value, int | float), (sheet.title, cell.coordinate)
                    checked += 1
    # Projects 7, Phases 3, Funding 2, Partner shares 7; the Contributions sheet has no rows.
    assert checked == 19 + 10  # and the ten columns of the money after the meeting

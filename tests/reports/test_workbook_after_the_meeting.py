"""The workbook of a programme after the meeting: agreements, invoices, refunds, each added up."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal

from projects.money.figures import compute_figures
from projects.programme_file import parse_programme
from reports.workbook.export import write_programme_workbook
from tests.after_the_meeting import after_the_meeting, seed
from tests.reports.workbooks import opened


def workbook(content) -> dict:
    document = parse_programme(json.dumps(content))
    stream = io.BytesIO()
    write_programme_workbook(
        document=document, figures=compute_figures(document, date(2004, 12, 1)), stream=stream
    )
    return opened(stream.getvalue(), data_only=True)


def rows(sheet) -> list[tuple]:
    return [
        row for row in sheet.iter_rows(values_only=True) if any(cell is not None for cell in row)
    ]


def test_the_invoices_sheet_lists_each_invoice_with_what_was_paid_and_adds_them_up():
    book = workbook(after_the_meeting())
    listed = rows(book["Invoices"])
    assert listed[0][:3] == ("Number", "Council", "Council slug")
    broadland = next(row for row in listed if row[0] == "NC-0003")
    assert broadland[1] == "Broadland District Council"
    assert broadland[-3:] == (Decimal("10000"), Decimal("10000"), Decimal("0"))
    total = next(row for row in listed if isinstance(row[0], str) and row[0].startswith("Total"))
    # 86,666.67 invoiced, 65,833.83 paid on the invoices, 20,832.84 still owed on them.
    assert [Decimal(str(value)).quantize(Decimal("0.01")) for value in total[-3:]] == [
        Decimal("86666.67"),
        Decimal("65833.83"),
        Decimal("20832.84"),
    ]


def test_the_agreements_and_refunds_sheets_name_each_council():
    book = workbook(after_the_meeting())
    agreements = rows(book["Agreements"])
    assert len(agreements) == 1 + 16  # the heading and eight councils at each of two meetings
    assert agreements[1][:3] == (
        "Norfolk Chief Executives, 18 June 2004",
        "chief-executives-2004-06",
        "Norfolk County Council",
    )
    refunds = rows(book["Refunds and credits"])
    assert refunds[1][0] == "North Norfolk District Council"
    assert "Authentication phase 2 did not proceed" in refunds[1]


def test_a_programme_before_the_meeting_has_no_such_sheets():
    assert "Invoices" not in workbook(seed()).sheetnames


def test_the_workbook_reads_back_with_the_records_after_the_meeting_unchanged():
    from dataclasses import replace

    from reports.workbook.importing import read_workbook

    document = parse_programme(json.dumps(after_the_meeting()))
    stream = io.BytesIO()
    write_programme_workbook(
        document=document, figures=compute_figures(document, date(2004, 12, 1)), stream=stream
    )
    read = read_workbook(stream.getvalue(), current=document)
    # The import keeps the report's text as it is, and carries the records over unchanged.
    assert replace(read, report=document.report) == document


def test_the_import_preview_lists_the_records_after_the_meeting_it_would_change():
    from reports.workbook.diffing import preview_import

    before = parse_programme(json.dumps(seed()))
    after = parse_programme(json.dumps(after_the_meeting()))
    preview = preview_import(before, after)
    sections = {section.name: section for section in preview.sections}
    assert (sections["Meetings"].added, sections["Agreements"].added) == (2, 2)
    assert sections["Invoices"].added == 10
    assert sections["Refunds and credits"].added == 2
    invoice = next(row for row in sections["Invoices"].rows if row.row == "Invoice NC-0003")
    assert ("Paid", "", "£10,000") in [(c.field, c.old, c.new) for c in invoice.changes]

    paid_more = after_the_meeting()
    paid_more["calls"][0]["invoices"][6]["payments"] = [
        {"date": "2004-08-01", "amount": "10000.00", "reference": "BACS 7"}
    ]
    changed = preview_import(after, parse_programme(json.dumps(paid_more)))
    rows = [row for section in changed.sections for row in section.rows]
    assert [(row.section, row.row, row.action) for row in rows] == [
        ("Invoices", "Invoice NC-0007", "Changed")
    ]
    assert not preview_import(after, after).has_changes

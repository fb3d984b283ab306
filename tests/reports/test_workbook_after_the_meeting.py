"""The workbook of a programme after the meeting: every record, one row each, read back whole.

Meetings, agreements (a row a council at each meeting), calls, invoices, payments, refunds and
credits, spend and forecasts each have a sheet; the import reads them into the programme file's
records, so that the file's checks apply, each problem named at its cell, and nothing is written
while any remains.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from projects.models import Programme
from projects.money.figures import compute_figures
from projects.programme_file import Problem, dumps_programme, parse_programme
from projects.selectors import programme_document
from projects.services import programme_as_imported, programme_load
from projects.services.after_the_meeting import remove_after_the_meeting
from reports.views.excel import load_problems
from reports.workbook.diffing import ADDED, CHANGED, REMOVED, preview_import
from reports.workbook.export import write_programme_workbook
from reports.workbook.importing import read_workbook
from reports.workbook.layout import AFTER_THE_MEETING
from tests.after_the_meeting import (
    after_the_meeting,
    seed,
    seed_before_the_meeting,
    with_a_december_call,
)
from tests.reports import test_workbook_import
from tests.reports.test_workbook_import import (
    _through_libreoffice,
    _write,
    apply,
    preview,
    problems_of,
)
from tests.reports.workbooks import edited, opened, set_cell, workbook_of

AS_OF = date(2004, 12, 1)
# The import tests' fixture: LibreOffice, or a skip saying it is not installed.
libreoffice = test_workbook_import.libreoffice
D = Decimal


def workbook_bytes(content) -> bytes:
    document = parse_programme(json.dumps(content))
    stream = io.BytesIO()
    write_programme_workbook(
        document=document, figures=compute_figures(document, AS_OF), stream=stream
    )
    return stream.getvalue()


def workbook(content) -> dict:
    return opened(workbook_bytes(content), data_only=True)


def rows(sheet) -> list[tuple]:
    return [
        row for row in sheet.iter_rows(values_only=True) if any(cell is not None for cell in row)
    ]


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


# The sheets as a finance officer reads them


def test_each_record_after_the_meeting_has_a_sheet_of_its_own_in_the_files_order():
    names = workbook(after_the_meeting()).sheetnames
    assert names[names.index("Partner shares") + 1 : -1] == [
        "Meetings",
        "Agreements",
        "Calls",
        "Invoices",
        "Payments",
        "Refunds and credits",
        "Spend",
        "Forecasts",
        "Milestones",
        "Project status",
        "Risks",
    ]
    assert names[-1] == "Figures"


def test_the_invoices_sheet_lists_each_invoice_with_its_call_and_what_was_paid_and_adds_them_up():
    book = workbook(after_the_meeting())
    listed = rows(book["Invoices"])
    assert listed[0] == (
        "Number",
        "Call",
        "Council slug",
        "Council",
        "Tranche",
        "Financial year",
        "Issued",
        "Due",
        "Amount",
        "Paid",
        "Owed",
    )
    broadland = next(row for row in listed if row[0] == "NC-0003")
    assert broadland[1:6] == (
        "immediate-2004",
        "broadland",
        "Broadland District Council",
        "Immediate",
        "2004/05",
    )
    assert [value.date() for value in broadland[6:8]] == [date(2004, 7, 1), date(2004, 7, 31)]
    assert [money(value) for value in broadland[8:]] == [D("10000"), D("10000"), D("0")]
    total = next(row for row in listed if isinstance(row[0], str) and row[0].startswith("Total"))
    # 86,666.67 invoiced, 65,833.83 paid on the invoices, 20,832.84 still owed on them.
    assert [money(value) for value in total[-3:]] == [
        D("86666.67"),
        D("65833.83"),
        D("20832.84"),
    ]


def test_what_an_invoice_shows_of_its_call_and_payments_is_worked_out_by_the_spreadsheet():
    # Formulas, so that an edited call or payment shows on its invoices; stored values beside
    # them for whatever shows the workbook without calculating it.
    book = opened(workbook_bytes(after_the_meeting()))
    invoices = book["Invoices"]
    assert invoices["G2"].value == '=IFERROR(INDEX(Calls!$D:$D,MATCH($B2,Calls!$A:$A,0)),"")'
    assert invoices["J2"].value == "=SUMIFS(Payments!$D:$D,Payments!$A:$A,$A2)"
    assert invoices["K2"].value == "=$I2-$J2"
    assert book["Calls"]["F2"].value == "=SUMIFS(Invoices!$I:$I,Invoices!$B:$B,$A2)"
    calls = rows(workbook(after_the_meeting())["Calls"])
    assert calls[1][:3] == ("immediate-2004", "Immediate", "2004/05")
    assert [money(value) for value in calls[1][5:]] == [D("80000"), D("62500.50")]


def test_the_agreements_and_refunds_sheets_name_each_council_beside_its_slug():
    book = workbook(after_the_meeting())
    agreements = rows(book["Agreements"])
    assert len(agreements) == 1 + 16  # the heading and eight councils at each of two meetings
    assert agreements[0] == (
        "Meeting slug",
        "Meeting",
        "Council slug",
        "Council",
        "Agreed immediate tranche",
        "Agreed cap",
        "Consent date",
        "Consent reference",
    )
    assert agreements[3][:4] == (
        "chief-executives-2004-06",
        "Norfolk Chief Executives, 18 June 2004",
        "broadland",
        "Broadland District Council",
    )
    assert (agreements[3][6].date(), agreements[3][7]) == (date(2004, 7, 5), "Cabinet 5 July 2004")
    refunds = rows(book["Refunds and credits"])
    assert refunds[1][:2] == ("north-norfolk", "North Norfolk District Council")
    assert "Authentication phase 2 did not proceed" in refunds[1]


def test_payments_spend_and_forecasts_are_a_row_each_and_add_up():
    book = workbook(after_the_meeting())
    payments = rows(book["Payments"])
    assert payments[0] == ("Invoice number", "Council", "Date", "Amount", "Reference")
    assert payments[3][:2] == ("NC-0003", "Broadland District Council")
    assert money(payments[-1][3]) == D("65833.83")  # the total of the payments
    spend = rows(book["Spend"])
    assert spend[1][:3] == ("further-info-points", 1, "Delivery")
    assert rows(book["Forecasts"])[1][3:] == ("2005/06", 800)


def test_a_programme_before_the_meeting_has_no_such_sheets():
    # The demo holds the seed's two risks; without them it has no record after the meeting.
    names = workbook(seed_before_the_meeting()).sheetnames
    assert not {sheet.title for sheet in AFTER_THE_MEETING} & set(names)


def test_the_workbook_reads_back_with_every_record_after_the_meeting_unchanged():
    document = parse_programme(json.dumps(with_a_december_call(after_the_meeting())))
    stream = io.BytesIO()
    write_programme_workbook(
        document=document, figures=compute_figures(document, AS_OF), stream=stream
    )
    # Read from an emptied programme: every record is the workbook's, none carried over.
    emptied = replace(document, meetings=(), agreements=(), calls=(), refunds=(), spend=())
    read = read_workbook(stream.getvalue(), current=replace(emptied, forecasts=()))
    assert replace(read, report=document.report) == document


def test_the_import_preview_lists_the_records_after_the_meeting_it_would_change():
    before = parse_programme(json.dumps(seed()))
    after = parse_programme(json.dumps(after_the_meeting()))
    preview = preview_import(before, after)
    sections = {section.name: section for section in preview.sections}
    assert (sections["Meetings"].added, sections["Agreements"].added) == (2, 2)
    assert (sections["Calls"].added, sections["Invoices"].added) == (2, 10)
    assert sections["Refunds and credits"].added == 2
    assert (sections["Spend"].added, sections["Forecasts"].added) == (1, 1)
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
    assert [(c.field, c.old, c.new) for c in rows[0].changes] == [
        ("Paid", "£0", "£10,000"),
        ("Payments", "-", "£10,000 on 1 August 2004 (BACS 7)"),
    ]
    assert not preview_import(after, after).has_changes


@pytest.mark.parametrize(
    ("edit", "section", "expected"),
    [
        # A change to any value of a record shows, even where it moves no total.
        (lambda c: c["calls"][0]["invoices"][0]["payments"][0].update(reference="BACS 99"),
         "Invoices", ("Payments", "£10,000 on 28 July 2004 (BACS 1)",
                      "£10,000 on 28 July 2004 (BACS 99)")),
        (lambda c: c["calls"][1].update(issued="2004-11-02"),
         "Calls", ("Issued", "1 November 2004", "2 November 2004")),
        (lambda c: c["refunds"][1].update(kind="refund"), "Refunds and credits",
         ("Kind", "Credit", "Refund")),
        (lambda c: c["agreements"][0]["per_partner"][2]["consent"].update(reference="Cabinet"),
         "Agreements", ("Broadland District Council",
                        "£10,000 now, up to £30,000; consent 5 July 2004 (Cabinet 5 July 2004)",
                        "£10,000 now, up to £30,000; consent 5 July 2004 (Cabinet)")),
        (lambda c: c["spend"][0].update(supplier="Kiosks plc"), "Spend",
         ("Supplier", "Kiosk Ltd", "Kiosks plc")),
        (lambda c: c["forecasts"][0].update(amount="900.00"), "Forecasts",
         ("Amount", "£800", "£900")),
    ],
)  # fmt: skip
def test_the_preview_shows_a_change_to_any_value_of_a_record(edit, section, expected):
    before = after_the_meeting()
    changed = after_the_meeting()
    edit(changed)
    result = preview_import(
        parse_programme(json.dumps(before)), parse_programme(json.dumps(changed))
    )
    (row,) = [row for part in result.sections for row in part.rows]
    assert (row.section, row.action) == (section, CHANGED)
    assert [(c.field, c.old, c.new) for c in row.changes] == [expected]


def test_a_load_problem_of_a_record_is_placed_on_its_sheet():
    problems = [
        Problem("calls[0].invoices[2].number", "invoice number 'NC-0003' is already taken"),
        Problem("calls[1].payments", "x"),
        Problem("calls[1].invoices[0].payments[1].date", "y"),
        Problem("agreements[0].per_partner[1]", "z"),
        Problem("programme.slug", "w"),
    ]
    assert [problem.path for problem in load_problems(problems, workbook=True)] == [
        "Invoices",
        "Calls",
        "Payments",
        "Agreements",
        "programme.slug",
    ]


# Through the database: export, edit, check, preview and apply


@pytest.fixture
def ledger(db) -> Programme:
    """The demo programme with every kind of record after the meeting, three calls of them."""
    content = with_a_december_call(after_the_meeting())
    programme = programme_load(document=parse_programme(json.dumps(content)))
    return Programme.objects.select_related("partnership").get(pk=programme.pk)


def stored(programme: Programme) -> str:
    return dumps_programme(programme_document(programme=programme, include_report=True))


def test_export_then_import_unchanged_says_no_changes(ledger):
    result = preview(workbook_of(ledger), ledger)
    assert not result.has_changes, [row for s in result.sections for row in s.rows]


def test_a_programme_gets_every_record_back_from_its_workbook_with_the_same_figures(ledger):
    content = workbook_of(ledger)
    before = programme_as_imported(programme=ledger)
    remove_after_the_meeting(programme=ledger, user=None, when=timezone.now())
    assert programme_as_imported(programme=ledger).calls == ()

    result = preview(content, ledger)
    counts = {s.name: (s.added, s.changed, s.removed) for s in result.sections if s.rows}
    assert counts == {
        "Meetings": (2, 0, 0),
        "Agreements": (2, 0, 0),
        "Calls": (3, 0, 0),
        "Invoices": (18, 0, 0),
        "Refunds and credits": (2, 0, 0),
        "Spend": (1, 0, 0),
        "Forecasts": (1, 0, 0),
        "Milestones": (2, 0, 0),
        "Project status": (2, 0, 0),
        "Risks": (3, 0, 0),
    }
    apply(content, ledger)
    after = programme_as_imported(programme=ledger)
    assert after == before
    assert compute_figures(after, AS_OF) == compute_figures(before, AS_OF)


def test_records_edited_in_the_workbook_are_added_changed_and_removed(ledger):
    def edit(book):
        book["Payments"].insert_rows(11)  # after the last payment of the autumn
        for column, value in enumerate(
            ("NC-0007", None, date(2004, 8, 20), 10000, "BACS 7"), start=1
        ):
            book["Payments"].cell(11, column).value = value
        set_cell(book, "Calls", "Slug", "review-2004", "Due", date(2004, 12, 15))
        book["Refunds and credits"].delete_rows(3)  # the credit of a penny
        set_cell(book, "Spend", "Project", "further-info-points", "Supplier", "Kiosks plc")
        book["Forecasts"].insert_rows(3)
        for column, value in enumerate(
            ("further-info-points", 1, None, "2004/05", "450.50"), start=1
        ):
            book["Forecasts"].cell(3, column).value = value

    before = compute_figures(programme_document(programme=ledger), AS_OF)
    content = edited(workbook_of(ledger), edit)
    result = preview(content, ledger)
    changes = [(row.section, row.row, row.action) for s in result.sections for row in s.rows]
    assert changes == [
        ("Calls", "Call review-2004", CHANGED),
        ("Invoices", "Invoice NC-0007", CHANGED),
        ("Refunds and credits", "Credit 2", REMOVED),
        ("Spend", "Spend 1", CHANGED),
        ("Forecasts", "Further Info Points: phase 1, 2004/05", ADDED),
    ]
    apply(content, ledger)
    document = programme_document(programme=ledger)
    after = compute_figures(document, AS_OF)
    norwich = next(i for i, p in enumerate(after.per_partner) if p.partner == "norwich")
    assert after.ledgers[norwich].paid - before.ledgers[norwich].paid == D("10000.00")
    assert document.calls[1].due == date(2004, 12, 15)
    assert [refund.kind for refund in document.refunds] == ["refund"]
    assert document.spend[0].supplier == "Kiosks plc"
    assert [item.amount for item in document.forecasts] == [D("800.00"), D("450.50")]


def _payment_row(book, number: str, nth: int = 1) -> int:
    sheet = book["Payments"]
    found = [row for row in range(2, sheet.max_row + 1) if sheet.cell(row, 1).value == number]
    return found[nth - 1]


BAD_CELLS = {
    "a payment above its invoice": (
        lambda book: book["Payments"].cell(_payment_row(book, "NC-0003", 2), 4, 6000),
        "Payments!D5 (Amount): would make the payments £11,000, more than the invoice's £10,000",
    ),
    "a payment dated before its invoice": (
        lambda book: book["Payments"].cell(2, 3, date(2004, 6, 30)),
        "Payments!C2 (Date): must not be before the invoice was issued (2004-07-01)",
    ),
    "an unknown partner": (
        lambda book: set_cell(book, "Invoices", "Number", "NC-0007", "Council slug", "nowrich"),
        "Invoices!C8 (Council slug): unknown partner 'nowrich' (did you mean 'norwich'?)",
    ),
    "a duplicate invoice number": (
        lambda book: set_cell(book, "Invoices", "Number", "NC-0002", "Number", "NC-0001"),
        "Invoices!A3 (Number): duplicate invoice number 'NC-0001' (also Invoices!A2)",
    ),
    "a bad amount": (
        lambda book: set_cell(
            book, "Refunds and credits", "Council slug", "north-norfolk", "Amount", "ten pounds"
        ),
        "Refunds and credits!D2 (Amount): must be an amount in pounds, such as 15000, not "
        "“ten pounds”",
    ),
    "an invoice above the agreed cap": (
        lambda book: set_cell(book, "Invoices", "Number", "NC-0002", "Amount", 40000),
        "Invoices!I3 (Amount): would take 'breckland' to £40,000 invoiced, above its agreed cap "
        "of £30,000 in the agreement standing on the call's date of issue",
    ),
    "an invoice of no call": (
        lambda book: set_cell(book, "Invoices", "Number", "NC-0002", "Call", "immediate-2005"),
        "Invoices!B3 (Call): there is no call with the slug “immediate-2005” on the Calls sheet",
    ),
    "a payment of no invoice": (
        lambda book: book["Payments"].cell(2, 1, "NC-9999"),
        "Payments!A2 (Invoice number): there is no invoice numbered “NC-9999” on the Invoices "
        "sheet",
    ),
    "a call with no date of issue": (
        lambda book: set_cell(book, "Calls", "Slug", "review-2004", "Issued", None),
        "Calls!D3 (Issued): must not be empty: enter a date such as 2004-07-01",
    ),
    "a review called before the meeting that released it": (
        lambda book: set_cell(book, "Calls", "Slug", "review-2004", "Issued", date(2004, 10, 1)),
        "Calls!B3 (Tranche): the review tranche is called only after a later meeting's "
        "agreement releases it, and on or after that meeting's date",
    ),
    "an agreement of no meeting": (
        lambda book: book["Agreements"].cell(2, 1, "chief-executives-2004-07"),
        "Agreements!A2 (Meeting slug): unknown meeting 'chief-executives-2004-07' (did you "
        "mean 'chief-executives-2004-10'?)",
    ),
    "a consent reference without its date": (
        lambda book: setattr(book["Agreements"]["G4"], "value", None),
        "Agreements!G4 (Consent date): must not be empty when there is a consent reference: "
        "enter the date the council consented, or clear the reference",
    ),
    "an immediate tranche above the cap": (
        lambda book: book["Agreements"].cell(3, 5, 35000),
        "Agreements!E3 (Agreed immediate tranche): must not be more than the cap (30000.00)",
    ),
    "a refund above what was paid": (
        lambda book: set_cell(
            book, "Refunds and credits", "Council slug", "north-norfolk", "Amount", 20000
        ),
        "Refunds and credits!D2 (Amount): would make 'north-norfolk''s refunds and credits "
        "£20,000, more than the £11,000 it has paid",
    ),
    "spend on an unknown phase": (
        lambda book: book["Spend"].cell(2, 2, 7),
        "Spend!B2 (Phase): project 'further-info-points' has no phase 7",
    ),
    "a forecast outside the programme's years": (
        lambda book: book["Forecasts"].cell(2, 4, "2009/10"),
        "Forecasts!D2 (Financial year): must be one of the programme's financial years",
    ),
}


@pytest.mark.parametrize("name", BAD_CELLS)
def test_each_bad_cell_is_refused_at_its_cell_and_nothing_is_written(ledger, name):
    edit, expected = BAD_CELLS[name]
    content = edited(workbook_of(ledger), edit)
    problems = problems_of(content, ledger)
    assert any(problem.startswith(expected) for problem in problems), problems
    before = stored(ledger)
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import_xlsx", ledger.slug, _write(content), stdout=StringIO())
    assert stored(ledger) == before


def test_a_workbook_from_before_the_records_were_read_keeps_them_as_they_are(ledger):
    # As downloaded before the import read these records: the three sheets for reading only.
    def edit(book):
        for title in ("Meetings", "Calls", "Payments", "Spend", "Forecasts"):
            book.remove(book[title])
        book["Invoices"]["A2"] = "whatever the sheet says, it is not read"
        set_cell(book, "Funding", "Project", "portal", "Amount", 35250.75)

    before = programme_as_imported(programme=ledger)
    content = edited(workbook_of(ledger), edit)
    result = preview(content, ledger)
    assert [(row.section, row.action) for s in result.sections for row in s.rows] == [
        ("Funding", CHANGED)
    ]
    apply(content, ledger)
    after = programme_as_imported(programme=ledger)
    for key in ("meetings", "agreements", "calls", "refunds", "spend", "forecasts"):
        assert getattr(after, key) == getattr(before, key)


def test_a_workbook_with_only_some_of_the_sheets_after_the_meeting_is_refused(ledger):
    content = edited(workbook_of(ledger), lambda book: book.remove(book["Payments"]))
    (problem,) = problems_of(content, ledger)
    assert problem.startswith("Payments: the workbook has no sheet named “Payments”")


def test_formulas_filled_down_past_the_last_record_are_no_record(ledger):
    def edit(book):
        invoices = book["Invoices"]
        last = invoices.max_row  # the total row
        invoices.insert_rows(last, amount=3)
        for row in range(last, last + 3):
            invoices.cell(row, 10).value = f"=SUMIFS(Payments!$D:$D,Payments!$A:$A,$A{row})"

    assert not preview(edited(workbook_of(ledger), edit), ledger).has_changes


def test_checking_a_workbook_takes_the_same_queries_however_many_records(
    ledger, django_assert_num_queries
):
    from projects.services import programme_import_check

    def queries(programme: Programme, content: bytes) -> int:
        document = read_workbook(content, current=programme_as_imported(programme=programme))
        fresh = Programme.objects.get(pk=programme.pk)
        with django_assert_num_queries(CHECK_QUERIES):
            assert programme_import_check(programme=fresh, document=document) == []
        return len(document.calls)

    # The workbook adds a payment, so that the check compares the records and plans them.
    def paid(book):
        book["Payments"].cell(2, 5, "BACS 1a")

    assert queries(ledger, edited(workbook_of(ledger), paid)) == 3
    # Another programme of the partnership with a fourth call: its invoices numbered apart.
    bigger = with_a_december_call(with_a_december_call(after_the_meeting()))
    bigger["programme"]["slug"] = "norfolk-connect-2004-b"
    bigger["calls"][-1]["slug"] = "review-2004-12b"
    for number, invoice in enumerate(
        (invoice for call in bigger["calls"] for invoice in call["invoices"]), start=1
    ):
        invoice["number"] = f"NB-{number:04d}"
    other = programme_load(document=parse_programme(json.dumps(bigger)))
    other = Programme.objects.select_related("partnership").get(pk=other.pk)
    assert queries(other, edited(workbook_of(other), paid)) == 4


# The plan's queries: partners, projects and their rows, contributions, the stored records
# after the meeting, and the invoice numbers other programmes of the partnership hold.
CHECK_QUERIES = 22  # with three reads of the milestones, status updates and risks


# Through LibreOffice, as a finance officer's spreadsheet program saves it


def test_a_workbook_after_the_meeting_resaved_by_libreoffice_imports_with_no_changes(
    ledger, libreoffice, tmp_path
):
    resaved = _through_libreoffice(workbook_of(ledger), tmp_path)
    result = preview(resaved, ledger)
    assert not result.has_changes, [row for s in result.sections for row in s.rows]


def test_libreoffice_works_out_every_formula_after_the_meeting_as_the_value_stored_beside_it(
    ledger, libreoffice, tmp_path, monkeypatch
):
    from reports.workbook import export

    content = workbook_of(ledger)
    formulas, stored_values = opened(content), opened(content, data_only=True)
    # Without the stored values, so that LibreOffice has to work out every formula itself.
    monkeypatch.setattr(export, "with_cached_values", lambda content, values: content)
    calculated = opened(_through_libreoffice(workbook_of(ledger), tmp_path), data_only=True)
    compared = 0
    for sheet in AFTER_THE_MEETING:
        for row in formulas[sheet.title].iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    ours = stored_values[sheet.title][cell.coordinate].value
                    theirs = calculated[sheet.title][cell.coordinate].value
                    if isinstance(ours, int | float):
                        ours, theirs = money(ours), money(theirs)
                    assert ours == theirs, (sheet.title, cell.coordinate, cell.value)
                    compared += 1
    # Invoiced and paid on 3 calls; tranche, year, dates, paid and owed on 18 invoices; the
    # council of 25 payments; and the total rows of all but the meetings and agreements.
    assert compared == 3 * 2 + 18 * 6 + 25 + 2 + 3 + 1 + 1 + 1 + 1


def test_milestones_status_and_risks_read_back_and_show_in_the_preview():
    document = parse_programme(json.dumps(after_the_meeting()))
    stream = io.BytesIO()
    write_programme_workbook(
        document=document, figures=compute_figures(document, AS_OF), stream=stream
    )
    emptied = replace(document, milestones=(), status_updates=(), risks=())
    read = read_workbook(stream.getvalue(), current=emptied)
    assert (read.milestones, read.status_updates, read.risks) == (
        document.milestones,
        document.status_updates,
        document.risks,
    )
    changed = after_the_meeting()
    changed["risks"][0]["likelihood"] = 4
    changed["status_updates"].pop()
    result = preview_import(document, parse_programme(json.dumps(changed)))
    rows = [(row.section, row.row, row.action) for s in result.sections for row in s.rows]
    assert ("Risks", "Risk 3.1", CHANGED) in rows
    assert ("Project status", "Status 2", "Removed") in rows
    risk = next(row for s in result.sections for row in s.rows if row.row == "Risk 3.1")
    assert [(c.field, c.old, c.new) for c in risk.changes] == [("Likelihood", "2", "4")]


def test_a_workbook_without_the_delivery_sheets_keeps_the_programmes_as_they_are():
    document = parse_programme(json.dumps(after_the_meeting()))
    stream = io.BytesIO()
    write_programme_workbook(
        document=document, figures=compute_figures(document, AS_OF), stream=stream
    )

    def edit(book):
        for title in ("Milestones", "Project status", "Risks"):
            book.remove(book[title])

    read = read_workbook(edited(stream.getvalue(), edit), current=document)
    assert read.risks == document.risks and read.milestones == document.milestones

"""A facilitator takes a finance officer's edited workbook back: check, preview, import."""

from __future__ import annotations

from decimal import Decimal

import pytest

from projects.models import FundingLine, Programme
from tests.e2e.conftest import axe_violations, sign_in
from tests.reports.workbooks import DEMO, edited, set_cell, workbook_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_edited_workbook_is_checked_previewed_and_imported(page, demo, tmp_path):
    programme = Programme.objects.select_related("partnership").get(slug=DEMO)
    path = tmp_path / "from-finance.xlsx"
    path.write_bytes(
        edited(
            workbook_of(programme),
            lambda book: set_cell(book, "Funding", "Project", "portal", "Amount", 36000),
        )
    )
    sign_in(page, "facilitator")
    page.goto(f"/programmes/{DEMO}/")
    page.get_by_role("link", name="Import", exact=True).click()
    page.get_by_label("Workbook (.xlsx) or programme file (.json)").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()

    assert page.get_by_role("heading", name="Check the import").is_visible()
    changes = page.get_by_role("table", name="Funding")
    assert "£35,000" in changes.inner_text() and "£36,000" in changes.inner_text()
    figures = page.get_by_role("table", name="How the programme's figures move")
    assert "£176,000" in figures.inner_text()
    assert axe_violations(page) == []
    assert FundingLine.objects.get(project__slug="portal").amount == Decimal("35000.00")

    page.get_by_role("button", name="Import these changes").click()
    assert "from-finance.xlsx is imported: 1 row changed." in page.inner_text("main")
    assert FundingLine.objects.get(project__slug="portal").amount == Decimal("36000.00")


def test_a_bad_workbook_lists_its_problems_accessibly(page, demo, tmp_path):
    programme = Programme.objects.select_related("partnership").get(slug=DEMO)
    path = tmp_path / "bad.xlsx"
    path.write_bytes(
        edited(
            workbook_of(programme),
            lambda book: set_cell(book, "Funding", "Project", "portal", "Amount", -1),
        )
    )
    sign_in(page, "facilitator")
    page.goto(f"/programmes/{DEMO}/import/")
    page.get_by_label("Workbook (.xlsx) or programme file (.json)").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()

    assert page.title().startswith("Error: ")
    problems = page.get_by_role("table", name="Problems in bad.xlsx")
    assert "Funding!D3 (Amount)" in problems.inner_text()
    assert "must not be negative" in problems.inner_text()
    assert axe_violations(page) == []
    page.get_by_role("link", name="bad.xlsx cannot be imported").click()
    assert page.evaluate("document.activeElement.id") == "problems"


def test_a_payment_recorded_in_the_workbook_is_checked_previewed_and_imported(page, demo, tmp_path):
    import json

    from projects.models import Payment
    from projects.programme_file import parse_programme
    from projects.services import programme_load
    from tests.after_the_meeting import after_the_meeting

    programme_load(document=parse_programme(json.dumps(after_the_meeting())))
    programme = Programme.objects.select_related("partnership").get(slug=DEMO)

    def paid(amount):
        def edit(book):
            payments = book["Payments"]
            payments.insert_rows(9)  # after the immediate call's payments
            for column, value in enumerate(("NC-0007", None, "12/08/2004", amount, "BACS 7"), 1):
                payments.cell(9, column).value = value

        return edit

    sign_in(page, "facilitator")
    too_much = tmp_path / "too-much.xlsx"
    too_much.write_bytes(edited(workbook_of(programme), paid(12000)))
    page.goto(f"/programmes/{DEMO}/import/")
    page.get_by_label("Workbook (.xlsx) or programme file (.json)").set_input_files(str(too_much))
    page.get_by_role("button", name="Check the file").click()
    problems = page.get_by_role("table", name="Problems in too-much.xlsx").inner_text()
    assert "Payments!D9 (Amount)" in problems
    assert "would make the payments £12,000, more than the invoice's £10,000" in problems
    assert axe_violations(page) == []
    assert not Payment.objects.filter(invoice__number="NC-0007").exists()

    path = tmp_path / "norwich-paid.xlsx"
    path.write_bytes(edited(workbook_of(programme), paid(10000)))
    page.get_by_label("Workbook (.xlsx) or programme file (.json)").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    changes = page.get_by_role("table", name="Invoices").inner_text()
    assert "Invoice NC-0007" in changes
    assert "£10,000 on 12 August 2004 (BACS 7)" in changes
    assert axe_violations(page) == []

    page.get_by_role("button", name="Import these changes").click()
    assert "norwich-paid.xlsx is imported: 1 row changed." in page.inner_text("main")
    payment = Payment.objects.get(invoice__number="NC-0007")
    assert (payment.amount, payment.reference) == (Decimal("10000.00"), "BACS 7")

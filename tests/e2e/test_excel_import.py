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

"""A facilitator imports a council's ledger export: upload, choose columns, check, import."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from projects.models import Spend
from tests.e2e.conftest import axe_violations, reflow_problems, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

DEMO = "norfolk-connect-2004"
PHONE = {"width": 320, "height": 640}
LEDGER = (
    "Posting date,Net amount,Document no,Cost centre,Stage,Payee,Narrative\n"
    '30/09/2004,"£1,200.50",INV-2041,Authentication / Gateway,1,Acme Ltd,Servers\n'
    "2004-10-14,350,INV-2042,authentication-gateway,1,Wire & Co,Cabling\n"
    "2004-10-14,350,INV-2042,authentication-gateway,1,Wire & Co,Cabling\n"
)


def check_accessible(page) -> None:
    assert axe_violations(page) == []
    page.set_viewport_size(PHONE)
    assert reflow_problems(page) == []
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 1366, "height": 768})


def test_a_ledger_is_uploaded_mapped_previewed_and_imported(page, demo, tmp_path):
    path = tmp_path / "ledger-q2.csv"
    path.write_text(LEDGER, encoding="utf-8-sig")
    sign_in(page, "facilitator")
    page.goto(f"/programmes/{DEMO}/projects/")
    page.get_by_role("link", name="Import spend from a ledger").click()
    expect(page.get_by_role("heading", name="Import spend from a ledger")).to_be_visible()
    check_accessible(page)
    page.get_by_label("Ledger export (.csv or .xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Upload and choose the columns").click()

    expect(page.get_by_role("heading", name="Choose the ledger's columns")).to_be_visible()
    check_accessible(page)
    for label, heading in (
        ("Date column", "Posting date"),
        ("Amount column", "Net amount"),
        ("Reference column", "Document no"),
        ("Project column", "Cost centre"),
        ("Phase number column", "Stage"),
        ("Supplier column", "Payee"),
        ("Description column", "Narrative"),
    ):
        page.get_by_label(label).select_option(heading)
    page.get_by_role("button", name="Check the import").click()

    expect(page.get_by_role("heading", name="Check the ledger import")).to_be_visible()
    expect(page.locator("#to-record")).to_contain_text("2 spend lines, £1,550.50 in all")
    skipped = page.get_by_role("table", name="Skipped: not recorded twice")
    assert "It repeats row 3" in skipped.inner_text()
    check_accessible(page)
    assert Spend.objects.count() == 0

    page.get_by_role("button", name="Import 2 spend lines").click()
    expect(page.locator("main")).to_contain_text(
        "2 spend lines of £1,550.50 in all imported from ledger-q2.csv"
    )
    assert sorted(Spend.objects.values_list("amount", flat=True)) == [
        Decimal("350.00"),
        Decimal("1200.50"),
    ]
    page.goto(f"/programmes/{DEMO}/projects/authentication-gateway/spend/")
    lines = page.locator("main")
    for seen in ("INV-2041", "INV-2042", "£1,200.50"):
        expect(lines).to_contain_text(seen)

    # The columns are remembered: the next upload comes to them chosen.
    page.goto(f"/programmes/{DEMO}/ledger/")
    page.get_by_label("Ledger export (.csv or .xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Upload and choose the columns").click()
    expect(page.get_by_label("Amount column")).to_have_value("Net amount")

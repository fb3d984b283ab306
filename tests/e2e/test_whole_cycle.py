"""The programme's life after the paper, clicked through: agreement, call, payments, review.

The facilitator records the June 2004 agreement, calls the immediate tranche, records
Broadland's payment in two instalments, marks Authentication phase 2 as not proceeding at the
autumn review, and sees each council's proposed cap fall and its surplus appear; Broadland's
partner officer then sees on the council's own page what it agreed, paid and owes.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from projects.models import Invoice, PartnerAgreement, Payment
from tests.e2e.conftest import axe_violations, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PROGRAMME = "/programmes/norfolk-connect-2004"


def fill_date(page, field: str, day: str, month: str, year: str) -> None:
    page.locator(f"#id_{field}-day").fill(day)
    page.locator(f"#id_{field}-month").fill(month)
    page.locator(f"#id_{field}-year").fill(year)


def success(page, text: str) -> None:
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(text)


def test_agreement_call_payments_and_the_autumn_review(page, demo):
    sign_in(page, "facilitator")

    # The June meeting, before the programme starts on 1 July: saved once confirmed.
    page.goto(f"{PROGRAMME}/meetings/new/")
    page.get_by_label("Body").fill("Norfolk Chief Executives")
    fill_date(page, "date", "24", "6", "2004")
    page.get_by_role("button", name="Add meeting").click()
    page.get_by_role("button", name="Save it anyway").click()
    success(page, "Norfolk Chief Executives, 24 June 2004 is added.")

    # The agreement starts from the recommendation: £10,000 now, up to £30,000 each.
    page.get_by_role("link", name=re.compile(r"^24 June 2004")).click()
    page.get_by_role("link", name="Record the agreement").click()
    expect(page.get_by_label("Broadland District Council's immediate tranche")).to_have_value(
        "10,000"
    )
    page.get_by_role("button", name="Save the agreement").click()
    success(page, "is recorded")
    assert PartnerAgreement.objects.count() == 8
    assert {(p.immediate, p.cap) for p in PartnerAgreement.objects.all()} == {
        (Decimal("10000.00"), Decimal("30000.00"))
    }

    # The immediate call: eight invoices of £10,000, checked, then raised.
    page.goto(f"{PROGRAMME}/calls/new/")
    page.get_by_label("Immediate").check()
    page.get_by_label("2004/05").check()
    fill_date(page, "issued", "1", "7", "2004")
    fill_date(page, "due", "31", "7", "2004")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("main")).to_contain_text("Check the call before raising it")
    assert axe_violations(page) == []
    page.get_by_role("button", name=re.compile(r"^Raise the call")).click()
    expect(page.locator("main")).to_contain_text("£80,000")
    assert Invoice.objects.count() == 8
    assert sum(invoice.amount for invoice in Invoice.objects.all()) == Decimal("80000.00")

    # Broadland pays in two instalments.
    for day, month, reference in (("20", "7", "BACS 1"), ("2", "8", "BACS 2")):
        row = page.locator("tbody tr", has_text="Broadland District Council")
        row.get_by_role("link", name=re.compile(r"^Record a payment")).click()
        fill_date(page, "date", day, month, "2004")
        page.get_by_label("Amount").fill("5,000")
        page.get_by_label("Reference").fill(reference)
        page.get_by_role("button", name=re.compile(r"^Record the payment")).click()
        success(page, "£5,000")
    assert sum(p.amount for p in Payment.objects.all()) == Decimal("10000.00")
    # A third payment would be more than is owed: refused, nothing written.
    row = page.locator("tbody tr", has_text="Broadland District Council")
    row.get_by_role("link", name=re.compile(r"^Record a payment")).click()
    fill_date(page, "date", "3", "8", "2004")
    page.get_by_label("Amount").fill("1")
    page.get_by_role("button", name=re.compile(r"^Record the payment")).click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert Payment.objects.count() == 2

    # The autumn review: Authentication phase 2 does not proceed, confirmed with its effect.
    page.goto(f"{PROGRAMME}/projects/authentication-gateway/phases/2/decision/")
    page.get_by_label("Does not proceed").check()
    fill_date(page, "decided_on", "14", "10", "2004")
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator("#tranche-change")).to_contain_text("£30,000")
    page.get_by_role("button", name="Save and change the tranches").click()

    # The proposed caps fall to £10,000; the agreed ones stand at £30,000.
    page.goto(f"{PROGRAMME}/dashboard/")
    expect(page.locator("#agreed-partners")).to_contain_text("£30,000")
    expect(page.locator("#proposed-notes")).to_contain_text(
        "The maximum now needs £165,000 less than the agreed caps (£75,000 against £240,000)."
    )
    # Broadland paid £10,000 against its exact share of £9,375 of the new maximum.
    page.goto(f"{PROGRAMME}/refunds/")
    surplus = page.locator("tbody tr", has_text="Broadland District Council")
    expect(surplus).to_contain_text("£625")
    assert page.locator("tbody tr", has_text="Norwich City Council").count() == 0

    # Broadland's partner officer sees the council's own position.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "partner-officer")
    expect(page.locator("#council-paid")).to_have_text("£10,000")
    expect(page.locator("#council-owes")).to_have_text("Nothing")
    expect(page.locator("#agreed-cap")).to_have_text("up to £30,000")
    expect(page.locator("#council-invoices")).to_contain_text("NC-0003")
    assert axe_violations(page) == []

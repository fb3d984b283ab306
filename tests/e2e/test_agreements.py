"""The facilitator records the June meeting and its agreement, then changes it, in the browser."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from projects.models import Meeting, PartnerAgreement, Programme
from tests.e2e.conftest import axe_violations, reflow_problems, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

MEETINGS = "/programmes/norfolk-connect-2004/meetings/"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 320, "height": 640}


def checked(page) -> None:
    """No axe violation at 1366 pixels, and none nor any reflow problem at 320."""
    page.set_viewport_size(DESKTOP)
    assert axe_violations(page) == []
    page.set_viewport_size(PHONE)
    assert reflow_problems(page) == []
    assert axe_violations(page) == []
    page.set_viewport_size(DESKTOP)


def test_the_june_meeting_and_its_agreement_are_recorded_then_replaced(page, demo):
    sign_in(page, "facilitator")
    page.goto(MEETINGS)
    expect(page.locator("main")).to_contain_text("No meetings are recorded yet.")
    page.get_by_role("link", name="Add a meeting").click()
    page.get_by_label("Body").fill("Norfolk Chief Executives")
    page.get_by_label("Day").fill("18")
    page.get_by_label("Month").fill("6")
    page.get_by_label("Year").fill("2004")
    page.get_by_role("button", name="Add meeting").click()
    expect(page.locator("#date-question")).to_contain_text(
        "The meeting is dated before the programme starts on 1 July 2004. Save it anyway?"
    )
    checked(page)
    assert not Meeting.objects.exists()
    page.get_by_role("button", name="Save it anyway").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Norfolk Chief Executives, 18 June 2004 is added."
    )
    checked(page)

    page.get_by_role("link", name=re.compile(r"^18 June 2004")).click()
    page.get_by_role("link", name="Record the agreement").click()
    immediate = page.get_by_label("Broadland District Council's immediate tranche")
    expect(immediate).to_have_value("10,000")
    immediate.fill("40,000")
    page.get_by_role("button", name="Save the agreement").click()
    message = (
        "Broadland District Council's immediate tranche must not be more than its cap of £30,000"
    )
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(message)
    checked(page)
    summary.get_by_role("link", name=message).click()
    assert page.evaluate("document.activeElement.id") == "id_broadland-immediate"
    immediate.fill("5,000")
    page.get_by_role("button", name="Save the agreement").click()
    expect(page.locator("main")).to_contain_text(
        "The computed recommendation is now £10,000 immediately, £5,000 more than agreed"
    )
    checked(page)

    page.get_by_role("link", name="Change the agreement").click()
    page.get_by_label("Broadland District Council's immediate tranche").fill("10,000")
    page.get_by_role("button", name="Save the agreement").click()
    expect(page.locator("#replace-agreement")).to_contain_text("£5,000 immediately, up to £30,000")
    checked(page)
    assert PartnerAgreement.objects.get(partner__slug="broadland").immediate == Decimal("5000.00")
    page.get_by_role("button", name="Replace the agreement").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("is recorded")
    assert PartnerAgreement.objects.get(partner__slug="broadland").immediate == Decimal("10000.00")


def test_the_june_papers_decisions_record_the_agreement(page, demo):
    Meeting.objects.create(
        programme=Programme.objects.get(slug="norfolk-connect-2004"),
        slug="norfolk-chief-executives-2004-06-18",
        body="Norfolk Chief Executives",
        date=date(2004, 6, 18),
    )
    sign_in(page, "facilitator")
    page.goto("/programmes/norfolk-connect-2004/report/")
    page.get_by_role("link", name="Edit the report's text").click()
    page.get_by_label("Which meeting is it for?").select_option(
        label="Norfolk Chief Executives, 18 June 2004"
    )
    page.get_by_role("button", name="Save the text").click()
    expect(page.locator("#paper-about")).to_contain_text(
        "medium term workload paper for Norfolk Chief Executives, 18 June 2004"
    )
    page.get_by_role("link", name="Record the meeting's decisions").click()
    expect(page.locator("#agreement-follows")).to_contain_text("records the meeting's agreement")
    checked(page)
    page.get_by_role("button", name="Save the decisions").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select what was decided on recommendation 1"
    )
    checked(page)
    for number in (1, 2):
        page.locator(f"#recommendation-{number}").get_by_label("Agreed", exact=True).check()
    page.get_by_role("button", name="Save the decisions").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "recorded as recommended: £80,000 immediately and up to £240,000 in all, from 8 councils"
    )
    checked(page)
    broadland = PartnerAgreement.objects.get(partner__slug="broadland")
    assert (broadland.immediate, broadland.cap) == (Decimal("10000.00"), Decimal("30000.00"))
    page.goto("/programmes/norfolk-connect-2004/report/")
    expect(page.locator("#decision-list")).to_contain_text("Agreed")

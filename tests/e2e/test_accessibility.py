"""axe-core (WCAG 2.2 A and AA) finds no violation on any page, in any role, at a desktop's
width and a phone's; and every page reflows at 320 pixels (WCAG 1.4.10): no sideways scrolling,
no text drawn too small."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import axe_violations, reflow_problems, sign_in
from tests.e2e.pages import pages_to_scan

pytestmark = pytest.mark.django_db(transaction=True)

ROLES = ["facilitator", "chief-executive", "partner-officer", "admin"]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 320, "height": 640}  # WCAG 1.4.10: content reflows at 320 CSS pixels


@pytest.mark.parametrize("username", ROLES)
def test_every_page_has_no_axe_violation_at_1366_or_320_and_reflows_at_320(page, demo, username):
    """Each page is loaded once and checked at both widths, the window resized in between."""
    urls = pages_to_scan().values()
    sign_in(page, username)
    scanned, found = 0, {}
    for url in urls:
        page.set_viewport_size(DESKTOP)
        response = page.goto(url)
        if response.status != 200:
            continue  # 403 for roles that may not change data; checked in the matrix
        scanned += 1
        problems = [f"at 1366: {violation}" for violation in axe_violations(page)]
        page.set_viewport_size(PHONE)
        problems += [f"at 320: {problem}" for problem in reflow_problems(page)]
        problems += [f"at 320: {violation}" for violation in axe_violations(page)]
        if problems:
            found[url] = problems
    assert scanned >= 5
    assert found == {}


def test_sign_in_page_and_its_error_state_have_no_axe_violation(page, demo):
    page.goto("/accounts/login/")
    assert axe_violations(page) == []
    page.get_by_label("Username").fill("facilitator")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    # Waits for the answer to the submission: reading the page at once can catch it mid-load.
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is a problem")
    assert axe_violations(page) == []


def test_a_form_with_errors_has_no_axe_violation(page, demo):
    sign_in(page, "facilitator")
    page.goto("/programmes/norfolk-connect-2004/settings/")
    page.get_by_label("Rounding step").fill("-5")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is a problem")
    assert axe_violations(page) == []


def test_a_date_input_in_its_error_state_has_no_axe_violation(page, demo):
    sign_in(page, "facilitator")
    url = reverse(
        "projects:phase_decision", args=["norfolk-connect-2004", "authentication-gateway", 2]
    )
    page.goto(url)
    page.get_by_label("Business case approved").check()
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("04")
    page.get_by_role("button", name="Save the decision").click()
    summary = page.locator(".govuk-error-summary")
    link = summary.get_by_role("link", name="Year of the decision date must include 4 numbers")
    assert link.get_attribute("href") == "#id_decided_on-year"
    # Only the part in error is marked; the link takes the focus to it.
    assert page.locator(".govuk-date-input .govuk-input--error").count() == 1
    link.click()
    assert page.evaluate("document.activeElement.id") == "id_decided_on-year"
    assert axe_violations(page) == []
    page.get_by_label("Year").fill("")
    page.get_by_label("Day").fill("")
    page.get_by_label("Month").fill("")
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the decision date, because the business case was approved"
    )
    assert page.locator(".govuk-date-input .govuk-input--error").count() == 3
    assert axe_violations(page) == []


def test_the_scan_does_find_a_violation_when_there_is_one(page, demo):
    """Guard against a scan that silently checks nothing."""
    sign_in(page, "facilitator")
    page.goto("/programmes/")
    page.evaluate("document.querySelector('main').innerHTML += '<img src=\"x.png\">'")
    assert "image-alt" in {violation["id"] for violation in axe_violations(page)}


def test_a_gated_phases_decision_page_has_no_axe_violation(page, demo):
    # The matrix's URLs name a phase that no business case gates, whose page sends it back.
    sign_in(page, "facilitator")
    url = reverse("projects:phase_decision", args=["norfolk-connect-2004", "benefits-form", 2])
    assert page.goto(url).status == 200
    assert page.locator("h1").inner_text().startswith("Decision on phase 2")
    assert axe_violations(page) == []


@pytest.mark.parametrize("path", ["dashboard/", "projects/authentication-gateway/"])
def test_the_facilitators_navigation_fits_on_one_line_at_1366_and_folds_at_320(page, demo, path):
    sign_in(page, "facilitator")
    url = f"/programmes/norfolk-connect-2004/{path}"
    items = page.locator(".govuk-service-navigation__item")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(url)
    assert items.count() == 10  # Delivery joined the sections
    tops = {round(box["y"]) for box in (item.bounding_box() for item in items.all())}
    assert len(tops) == 1, tops
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(url)
    menu = page.get_by_role("button", name="Menu")
    menu.click()
    for item in items.all():
        box = item.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320, box

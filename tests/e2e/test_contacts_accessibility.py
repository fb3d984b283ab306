"""The pages that name people, with their errors, have no axe violation at 1366 or 320."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import axe_violations, reflow_problems, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 320, "height": 640}
DEMO = "/programmes/norfolk-connect-2004"


def checked(page) -> list[str]:
    page.set_viewport_size(DESKTOP)
    problems = [f"at 1366: {violation}" for violation in axe_violations(page)]
    page.set_viewport_size(PHONE)
    problems += [f"at 320: {problem}" for problem in reflow_problems(page)]
    problems += [f"at 320: {violation}" for violation in axe_violations(page)]
    return problems


def test_the_partnership_details_with_errors_have_no_axe_violation(page, demo):
    sign_in(page, "facilitator")
    page.goto(f"{DEMO}/partnership/")
    assert checked(page) == []
    page.set_viewport_size(DESKTOP)
    page.get_by_label("Telephone number").fill("ring me")
    page.get_by_label("Email address").fill("tim@")
    page.get_by_role("button", name="Save details").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter an email address in the correct format, like name@example.com"
    )
    assert checked(page) == []


def test_the_partner_form_with_errors_has_no_axe_violation(page, demo):
    sign_in(page, "facilitator")
    page.goto(f"{DEMO}/partners/broadland/edit/")
    finance = page.get_by_role("group", name="Finance contact")
    finance.get_by_label("Email address").fill("fran@")
    page.get_by_role("button", name="Save partner").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter an email address")
    assert checked(page) == []

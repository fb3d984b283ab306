"""The dashboard in a real browser: no axe-core violation in any role, and readers land on it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import axe_violations, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

DASHBOARD = "/programmes/norfolk-connect-2004/dashboard/"


@pytest.mark.parametrize("username", ["facilitator", "chief-executive", "partner-officer", "admin"])
def test_the_dashboard_has_no_axe_violation(page, demo, username):
    sign_in(page, username)
    response = page.goto(DASHBOARD)
    assert response.status == 200
    expect(page.locator("#chart-project-costs")).to_be_visible()
    assert axe_violations(page) == []
    # With the tables behind the charts opened as well.
    for summary in page.locator(".govuk-details__summary").all():
        summary.click()
    expect(page.locator("#chart-project-costs-table")).to_be_visible()
    assert axe_violations(page) == []


def test_a_chief_executive_lands_on_the_dashboard_and_reads_the_money(page, demo):
    sign_in(page, "chief-executive")
    expect(page).to_have_url(re.compile(re.escape(DASHBOARD) + "$"))
    expect(page.locator("#cap")).to_have_text("up to £30,000")
    expect(page.locator("#immediate")).to_have_text("up to £10,000")
    expect(page.locator("#gap-min")).to_have_text("£75,000 gap")
    # A screen reader announces each chart by its title and description.
    chart = page.get_by_role("img", name="Cost of each project")
    expect(chart).to_be_visible()
    assert "£107,000" in chart.inner_html()
    expect(page.locator("#reconciliation")).to_have_count(0)


def test_printing_leaves_out_the_navigation_and_keeps_the_charts(page, demo):
    sign_in(page, "facilitator")
    page.goto(DASHBOARD)
    page.emulate_media(media="print")
    expect(page.locator(".govuk-service-navigation")).to_be_hidden()
    expect(page.locator("#chart-partner-shares")).to_be_visible()
    box = page.locator("#chart-partner-shares").bounding_box()
    assert box["width"] > 300 and box["height"] > 300
    expect(page.locator("#reconciliation-table")).to_be_visible()

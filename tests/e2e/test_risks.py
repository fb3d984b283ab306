"""The risk register in a real browser: the facilitator scores a risk, and it shows on the heat
map and the dashboard; the pages have no axe-core violation at 1366 or 320 pixels."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import axe_violations, reflow_problems, sign_in
from tests.e2e.pages import pages_to_scan

pytestmark = pytest.mark.django_db(transaction=True)

REGISTER = "/programmes/norfolk-connect-2004/risks/"
DASHBOARD = "/programmes/norfolk-connect-2004/dashboard/"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 320, "height": 640}
NAMES = {
    "reports:risk_register",
    "reports:risk_create",
    "reports:risk_update",
    "reports:risk_delete",
}


def open_risks(page) -> int:
    """The total under the heat map's table: how many risks are open."""
    return int(page.locator("#risk-heat-map-table tfoot td").inner_text())


def top_cell(page) -> int:
    """The heat map table's count at likelihood 5, impact 5."""
    return int(
        page.locator("#risk-heat-map-table tbody tr")
        .first.locator("td")
        .nth(4)
        .inner_text()
        .split()[0]
    )


def test_a_facilitator_scores_a_risk_and_sees_it_on_the_heat_map_and_dashboard(page, demo):
    sign_in(page, "facilitator")
    page.goto(REGISTER)
    before, top_before = open_risks(page), top_cell(page)  # the demo's own risks, if any
    page.get_by_role("link", name="Add a risk").click()
    page.get_by_label("Reference").fill("R9")
    page.get_by_label("Description").fill("The gateway's supplier goes out of business")
    page.get_by_label("Project").select_option(label="Authentication / Gateway")
    page.get_by_label("Likelihood").fill("three")  # a word, not a number: told, not saved
    page.get_by_label("Impact").fill("5")
    page.get_by_role("button", name="Add the risk").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Likelihood must be a whole number from 1 to 5"
    )
    assert axe_violations(page) == []
    page.get_by_label("Likelihood").fill("5")
    page.get_by_label("Owner").fill("Head of IT, Broadland")
    page.get_by_role("button", name="Add the risk").click()
    expect(page.get_by_text("Risk R9 is added to the register.")).to_be_visible()

    # On the heat map: the top right-hand cell (likelihood 5, impact 5) holds one more risk.
    heat_map = page.get_by_role("img", name="Open risks by likelihood and impact")
    expect(heat_map).to_be_visible()
    assert f"{before + 1} open risk" in heat_map.inner_html()
    assert (open_risks(page), top_cell(page)) == (before + 1, top_before + 1)
    expect(page.locator("#risks")).to_contain_text("25 High")
    assert axe_violations(page) == []

    # On the dashboard, among the top risks.
    page.goto(DASHBOARD)
    top = page.locator("#top-risks")
    expect(top).to_contain_text("R9")
    expect(top).to_contain_text("25 High")
    expect(page.locator("#risk-counts")).to_contain_text(f"{before + 1} open risk")
    assert axe_violations(page) == []

    # Closed, it leaves the heat map and stays in the register.
    page.goto(REGISTER)
    page.get_by_role("link", name="Change risk R9").click()
    page.get_by_label("Closed").check()
    page.get_by_role("button", name="Save the risk").click()
    expect(page.get_by_text("Risk R9 is closed.")).to_be_visible()
    assert (open_risks(page), top_cell(page)) == (before, top_before)
    expect(page.locator("#risks")).to_contain_text("R9")


def test_the_risk_pages_have_no_axe_violation_and_reflow(page, demo):
    urls = {name: url for name, url in pages_to_scan().items() if name in NAMES}
    assert set(urls) == NAMES
    sign_in(page, "facilitator")
    found = {}
    for url in urls.values():
        page.set_viewport_size(DESKTOP)
        assert page.goto(url).status == 200, url
        problems = [f"at 1366: {violation}" for violation in axe_violations(page)]
        page.set_viewport_size(PHONE)
        problems += [f"at 320: {problem}" for problem in reflow_problems(page)]
        problems += [f"at 320: {violation}" for violation in axe_violations(page)]
        found[url] = problems
    assert {url: problems for url, problems in found.items() if problems} == {}

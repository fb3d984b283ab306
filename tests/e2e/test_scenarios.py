"""The scenario planner in a real browser: live with htmx, plain without JavaScript, accessible."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from projects.models import Phase
from projects.money.vocabulary import Decision
from tests.e2e.conftest import axe_violations, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

SCENARIOS = "/programmes/norfolk-connect-2004/scenarios/"
GATEWAY_STOPPED = "authentication-gateway.2=not_proceeding&method=equal&step=10000"
GATEWAY_CHOICE = "Phase 2 of Authentication / Gateway in this scenario"
ROLES = ["facilitator", "chief-executive", "partner-officer", "admin"]


def cell(page, partner: str, column: int):
    """Return a cell of a partner's row: 0-2 immediate (recorded, scenario, change), 3-5 cap."""
    return page.locator("#scenario-partners tbody tr", has_text=partner).locator("td").nth(column)


def gateway_decision() -> str:
    return Phase.objects.get(project__slug="authentication-gateway", number=2).decision


def watch_script_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_the_results_follow_the_choices_live_and_the_url_names_the_scenario(page, demo):
    errors = watch_script_errors(page)
    sign_in(page, "chief-executive")
    page.goto(SCENARIOS)
    expect(cell(page, "Norwich City Council", 4)).to_have_text("£30,000")
    # A mark that a page load would wipe: htmx must swap the results in without one.
    page.evaluate("window.scenarioMark = 'still here'")

    page.get_by_label("Rounding step").fill("1,000")
    page.get_by_label("Rounding step").press("Tab")
    expect(cell(page, "Norwich City Council", 4)).to_have_text("£22,000")
    expect(cell(page, "Norwich City Council", 1)).to_have_text("£10,000")
    expect(page).to_have_url(re.compile(r"\?method=equal&step=1000$"))

    page.get_by_label(GATEWAY_CHOICE).select_option(label="Does not proceed")
    expect(cell(page, "Norwich City Council", 4)).to_have_text("£10,000")
    expect(cell(page, "Norwich City Council", 3)).to_have_text("£30,000")
    expect(cell(page, "Norwich City Council", 5)).to_have_text("-£20,000")
    expect(page).to_have_url(
        re.compile(r"\?authentication-gateway\.2=not_proceeding&method=equal&step=1000$")
    )
    expect(page.locator("#scenario-status")).to_contain_text("Cap per partner £10,000")
    assert page.evaluate("window.scenarioMark") == "still here"
    # Nobody may apply here as a chief executive, and nothing was written.
    expect(page.get_by_role("button", name="Apply these phase decisions")).to_have_count(0)
    assert gateway_decision() == Decision.PENDING

    # The URL in the address bar is the scenario: opened afresh it shows the same figures.
    page.goto(page.url)
    expect(page.get_by_label(GATEWAY_CHOICE)).to_have_value("not_proceeding")
    expect(cell(page, "Norwich City Council", 4)).to_have_text("£10,000")
    assert errors == []


def test_the_scenario_works_without_javascript(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, "chief-executive")
        page.goto(SCENARIOS)
        page.get_by_label(GATEWAY_CHOICE).select_option(label="Does not proceed")
        page.get_by_label("Rounding step").fill("1,000")
        page.get_by_role("button", name="Show the scenario").click()
        page.wait_for_url(re.compile(r"authentication-gateway\.2=not_proceeding"))
        assert page.url.endswith(
            f"{SCENARIOS}?authentication-gateway.2=not_proceeding&method=equal&step=1000"
        )
        expect(cell(page, "Norwich City Council", 4)).to_have_text("£10,000")
        expect(cell(page, "Norwich City Council", 1)).to_have_text("£10,000")

        page.get_by_label(GATEWAY_CHOICE).select_option(label="Awaiting decision")
        page.get_by_role("button", name="Show the scenario").click()
        page.wait_for_url(re.compile(r"\?method=equal&step=1000$"))
        expect(cell(page, "Norwich City Council", 4)).to_have_text("£22,000")
        expect(cell(page, "Norwich City Council", 1)).to_have_text("£10,000")
        assert gateway_decision() == Decision.PENDING
    finally:
        context.close()


def test_a_method_without_figures_is_refused_and_then_put_right_live(page, demo):
    sign_in(page, "chief-executive")
    page.goto(SCENARIOS)
    page.get_by_label("Apportionment method").select_option(label="Population")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Sharing by population needs every contributing partner")
    expect(page.locator("#id_method-error")).to_be_visible()
    expect(page.locator("#scenario-partners")).to_have_count(0)
    expect(summary).to_be_focused()  # GOV.UK's error summary takes focus, so it is read out

    page.get_by_label("Apportionment method").select_option(label="Equal shares")
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.locator("#id_method-error")).to_have_count(0)
    expect(cell(page, "Norwich City Council", 4)).to_have_text("£30,000")
    expect(page).to_have_url(re.compile(r"\?method=equal&step=10000$"))


def test_a_facilitator_applies_the_scenarios_decision(page, demo):
    sign_in(page, "facilitator")
    page.goto(f"{SCENARIOS}?{GATEWAY_STOPPED}")
    page.get_by_role("button", name="Apply these phase decisions").click()
    page.wait_for_url(re.compile(r"/dashboard/$"))
    assert gateway_decision() == Decision.NOT_PROCEEDING
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "phase 2 of Authentication / Gateway (Connection): does not proceed, was awaiting decision"
    )


@pytest.mark.parametrize("username", ROLES)
def test_the_scenario_page_has_no_axe_violation(page, demo, username):
    sign_in(page, username)
    found = {}
    for name, query in (
        ("recorded", ""),
        ("with results", f"?{GATEWAY_STOPPED}"),
        ("with errors", "?method=population&step=-5"),
    ):
        response = page.goto(f"{SCENARIOS}{query}")
        assert response.status == 200
        if name == "with errors":
            expect(page.locator(".govuk-error-summary")).to_be_visible()
            expect(page.locator("#scenario-partners")).to_have_count(0)
        else:
            expect(page.locator("#scenario-partners")).to_be_visible()
        found[name] = axe_violations(page)
    # And once htmx has swapped new results in.
    page.goto(SCENARIOS)
    page.get_by_label(GATEWAY_CHOICE).select_option(label="Proceeds")
    expect(cell(page, "Norwich City Council", 1)).to_have_text("£30,000")
    found["after a live update"] = axe_violations(page)
    assert found == {name: [] for name in found}

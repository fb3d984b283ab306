"""What a facilitator clicks through, in a real browser, on the demo programme."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from projects.models import Contribution, Phase, Project
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PROGRAMME = "/programmes/norfolk-connect-2004"


def add_project_with_two_phases(page) -> None:
    """Fill the first phase row the page starts with, add a second row and fill that."""
    page.goto(f"{PROGRAMME}/projects/new/")
    page.locator("#id_name").fill("Shared payments")
    for index, (name, cost, gated) in enumerate(
        [("Investigation", "£5,000", False), ("Roll-out", "40,000", True)]
    ):
        if index:
            page.get_by_role("button", name="Add another phase").click()
            # With JavaScript the new row takes the focus; wait for it, as a person would.
            expect(page.locator(f"#id_phases-{index}-name")).to_be_visible()
            page.wait_for_load_state("networkidle")
        page.locator(f"#id_phases-{index}-number").fill(str(index + 1))
        page.locator(f"#id_phases-{index}-name").fill(name)
        page.locator(f"#id_phases-{index}-extra_cost").fill(cost)
        if gated:
            page.locator(f"#id_phases-{index}-gated").check()
    page.get_by_role("button", name="Save project").last.click()
    page.wait_for_load_state()
    assert "There is a problem" not in page.content(), page.locator("main").inner_text()[:500]
    page.wait_for_url(re.compile(r"/projects/shared-payments/$"))


def test_facilitator_adds_a_project_stops_its_phase_2_and_records_a_contribution(page, demo):
    sign_in(page, "facilitator")
    add_project_with_two_phases(page)
    assert [(p.number, str(p.extra_cost), p.gated) for p in Phase.objects.filter(
        project__slug="shared-payments").order_by("number")] == [
        (1, "5000.00", False), (2, "40000.00", True)]  # fmt: skip
    money = page.locator("main").inner_text()
    assert "£220,000" in money  # the programme's maximum: 175,000 + 5,000 + 40,000

    page.get_by_role("link", name="Record decision on phase 2").click()
    page.get_by_label("Does not proceed").check()
    page.get_by_label("Day").fill("30")
    page.get_by_label("Month").fill("Sept")  # a month's name is read too
    page.get_by_label("Year").fill("2004")
    page.get_by_role("button", name="Save the decision").click()
    page.wait_for_url(re.compile(r"/projects/shared-payments/$"))
    message = page.locator(".govuk-notification-banner").inner_text()
    assert "maximum fell from £220,000 to £180,000" in message

    page.goto(f"{PROGRAMME}/contributions/new/?partner=broadland&financial_year=2004/05")
    page.locator("#id_tranche").select_option("immediate")
    page.locator("#id_amount").fill("£10,000")
    page.locator("#id_status").select_option("received")
    page.locator("#id_received_on-day").fill("15")
    page.locator("#id_received_on-month").fill("07")
    page.locator("#id_received_on-year").fill("2004")
    page.get_by_role("button", name="Record contribution").click()
    page.wait_for_url(re.compile(r"/partners/$"))
    assert Contribution.objects.get().amount == 10000
    assert "£10,000" in page.locator(".govuk-notification-banner").inner_text()


def test_adding_a_phase_row_works_without_javascript(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, "facilitator")
        add_project_with_two_phases(page)
        assert Project.objects.get(slug="shared-payments").phases.count() == 2
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_an_added_phase_is_numbered_on_from_the_page(browser, live_server, demo, javascript):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript)
    page = context.new_page()
    try:
        sign_in(page, "facilitator")
        page.goto(f"{PROGRAMME}/projects/authentication-gateway/edit/")  # phases 1 and 2
        page.locator("#id_phases-1-number").fill("5")  # as typed, not yet saved
        page.get_by_role("button", name="Add another phase").click()
        expect(page.locator("#id_phases-2-number")).to_have_value("6")
    finally:
        context.close()


def test_a_concurrent_edit_is_refused_and_shows_what_changed(browser, live_server, demo):
    first = browser.new_context(base_url=live_server.url).new_page()
    second = browser.new_context(base_url=live_server.url).new_page()
    sign_in(first, "facilitator")
    sign_in(second, "admin")
    url = f"{PROGRAMME}/projects/portal/edit/"
    first.goto(url)
    second.goto(url)
    first.locator("#id_name").fill("Portal (first)")
    first.get_by_role("button", name="Save project").last.click()
    first.wait_for_url(re.compile(r"/projects/portal/$"))
    second.locator("#id_name").fill("Portal (second)")
    second.get_by_role("button", name="Save project").last.click()
    text = second.locator("main").inner_text()
    assert "Someone else changed this" in text
    assert "Portal (first)" in text
    assert Project.objects.get(slug="portal").name == "Portal (first)"
    first.context.close()
    second.context.close()


def test_pages_log_no_script_errors(page, demo):
    errors = []
    # GOV.UK Frontend reports a component started twice through console.log, not as an error.
    page.on(
        "console",
        lambda message: (
            (message.type == "error" or "initialised" in message.text)
            and errors.append(message.text)
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, "facilitator")
    page.goto(f"{PROGRAMME}/projects/new/")
    page.get_by_role("button", name="Add another phase").click()
    expect(page.locator("#id_phases-1-name")).to_be_visible()
    page.get_by_role("button", name="Add another funding line").click()
    expect(page.locator("#id_funding-1-source")).to_be_visible()
    assert errors == []

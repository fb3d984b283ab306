"""Delivery in the browser: a status and a milestone that slips, seen where people look."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.e2e.conftest import axe_violations, reflow_problems, sign_in
from tests.e2e.pages import pages_to_scan

pytestmark = pytest.mark.django_db(transaction=True)

SLUG = "norfolk-connect-2004"
PROJECT = f"/programmes/{SLUG}/projects/authentication-gateway/"
PHONE = {"width": 320, "height": 640}


def fill_date(page, legend: str, day) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def no_problems(page) -> None:
    assert axe_violations(page) == [], page.url
    page.set_viewport_size(PHONE)
    assert reflow_problems(page) == [], page.url
    assert axe_violations(page) == [], page.url
    page.set_viewport_size({"width": 1366, "height": 768})


def test_an_amber_status_and_a_slipped_milestone_show_on_the_project_and_the_dashboard(page, demo):
    today = timezone.localdate()
    sign_in(page, "facilitator")

    page.goto(PROJECT)
    with page.expect_navigation():  # axe reads the new page, not the one being left
        page.get_by_role("link", name="Update the status of Authentication / Gateway").click()
    no_problems(page)
    page.get_by_role("button", name="Save the status").click()  # nothing chosen, no reason
    page.get_by_text("There is a problem").wait_for()
    assert page.get_by_role("link", name="Select the status: red, amber or green").is_visible()
    assert page.get_by_role("link", name="Enter the reason for the status").is_visible()
    no_problems(page)
    page.get_by_label("Amber").check()
    page.get_by_label("Reason").fill("The supplier's gateway release has slipped a month.")
    page.get_by_role("button", name="Save the status").click()
    status = page.locator("#current-status")
    assert "Amber" in status.inner_text()
    assert "The supplier's gateway release has slipped a month." in status.inner_text()

    page.get_by_role("link", name="Add a milestone to Authentication / Gateway").click()
    page.get_by_label("Name").fill("Gateway live for all seven councils")
    fill_date(page, "Baseline date", today + timedelta(days=10))
    page.get_by_role("button", name="Add the milestone").click()
    milestones = page.locator("#milestones")
    assert "On time" in milestones.inner_text() and "Due soon" in milestones.inner_text()

    with page.expect_navigation():  # axe reads the new page, not the one being left
        page.get_by_role("link", name="Change Gateway live for all seven councils").click()
    no_problems(page)
    fill_date(page, "Forecast date", today + timedelta(days=31))
    page.get_by_role("button", name="Save the milestone").click()
    assert "21 days late" in page.locator(".govuk-notification-banner").inner_text()
    row = page.locator("#milestones tbody tr", has_text="Gateway live for all seven councils")
    assert "21 days late" in row.inner_text() and "Late" in row.inner_text()
    no_problems(page)

    page.goto(f"/programmes/{SLUG}/dashboard/")
    due = page.locator("#milestones-due")
    assert "Gateway live for all seven councils" in due.inner_text()
    assert "21 days late" in due.inner_text()
    assert "Amber\n1" in page.locator("#projects-by-status").inner_text().replace("\t", "\n")

    page.get_by_role("link", name="All milestones and each project's status").click()
    assert page.locator("#chart-timeline").is_visible()
    assert "Authentication / Gateway" in page.locator("#chart-timeline-table").inner_text()
    no_problems(page)


def test_the_delivery_pages_of_the_scan_have_no_axe_violation(page, demo):
    names = {
        "reports:delivery",
        "projects:milestone_create",
        "projects:milestone_update",
        "projects:milestone_delete",
        "projects:status_set",
        "projects:project_detail",
    }
    urls = {name: url for name, url in pages_to_scan().items() if name in names}
    assert set(urls) == names
    sign_in(page, "facilitator")
    for url in urls.values():
        assert page.goto(url).status == 200, url
        no_problems(page)

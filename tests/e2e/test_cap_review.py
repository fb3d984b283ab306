"""The autumn review in the browser: the councils' caps on the decision page, at 1366 and 320."""

from __future__ import annotations

import json
import os

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from projects.programme_file import parse_programme
from projects.services.loading import programme_load
from tests.after_the_meeting import after_the_meeting
from tests.e2e.conftest import axe_violations, reflow_problems, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 320, "height": 640}
SLUG = "norfolk-connect-2004"
URL = reverse("projects:phase_decision", args=[SLUG, "authentication-gateway", 2])
# Where to leave screenshots to look at, when asked: CAP_REVIEW_SHOTS=/some/folder.
SHOTS = os.environ.get("CAP_REVIEW_SHOTS", "")


@pytest.fixture
def autumn(demo):
    """The demo after the October meeting, with the gateway's business case still awaited."""
    content = after_the_meeting()
    for project in content["projects"]:
        if project["slug"] == "authentication-gateway":
            project["phases"][1]["decision"] = "pending"
    programme_load(document=parse_programme(json.dumps(content)))


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_the_caps_read_as_a_table_at_1366_and_as_cards_at_320(page, autumn):
    sign_in(page, "facilitator")
    page.set_viewport_size(DESKTOP)
    page.goto(URL)
    table = page.locator("#cap-review-table")
    expect(page.locator(".govuk-warning-text")).to_contain_text(
        "If the business case is approved, every council will need £1,875 more than its agreed cap."
    )
    assert table.evaluate("t => getComputedStyle(t).display") == "table"
    # The table takes the page's width, with the form below it.
    assert table.evaluate("t => t.getBoundingClientRect().width") > 900
    assert axe_violations(page) == []
    shot(page, "cap-review-1366")

    page.set_viewport_size(PHONE)
    assert table.evaluate("t => getComputedStyle(t).display") == "block"
    card = table.locator("tbody tr").first
    needed = card.locator('td[data-label="Needed now"]')
    expect(needed).to_have_text("£21,875£1,875 over its agreed cap")
    # Each amount sits beside its column's header, below the council's name.
    assert needed.evaluate("c => getComputedStyle(c, '::before').content") == '"Needed now"'
    assert card.locator("th").evaluate("h => h.getBoundingClientRect().top") < needed.evaluate(
        "c => c.getBoundingClientRect().top"
    )
    assert reflow_problems(page) == []
    assert axe_violations(page) == []
    shot(page, "cap-review-320")


def test_stopping_the_phase_offers_the_surpluses_back(page, autumn):
    sign_in(page, "facilitator")
    page.set_viewport_size(DESKTOP)
    page.goto(URL)
    page.get_by_label("Does not proceed").check()
    page.get_by_label("Day").fill("15")
    page.get_by_label("Month").fill("10")
    page.get_by_label("Year").fill("2004")
    page.get_by_role("button", name="Save the decision").click()
    # The tranches move: confirmed, as shown.
    page.get_by_role("button", name="Save and change the tranches").click()
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Five councils have paid more than their shares")
    shot(page, "cap-review-saved")
    assert axe_violations(page) == []
    banner.get_by_role("link", name="offer each a refund or credit").click()
    expect(page.locator("#surpluses")).to_be_visible()
    expect(page.locator("main")).to_contain_text("£3,958.32")

"""Each role's first screen after signing in answers its question above the fold at 1366 x 768.

The figures and items a person came for must be visible without scrolling: each element's box
ends within the first 768 pixels of the page, and the page has no axe-core violation.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import axe_violations, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PROGRAMME = "/programmes/norfolk-connect-2004/"
FOLD = 768


def sign_in_on_a_laptop(page, username: str) -> None:
    page.set_viewport_size({"width": 1366, "height": FOLD})
    sign_in(page, username)


def assert_above_the_fold(page, selector: str) -> None:
    element = page.locator(selector)
    expect(element).to_be_visible()
    box = element.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= FOLD, (selector, box)


def test_a_chief_executive_reads_the_figures_to_decide_on_first(page, demo):
    sign_in_on_a_laptop(page, "chief-executive")
    expect(page).to_have_url(re.compile(re.escape(PROGRAMME + "dashboard/") + "$"))
    expected = {
        "#extra-min": "£75,000",
        "#extra-max": "£175,000",
        "#immediate": "up to £10,000",
        "#cap": "up to £30,000",
        "#gap-min": "£75,000 gap",
        "#gap-max": "£175,000 gap",
    }
    for selector, text in expected.items():
        expect(page.locator(selector)).to_have_text(text)
        assert_above_the_fold(page, selector)
    assert axe_violations(page) == []


def test_a_partner_officer_lands_on_their_councils_page_with_its_statement(page, demo):
    sign_in_on_a_laptop(page, "partner-officer")
    expect(page).to_have_url(re.compile(re.escape(PROGRAMME + "partners/broadland/") + "$"))
    expect(page.locator("h1")).to_have_text("Broadland District Council")
    expected = {
        "#asked-now": "£10,000",
        "#asked-later": "£20,000",
        "#council-cap": "£30,000",
        "#council-pledged": "£0",
        "#council-received": "£0",
        "#council-outstanding": "£0",
        "#statement-link": "Your council's statement",
    }
    for selector, text in expected.items():
        expect(page.locator(selector)).to_have_text(text)
        assert_above_the_fold(page, selector)
    assert axe_violations(page) == []
    page.locator("#statement-link").click()
    expect(page.locator("h1")).to_have_text("Statement for Broadland District Council")
    # "Your council", first in the navigation, leads back.
    page.get_by_role("link", name="Your council", exact=True).first.click()
    expect(page).to_have_url(re.compile(re.escape(PROGRAMME + "partners/broadland/") + "$"))


@pytest.mark.parametrize("username", ["facilitator", "admin"])
def test_those_who_keep_the_programme_land_on_what_needs_doing(page, demo, username):
    sign_in_on_a_laptop(page, username)
    expect(page).to_have_url(re.compile(re.escape(PROGRAMME) + "$"))
    expect(page.locator("#to-do-counts")).to_have_text(
        re.compile(r"2 decisions to record\s+2 figures to check\s+8 partners owing money")
    )
    for selector in ("#to-do", "#to-do-counts", "#to-do-decisions", "#to-do-figures"):
        assert_above_the_fold(page, selector)
    decisions = page.get_by_role("link", name=re.compile("^Record the decision"))
    expect(decisions).to_have_count(2)
    assert_above_the_fold(page, "#to-do-decisions + dl .govuk-summary-list__row:last-child")
    assert axe_violations(page) == []
    # Each item leads to where to act: here the phase's decision page.
    decisions.first.click()
    expect(page.locator("h1")).to_have_text(re.compile("^Decision on phase 2"))

"""In a real browser: an ended session sends the whole page to sign in, and a refused form's page.

htmx follows a redirect itself, so without care the sign-in form would be swapped into the
scenario's results; and Django's own page for a form refused for its CSRF token has inline
styles that the Content-Security-Policy blocks.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, axe_violations, sign_in
from tests.e2e.test_csp import ViolationWatch

pytestmark = pytest.mark.django_db(transaction=True)

PROGRAMME = "/programmes/norfolk-connect-2004"
SCENARIOS = f"{PROGRAMME}/scenarios/"


def test_after_the_session_ends_a_live_change_takes_the_whole_page_to_sign_in(page, demo):
    sign_in(page, "chief-executive")
    page.goto(SCENARIOS)
    page.get_by_label("Rounding step").fill("1,000")
    page.get_by_label("Rounding step").press("Tab")
    expect(page).to_have_url(re.compile(r"\?method=equal&step=1000$"))

    Session.objects.all().delete()  # the session ends while the page is open
    page.get_by_label("Apportionment method").select_option(label="Population")

    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.locator("#scenario-results")).to_have_count(0)
    assert page.get_by_label("Username").count() == 1  # the form once, not inside a fragment
    # Signing in comes back to the page as it was before the change that found the session over.
    page.get_by_label("Username").fill("chief-executive")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(rf"{re.escape(SCENARIOS)}\?method=equal&step=1000$"))
    expect(page.get_by_label("Rounding step")).to_have_value("1000")


def test_a_form_refused_for_its_token_gets_a_styled_page_within_the_policy(page, demo):
    watch = ViolationWatch(page)
    sign_in(page, "facilitator")
    page.goto(f"{PROGRAMME}/settings/")
    # As if the form had been open in an old tab: its token no longer matches.
    page.evaluate(
        "document.querySelectorAll('input[name=csrfmiddlewaretoken]')"
        ".forEach((input) => { input.value = 'x'.repeat(64); })"
    )
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save settings").click()
    assert navigation.value.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sorry, there is a problem with the form you sent"
    )
    # The site's stylesheet applies: GOV.UK's header, not the browser's default black on white.
    assert page.evaluate(
        "getComputedStyle(document.querySelector('.govuk-generic-header')).backgroundColor"
    ) not in ("", "rgba(0, 0, 0, 0)")
    assert page.evaluate("typeof window.htmx") == "object"  # the scripts ran, with the nonce
    assert watch.found() == []
    assert axe_violations(page) == []

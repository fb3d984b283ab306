"""The Content-Security-Policy in a real browser: no page breaks it, and htmx still works under it.

The browser reports what the policy refuses (an inline style, an eval, a script without the
nonce) on its console, "Refused to ..." and "... violates the following Content Security Policy
directive ...", and fires a securitypolicyviolation event; both are collected on every page.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.e2e.pages import pages_to_scan

pytestmark = pytest.mark.django_db(transaction=True)

PROGRAMME = "/programmes/norfolk-connect-2004"
SCENARIOS = f"{PROGRAMME}/scenarios/"
# Injected through the DevTools protocol before any page script, so the policy does not apply.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
});
"""


class ViolationWatch:
    """Collect what the browser says the policy refused, from the console and from the page."""

    def __init__(self, page) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console.append(f"page error: {error}"))

    def _console(self, message) -> None:
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            self.console.append(text)

    def found(self) -> list[str]:
        """Return the violations reported so far, including those of the page now open."""
        on_page = self.page.evaluate("window.__violations || []")
        return self.console + on_page


@pytest.fixture
def watch(page) -> ViolationWatch:
    return ViolationWatch(page)


def test_the_watch_sees_a_violation_when_there_is_one(page, demo, watch):
    """Guard against a watch that silently sees nothing: an inline style and an inline script."""
    sign_in(page, "facilitator")
    page.goto(f"{PROGRAMME}/")
    assert watch.found() == []
    page.evaluate(
        """() => {
          const main = document.querySelector("main");
          main.insertAdjacentHTML("beforeend", '<p style="color: red">x</p>');
          const script = document.createElement("script");
          script.textContent = "window.inlineRan = true";
          document.body.append(script);
        }"""
    )
    page.wait_for_timeout(200)  # violation events are queued as tasks
    assert page.evaluate("window.inlineRan") is None  # refused, not run
    found = " ".join(watch.found())
    assert "style-src" in found
    assert "script-src" in found


def test_no_page_violates_the_policy_for_a_facilitator(page, demo, watch):
    urls = pages_to_scan().values()
    sign_in(page, "facilitator")
    found, visited = {}, 0
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, url
        visited += 1
        header = response.header_value("content-security-policy") or ""
        assert "'nonce-" in header and "unsafe-inline" not in header, (url, header)
        page.wait_for_load_state("load")
        if watch.found():
            found[url] = watch.found()
            watch.console.clear()
    assert visited >= 20
    assert found == {}


def test_sign_in_and_its_error_page_do_not_violate_the_policy(page, demo, watch):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("facilitator")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("There is a problem").first).to_be_visible()
    assert watch.found() == []


def test_the_scenario_planner_updates_live_under_the_policy(page, demo, watch):
    sign_in(page, "facilitator")
    page.goto(SCENARIOS)
    # htmx read its configuration from the meta tag: no eval, no injected styles.
    assert page.evaluate(
        "[htmx.config.allowEval, htmx.config.includeIndicatorStyles, htmx.config.allowScriptTags]"
    ) == [False, False, False]
    page.evaluate("window.scenarioMark = 'still here'")  # a page load would wipe it
    norwich = page.locator("#scenario-partners tbody tr", has_text="Norwich City Council")
    expect(norwich.locator("td").nth(4)).to_have_text("£30,000")

    page.get_by_label("Rounding step").fill("1,000")
    page.get_by_label("Rounding step").press("Tab")

    expect(norwich.locator("td").nth(4)).to_have_text("£22,000")
    expect(page).to_have_url(re.compile(r"\?method=equal&step=1000$"))
    assert page.evaluate("window.scenarioMark") == "still here"
    assert watch.found() == []


def test_adding_a_phase_row_works_with_htmx_under_the_policy(page, demo, watch):
    sign_in(page, "facilitator")
    page.goto(f"{PROGRAMME}/projects/new/")
    page.evaluate("window.formMark = 'still here'")
    page.get_by_role("button", name="Add another phase").click()

    expect(page.locator("#id_phases-1-name")).to_be_visible()
    expect(page.locator("#id_phases-1-number")).to_be_focused()  # formset.mjs ran, with its nonce
    assert page.evaluate("window.formMark") == "still here"  # htmx swapped; no page load
    # GOV.UK Frontend's module (imported by app.mjs) started the components.
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    assert watch.found() == []

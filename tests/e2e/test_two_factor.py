"""In a real browser: a facilitator sets up two-factor sign-in from the QR page, then signs in with
a code computed as their app would; every page of it passes axe at 1366 and 320 pixels, reflows,
and keeps to the Content-Security-Policy (the QR code is an SVG data: URI)."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, axe_violations, reflow_problems, sign_in
from tests.e2e.test_csp import ViolationWatch

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 320, "height": 640}


def checked_at_both_widths(page) -> list[str]:
    """The axe violations at 1366 and 320 pixels, and what stops the page reflowing at 320."""
    page.set_viewport_size(DESKTOP)
    problems = [f"at 1366: {violation}" for violation in axe_violations(page)]
    page.set_viewport_size(PHONE)
    problems += [f"at 320: {problem}" for problem in reflow_problems(page)]
    problems += [f"at 320: {violation}" for violation in axe_violations(page)]
    page.set_viewport_size(DESKTOP)
    return problems


def code(secret: str, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time(), counter_offset=steps)


def test_set_up_with_the_qr_page_then_sign_in_with_a_code(page, demo, settings):
    settings.TWO_FACTOR_REQUIRED = True
    watch = ViolationWatch(page)
    found: dict[str, list[str]] = {}

    page.goto("/accounts/login/")
    expect(page.locator(".govuk-inset-text")).to_have_count(0)  # no demo note where required
    sign_in(page, "facilitator")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/set-up/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    qr = page.get_by_role("img", name=re.compile("QR code"))
    expect(qr).to_be_visible()
    assert qr.evaluate("(image) => image.complete && image.naturalWidth > 0")
    found["set-up"] = checked_at_both_widths(page)
    key = page.locator("#setup-key").inner_text()
    secret = "".join(key.replace("Key:", "").split())
    assert len(secret) == 32

    page.get_by_label("Code").fill("123")  # the error state too
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a code of 6 digits")
    found["set-up, error"] = checked_at_both_widths(page)

    page.get_by_label("Code").fill(code(secret))
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    assert page.locator("#recovery-codes li").count() == 10
    found["recovery codes"] = checked_at_both_widths(page)
    page.get_by_role("link", name=re.compile("I have kept my recovery codes")).click()
    page.wait_for_load_state()

    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.locator("#two-factor + p")).to_contain_text("On")
    found["account"] = checked_at_both_widths(page)
    with page.expect_navigation():  # axe reads the new page, not the one being left
        page.get_by_role("link", name="Make new recovery codes").click()
    found["new recovery codes"] = checked_at_both_widths(page)
    page.goto("/accounts/two-factor/turn-off/")
    found["move to a new app"] = checked_at_both_widths(page)

    page.get_by_role("button", name="Sign out").click()
    page.goto("/accounts/login/?next=/programmes/norfolk-connect-2004/")
    page.get_by_label("Username").fill("facilitator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    found["code"] = checked_at_both_widths(page)
    page.get_by_label("Code").fill("000000" if code(secret, 1) != "000000" else "111111")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("That code is wrong")
    found["code, error"] = checked_at_both_widths(page)
    # The next step's code: the set-up's own was used, and is never accepted twice.
    page.get_by_label("Code").fill(code(secret, 1))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/programmes/norfolk-connect-2004/$"))
    assert found == {name: [] for name in found}
    assert watch.found() == []


def test_the_demo_sign_in_page_says_two_factor_is_optional(page, demo):
    page.goto("/accounts/login/")
    expect(page.locator(".govuk-inset-text")).to_contain_text(
        "Two-factor sign-in is optional here: accounts sign in with their password alone"
    )
    assert checked_at_both_widths(page) == []

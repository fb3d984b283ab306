"""A facilitator invites a chief executive, who accepts in a browser of their own."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from norfolk_connect.people.models import AccessChange, Change
from projects.models import Membership, Role
from tests.e2e.conftest import axe_violations, reflow_problems, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PROGRAMME = "/programmes/norfolk-connect-2004"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 320, "height": 640}


def accessible_at_both_widths(page) -> list[str]:
    """axe at 1366 and 320 pixels, and the page's reflow at 320."""
    page.set_viewport_size(DESKTOP)
    problems = [f"at 1366: {violation}" for violation in axe_violations(page)]
    page.set_viewport_size(PHONE)
    problems += [f"at 320: {problem}" for problem in reflow_problems(page)]
    problems += [f"at 320: {violation}" for violation in axe_violations(page)]
    page.set_viewport_size(DESKTOP)
    return problems


def test_a_chief_executive_is_invited_accepts_and_lands_on_the_dashboard(
    page, browser, live_server, demo
):
    sign_in(page, "facilitator")
    page.goto(f"{PROGRAMME}/")
    page.get_by_role("link", name=re.compile("^People")).click()
    expect(page.get_by_role("heading", name="People", exact=True)).to_be_visible()
    assert accessible_at_both_widths(page) == []

    page.get_by_role("link", name="Invite a person").click()
    assert accessible_at_both_widths(page) == []
    # A partner officer needs their council.
    page.get_by_label("Partner officer").check()
    page.get_by_role("button", name="Send the invitation").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the person's full name")
    expect(summary).to_contain_text("Select the partner officer's council")
    assert accessible_at_both_widths(page) == []

    page.get_by_label("Full name").fill("Chris Executive")
    page.get_by_label("Email address").fill("chris.executive@broadland.example")
    page.get_by_label("Chief executive").check()
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "An invitation is sent to Chris Executive"
    )
    expect(page.locator("#invitations + table")).to_contain_text(
        "chris.executive@broadland.example"
    )

    [message] = mail.outbox
    link = re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)
    assert link.startswith(live_server.url)

    # The chief executive, in a browser of their own.
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    theirs = context.new_page()
    theirs.set_default_timeout(10_000)
    try:
        theirs.goto(link)
        expect(theirs.get_by_role("heading", name="Accept your invitation")).to_be_visible()
        expect(theirs.locator("main")).to_contain_text("Chief executive")
        assert accessible_at_both_widths(theirs) == []
        expect(theirs.get_by_label("Username")).to_have_value("chris.executive@broadland.example")
        theirs.get_by_label("Password", exact=True).fill("a long pass phrase")
        theirs.get_by_label("Confirm password").fill("another pass phrase")
        theirs.get_by_role("button", name="Accept and sign in").click()
        expect(theirs.locator(".govuk-error-summary")).to_contain_text("Passwords do not match")
        assert accessible_at_both_widths(theirs) == []
        theirs.get_by_label("Password", exact=True).fill("a long pass phrase")
        theirs.get_by_label("Confirm password").fill("a long pass phrase")
        theirs.get_by_role("button", name="Accept and sign in").click()
        theirs.wait_for_url(re.compile(r"/programmes/norfolk-connect-2004/dashboard/$"))
        expect(theirs.locator("body")).to_contain_text("Chief executive")

        # The link is used up.
        theirs.goto(link)
        expect(theirs.get_by_role("heading")).to_contain_text(
            "This invitation link has expired or has already been used"
        )
    finally:
        context.close()

    membership = Membership.objects.get(user__email="chris.executive@broadland.example")
    assert membership.role == Role.CHIEF_EXECUTIVE
    joined = AccessChange.objects.get(what=Change.JOINED)
    assert joined.subject == membership.user
    page.reload()
    expect(page.locator("#history + p + table")).to_contain_text("Joined")

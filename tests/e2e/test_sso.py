"""Single sign-on in the browser, through a real OpenID Connect provider on loopback
(tests/sso/provider.mjs): a member signs in, a stranger is refused, a provider that is down
gets its own page; each page has no axe violation at 1366 or 320 pixels and reflows at 320."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from norfolk_connect.sso.models import IdentityProvider
from tests.e2e.conftest import axe_violations, reflow_problems
from tests.projects.factories import MembershipFactory, PartnershipFactory, UserFactory
from tests.sso.provider import CLIENT_ID, CLIENT_SECRET, running_provider

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 320, "height": 640}
BUTTON = "Sign in with your Norfolk County Council account"
ACCOUNTS = {
    "member": {"email": "member@norfolk.gov.uk", "email_verified": True},
    "stranger": {"email": "stranger@norfolk.gov.uk", "email_verified": True},
}


@pytest.fixture
def oidc_provider(live_server):
    with running_provider([f"{live_server.url}/accounts/sso/callback/"], ACCOUNTS) as provider:
        yield provider


@pytest.fixture
def norfolk(transactional_db, oidc_provider):
    from django.core.cache import cache

    cache.clear()  # the live server shares this process's cache: no stale discovery
    partnership = PartnershipFactory(slug="norfolk-councils", name="Norfolk councils")
    IdentityProvider.objects.create(
        partnership=partnership,
        name="Norfolk County Council account",
        issuer=oidc_provider.issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    member = UserFactory(username="member", email="member@norfolk.gov.uk")
    MembershipFactory(user=member, partnership=partnership)
    return partnership


def accessible_at_both_widths(page) -> list[str]:
    page.set_viewport_size(DESKTOP)
    problems = [f"at 1366: {violation}" for violation in axe_violations(page)]
    page.set_viewport_size(PHONE)
    problems += [f"at 320: {problem}" for problem in reflow_problems(page)]
    problems += [f"at 320: {violation}" for violation in axe_violations(page)]
    page.set_viewport_size(DESKTOP)
    return problems


def sign_in_at_provider(page, login: str) -> None:
    """The provider's own pages: its login form, then its consent page."""
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def test_a_member_signs_in_with_their_council_account(page, norfolk, oidc_provider):
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Sign in with your council's account")).to_be_visible()
    assert accessible_at_both_widths(page) == []
    page.get_by_role("link", name=BUTTON).click()
    expect(page).to_have_url(re.compile(re.escape(f"{oidc_provider.issuer}/interaction/")))
    sign_in_at_provider(page, "member")
    expect(page.get_by_text("Signed in as member")).to_be_visible()


def test_someone_unknown_to_the_service_is_refused(page, norfolk):
    page.goto("/accounts/login/")
    page.get_by_role("link", name=BUTTON).click()
    with page.expect_response("**/accounts/sso/callback/**") as answer:
        sign_in_at_provider(page, "stranger")
    assert answer.value.status == 403
    expect(
        page.get_by_role("heading", name="You cannot sign in to this service with that account")
    ).to_be_visible()
    expect(
        page.get_by_text("ask the facilitator of Norfolk councils for an invitation")
    ).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    assert accessible_at_both_widths(page) == []


def test_a_provider_that_is_down_gets_a_clear_page(page, norfolk, oidc_provider):
    page.goto("/accounts/login/")
    oidc_provider.stop()
    with page.expect_response("**/accounts/sso/norfolk-councils/") as answer:
        page.get_by_role("link", name=BUTTON).click()
    assert answer.value.status == 503
    expect(
        page.get_by_role("heading", name="Your council's sign-in service is not answering")
    ).to_be_visible()
    assert accessible_at_both_widths(page) == []
    page.get_by_role("link", name="sign in with them").click()
    expect(page.get_by_label("Username")).to_be_visible()


def test_a_sign_in_that_cannot_be_finished_has_an_accessible_page(page, norfolk):
    response = page.goto("/accounts/sso/callback/?state=forged&code=forged")
    assert response.status == 400
    expect(page.get_by_role("heading", name="Your sign-in could not be finished")).to_be_visible()
    assert accessible_at_both_widths(page) == []

"""The API access tokens' pages and the API's page for developers, in a browser: axe finds no
violation at 1366 or 320 pixels, the pages reflow, and a token is made, shown once, revoked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.e2e.conftest import axe_violations, reflow_problems, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 320, "height": 640}


def problems_here(page) -> list[str]:
    page.set_viewport_size(DESKTOP)
    found = [f"at 1366: {violation}" for violation in axe_violations(page)]
    page.set_viewport_size(PHONE)
    found += [f"at 320: {problem}" for problem in reflow_problems(page)]
    found += [f"at 320: {violation}" for violation in axe_violations(page)]
    page.set_viewport_size(DESKTOP)
    return found


def test_make_see_once_and_revoke_a_token(page, demo):
    sign_in(page, "facilitator")
    found = {}
    page.goto(reverse("account"))
    page.get_by_role("link", name="API access tokens").click()
    found["list (empty)"] = problems_here(page)
    page.get_by_role("link", name="Make a token").click()
    found["form"] = problems_here(page)
    page.get_by_role("button", name="Make the token").click()
    assert page.get_by_text("Enter a name for the token").first.is_visible()
    found["form with errors"] = problems_here(page)
    page.get_by_label("Name").fill("Finance system")
    page.get_by_label("What it may do").select_option("read_write")
    page.get_by_role("button", name="Make the token").click()
    token = page.locator("#token").input_value()
    assert token.startswith("ncp_")
    found["shown once"] = problems_here(page)
    page.get_by_role("link", name="I have copied it").click()
    assert token not in page.content()
    found["list"] = problems_here(page)
    page.get_by_role("link", name="Revoke Finance system").click()
    found["revoke"] = problems_here(page)
    page.get_by_role("button", name="Revoke the token").click()
    assert page.get_by_text("Revoked", exact=True).first.is_visible()
    page.goto(reverse("api_docs"))
    found["developers"] = problems_here(page)
    assert {where: problems for where, problems in found.items() if problems} == {}

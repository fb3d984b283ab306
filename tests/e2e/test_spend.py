"""The spend and forecasts pages: no axe violation at 1366 or 320 pixels, reflowing at 320."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import axe_violations, reflow_problems, sign_in
from tests.e2e.pages import pages_to_scan

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 320, "height": 640}
NAMES = {
    "projects:project_spend",
    "projects:spend_create",
    "projects:spend_delete",
    "projects:forecasts_update",
}


def problems_of(page, url: str) -> list[str]:
    page.set_viewport_size(DESKTOP)
    assert page.goto(url).status == 200, url
    problems = [f"at 1366: {violation}" for violation in axe_violations(page)]
    page.set_viewport_size(PHONE)
    problems += [f"at 320: {problem}" for problem in reflow_problems(page)]
    problems += [f"at 320: {violation}" for violation in axe_violations(page)]
    return problems


def test_the_spend_pages_have_no_axe_violation_and_reflow(page, demo):
    urls = {name: url for name, url in pages_to_scan().items() if name in NAMES}
    assert set(urls) == NAMES
    sign_in(page, "facilitator")
    found = {url: problems_of(page, url) for url in urls.values()}
    assert {url: problems for url, problems in found.items() if problems} == {}


def test_a_refused_spend_line_has_no_axe_violation(page, demo):
    url = pages_to_scan()["projects:spend_create"]
    sign_in(page, "facilitator")
    page.goto(url)
    page.get_by_label("Amount").fill("0")
    page.get_by_role("button", name="Record it").click()
    page.get_by_text("There is a problem").wait_for()
    assert axe_violations(page) == []
    page.set_viewport_size(PHONE)
    assert reflow_problems(page) == []

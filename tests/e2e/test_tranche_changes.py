"""A change that moves the partners' tranches is shown, then saved only once confirmed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from projects.models import Project
from tests.e2e.conftest import axe_violations, reflow_problems, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PROGRAMME = "/programmes/norfolk-connect-2004"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 320, "height": 640}
SENTENCE = "This raises every council's immediate tranche from £10,000 to £20,000, £80,000 in all."


def ask_to_add_an_8000_project(page) -> None:
    page.goto(f"{PROGRAMME}/projects/new/")
    page.locator("#id_name").fill("Joint call centre")
    page.locator("#id_phases-0-number").fill("1")
    page.locator("#id_phases-0-name").fill("Set up")
    page.locator("#id_phases-0-extra_cost").fill("£8,000")
    page.get_by_role("button", name="Save project").last.click()
    expect(page.locator("#tranche-change")).to_contain_text(SENTENCE)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "320"])
def test_adding_a_project_says_how_the_tranches_move_then_saves_when_confirmed(
    page, demo, viewport
):
    page.set_viewport_size(viewport)
    sign_in(page, "facilitator")
    ask_to_add_an_8000_project(page)
    assert not Project.objects.filter(slug="joint-call-centre").exists()
    # The entries are kept for the facilitator to check.
    expect(page.locator("#id_phases-0-extra_cost")).to_have_value("£8,000")
    assert axe_violations(page) == []
    assert reflow_problems(page) == []

    page.get_by_role("button", name="Save and change the tranches").click()
    page.wait_for_url(re.compile(r"/projects/joint-call-centre/$"))
    message = page.locator(".govuk-notification-banner").inner_text()
    assert "This raised every council's immediate tranche from £10,000 to £20,000" in message
    assert Project.objects.filter(slug="joint-call-centre").exists()


def test_cancelling_after_the_warning_saves_nothing(page, demo):
    sign_in(page, "facilitator")
    ask_to_add_an_8000_project(page)
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url(re.compile(r"/projects/$"))
    assert not Project.objects.filter(slug="joint-call-centre").exists()

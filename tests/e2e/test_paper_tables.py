"""The autumn review paper's tables in the browser: tables at 1366 pixels, cards at 320."""

from __future__ import annotations

import json
import os

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from projects.models import Meeting
from projects.money.vocabulary import PaperTemplate
from projects.programme_file import parse_programme
from projects.services.loading import programme_load
from reports.services import paper_create
from tests.after_the_meeting import after_the_meeting
from tests.e2e.conftest import axe_violations, reflow_problems, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 320, "height": 640}
SLUG = "norfolk-connect-2004"
# Where to leave screenshots to look at, when asked: PAPER_TABLES_SHOTS=/some/folder.
SHOTS = os.environ.get("PAPER_TABLES_SHOTS", "")


@pytest.fixture
def autumn_url(demo) -> str:
    """The page of an autumn review paper for the October meeting, after the agreement."""
    programme = programme_load(document=parse_programme(json.dumps(after_the_meeting())))
    paper = paper_create(
        programme=programme,
        template=PaperTemplate.AUTUMN_REVIEW,
        meeting=Meeting.objects.get(programme=programme, slug="chief-executives-2004-10"),
        user=get_user_model().objects.get(username="facilitator"),
    )
    return reverse("report:paper_report", args=[SLUG, paper.slug])


def shot(page, name: str) -> None:
    """Leave the page, and its tables after the sections one by one, to look at."""
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)
        for index, section in enumerate(page.locator(".app-report__tables").all()):
            section.screenshot(path=os.path.join(SHOTS, f"{name}-table-{index + 1}.png"))


def test_the_councils_contributions_read_as_a_table_at_1366_and_as_cards_at_320(page, autumn_url):
    sign_in(page, "chief-executive")
    page.set_viewport_size(DESKTOP)
    page.goto(autumn_url)
    table = page.locator("#council-contributions")
    expect(table.locator("tfoot")).to_contain_text("£85,000 within the agreed caps")
    assert table.evaluate("t => getComputedStyle(t).display") == "table"
    amount = table.locator('tbody td[data-label="Paid"]').first
    assert amount.evaluate("c => getComputedStyle(c).textAlign") == "right"
    assert axe_violations(page) == []
    shot(page, "autumn-review-1366")

    page.set_viewport_size(PHONE)
    for table_id in ("#business-cases", "#council-contributions"):
        assert page.locator(table_id).evaluate("t => getComputedStyle(t).display") == "block"
    card = table.locator("tbody tr").first
    words = card.locator('td[data-label="Against its agreed cap"]')
    expect(words).to_have_text("£10,625 within its agreed cap")
    # Each amount sits beside its column's header, below the council's name.
    needed = card.locator('td[data-label="Cap needed now"]')
    assert needed.evaluate("c => getComputedStyle(c, '::before').content") == '"Cap needed now"'
    assert card.locator("th").evaluate("h => h.getBoundingClientRect().top") < needed.evaluate(
        "c => c.getBoundingClientRect().top"
    )
    assert reflow_problems(page) == []
    assert axe_violations(page) == []
    shot(page, "autumn-review-320")


def test_a_progress_reports_money_reflows_at_320(page, demo):
    programme = programme_load(document=parse_programme(json.dumps(after_the_meeting())))
    paper = paper_create(
        programme=programme,
        template=PaperTemplate.PROGRESS,
        meeting=None,
        user=get_user_model().objects.get(username="facilitator"),
    )
    sign_in(page, "chief-executive")
    page.set_viewport_size(PHONE)
    page.goto(reverse("report:paper_report", args=[SLUG, paper.slug]))
    expect(page.locator("#pot")).to_contain_text("Held in the pot")
    assert page.locator("#council-money").evaluate("t => getComputedStyle(t).display") == "block"
    assert reflow_problems(page) == []
    assert axe_violations(page) == []
    shot(page, "progress-320")

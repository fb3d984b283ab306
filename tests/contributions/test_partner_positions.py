"""The partners page and the dashboard show each partner's position as one and the same table."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from contributions.selectors import PositionRow
from projects.models import Programme
from tests.contributions.factories import ContributionFactory

pytestmark = pytest.mark.django_db

DEMO = "norfolk-connect-2004"
PARTIAL = "contributions/partials/_partner_positions.html"
PAGES = (
    ("page", "positions", reverse("contributions:partner_list", args=[DEMO])),
    ("dashboard", "partners", reverse("reports:dashboard", args=[DEMO])),
)


@pytest.fixture
def demo(monkeypatch) -> Programme:
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.get(slug=DEMO)


def positions_table(html: str) -> str:
    match = re.search(r'<table[^>]* id="partner-positions"[^>]*>.*?</table>', html, re.S)
    assert match, "no partner positions table"
    return match.group(0)


@pytest.mark.parametrize("username", ["facilitator", "partner-officer"])
def test_both_pages_show_the_same_rows_in_the_same_table(client, demo, username):
    partner = demo.partnership.partners.get(slug="norwich")
    ContributionFactory(programme=demo, partner=partner, status="received")
    client.force_login(get_user_model().objects.get(username=username))
    tables, rows = [], []
    for context_name, attribute, url in PAGES:
        response = client.get(url)
        assert response.status_code == 200
        assert PARTIAL in [template.name for template in response.templates]
        tables.append(positions_table(response.content.decode()))
        rows.append(getattr(response.context[context_name], attribute))
    assert tables[0] == tables[1]
    assert rows[0] == rows[1]
    assert all(isinstance(row, PositionRow) for row in rows[0])
    text = " ".join(re.sub(r"<[^>]+>", " ", tables[0]).split())
    assert "Norwich City Council £9,375 £21,875 £10,000 £30,000 £10,000 £10,000 £0" in text
    assert "Total £75,000 £175,000 £80,000 £240,000 £10,000 £10,000 £0" in text
    assert text.count("Your council") == (username == "partner-officer")

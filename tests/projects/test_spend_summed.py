"""The pages read the spend summed by phase and financial year: the same money as every line."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import Phase, Role, Spend
from projects.money.figures import compute_figures, figures_as_json
from projects.money.pot import document_pot
from projects.money.progress_tables import spend_against_budget
from projects.programme_file import parse_programme
from projects.selectors import programme_document
from projects.services.loading import programme_load
from tests.after_the_meeting import after_the_meeting
from tests.projects.factories import MembershipFactory
from tests.reports.test_dashboard import element

pytestmark = pytest.mark.django_db

DECEMBER = date(2004, 12, 1)


def test_summed_spend_gives_the_same_figures_pot_and_sums_as_every_line():
    programme = programme_load(document=parse_programme(json.dumps(after_the_meeting())))
    phase = Phase.objects.get(project__slug="further-info-points", number=1)
    # Lines on many days of both years, and one before the programme's years.
    Spend.objects.bulk_create(
        Spend(
            phase=phase,
            date=date(2004, 4, 1) + timedelta(days=index * 7),
            amount=Decimal("10.01") + Decimal(index) / 100,
            reference=f"PO {index}",
        )
        for index in range(100)
    )
    Spend.objects.create(phase=phase, date=date(2003, 12, 1), amount=Decimal("0.99"))
    lines = programme_document(programme=programme)
    summed = programme_document(programme=programme, spend_summed=True)
    assert len(summed.spend) == 3 < len(lines.spend) == 102
    assert figures_as_json(compute_figures(summed, DECEMBER)) == figures_as_json(
        compute_figures(lines, DECEMBER)
    )
    partners = [partner.slug for partner in lines.partners if partner.contributes]
    assert document_pot(summed, partners=partners) == document_pot(lines, partners=partners)
    assert spend_against_budget(summed) == spend_against_budget(lines)
    # Everything but the spend is as read line by line.
    assert replace(summed, spend=lines.spend) == lines


def test_the_project_page_shows_its_spend_against_budget(client):
    programme = programme_load(document=parse_programme(json.dumps(after_the_meeting())))
    membership = MembershipFactory(partnership=programme.partnership, role=Role.CHIEF_EXECUTIVE)
    client.force_login(membership.user)
    url = reverse("projects:project_detail", args=[programme.slug, "further-info-points"])
    section = " ".join(element(client.get(url).content.decode(), "project-spend").split())
    # £1,200 spent and £800 forecast of the phase's £20,000.
    assert "Budget £20,000" in section
    assert "Spent to date £1,200" in section
    assert "Forecast outturn £2,000 (£800 forecast of the rest)" in section
    assert "Variance £18,000 under budget" in section

"""A project's spend and forecasts page: each phase's money, the project's totals, the lines."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from projects.models import Forecast, Role, Spend
from projects.money.vocabulary import Decision
from tests.projects.factories import MembershipFactory, PhaseFactory, ProjectFactory

pytestmark = pytest.mark.django_db

PAGE_QUERIES = 8  # the same with one spend line as with forty


@pytest.fixture
def project():
    project = ProjectFactory(name="Authentication / Gateway")
    one = PhaseFactory(project=project, number=1, name="Build", extra_cost=D("10000.00"))
    PhaseFactory(project=project, number=2, name="Roll out", extra_cost=None)
    Spend.objects.create(
        phase=one, date=date(2004, 5, 1), amount=D("6000.10"), supplier="Acme", reference="PO-1"
    )
    Spend.objects.create(phase=one, date=date(2005, 3, 31), amount=D("200.00"))
    Forecast.objects.create(phase=one, financial_year="2005/06", amount=D("5000.00"))
    return project


def url(project) -> str:
    return reverse("projects:project_spend", args=[project.programme.slug, project.slug])


def sign_in(client, project, role=Role.FACILITATOR):
    membership = MembershipFactory(partnership=project.programme.partnership, role=role)
    client.force_login(membership.user)


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_each_phase_shows_budget_spent_forecast_outturn_and_variance(client, project):
    sign_in(client, project, Role.CHIEF_EXECUTIVE)
    page = text(client.get(url(project)))
    assert "1. Build £10,000 £6,200.10 £5,000 £11,200.10 £1,200.10 over budget" in page, page
    assert "2. Roll out TBC (budget to be confirmed) £0 £0 £0 Budget to be confirmed" in page
    # The totals add up to the penny; the budget is unknown while a phase's is.
    assert (
        "Project total TBC (a phase's budget is to be confirmed) £6,200.10 £5,000 £11,200.10"
        in page
    )


def test_the_spend_lines_are_listed_with_their_financial_year(client, project):
    sign_in(client, project)
    page = text(client.get(url(project)))
    assert "1 May 2004 2004/05 1. Build Acme PO-1 £6,000.10" in page
    assert "31 March 2005 2004/05 1. Build None given None given £200" in page


def test_the_project_page_links_to_it(client, project):
    sign_in(client, project, Role.CHIEF_EXECUTIVE)
    response = client.get(
        reverse("projects:project_detail", args=[project.programme.slug, project.slug])
    )
    assert url(project) in response.content.decode()


def test_a_phase_that_waits_or_stops_says_so(client, project):
    project.phases.filter(number=2).update(gated=True)
    PhaseFactory(project=project, number=3, decision=Decision.NOT_PROCEEDING)
    sign_in(client, project, Role.CHIEF_EXECUTIVE)
    page = text(client.get(url(project)))
    assert "2. Roll out Awaits its business case" in page
    assert "3. Delivery Does not proceed" in page


@pytest.mark.parametrize("lines", [1, 40])
def test_the_page_takes_the_same_queries_however_many_lines(
    client, project, lines, django_assert_num_queries
):
    phase = project.phases.get(number=1)
    Spend.objects.filter(phase__project=project).delete()
    Spend.objects.bulk_create(
        Spend(phase=phase, date=date(2004, 6, 1), amount=D("1.00"), reference=f"R{n}")
        for n in range(lines)
    )
    sign_in(client, project)
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(url(project))
    assert response.status_code == 200

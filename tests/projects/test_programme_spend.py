"""The programme's spend page: the pot by financial year, and each project against its budget."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal as D
from html import unescape

import pytest
from django.urls import reverse

from benchmarks.builders import add_spend, large_document
from projects.models import Forecast, Partner, Phase, Programme, Role, Spend
from projects.programme_file import parse_programme
from projects.selectors import programme_figures
from projects.selectors.pot import programme_pot, programme_spend
from projects.services.loading import programme_load
from tests.after_the_meeting import after_the_meeting
from tests.projects.factories import MembershipFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

PAGE_QUERIES = 9  # the same at 10 projects as at 200, with spend, forecasts and payments


@pytest.fixture
def programme() -> Programme:
    return programme_load(document=parse_programme(json.dumps(after_the_meeting())))


def url(programme) -> str:
    return reverse("projects:programme_spend", args=[programme.slug])


def sign_in(client, programme, role=Role.FACILITATOR):
    partner = None
    if role == Role.PARTNER_OFFICER:
        partner = Partner.objects.filter(partnership=programme.partnership).first()
    membership = MembershipFactory(partnership=programme.partnership, role=role, partner=partner)
    client.force_login(membership.user)


def text(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_the_pot_by_year_adds_up_to_the_figures_pot_balance(client, programme):
    figures = programme_figures(programme=programme, as_of=date(2005, 1, 1))
    pot = programme_pot(programme=programme)
    assert pot.balance == figures.pot_balance
    assert (pot.paid, pot.refunded, pot.spent) == (figures.paid, figures.refunded, figures.spent)
    assert pot.years[-1].carried_forward == pot.balance
    sign_in(client, programme, Role.CHIEF_EXECUTIVE)
    page = text(client.get(url(programme)))
    # Paid £65,833.84 (the credit of 1p to Norfolk County stays in); £1,250 refunded to North
    # Norfolk; £1,200 spent on 30 September 2004: all in 2004/05.
    assert "2004/05 £0 £65,833.83 £1,250 £1,200 £63,383.83" in page, page
    assert "2005/06 £63,383.83 £0 £0 £0 £63,383.83" in page
    assert "All years £0 £65,833.83 £1,250 £1,200 £63,383.83" in page
    assert "Held in the pot £63,383.83" in page


def test_each_project_shows_its_budget_spend_outturn_and_variance_and_links_to_its_page(
    client, programme
):
    sign_in(client, programme, Role.PARTNER_OFFICER)
    response = client.get(url(programme))
    page = text(response)
    assert (
        "Further Info Points : spend and forecasts £20,000 £1,200 £800 £2,000 £18,000 under budget"
        in page
    )
    assert "e-Forms : spend and forecasts £0 £0 £0 £0 No extra cost" in page
    assert (
        "Programme total £175,000 for the phases with a budget £1,200 £800 £2,000 "
        "£173,000 under budget on the phases with a budget; 1 phase's budget is to be confirmed"
        in page
    )
    spend_url = reverse("projects:project_spend", args=[programme.slug, "further-info-points"])
    assert f'href="{spend_url}"' in response.content.decode()


def test_an_over_budget_project_is_flagged_in_words(client, programme):
    phase = Phase.objects.get(
        project__programme=programme, project__slug="further-info-points", number=1
    )
    Forecast.objects.filter(phase=phase).update(amount=phase.extra_cost)
    sign_in(client, programme, Role.CHIEF_EXECUTIVE)
    page = text(client.get(url(programme)))
    # £1,200 spent and the whole £20,000 budget still forecast.
    assert (
        "£20,000 £1,200 £20,000 £21,200 Over budget £1,200 over budget 1 phase over budget" in page
    )
    assert "1 phase is forecast to go over budget." in page


def test_the_programme_total_is_the_sum_of_the_projects(programme):
    page = programme_spend(programme=programme)
    assert page.summary.totals.spent == sum((row.money.spent for row in page.projects), D(0))
    assert page.summary.totals.forecast == D("800.00")
    assert page.summary.totals.spent == D("1200.00")


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.CHIEF_EXECUTIVE, Role.PARTNER_OFFICER])
def test_every_member_reads_it_and_the_navigation_leads_there(client, programme, role):
    sign_in(client, programme, role)
    response = client.get(url(programme))
    assert response.status_code == 200
    assert any(
        item["label"] == "Delivery" and item["current"]
        for item in response.context["programme_navigation"]
    )


def test_another_partnership_is_not_found_and_strangers_sign_in(client, programme):
    other = ProgrammeFactory()
    membership = MembershipFactory(partnership=other.partnership, role=Role.FACILITATOR)
    client.force_login(membership.user)
    assert client.get(url(programme)).status_code == 404
    client.logout()
    assert client.get(url(programme)).status_code == 302


def _sized(projects: int) -> Programme:
    programme = programme_load(
        document=large_document(projects=projects, partners=8, slug=f"spend-{projects}")
    )
    add_spend(programme, lines=projects * 5)
    return programme


def test_the_page_takes_the_same_queries_at_10_and_200_projects(client, django_assert_num_queries):
    small, large = _sized(10), _sized(200)
    assert Spend.objects.filter(phase__project__programme=large).count() == 1000
    membership = MembershipFactory(partnership=small.partnership, role=Role.CHIEF_EXECUTIVE)
    MembershipFactory(
        user=membership.user, partnership=large.partnership, role=Role.CHIEF_EXECUTIVE
    )
    client.force_login(membership.user)
    for programme in (small, large):
        with django_assert_num_queries(PAGE_QUERIES):
            response = client.get(url(programme))
        assert response.status_code == 200
        page = response.context["page"]
        assert len(page.projects) == programme.projects.count()
        assert page.summary.over_budget_phases == len(range(0, programme.projects.count(), 3))

"""What needs doing: the programme home's first section for facilitators and administrators."""

from __future__ import annotations

import re
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks.builders import large_document
from projects.models import Contribution, Partner, Phase, Programme, Role
from projects.money.vocabulary import ContributionStatus, Decision, Tranche
from projects.selectors import programme_figures
from projects.selectors.to_do import TO_DO_SHOWN, programme_to_do
from projects.services import programme_load
from tests.projects.factories import MembershipFactory

pytestmark = pytest.mark.django_db

SLUG = "norfolk-connect-2004"
HOME = reverse("projects:programme_home", args=[SLUG])
MAX_QUERIES = 11


@pytest.fixture
def demo(monkeypatch) -> Programme:
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.select_related("partnership").get(slug=SLUG)


def as_user(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def section(html: str) -> str:
    """Return the markup of the "What needs doing" section."""
    match = re.search(r'<section aria-labelledby="to-do".*?</section>', html, re.S)
    assert match, "no What needs doing section"
    return match.group(0)


def settle(programme: Programme) -> None:
    """Leave nothing to do: decide every business case, cost every phase, match the stated
    totals, and have every partner pledge and pay its immediate tranche."""
    Phase.objects.filter(project__programme=programme, gated=True).update(
        decision=Decision.APPROVED
    )
    Phase.objects.filter(project__programme=programme, extra_cost__isnull=True).update(
        extra_cost=Decimal("5000.00")
    )
    Programme.objects.filter(pk=programme.pk).update(
        stated_existing_total=None, stated_extra_total=None
    )
    for position in programme_figures(programme=programme).per_partner:
        Contribution.objects.create(
            programme=programme,
            partner=Partner.objects.get(partnership=programme.partnership, slug=position.partner),
            financial_year="2004/05",
            tranche=Tranche.IMMEDIATE,
            amount=position.immediate,
            status=ContributionStatus.RECEIVED,
        )


@pytest.mark.parametrize("username", ["facilitator", "admin"])
def test_the_demo_lists_what_needs_doing_each_with_where_to_act(client, demo, username):
    html = as_user(client, username).get(HOME).content.decode()
    to_do = section(html)
    words = text_of(to_do)
    assert "2 decisions to record 2 figures to check 8 partners owing money" in words
    # Business cases awaiting a decision, each linked to its decision page.
    assert "2 business cases awaiting a decision" in words
    assert "Authentication / Gateway, phase 2 Connection: £100,000 Record the decision" in words
    assert "Benefits Form, phase 2 Links to e-forms: cost to be confirmed" in words
    for project in ("authentication-gateway", "benefits-form"):
        assert reverse("projects:phase_decision", args=[SLUG, project, 2]) in to_do
    # The paper's existing resource total, and the phase whose cost is to be confirmed.
    assert "Stated £165,000, but the lines add up to £175,000: £10,000 apart" in words
    assert reverse("projects:programme_settings", args=[SLUG]) in to_do
    assert reverse("projects:project_update", args=[SLUG, "benefits-form"]) in to_do
    # Every partner is asked for its £10,000 immediate tranche and has pledged nothing.
    assert "£80,000 of immediate tranches not yet pledged; £0 pledged and not yet received" in words
    assert words.count("£10,000 of its immediate tranche to pledge") == 8
    create = reverse("contributions:contribution_create", args=[SLUG])
    assert f"{create}?partner=broadland&amp;tranche=immediate" in to_do
    assert reverse("reports:partner", args=[SLUG, "broadland"]) in to_do
    assert "Nothing needs doing" not in html


def test_a_pledge_not_yet_received_is_owed_with_a_link_to_record_the_payment(client, demo):
    broadland = Partner.objects.get(slug="broadland")
    Contribution.objects.create(
        programme=demo,
        partner=broadland,
        financial_year="2004/05",
        tranche=Tranche.IMMEDIATE,
        amount=Decimal("10000.00"),
        status=ContributionStatus.INVOICED,
    )
    words = text_of(section(as_user(client, "facilitator").get(HOME).content.decode()))
    assert "Broadland District Council £10,000 pledged, not yet received Record a payment" in words
    assert "£70,000 of immediate tranches not yet pledged; £10,000 pledged" in words


def test_nothing_needs_doing_once_everything_is_settled(client, demo):
    settle(demo)
    demo.refresh_from_db()
    to_do = programme_to_do(programme=demo)
    assert to_do.total == 0
    html = as_user(client, "facilitator").get(HOME).content.decode()
    assert 'id="nothing-to-do"' in html
    assert "Nothing needs doing." in text_of(section(html))
    assert "to check" not in section(html)


def test_partners_without_the_basis_of_their_shares_are_a_figure_to_check(client, demo):
    # Only the admin site could leave a programme like this; the home must still say what to do.
    Programme.objects.filter(pk=demo.pk).update(apportionment="population")
    html = as_user(client, "facilitator").get(HOME).content.decode()
    words = text_of(section(html))
    assert "Shares by population" in words
    assert "have no population, so the partners' shares cannot be worked out" in words
    assert reverse("contributions:partner_list", args=[SLUG]) in section(html)


@pytest.mark.parametrize("username", ["chief-executive", "partner-officer"])
def test_readers_see_the_overview_without_what_needs_doing(client, demo, username):
    response = as_user(client, username).get(HOME)
    assert response.status_code == 200
    assert "to_do" not in response.context
    assert "What needs doing" not in response.content.decode()


# Queries: a fixed number whatever the programme's size, and a bounded list


def home_queries(client, *, projects: int, partners: int, slug: str):
    programme_load(document=large_document(projects=projects, partners=partners, slug=slug))
    programme = Programme.objects.get(slug=slug)
    membership = MembershipFactory(partnership=programme.partnership, role=Role.FACILITATOR)
    client.force_login(membership.user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("projects:programme_home", args=[slug]))
    assert response.status_code == 200
    return len(queries), response


def test_home_queries_are_few_and_fixed_from_10x8_to_1000x100(
    client, django_assert_max_num_queries
):
    small, _ = home_queries(client, projects=10, partners=8, slug="small")
    large, response = home_queries(client, projects=1000, partners=100, slug="large")
    print(f"programme home queries: {small} at 10 x 8, {large} at 1,000 x 100")
    assert small == large <= MAX_QUERIES
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(reverse("projects:programme_home", args=["large"]))
    to_do = response.context["to_do"]
    # A thousand business cases await a decision: the first are listed, the rest a filter away.
    assert to_do.decision_count == 1000 and len(to_do.decisions) == TO_DO_SHOWN
    assert to_do.unconfirmed_count == 334 and len(to_do.unconfirmed) == TO_DO_SHOWN
    html = response.content.decode()
    assert html.count("Record the decision") == TO_DO_SHOWN
    assert "projects/?decision_pending=on" in html
    assert 'id="more-to-do-unconfirmed"' in html

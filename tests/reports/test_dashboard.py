"""The dashboard: the demo's money as programme_figures has it, for every role, in few queries."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import asdict
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks.builders import large_document
from projects.models import Partner, Phase, Programme, Role
from projects.money.figures import figures_as_json
from projects.money.vocabulary import ContributionStatus, Decision
from projects.selectors import programme_figures
from projects.services import programme_load
from reports.selectors import programme_dashboard
from tests.contributions.factories import ContributionFactory, PartnerFactory
from tests.projects.factories import MembershipFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

SLUG = "norfolk-connect-2004"
URL = reverse("reports:dashboard", args=[SLUG])
# 11 for the money; one for "Spend against budget", the phases' spend and forecasts summed in
# the database (projects.selectors.pot.dashboard_spend); 2 for delivery
# (projects.selectors.delivery.delivery_summary): the projects with their latest status, and the
# first milestones late or due with their count; and one for the top risks, the five
# highest-scoring open risks with the counts of the open risks and of those past review
# (projects.selectors.risks.top_risks).
MAX_QUERIES = 15


@pytest.fixture
def demo(monkeypatch) -> Programme:
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.select_related("partnership").get(slug=SLUG)


def as_user(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def text_of(html: str) -> str:
    """Return the page's words with the markup taken out and the spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def element(html: str, element_id: str) -> str:
    """Return the words of the element with this id (a table, a summary value, a paragraph)."""
    match = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"no element with id {element_id}"
    return text_of(match.group(2))


def pledge_to_every_partner(programme: Programme, amount: str, status=ContributionStatus.PLEDGED):
    for partner in Partner.objects.filter(partnership=programme.partnership):
        ContributionFactory(
            programme=programme, partner=partner, amount=Decimal(amount), status=status
        )


# What every member sees


def test_chief_executive_sees_the_demos_figures(client, demo):
    response = as_user(client, "chief-executive").get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    headline = element(html, "headline-figures")
    assert "Total cost £350,000" in headline
    assert "Existing resource £175,000" in headline
    assert "1 to be confirmed" in headline
    assert element(html, "extra-min") == "£75,000"
    assert element(html, "extra-max") == "£175,000"
    assert element(html, "gap-min") == "£75,000 gap"
    assert element(html, "gap-max") == "£175,000 gap"
    assert element(html, "immediate") == "up to £10,000"
    assert element(html, "cap") == "up to £30,000"


def test_the_figures_to_decide_on_come_first(client, demo):
    """Committed and maximum extra cost, tranche and cap per partner, and the gap, before the
    rest of the dashboard, so that a chief executive reads them on the first screen."""
    html = as_user(client, "chief-executive").get(URL).content.decode()
    decision = element(html, "decision-figures")
    for expected in (
        "Extra cost committed £75,000",
        "Extra cost at most £175,000",
        "Immediate tranche up to £10,000 per partner, asked for now",
        "Cap up to £30,000 per partner",
        "Gap against the committed cost £75,000 gap with £0 pledged",
        "Gap against the maximum £175,000 gap",
    ):
        assert expected in decision, expected
    assert html.index('id="decision-figures"') < html.index('id="contents-title"')
    assert html.index('id="decision-figures"') < html.index('id="headline-figures"')


def test_pledges_beyond_the_cost_are_headroom_in_the_figures_to_decide_on(client, demo):
    pledge_to_every_partner(demo, "25000.00")  # £200,000 against £75,000 and £175,000
    decision = element(as_user(client, "chief-executive").get(URL).content.decode(),
                       "decision-figures")  # fmt: skip
    assert "Headroom against the committed cost £125,000 headroom with £200,000 pledged" in (
        decision
    )
    assert "Headroom against the maximum £25,000 headroom" in decision


def test_the_dashboards_figures_are_programme_figures(client, demo):
    response = as_user(client, "chief-executive").get(URL)
    dashboard = response.context["dashboard"]
    figures = programme_figures(programme=demo)
    assert asdict(dashboard.figures) == asdict(figures)
    assert figures_as_json(dashboard.figures) == figures_as_json(figures)
    assert dashboard.total_cost == figures.existing_total + figures.extra_max
    # Every partner's row is its position from the figures, and they add up to the totals.
    assert {row.slug: row.position for row in dashboard.partners} == {
        position.partner: position for position in figures.per_partner
    }
    assert dashboard.partner_totals.share_min == figures.extra_min
    assert dashboard.partner_totals.share_max == figures.extra_max


def test_each_partners_position_is_listed_in_the_partnerships_order(client, demo):
    html = as_user(client, "chief-executive").get(URL).content.decode()
    table = element(html, "partner-positions")
    assert table.index("Norfolk County Council") < table.index("Breckland District Council")
    assert "Broadland District Council £9,375 £21,875 £10,000 £30,000 £0 £0 £0" in table
    assert "Total £75,000 £175,000 £80,000 £240,000 £0 £0 £0" in table
    assert "Your council" not in html


def test_a_partner_officer_sees_their_own_council_marked(client, demo):
    html = as_user(client, "partner-officer").get(URL).content.decode()
    table = element(html, "partner-positions")
    assert table.count("Your council") == 1
    assert "Broadland District Council Your council £9,375" in table
    assert "Broadland District Council (your council)" in html  # in the chart as well


def test_projects_phases_and_outcomes_are_counted(client, demo):
    html = as_user(client, "chief-executive").get(URL).content.decode()
    assert "Proposed 10 Active 0 Complete 0 Withdrawn 0 All projects 10" in element(
        html, "project-statuses"
    )
    assert (
        "No business case needed 6 Business case approved 0 "
        "Awaiting a business-case decision 2 Not proceeding 0"
    ) in element(html, "phase-decisions")
    outcomes = element(html, "outcome-claims")
    assert "Required 9 1 10 Good 9 2 11 Excellent 4 1 5 All grades 22 4 26" in outcomes
    assert "7 of 10 projects support Norfolk Ambition" in text_of(html)


def test_phases_awaiting_a_decision_link_to_their_project(client, demo):
    html = as_user(client, "partner-officer").get(URL).content.decode()
    table = element(html, "awaiting-decision")
    assert "Authentication / Gateway 2. Connection £100,000" in table
    assert "Benefits Form 2. Links to e-forms TBC" in table
    project_url = reverse("projects:project_detail", args=[SLUG, "authentication-gateway"])
    assert f'href="{project_url}"' in html
    Phase.objects.filter(gated=True).update(decision=Decision.APPROVED)
    html = client.get(URL).content.decode()
    assert "No phase awaits a business-case decision." in html


def test_contributions_awaiting_payment_and_headroom(client, demo):
    # £10,000 from each of the 8 partners: £5,000 more than the minimum of £75,000.
    pledge_to_every_partner(demo, "10000.00")
    norwich = demo.contributions.get(partner__slug="norwich")
    norwich.status = ContributionStatus.RECEIVED
    norwich.save()
    demo.contributions.filter(partner__slug="breckland").update(status=ContributionStatus.INVOICED)
    html = as_user(client, "chief-executive").get(URL).content.decode()
    assert element(html, "gap-min") == "£5,000 headroom"
    assert element(html, "gap-max") == "£95,000 gap"
    unpaid = element(html, "unpaid-contributions")
    assert "Breckland District Council 2004/05 Immediate £10,000 Invoiced" in unpaid
    assert "Broadland District Council 2004/05 Immediate £10,000 Pledged" in unpaid
    assert "Norwich" not in unpaid  # received
    assert "Total awaiting payment £70,000" in unpaid
    assert "Norwich City Council £9,375 £21,875 £10,000 £30,000 £10,000 £10,000 £0" in element(
        html, "partner-positions"
    )
    figures = programme_figures(programme=demo)
    assert figures.gap_min == Decimal("-5000.00") and figures.pledged == Decimal("80000.00")


def test_every_contribution_received_says_so(client, demo):
    pledge_to_every_partner(demo, "25000.00", status=ContributionStatus.RECEIVED)
    html = as_user(client, "chief-executive").get(URL).content.decode()
    assert element(html, "no-unpaid") == "Every contribution pledged has been received."
    assert element(html, "gap-max") == "£25,000 headroom"  # 8 x 25,000 less 175,000


# Charts


@pytest.mark.parametrize(
    ("chart_id", "numbers"),
    [
        ("chart-project-costs", "Authentication / Gateway £0 £7,000 £100,000 £107,000"),
        ("chart-partner-shares", "Breckland District Council £21,875 £0 £0"),
        ("chart-outcomes", "Good 9 2 11"),
    ],
)
def test_each_chart_has_a_title_a_description_and_its_numbers_in_a_table(
    client, demo, chart_id, numbers
):
    html = as_user(client, "chief-executive").get(URL).content.decode()
    match = re.search(rf'<svg [^>]*id="{chart_id}".*?</svg>', html, re.S)
    assert match, chart_id
    svg = ET.fromstring(match.group(0))
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.find(f"{ns}title").get("id") == f"{chart_id}-title"
    assert svg.find(f"{ns}desc").get("id") == f"{chart_id}-desc"
    assert len(svg.find(f"{ns}desc").text) > 80  # a summary, not a label
    table = element(html, f"{chart_id}-table")
    assert numbers in table
    assert "Show the numbers as a table" in html


# Facilitators' reconciliation


@pytest.mark.parametrize("username", ["facilitator", "admin"])
def test_facilitators_see_each_stated_figure_against_the_computed_one(client, demo, username):
    html = as_user(client, username).get(URL).content.decode()
    table = element(html, "reconciliation-table")
    assert (
        "Existing resource total £165,000 £175,000 Mismatch differs by £10,000: "
        "the lines add up to more than stated"
    ) in table
    assert "Extra cost total (against the maximum) £175,000 £175,000 Matches" in table
    assert "Every stated figure matches" not in html


@pytest.mark.parametrize("username", ["chief-executive", "partner-officer"])
def test_readers_do_not_see_the_reconciliation(client, demo, username):
    html = as_user(client, username).get(URL).content.decode()
    assert "reconciliation" not in html
    assert "£165,000" not in html


def test_when_the_stated_figures_match_the_panel_says_so(client, demo):
    Programme.objects.filter(pk=demo.pk).update(stated_existing_total=Decimal("175000.00"))
    html = as_user(client, "facilitator").get(URL).content.decode()
    assert element(html, "all-match") == "Every stated figure matches."
    assert "Mismatch" not in html
    Programme.objects.filter(pk=demo.pk).update(stated_existing_total=None, stated_extra_total=None)
    html = client.get(URL).content.decode()
    assert "nothing to check" in element(html, "nothing-stated")


# Access


def test_another_partnerships_dashboard_answers_404(client, demo):
    other = ProgrammeFactory()
    as_user(client, "chief-executive")
    assert client.get(reverse("reports:dashboard", args=[other.slug])).status_code == 404
    stranger = MembershipFactory(partnership=other.partnership, role=Role.CHIEF_EXECUTIVE).user
    client.force_login(stranger)
    assert client.get(URL).status_code == 404
    assert client.get(reverse("reports:dashboard", args=["no-such-programme"])).status_code == 404


def test_anonymous_users_are_sent_to_sign_in(client, demo):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# Empty states


def test_an_empty_programme_says_what_is_missing(client):
    programme = ProgrammeFactory()
    membership = MembershipFactory(partnership=programme.partnership, role=Role.CHIEF_EXECUTIVE)
    client.force_login(membership.user)
    response = client.get(reverse("reports:dashboard", args=[programme.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert element(html, "no-projects") == "The programme has no projects yet."
    assert element(html, "no-partners") == (
        "No partner contributes to the programme's extra cost yet."
    )
    assert element(html, "no-contributions") == (
        "No contributions are recorded for the programme yet."
    )
    assert element(html, "no-outcomes") == "No project claims a priority outcome yet."
    assert element(html, "no-decisions") == "No phase awaits a business-case decision."
    assert element(html, "cap") == "None: no partner's share can be worked out"
    assert element(html, "gap-min") == "No gap: the pledges cover it exactly"
    assert "<svg" not in html


def test_partners_without_a_population_leave_the_rest_of_the_figures(client, demo):
    Programme.objects.filter(pk=demo.pk).update(apportionment="population")
    PartnerFactory(partnership=demo.partnership, slug="aaa", name="Aardvark Council", position=0)
    pledge_to_every_partner(demo, "1000.00")
    html = as_user(client, "chief-executive").get(URL).content.decode()
    warning = re.search(
        r"The programme shares its costs by population, but ([^:]*):", text_of(html)
    )
    assert warning and warning.group(1).endswith("have no population")
    assert "Aardvark Council" in warning.group(1) and "Norwich City Council" in warning.group(1)
    assert element(html, "gap-min") == "£66,000 gap"  # 75,000 less 9 x 1,000 pledged
    assert "partner-positions" not in html
    assert element(html, "cap") == "None: no partner's share can be worked out"


# Queries: a fixed number whatever the programme's size


def dashboard_queries(client, *, projects: int, partners: int, slug: str) -> tuple[int, object]:
    programme_load(document=large_document(projects=projects, partners=partners, slug=slug))
    programme = Programme.objects.get(slug=slug)
    membership = MembershipFactory(
        partnership=programme.partnership,
        role=Role.PARTNER_OFFICER,
        partner=Partner.objects.get(partnership=programme.partnership, slug="council-001"),
    )
    client.force_login(membership.user)
    url = reverse("reports:dashboard", args=[slug])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_dashboard_queries_are_few_and_fixed_from_10x8_to_1000x100(
    client, django_assert_max_num_queries
):
    small, small_response = dashboard_queries(client, projects=10, partners=8, slug="small")
    large, large_response = dashboard_queries(client, projects=1000, partners=100, slug="large")
    print(f"dashboard queries: {small} at 10 x 8, {large} at 1,000 x 100")
    assert small == large <= MAX_QUERIES
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(reverse("reports:dashboard", args=["large"]))

    small_dashboard = small_response.context["dashboard"]
    dashboard = large_response.context["dashboard"]
    assert small_dashboard.figures.projects == 10 and len(small_dashboard.partners) == 8
    assert dashboard.figures.projects == 1000 and len(dashboard.partners) == 100
    assert [row.slug for row in dashboard.partners if row.own] == ["council-001"]
    # A thousand phases await a decision: the first fifty are listed, the rest a filter away.
    assert dashboard.awaiting_count == 1000 and len(dashboard.awaiting_decision) == 50
    more = element(large_response.content.decode(), "more-decisions")
    assert "the first 50 of 1000 phases" in more
    assert "projects/?decision_pending=on" in large_response.content.decode()
    # The charts add the smallest up past 25 bars, so they stay readable at any size.
    assert len(dashboard.cost_chart.rows) == 25 and len(dashboard.partner_chart.groups) == 25
    assert dashboard.cost_chart.table.rows[-1].label == "The other 976 projects together"
    assert asdict(dashboard.figures) == asdict(
        programme_figures(programme=Programme.objects.get(slug="large"))
    )


def test_the_dashboard_selector_alone_reads_the_programme_in_a_fixed_number_of_queries(
    django_assert_max_num_queries,
):
    programme_load(document=large_document(projects=10, partners=8))
    programme = Programme.objects.select_related("partnership").get(slug="large")
    with django_assert_max_num_queries(7):
        programme_dashboard(programme=programme)

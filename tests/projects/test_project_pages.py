"""The projects table (filters, sorting, totals, pages) and a project's page with its history."""

from __future__ import annotations

import html
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.builders import large_document
from projects.models import FundingLine, Partner, Phase, Programme, Project, Role
from projects.money.bounds import project_existing_resource, project_extra_bounds
from projects.money.document import FundingData, PhaseData
from projects.money.vocabulary import Borne, Decision, FundingStatus, Grade, ProjectStatus
from projects.selectors import projects_for_table, table_totals
from projects.services import programme_load
from tests.contributions.factories import PartnerFactory
from tests.projects.factories import (
    FundingLineFactory,
    MembershipFactory,
    OutcomeClaimFactory,
    PhaseFactory,
    ProgrammeFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db

SLUG = "norfolk-connect-2004"
LIST = reverse("projects:project_list", args=[SLUG])
SUPPORTING = [
    "e-Forms",
    "Portal",
    "Further Info Points",
    "Benefits Form",
    "Shared customer info / CRM",
    "Direct.Gov",
    "Member support",
]
NOT_SUPPORTING = ["Marketing", "Authentication / Gateway", "Partnership Support"]
# Most queries a page may make whatever the programme's size, measured and pinned here.
MAX_LIST_QUERIES = 8
# 19, 2 for its delivery (its milestones and its status updates, selectors.delivery), 2 for
# their change history (the historical milestones and status updates, in the page's history),
# and one for the project's risks (projects.selectors.risks).
MAX_DETAIL_QUERIES = 24


@pytest.fixture
def demo(monkeypatch) -> Programme:
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.get(slug=SLUG)


def login(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def names(response) -> list[str]:
    return [row.record.name for row in response.context["table"].paginated_rows]


def text(response) -> str:
    return html.unescape(response.content.decode())


def detail_url(project: Project) -> str:
    return reverse("projects:project_detail", args=[project.programme.slug, project.slug])


# The table


def test_table_lists_the_demo_projects_with_their_money(client, demo):
    response = login(client, "chief-executive").get(LIST)
    assert response.status_code == 200
    assert names(response) == [project.name for project in demo.projects.all()]
    rows = {row.record.name: row.record for row in response.context["table"].paginated_rows}
    gateway = rows["Authentication / Gateway"]
    assert (gateway.existing_resource, gateway.extra_min, gateway.extra_max) == (0, 7000, 107000)
    assert rows["Member support"].existing_resource == Decimal("20000")
    assert rows["Benefits Form"].tbc_phases == 1
    page = text(response)
    assert "Cost to be confirmed" in page
    assert "3 Required, 3 Good, 1 Excellent" in page  # Member support's claims
    assert f'href="{reverse("projects:project_detail", args=[SLUG, "portal"])}"' in page


def test_totals_of_the_whole_demo_match_the_seed(client, demo):
    response = login(client, "chief-executive").get(LIST)
    totals = response.context["totals"]
    assert totals.projects == 10
    assert totals.existing_resource == Decimal("175000.00")
    assert totals.extra_min == Decimal("75000.00")
    assert totals.extra_max == Decimal("175000.00")
    assert totals.tbc_phases == 1
    assert (totals.required_claims, totals.good_claims, totals.excellent_claims) == (10, 11, 5)
    footer = text(response).split("<tfoot>")[1].split("</tfoot>")[0]
    assert "Total (10 projects)" in footer
    assert "£175,000" in footer and "£75,000" in footer
    assert "10 Required, 11 Good, 5 Excellent" in footer
    assert "10 projects." in text(response)


@pytest.mark.parametrize(
    ("value", "expected", "existing", "minimum", "maximum"),
    [
        ("yes", SUPPORTING, "95000.00", "58000.00", "58000.00"),
        ("no", NOT_SUPPORTING, "80000.00", "17000.00", "117000.00"),
    ],
)
def test_strategy_filter_totals_only_the_filtered_set(
    client, demo, value, expected, existing, minimum, maximum
):
    response = login(client, "chief-executive").get(LIST, {"supports_strategy": value})
    assert names(response) == expected
    totals = response.context["totals"]
    assert totals.projects == len(expected)
    assert totals.existing_resource == Decimal(existing)
    assert totals.extra_min == Decimal(minimum)
    assert totals.extra_max == Decimal(maximum)
    assert f"{len(expected)} projects match these filters." in text(response)
    assert "Supports Norfolk Ambition" in text(response)


def test_decision_pending_keeps_projects_with_a_business_case_awaited(client, demo):
    response = login(client, "chief-executive").get(LIST, {"decision_pending": "on"})
    assert names(response) == ["Authentication / Gateway", "Benefits Form"]
    Phase.objects.filter(project__slug="benefits-form", number=2).update(
        decision=Decision.NOT_PROCEEDING
    )
    response = client.get(LIST, {"decision_pending": "on"})
    assert names(response) == ["Authentication / Gateway"]


def test_grade_filter_keeps_projects_claiming_that_grade(client, demo):
    response = login(client, "chief-executive").get(LIST, {"grade": Grade.EXCELLENT})
    assert names(response) == [
        "Portal",
        "Marketing",
        "Benefits Form",
        "Shared customer info / CRM",
        "Member support",
    ]


def test_status_filter(client, demo):
    Project.objects.filter(slug="portal").update(status=ProjectStatus.ACTIVE)
    response = login(client, "chief-executive").get(LIST, {"status": ProjectStatus.ACTIVE})
    assert names(response) == ["Portal"]


def test_lead_partner_filter_offers_and_accepts_only_this_partnerships_partners(client, demo):
    norwich = Partner.objects.get(partnership=demo.partnership, slug="norwich")
    Project.objects.filter(slug__in=["portal", "direct-gov"]).update(lead_partner=norwich)
    stranger = PartnerFactory(name="Stranger District Council")
    response = login(client, "chief-executive").get(LIST, {"lead_partner": norwich.pk})
    assert names(response) == ["Portal", "Direct.Gov"]
    assert "Norwich City Council" in text(response)
    assert "Stranger District Council" not in text(response)

    response = client.get(LIST, {"lead_partner": stranger.pk})
    assert response.status_code == 200
    assert "lead_partner" in response.context["filter"].errors
    assert names(response) == []
    assert "<title>Error: " in response.content.decode()


def test_text_search_looks_in_name_description_and_outputs(client, demo):
    login(client, "chief-executive")
    assert names(client.get(LIST, {"q": "gateway"})) == ["Authentication / Gateway"]
    Project.objects.filter(slug="direct-gov").update(outputs="The Government GATEWAY for residents")
    assert names(client.get(LIST, {"q": "Gateway"})) == ["Authentication / Gateway", "Direct.Gov"]
    assert names(client.get(LIST, {"q": "gateway residents"})) == ["Direct.Gov"]


def test_filters_combine(client, demo):
    response = login(client, "chief-executive").get(
        LIST, {"supports_strategy": "no", "grade": Grade.EXCELLENT}
    )
    assert names(response) == ["Marketing"]


def test_sort_by_a_money_column_both_ways(client, demo):
    login(client, "chief-executive")
    descending = names(client.get(LIST, {"sort": "-extra_max"}))
    assert descending[:2] == ["Authentication / Gateway", "Further Info Points"]
    ascending = names(client.get(LIST, {"sort": "extra_max"}))
    assert ascending[-1] == "Authentication / Gateway"
    # Ties keep the board's order either way round: those with no extra cost, in board order.
    assert ascending[:4] == ["e-Forms", "Portal", "Marketing", "Shared customer info / CRM"]
    assert names(client.get(LIST, {"sort": "-existing_resource"}))[0] == "Marketing"
    response = client.get(LIST, {"sort": "-extra_max"})
    assert 'aria-sort="descending"' in response.content.decode()
    assert 'aria-sort="none"' in response.content.decode()


def test_sort_and_filter_stay_in_the_links(client, demo):
    response = login(client, "chief-executive").get(
        LIST, {"supports_strategy": "yes", "sort": "extra_min"}
    )
    page = text(response)
    assert '<input type="hidden" name="sort" value="extra_min">' in page
    assert "supports_strategy=yes" in page  # the header links keep the filter
    assert names(response)[0] == "e-Forms"


def test_an_unknown_sort_is_ignored(client, demo):
    response = login(client, "chief-executive").get(LIST, {"sort": "description"})
    assert response.status_code == 200
    assert names(response)[0] == "e-Forms"


def test_table_pages_25_projects_with_totals_for_all(client):
    membership = MembershipFactory(role=Role.CHIEF_EXECUTIVE)
    programme = ProgrammeFactory(partnership=membership.partnership)
    for n in range(30):
        PhaseFactory(project__programme=programme, extra_cost=Decimal("100.00"))
        if n == 0:
            first = Project.objects.get(programme=programme)
    client.force_login(membership.user)
    url = reverse("projects:project_list", args=[programme.slug])
    page_one = client.get(url)
    assert len(names(page_one)) == 25
    assert page_one.context["totals"].extra_max == Decimal("3000.00")
    assert 'class="govuk-pagination"' in page_one.content.decode()
    assert "?page=2" in page_one.content.decode()
    page_two = client.get(url, {"page": 2})
    assert len(names(page_two)) == 5
    assert page_two.context["totals"].projects == 30
    assert "£3,000" in text(page_two)
    assert first.name in names(page_one) and first.name not in names(page_two)
    sorted_two = client.get(url, {"page": 2, "sort": "-name"})
    assert 'aria-current="page"' in sorted_two.content.decode()
    assert "sort=-name" in sorted_two.content.decode()


def test_no_projects_yet_offers_a_facilitator_to_add_one(client):
    membership = MembershipFactory(role=Role.FACILITATOR)
    programme = ProgrammeFactory(partnership=membership.partnership)
    client.force_login(membership.user)
    response = client.get(reverse("projects:project_list", args=[programme.slug]))
    page = text(response)
    assert "No projects yet" in page
    assert reverse("projects:project_create", args=[programme.slug]) in page
    assert "<table" not in page


def test_no_projects_yet_for_a_reader_has_no_add_button(client):
    membership = MembershipFactory(role=Role.CHIEF_EXECUTIVE)
    programme = ProgrammeFactory(partnership=membership.partnership)
    client.force_login(membership.user)
    page = text(client.get(reverse("projects:project_list", args=[programme.slug])))
    assert "No projects yet" in page
    assert reverse("projects:project_create", args=[programme.slug]) not in page


def test_no_match_offers_to_clear_the_filters(client, demo):
    response = login(client, "chief-executive").get(LIST, {"q": "no such words anywhere"})
    page = text(response)
    assert "No projects match these filters" in page
    assert f'href="{LIST}">Clear the filters' in page
    assert "No projects yet" not in page


@pytest.mark.parametrize("username", ["chief-executive", "partner-officer"])
def test_readers_see_no_edit_controls(client, demo, username):
    login(client, username)
    listing = text(client.get(LIST))
    assert reverse("projects:project_create", args=[SLUG]) not in listing
    assert "Add a project" not in listing
    gateway = demo.projects.get(slug="authentication-gateway")
    page = text(client.get(detail_url(gateway)))
    assert reverse("projects:project_update", args=[SLUG, gateway.slug]) not in page
    assert reverse("projects:project_delete", args=[SLUG, gateway.slug]) not in page
    assert "/decision/" not in page and "Record decision" not in page
    assert ">Edit<" not in page and ">Delete<" not in page


def test_facilitators_see_the_edit_controls(client, demo):
    login(client, "facilitator")
    assert reverse("projects:project_create", args=[SLUG]) in text(client.get(LIST))
    gateway = demo.projects.get(slug="authentication-gateway")
    page = text(client.get(detail_url(gateway)))
    assert reverse("projects:project_update", args=[SLUG, gateway.slug]) in page
    assert reverse("projects:project_delete", args=[SLUG, gateway.slug]) in page
    assert reverse("projects:phase_decision", args=[SLUG, gateway.slug, 2]) in page


def test_a_proposed_project_whose_phases_have_all_stopped_shows_not_proceeding(client, demo):
    support = demo.projects.get(slug="partnership-support")  # proposed; one phase
    support.phases.update(decision=Decision.NOT_PROCEEDING)
    login(client, "chief-executive")
    page = text(client.get(detail_url(support)))
    assert 'govuk-!-margin-left-2">Not proceeding</strong></h1>' in page
    assert "Worked out from its phases, which are all not proceeding." in page
    assert "The status set for it is “Proposed”" in page
    listing = client.get(LIST)
    statuses = {row.record.slug: row.get_cell("status") for row in listing.context["table"].rows}
    assert statuses["partnership-support"] == "Not proceeding"
    assert statuses["authentication-gateway"] == "Proposed"  # phases still in play
    assert statuses["e-forms"] == "Proposed"  # no phases
    dashboard = client.get(reverse("reports:dashboard", args=[SLUG])).context["dashboard"]
    assert [(row.label, row.count) for row in dashboard.project_statuses] == [
        ("Proposed", 9), ("Active", 0), ("Complete", 0), ("Withdrawn", 0), ("Not proceeding", 1)
    ]  # fmt: skip
    # Only what is shown: the status stored stays as it was set.
    support.refresh_from_db()
    assert support.status == ProjectStatus.PROPOSED


def test_a_status_set_by_the_facilitator_is_shown_as_set(client, demo):
    support = demo.projects.get(slug="partnership-support")
    support.phases.update(decision=Decision.NOT_PROCEEDING)
    Project.objects.filter(pk=support.pk).update(status=ProjectStatus.WITHDRAWN)
    login(client, "facilitator")
    page = text(client.get(detail_url(support)))
    assert 'govuk-!-margin-left-2">Withdrawn</strong></h1>' in page
    assert "Worked out from its phases" not in page
    dashboard = client.get(reverse("reports:dashboard", args=[SLUG])).context["dashboard"]
    assert ("Not proceeding", 1) not in [(r.label, r.count) for r in dashboard.project_statuses]


def test_record_decision_is_offered_only_on_a_gated_phase(client, demo):
    login(client, "facilitator")
    gateway = demo.projects.get(slug="authentication-gateway")  # phase 1 not gated, 2 gated
    page = text(client.get(detail_url(gateway)))
    assert reverse("projects:phase_decision", args=[SLUG, gateway.slug, 1]) not in page
    assert reverse("projects:phase_decision", args=[SLUG, gateway.slug, 2]) in page
    assert page.count("Record decision") == 1
    support = demo.projects.get(slug="partnership-support")  # its only phase is not gated
    assert "Record decision" not in text(client.get(detail_url(support)))


def test_another_partnerships_projects_answer_404(client, demo):
    other = ProjectFactory(slug="elsewhere")
    login(client, "facilitator")
    assert client.get(detail_url(other)).status_code == 404
    assert (
        client.get(reverse("projects:project_list", args=[other.programme.slug])).status_code == 404
    )
    # Their project's slug under our programme's address is no project of ours either.
    assert (
        client.get(reverse("projects:project_detail", args=[SLUG, "elsewhere"])).status_code == 404
    )
    assert (
        client.post(reverse("projects:project_detail", args=[SLUG, "elsewhere"])).status_code == 404
    )


def test_a_project_of_another_programme_of_the_same_partnership_answers_404(client, demo):
    sibling = ProgrammeFactory(partnership=demo.partnership, slug="norfolk-connect-2006")
    ProjectFactory(programme=sibling, slug="only-in-2006")
    login(client, "facilitator")
    url = reverse("projects:project_detail", args=[SLUG, "only-in-2006"])
    assert client.get(url).status_code == 404


# The project page


def test_project_page_shows_its_text_rows_and_figures(client, demo):
    gateway = demo.projects.get(slug="authentication-gateway")
    response = login(client, "chief-executive").get(detail_url(gateway))
    assert response.status_code == 200
    page = text(response)
    assert "Joint work on developing links to national Government Gateway" in page
    assert "Supports Norfolk Ambition" in page
    assert "1. Investigation and business case" in page and "2. Connection" in page
    assert "By each partner individually" in page and "Jointly" in page
    assert "Decision pending" in page
    figures = page.split('id="project-figures"')[1].split("</dl>")[0]
    assert "£7,000" in figures and "£107,000" in figures
    programme = page.split('id="programme-figures"')[1].split("</dl>")[0]
    assert "£75,000" in programme and "£175,000" in programme
    assert "up to £30,000" in programme and "up to £10,000" in programme
    claims = page.split('id="outcome-claims"')[1].split("</ul>")[0]
    assert "Required" in claims and "Good" in claims


def test_project_page_shows_tbc_and_funding(client, demo):
    login(client, "chief-executive")
    benefits = text(client.get(detail_url(demo.projects.get(slug="benefits-form"))))
    assert "TBC" in benefits and "1 to be confirmed" in benefits
    member = text(client.get(detail_url(demo.projects.get(slug="member-support"))))
    funding = member.split('id="funding"')[1].split("</table>")[0]
    assert "£20,000" in funding and "Secured" in funding


def test_project_page_shows_decision_date_and_note(client, demo):
    Phase.objects.filter(project__slug="authentication-gateway", number=2).update(
        decision=Decision.APPROVED,
        decided_on="2004-09-27",
        decision_note="Board minute 12",
    )
    gateway = demo.projects.get(slug="authentication-gateway")
    page = text(login(client, "chief-executive").get(detail_url(gateway)))
    phases = page.split('id="phases"')[1].split("</table>")[0]
    assert "Approved" in phases and "27 September 2004" in phases and "Board minute 12" in phases


def test_history_shows_who_changed_which_field_from_what_to_what(client, demo):
    facilitator = get_user_model().objects.get(username="facilitator")
    gateway = demo.projects.get(slug="authentication-gateway")
    gateway.description = "A shorter description"
    gateway._history_user = facilitator
    gateway.save()
    phase = gateway.phases.get(number=1)
    phase.extra_cost = Decimal("8000.00")
    phase._history_user = facilitator
    phase.save()
    line = FundingLineFactory(project=gateway, source="Kings Lynn budget")
    line.delete()

    response = login(client, "chief-executive").get(detail_url(gateway))
    history = response.context["page"].history
    changed = {(entry.row, change.field, change.old, change.new, entry.who)
               for entry in history for change in entry.changes}  # fmt: skip
    assert (
        "Phase 1: Investigation and business case",
        "Extra cost",
        "£7,000",
        "£8,000",
        "facilitator",
    ) in changed
    assert any(
        row == "Project" and field == "Description" and new == "A shorter description"
        for row, field, _old, new, _who in changed
    )
    assert any(e.action == "Removed" and e.row == "Funding: Kings Lynn budget" for e in history)
    page = text(response)
    table = page.split('id="history"')[1].split("</table>")[0]
    assert "facilitator" in table and "Extra cost: from <q>£7,000</q> to <q>£8,000</q>" in table
    assert "Removed Funding: Kings Lynn budget" in table
    assert history == sorted(history, key=lambda entry: entry.when, reverse=True)


def test_history_leaves_out_other_projects_rows(client, demo):
    portal_phase = PhaseFactory(project=demo.projects.get(slug="portal"), name="Other phase")
    portal_phase.delete()
    gateway = demo.projects.get(slug="authentication-gateway")
    response = login(client, "chief-executive").get(detail_url(gateway))
    assert not any("Other phase" in entry.row for entry in response.context["page"].history)


# Query counts


def _member_of(partnership_slug: str, role=Role.CHIEF_EXECUTIVE):
    membership = MembershipFactory(
        partnership=Programme.objects.get(slug=partnership_slug).partnership, role=role
    )
    return membership.user


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("role", [Role.CHIEF_EXECUTIVE, Role.FACILITATOR])
def test_table_queries_stay_fixed_at_5_and_200_projects(
    client, django_assert_max_num_queries, role
):
    counts = []
    for size in (5, 200):
        programme_load(document=large_document(projects=size, partners=8, slug=f"size-{size}"))
        client.force_login(_member_of(f"size-{size}", role))
        url = reverse("projects:project_list", args=[f"size-{size}"])
        with django_assert_max_num_queries(MAX_LIST_QUERIES):
            response = client.get(url, {"supports_strategy": "yes", "sort": "-extra_max"})
        assert len(names(response)) == min(25, size // 2 + size % 2)
        counts.append(_queries(client, url))
    assert counts[0] == counts[1]


def _project_with(rows: int, edits: int):
    membership = MembershipFactory(role=Role.FACILITATOR)
    programme = ProgrammeFactory(partnership=membership.partnership)
    PartnerFactory.create_batch(3, partnership=programme.partnership)
    project = ProjectFactory(programme=programme)
    for number in range(1, rows + 1):
        PhaseFactory(project=project, number=number, gated=number % 2 == 0)
        FundingLineFactory(project=project, source=f"Source {number}")
        OutcomeClaimFactory(project=project, grade=Grade.GOOD)
    for n in range(edits):
        project.description = f"Edit {n}"
        project._history_user = membership.user
        project.save()
        phase = project.phases.get(number=1 + n % rows)
        phase.note = f"Note {n}"
        phase._history_user = membership.user
        phase.save()
    return project, membership.user


def test_project_page_queries_stay_fixed_at_2_and_40_rows(client, django_assert_max_num_queries):
    counts = []
    for rows, edits in ((2, 1), (40, 60)):
        project, user = _project_with(rows, edits)
        client.force_login(user)
        url = detail_url(project)
        with django_assert_max_num_queries(MAX_DETAIL_QUERIES):
            response = client.get(url)
        assert len(response.context["page"].history) >= rows * 3 + edits * 2
        # Offered on the gated phases only: every second one.
        assert response.content.decode().count("Record decision") == rows // 2
        counts.append(_queries(client, url))
    assert counts[0] == counts[1]


# The database's sums follow the money rules of projects.money.bounds


phases_strategy = st.lists(
    st.builds(
        PhaseData,
        number=st.just(1),
        name=st.just("Phase"),
        extra_cost=st.none() | st.decimals(min_value=0, max_value=10**6, places=2),
        gated=st.booleans(),
        decision=st.sampled_from(list(Decision)),
        borne=st.sampled_from(list(Borne)),
    ),
    max_size=5,
)
funding_strategy = st.lists(
    st.builds(
        FundingData,
        source=st.just("Source"),
        amount=st.decimals(min_value=0, max_value=10**6, places=2),
        status=st.sampled_from(list(FundingStatus)),
    ),
    max_size=4,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(phases=phases_strategy, funding=funding_strategy)
def test_database_sums_agree_with_the_calculations(phases, funding):
    programme = ProgrammeFactory()
    project = ProjectFactory(programme=programme)
    Phase.objects.bulk_create(
        Phase(
            project=project,
            number=index + 1,
            name=phase.name,
            extra_cost=phase.extra_cost,
            gated=phase.gated,
            decision=phase.decision,
            borne=phase.borne,
        )
        for index, phase in enumerate(phases)
    )
    FundingLine.objects.bulk_create(
        FundingLine(project=project, source=line.source, amount=line.amount, status=line.status)
        for line in funding
    )
    annotated = projects_for_table(programme=programme).get()
    bounds = project_extra_bounds(phases)
    assert annotated.extra_min == bounds.minimum
    assert annotated.extra_max == bounds.maximum
    assert annotated.tbc_phases == bounds.tbc_phases
    assert annotated.existing_resource == project_existing_resource(funding)
    totals = table_totals(projects_for_table(programme=programme))
    assert (totals.extra_min, totals.extra_max) == (bounds.minimum, bounds.maximum)


def test_totals_add_projects_without_multiplying_their_rows():
    programme = ProgrammeFactory()
    for _ in range(2):
        project = ProjectFactory(programme=programme)
        for number in (1, 2, 3):
            PhaseFactory(project=project, number=number)
        FundingLineFactory.create_batch(2, project=project, amount=Decimal("10.00"))
        OutcomeClaimFactory.create_batch(4, project=project)
    totals = table_totals(projects_for_table(programme=programme))
    assert totals.existing_resource == Decimal("40.00")  # 2 projects x 2 lines x £10
    assert totals.extra_max == Decimal("6000.00")  # 2 projects x 3 phases x £1,000
    assert totals.required_claims == 8


@pytest.mark.parametrize(
    "query",
    [
        {"page": "abc"},
        {"page": "999"},
        {"page": "-1"},
        {"sort": "--extra_max"},
        {"sort": "extra_max,name"},
        {"lead_partner": "abc"},
        {"lead_partner": "99999"},
        {"status": "lost"},
        {"grade": "superb"},
        {"supports_strategy": "maybe"},
        {"decision_pending": "xyz"},
        {"q": "x" * 201},
        {"q": "\x00"},
    ],
)
def test_odd_query_strings_never_break_the_table(client, demo, query):
    response = login(client, "chief-executive").get(LIST, query)
    # A NUL is refused before any page sees it (norfolk_connect.middleware.RefuseNulMiddleware).
    assert response.status_code == (400 if "\x00" in query.get("q", "") else 200)

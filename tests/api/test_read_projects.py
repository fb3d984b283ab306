"""The projects' endpoints: the projects table's rows and money, its filters, one project's rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.filters import ProjectFilter
from projects.models import Partner, Phase, Project, Role
from projects.money.vocabulary import Decision, Grade, ProjectStatus
from projects.selectors import project_for_page, project_page, projects_for_table
from tests.api.world import World, auth, make_world, token_of
from tests.projects.factories import (
    MembershipFactory,
    OutcomeClaimFactory,
    PhaseFactory,
    ProgrammeFactory,
    ProjectFactory,
    StatusUpdateFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return make_world()


def listed(client, world, token=None, **query) -> list[dict]:
    response = client.get(
        reverse("api:projects", args=[world.ours.slug]),
        {"limit": 500, **query},
        **auth(token or world.token()),
    )
    assert response.status_code == 200, response.content
    return response.json()["items"]


def money(value) -> str:
    return f"{value:.2f}"


def test_the_list_is_the_projects_table_in_the_programmes_order(client, world):
    items = listed(client, world)
    table = list(projects_for_table(programme=world.ours))
    assert [item["slug"] for item in items] == [project.slug for project in table]
    assert [item["position"] for item in items] == sorted(item["position"] for item in items)
    for item, project in zip(items, table, strict=True):
        assert item["existing_resource"] == money(project.existing_resource)
        assert item["extra_min"] == money(project.extra_min)
        assert item["extra_max"] == money(project.extra_max)
        assert item["tbc_phases"] == project.tbc_phases
        assert item["claims"] == {
            "required": project.required_claims,
            "good": project.good_claims,
            "excellent": project.excellent_claims,
        }
        lead = project.lead_partner
        assert item["lead_partner"] == (lead and {"slug": lead.slug, "name": lead.name})
        assert isinstance(item["extra_max"], str)


def test_a_projects_status_is_its_latest_rag_and_its_shown_status(client, world):
    items = {item["slug"]: item for item in listed(client, world)}
    gateway = items["authentication-gateway"]
    # Its latest update (amber, 1 November 2004) after a green in September.
    assert gateway["current_status"]["status"] == "amber"
    assert gateway["current_status"]["date"] == "2004-11-01"
    assert gateway["status"] == "proposed"
    assert items["portal"]["current_status"] is None
    # A proposed project whose every phase stops shows "Not proceeding", as on the table.
    project = Project.objects.filter(programme=world.ours, phases__isnull=False).first()
    Phase.objects.filter(project=project).update(decision=Decision.NOT_PROCEEDING)
    shown = {item["slug"]: item for item in listed(client, world)}[project.slug]
    assert shown["shown_status"] == "Not proceeding"


def browser_filter(world, data) -> list[str]:
    """The slugs the projects table's page keeps with these filters (lead partner by id)."""
    filterset = ProjectFilter(
        data, queryset=projects_for_table(programme=world.ours), partnership=world.ours.partnership
    )
    assert filterset.is_valid(), filterset.errors
    return [project.slug for project in filterset.qs]


def test_each_filter_keeps_what_the_tables_filter_keeps(client, world):
    ours = world.ours
    broadland = Partner.objects.get(partnership=ours.partnership, slug="broadland")
    Project.objects.filter(programme=ours, slug__in=["portal", "e-forms"]).update(
        status=ProjectStatus.ACTIVE, lead_partner=broadland
    )
    Project.objects.filter(programme=ours, slug="marketing").update(supports_strategy=True)
    OutcomeClaimFactory(project=Project.objects.get(programme=ours, slug="portal"), grade="good")
    Phase.objects.filter(project__programme=ours, project__slug="direct-gov").update(
        gated=True, decision=Decision.PENDING
    )
    cases = [
        ({"status": "active"}, {"status": "active"}),
        ({"lead_partner": "broadland"}, {"lead_partner": str(broadland.pk)}),
        ({"grade": "good"}, {"grade": "good"}),
        ({"supports_strategy": "true"}, {"supports_strategy": "yes"}),
        ({"supports_strategy": "false"}, {"supports_strategy": "no"}),
        ({"decision_pending": "true"}, {"decision_pending": "on"}),
        ({"q": "gateway"}, {"q": "gateway"}),
        ({"status": "active", "grade": "good"}, {"status": "active", "grade": "good"}),
    ]
    everything = [item["slug"] for item in listed(client, world)]
    for query, data in cases:
        kept = [item["slug"] for item in listed(client, world, **query)]
        assert kept == browser_filter(world, data), query
        assert 0 < len(kept) < len(everything), query  # each filter narrows, none empties
    assert [item["slug"] for item in listed(client, world, decision_pending="false")] == everything


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "paused"}, "status"),
        ({"grade": "splendid"}, "grade"),
        ({"supports_strategy": "maybe"}, "supports_strategy"),
        ({"lead_partner": "nowhere"}, "lead_partner"),
        ({"q": "x" * 201}, "q"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_filter_value_that_makes_no_sense_is_422_naming_it(client, world, query, field):
    response = client.get(
        reverse("api:projects", args=[world.ours.slug]), query, **auth(world.token())
    )
    assert response.status_code == 422, response.content
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_another_partnerships_council_is_not_a_lead_partner_filter(client, world):
    Partner.objects.filter(partnership=world.theirs.partnership, slug="broadland").update(
        slug="elsewhere-council"
    )
    response = client.get(
        reverse("api:projects", args=[world.ours.slug]),
        {"lead_partner": "elsewhere-council"},
        **auth(world.token()),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "lead_partner"


def test_the_list_comes_a_page_at_a_time(client, world):
    every = [item["slug"] for item in listed(client, world)]
    response = client.get(
        reverse("api:projects", args=[world.ours.slug]),
        {"limit": 3, "offset": 3, "status": "proposed"},
        **auth(world.token()),
    )
    page = response.json()
    assert (page["count"], page["limit"], page["offset"]) == (10, 3, 3)
    assert [item["slug"] for item in page["items"]] == every[3:6]


def test_one_project_has_its_rows_as_the_file_holds_them(client, world):
    response = client.get(
        reverse("api:project", args=[world.ours.slug, "authentication-gateway"]),
        **auth(world.token(Role.CHIEF_EXECUTIVE)),
    )
    assert response.status_code == 200
    body = response.json()
    project = project_for_page(programme=world.ours, slug="authentication-gateway")
    phases = list(project.phases.order_by("number"))
    assert [phase["number"] for phase in body["phases"]] == [phase.number for phase in phases]
    second = body["phases"][1]
    assert second["decision"] == "not_proceeding"  # the autumn review's decision
    assert second["extra_cost"] == money(phases[1].extra_cost)
    assert second["gated"] is phases[1].gated
    assert [line["amount"] for line in body["funding"]] == [
        money(line.amount) for line in project.funding_lines.all()
    ]
    assert [claim["grade"] for claim in body["outcome_claims"]] == [
        claim.grade for claim in project.outcome_claims.all()
    ]
    # Its money is the project page's.
    page = project_page(programme=world.ours, project=project)
    assert body["existing_resource"] == money(page.existing_resource)
    assert body["extra_min"] == money(page.bounds.minimum)
    assert body["extra_max"] == money(page.bounds.maximum)
    assert body["tbc_phases"] == page.bounds.tbc_phases
    assert body["current_status"]["status"] == "amber"


def test_a_phase_whose_cost_is_to_be_confirmed_has_null_cost(client):
    programme = ProgrammeFactory()
    project = ProjectFactory(programme=programme)
    PhaseFactory(project=project, number=1, extra_cost=None)
    token = token_of(MembershipFactory(partnership=programme.partnership))
    body = client.get(
        reverse("api:project", args=[programme.slug, project.slug]), **auth(token)
    ).json()
    assert body["phases"][0]["extra_cost"] is None
    assert body["tbc_phases"] == 1
    assert body["extra_max"] == "0.00"


def test_an_unknown_project_is_404(client, world):
    Project.objects.filter(programme=world.theirs, slug="portal").update(slug="their-portal")
    for slug in ("no-such-project", "their-portal"):
        response = client.get(
            reverse("api:project", args=[world.ours.slug, slug]), **auth(world.token())
        )
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found"}


def count_queries(client, address, token, query=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address, query or {}, **auth(token))
    assert response.status_code == 200, response.content
    return len(queries)


def test_the_list_takes_the_same_queries_at_10_and_1000_projects(client):
    programme = ProgrammeFactory()
    token = token_of(MembershipFactory(partnership=programme.partnership))
    address = reverse("api:projects", args=[programme.slug])
    client.get(address, **auth(token))  # the token's last use written
    counts = []
    for total in (10, 1000):
        start = programme.projects.count()
        projects = Project.objects.bulk_create(
            Project(programme=programme, slug=f"p-{n}", name=f"Project {n}", position=n)
            for n in range(start, total)
        )
        Phase.objects.bulk_create(
            Phase(project=project, number=1, name="Build", extra_cost=Decimal("100.00"))
            for project in projects
        )
        StatusUpdateFactory(project=projects[0])
        OutcomeClaimFactory(project=projects[0], grade=Grade.GOOD)
        counts.append(count_queries(client, address, token, {"limit": 500, "grade": "good"}))
        counts.append(count_queries(client, address, token, {"limit": 500}))
    assert counts == [5, 5, 5, 5], counts  # token, membership, programme, count, page


def test_one_project_takes_the_same_queries_at_1_and_20_phases(client):
    programme = ProgrammeFactory()
    project = ProjectFactory(programme=programme)
    token = token_of(MembershipFactory(partnership=programme.partnership))
    address = reverse("api:project", args=[programme.slug, project.slug])
    client.get(address, **auth(token))
    counts = []
    for numbers in (range(1, 2), range(2, 21)):
        for number in numbers:
            PhaseFactory(project=project, number=number)
        counts.append(count_queries(client, address, token))
    assert len(client.get(address, **auth(token)).json()["phases"]) == 20
    # token, membership, programme, the project, its phases, funding and claims
    assert counts == [7, 7], counts

"""Delivery through the API: spend, milestones and risks, as the projects' and register's pages."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import product

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import Milestone, Project, Risk, Role
from projects.risk_forms import RiskFilter
from projects.selectors.delivery import milestone_row, programme_delivery
from projects.selectors.risks import register_risks, risk_row
from projects.selectors.spend import project_spend
from tests.api.money_and_delivery import many_milestones, many_risks, many_spend
from tests.api.world import World, auth, make_world, token_of
from tests.projects.factories import MembershipFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return make_world()


def listed(client, world: World, name: str, **query) -> dict:
    response = client.get(
        reverse(f"api:{name}", args=[world.ours.slug]), query, **auth(world.token())
    )
    assert response.status_code == 200, response.content
    return response.json()


def refused(client, world: World, name: str, **query) -> list[str]:
    response = client.get(
        reverse(f"api:{name}", args=[world.ours.slug]), query, **auth(world.token())
    )
    assert response.status_code == 422, response.content
    return [error["field"] for error in response.json()["errors"]]


# Spend


def test_the_spend_is_the_project_pages(client, world):
    project = Project.objects.get(programme=world.ours, slug="further-info-points")
    line = project_spend(project=project).lines[0]
    assert listed(client, world, "spend") == {
        "count": 1,
        "limit": 100,
        "offset": 0,
        "items": [
            {
                "id": line.spend.pk,
                "project": "further-info-points",
                "phase": 1,
                "date": "2004-09-30",
                "financial_year": line.financial_year,
                "amount": "1200.00",
                "supplier": "Kiosk Ltd",
                "reference": "PO 17",
                "description": "Kiosks for the libraries",
            }
        ],
    }
    assert line.financial_year == "2004/05"


def test_the_spend_filtered(client, world):
    project = Project.objects.get(programme=world.ours, slug="authentication-gateway")
    phase = project.phases.get(number=1)
    phase.spend.create(date=date(2005, 1, 10), amount="99.99", supplier="Gateway plc")

    def amounts(**query) -> list[str]:
        return [item["amount"] for item in listed(client, world, "spend", **query)["items"]]

    assert amounts() == ["1200.00", "99.99"]
    assert amounts(project="authentication-gateway") == ["99.99"]
    assert amounts(project="further-info-points", phase=1) == ["1200.00"]
    assert amounts(phase=2) == []
    assert amounts(supplier="kiosk ltd") == ["1200.00"]
    assert amounts(supplier="Kiosk") == []
    assert amounts(date_from="2004-10-01") == ["99.99"]
    assert amounts(date_to="2004-09-30") == ["1200.00"]
    assert amounts(date_from="2004-09-30", date_to="2005-01-10") == ["1200.00", "99.99"]
    page = listed(client, world, "spend", limit=1, offset=1)
    assert (page["count"], [item["amount"] for item in page["items"]]) == (2, ["99.99"])


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "2004-13-45"},
        {"phase": "first"},
        {"phase": "0"},
        {"project": "Further Info Points"},
        {"supplier": ""},
        {"description": "Kiosks"},
    ],
)
def test_a_bad_spend_filter_is_422(client, world, query):
    assert refused(client, world, "spend", **query) == list(query)


# Milestones


def test_the_milestones_are_the_delivery_pages(client, world):
    today = timezone.localdate()
    items = {item["id"]: item for item in listed(client, world, "milestones")["items"]}
    rows = [
        row
        for _, _, milestones in programme_delivery(programme=world.ours, as_of=today).projects
        for row in milestones
    ]
    assert len(rows) == len(items) == 2
    for row in rows:
        item = items[row.milestone.pk]
        assert item["expected"] == row.dates.expected.isoformat()
        assert item["slippage_days"] == row.dates.slippage
        assert (item["late"], item["due_soon"], item["state"]) == (
            row.dates.late,
            row.dates.due_soon,
            row.dates.state,
        )
    kiosks = next(item for item in items.values() if item["name"] == "Kiosks installed")
    assert kiosks | {"id": None} == {
        "id": None,
        "project": "further-info-points",
        "phase": None,
        "name": "Kiosks installed",
        "baseline": "2004-09-30",
        "forecast": None,
        "actual": "2004-10-08",
        "expected": "2004-10-08",
        "slippage_days": 8,
        "late": True,
        "due_soon": False,
        "state": "Reached late",
    }
    gateway = next(item for item in items.values() if item["phase"] == 1)
    assert (gateway["project"], gateway["actual"], gateway["state"]) == (
        "authentication-gateway",
        None,
        "Late",
    )
    assert gateway["expected"] == today.isoformat()  # not reached: no earlier than today


def test_late_is_the_pure_rule_for_every_kind_of_milestone(client, world):
    """The filter asks the database what ``projects.money.delivery`` says, for each case."""
    today = timezone.localdate()
    project = Project.objects.get(programme=world.ours, slug="further-info-points")
    days = [today - timedelta(days=3), today, today + timedelta(days=3), today + timedelta(days=60)]
    for baseline, forecast, actual in product(days, [None, *days], [None, *days]):
        Milestone.objects.create(
            project=project, name="Case", baseline=baseline, forecast=forecast, actual=actual
        )
    late = {
        item["id"] for item in listed(client, world, "milestones", late="true", limit=500)["items"]
    }
    on_time = {
        item["id"] for item in listed(client, world, "milestones", late="false", limit=500)["items"]
    }
    every = Milestone.objects.filter(project__programme=world.ours)
    expected = {m.pk for m in every if milestone_row(m, as_of=today).dates.late}
    assert late == expected
    assert on_time == {m.pk for m in every} - expected
    assert 0 < len(late) < every.count()


def test_the_milestones_filtered_by_project(client, world):
    items = listed(client, world, "milestones", project="authentication-gateway")["items"]
    assert [item["name"] for item in items] == ["Gateway live for the first council"]
    assert listed(client, world, "milestones", project="no-such-project")["items"] == []
    page = listed(client, world, "milestones", limit=1, offset=1)
    assert (page["count"], len(page["items"])) == (2, 1)


@pytest.mark.parametrize(
    "query", [{"late": "perhaps"}, {"late": ""}, {"project": "A B"}, {"state": "Late"}]
)
def test_a_bad_milestone_filter_is_422(client, world, query):
    assert refused(client, world, "milestones", **query) == list(query)


def test_one_milestone_is_the_lists(client, world):
    milestone = Milestone.objects.get(project__programme=world.ours, name="Kiosks installed")
    token = world.token(Role.PARTNER_OFFICER)
    address = reverse("api:milestone", args=[world.ours.slug, milestone.pk])
    response = client.get(address, **auth(token))
    assert response.status_code == 200
    listed_item = next(
        item for item in listed(client, world, "milestones")["items"] if item["id"] == milestone.pk
    )
    assert response.json() == listed_item


def test_another_partnerships_milestone_is_404(client, world):
    theirs = Milestone.objects.filter(project__programme=world.theirs).first()
    address = reverse("api:milestone", args=[world.ours.slug, theirs.pk])
    response = client.get(address, **auth(world.token()))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}
    too_big = address.rsplit("/", 1)[0] + f"/{2**64}"
    assert client.get(too_big, **auth(world.token())).status_code == 422


# Risks


def register_page(world: World, data: dict) -> list[str]:
    """The references the register page lists for the filter's values, as its view reads them."""
    projects = list(Project.objects.filter(programme=world.ours).order_by("position", "pk"))
    risks = register_risks(programme=world.ours)
    chosen = RiskFilter(data or None, queryset=risks, projects=projects)
    assert not data or chosen.is_valid()
    return [risk.reference for risk in (chosen.qs if data else risks)]


def test_the_risks_are_the_registers(client, world):
    today = timezone.localdate()
    items = listed(client, world, "risks")["items"]
    assert [item["reference"] for item in items] == register_page(world, {})
    for item in items:
        risk = Risk.objects.get(programme=world.ours, reference=item["reference"])
        row = risk_row(risk, as_of=today)
        assert (item["score"], item["band"], item["review_overdue"]) == (
            row.score,
            row.band,
            row.past_review,
        )
    closed = next(item for item in items if item["reference"] == "R3")
    assert closed | {"id": None} == {
        "id": None,
        "reference": "R3",
        "project": "authentication-gateway",
        "description": "The national gateway changes its interface",
        "likelihood": 2,
        "impact": 4,
        "score": 8,
        "band": "medium",
        "owner": "Project manager",
        "mitigation": "Follow the national releases",
        "status": "closed",
        "next_review": None,
        "review_overdue": False,
    }
    assert items[0]["project"] is None and items[0]["review_overdue"] is True


def test_the_risks_filtered_as_the_register_page_filters_them(client, world):
    project = Project.objects.get(programme=world.ours, slug="further-info-points")
    for reference, likelihood, impact, status in (
        ("H1", 5, 3, "open"),
        ("H2", 4, 5, "closed"),
        ("L1", 1, 4, "open"),
    ):
        Risk.objects.create(
            programme=world.ours,
            project=project,
            reference=reference,
            description="A risk",
            likelihood=likelihood,
            impact=impact,
            status=status,
        )
    choices = {
        "status": [None, "open", "closed"],
        "project": [None, "programme", "further-info-points", "authentication-gateway"],
        "band": [None, "high", "medium", "low"],
    }
    seen = set()
    for values in product(*choices.values()):
        data = {name: value for name, value in zip(choices, values, strict=True) if value}
        references = [item["reference"] for item in listed(client, world, "risks", **data)["items"]]
        assert references == register_page(world, data), data
        seen.add(tuple(references))
    assert len(seen) > 10  # the filters choose between many lists
    page = listed(client, world, "risks", limit=2, offset=2)
    assert (page["count"], len(page["items"])) == (6, 2)


@pytest.mark.parametrize(
    "query",
    [{"status": "maybe"}, {"band": "severe"}, {"band": "HIGH"}, {"project": "_"}, {"owner": "x"}],
)
def test_a_bad_risk_filter_is_422(client, world, query):
    assert refused(client, world, "risks", **query) == list(query)


# Queries


FILL = {"spend": many_spend, "milestones": many_milestones, "risks": many_risks}


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("spend", {}),
        ("spend", {"limit": 500, "phase": 1, "supplier": "kiosk ltd", "date_to": "2004-07-01"}),
        ("milestones", {}),
        ("milestones", {"limit": 500, "late": "true"}),
        ("risks", {}),
        ("risks", {"limit": 500, "status": "open", "band": "medium", "project": "programme"}),
    ],
)
def test_the_lists_read_the_same_queries_at_10_and_1000_rows(client, name, query):
    programme = ProgrammeFactory()
    token = token_of(MembershipFactory(partnership=programme.partnership, role=Role.ADMIN))
    address = reverse(f"api:{name}", args=[programme.slug])
    client.get(address, **auth(token))  # the token's last use written
    counts = []
    for count in (10, 990):
        FILL[name](programme, count)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(address, query, **auth(token))
        assert response.status_code == 200
        assert response.json()["items"]
        counts.append(len(queries))
    assert response.json()["count"] > (100 if query else 999)
    assert counts[0] == counts[1] == 5, counts  # token, membership, programme, count, page

"""The partners' endpoints: every council's position as the partners page has it, and one
council's as its own page has it; a partner officer reads only their own council's."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contributions.selectors import partners_page
from projects.models import Partner, Role
from reports.report.selectors import statement_for
from tests.api.world import World, auth, make_world, token_of
from tests.contributions.factories import ContributionFactory, PartnerFactory
from tests.projects.factories import MembershipFactory, PhaseFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

POSITION = ("share_min", "share_max", "immediate", "cap", "pledged", "received", "outstanding")
AGREED = ("agreed_immediate", "agreed_cap", "invoiced", "paid", "credited", "owed", "overdue")


@pytest.fixture
def world() -> World:
    return make_world()


def money(value) -> str:
    return f"{value:.2f}"


def get(client, name, token, *args, **query):
    return client.get(reverse(name, args=args), query, **auth(token))


def test_the_list_has_the_partners_pages_figures_to_the_penny(client, world):
    response = get(client, "api:partners", world.token(), world.ours.slug)
    assert response.status_code == 200
    items = response.json()["items"]
    page = partners_page(programme=world.ours)
    assert [item["slug"] for item in items] == [row.partner.slug for row in page.partners]
    assert page.agreed is not None  # the world is after the meeting
    rows = {row.slug: row for row in page.agreed.rows}
    for item, position in zip(items, page.positions, strict=True):
        agreed = rows[item["slug"]]
        assert item["slug"] == position.slug
        assert item["position"] == {
            **{name: money(getattr(position.position, name)) for name in POSITION},
            "later_at_most": money(position.position.later_at_most),
        }
        for name in AGREED:
            assert item["agreed"][name] == money(getattr(agreed, name)), name
        assert item["agreed"]["next_due"] == (agreed.next_due and agreed.next_due.isoformat())
        assert item["own"] is False


def test_broadlands_position_is_its_pages_to_the_penny(client, world):
    body = get(client, "api:partner", world.token(), world.ours.slug, "broadland").json()
    broadland = Partner.objects.get(partnership=world.ours.partnership, slug="broadland")
    statement = statement_for(programme=world.ours, partner=broadland)
    assert statement.agreed is not None and statement.position is not None
    assert body["position"]["immediate"] == money(statement.position.immediate)
    assert body["position"]["cap"] == money(statement.position.cap)
    assert body["pledged"] == money(statement.totals.promised)
    assert body["received"] == money(statement.totals.received)
    assert body["outstanding"] == money(statement.totals.outstanding)
    for name in (*AGREED, "uncalled", "in_credit"):
        assert body["agreed"][name] == money(getattr(statement.agreed, name)), name
    assert body["agreed_by"] == statement.agreed_by
    assert [invoice["number"] for invoice in body["invoices"]] == [
        line.number for line in statement.invoices
    ]
    assert [invoice["paid"] for invoice in body["invoices"]] == [
        money(line.paid) for line in statement.invoices
    ]
    # Broadland paid its immediate invoice in two instalments: £10,000 invoiced, all paid.
    assert body["invoices"][0]["amount"] == "10000.00"
    assert body["invoices"][0]["paid"] == "10000.00"
    # The same as the list's row for it.
    listed = get(client, "api:partners", world.token(), world.ours.slug).json()["items"]
    row = next(item for item in listed if item["slug"] == "broadland")
    assert row["position"] == body["position"]
    assert row["agreed"] == body["agreed"]


def test_a_partner_officer_reads_every_councils_row_but_only_their_own_page(client, world):
    token = world.token(Role.PARTNER_OFFICER, partner="broadland")
    items = get(client, "api:partners", token, world.ours.slug).json()["items"]
    assert [item["slug"] for item in items if item["own"]] == ["broadland"]
    assert len(items) == 8
    own = get(client, "api:partner", token, world.ours.slug, "broadland")
    assert own.status_code == 200
    assert own.json()["own"] is True
    other = get(client, "api:partner", token, world.ours.slug, "norwich")
    assert other.status_code == 404  # the browser refuses them the page (403)
    assert other.json() == {"detail": "Not found"}
    # A chief executive reads any council's.
    chief = world.token(Role.CHIEF_EXECUTIVE)
    assert get(client, "api:partner", chief, world.ours.slug, "norwich").status_code == 200


def test_an_unknown_or_another_partnerships_council_is_404(client, world):
    PartnerFactory(partnership=world.theirs.partnership, slug="elsewhere-council")
    for slug in ("no-such-council", "elsewhere-council"):
        response = get(client, "api:partner", world.token(), world.ours.slug, slug)
        assert response.status_code == 404


def test_the_list_comes_a_page_at_a_time(client, world):
    page = get(client, "api:partners", world.token(), world.ours.slug, limit=3, offset=6).json()
    assert (page["count"], page["offset"]) == (8, 6)
    assert [item["slug"] for item in page["items"]] == ["norwich", "south-norfolk"]


def test_a_council_that_does_not_contribute_has_no_position(client):
    programme = ProgrammeFactory()
    PhaseFactory(project__programme=programme)
    PartnerFactory(partnership=programme.partnership)
    idle = PartnerFactory(partnership=programme.partnership, contributes=False)
    token = token_of(MembershipFactory(partnership=programme.partnership))
    items = get(client, "api:partners", token, programme.slug).json()["items"]
    assert [item["position"] is None for item in items] == [False, True]
    assert items[0]["position"]["share_max"] == "1000.00"  # the one contributor bears it all
    body = get(client, "api:partner", token, programme.slug, idle.slug).json()
    assert body["contributes"] is False
    assert body["position"] is None
    assert body["agreed"] is None


def count_queries(client, address, token) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address, **auth(token))
    assert response.status_code == 200, response.content
    return len(queries)


def test_the_same_queries_at_2_and_10_partners(client):
    programme = ProgrammeFactory()
    PhaseFactory(project__programme=programme)
    token = token_of(MembershipFactory(partnership=programme.partnership))
    first = PartnerFactory(partnership=programme.partnership)
    listing = reverse("api:partners", args=[programme.slug])
    one = reverse("api:partner", args=[programme.slug, first.slug])
    client.get(listing, **auth(token))
    counts = []
    for total in (2, 10):
        while programme.partnership.partners.count() < total:
            partner = PartnerFactory(partnership=programme.partnership)
            ContributionFactory(programme=programme, partner=partner)
        counts.append((count_queries(client, listing, token), count_queries(client, one, token)))
    assert counts[0] == counts[1], counts

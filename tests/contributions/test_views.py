"""The partners and contributions pages: positions, the matrix, and changing them safely."""

from dataclasses import replace
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from benchmarks.builders import large_document
from projects.models import Contribution, Partner, Programme, Role
from projects.money.document import ContributionData
from projects.money.vocabulary import Apportionment, ContributionStatus, Tranche
from projects.services import programme_load
from tests.contributions.factories import ContributionFactory, PartnerFactory
from tests.dates import as_typed
from tests.projects.factories import MembershipFactory, ProgrammeFactory, ProjectFactory
from tests.tranches import post_confirmed

pytestmark = pytest.mark.django_db

DEMO = "norfolk-connect-2004"
PARTNERS_URL = f"/programmes/{DEMO}/partners/"
NEW_CONTRIBUTION_URL = f"/programmes/{DEMO}/contributions/new/"


@pytest.fixture
def demo():
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.select_related("partnership").get(slug=DEMO)


def login(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def facilitator(client, demo):
    return login(client, "facilitator")


def broadland() -> Partner:
    return Partner.objects.get(slug="broadland")


def contribution_data(**changes) -> dict:
    data = {
        "partner": broadland().pk,
        "financial_year": "2004/05",
        "tranche": "immediate",
        "amount": "£10,000",
        "status": "received",
        "received_on": "2004-08-02",
    }
    data.update(changes)
    return as_typed(data)


def position_of(response, slug: str):
    return next(row.position for row in response.context["page"].positions if row.slug == slug)


def snapshot() -> list:
    """Every partner and contribution as stored, to show that nothing changed."""
    return [
        list(Partner.objects.order_by("pk").values()),
        list(Contribution.objects.order_by("pk").values()),
    ]


# The page


def test_positions_on_the_demo_are_the_seeds_recommendation(facilitator):
    response = facilitator.get(PARTNERS_URL)
    assert response.status_code == 200
    page = response.context["page"]
    assert len(page.positions) == 8
    for row in page.positions:
        assert row.position.share_min == Decimal("9375.00")
        assert row.position.share_max == Decimal("21875.00")
        assert row.position.immediate == Decimal("10000.00")
        assert row.position.cap == Decimal("30000.00")
        assert row.position.pledged == row.position.received == Decimal("0.00")
    assert page.position_totals.share_min == Decimal("75000.00") == page.figures.extra_min
    assert page.position_totals.share_max == Decimal("175000.00") == page.figures.extra_max
    # Listed in the partnership's order, as the partners table is.
    assert [row.slug for row in page.positions][:3] == [
        "norfolk-county",
        "breckland",
        "broadland",
    ]
    html = response.content.decode()
    assert "£9,375" in html and "£21,875" in html and "£30,000" in html
    assert "minimum of £75,000 and its maximum of £175,000" in html
    assert "shared by all its programmes" in html


def test_matrix_has_a_row_per_partner_and_a_column_per_year(facilitator):
    response = facilitator.get(PARTNERS_URL)
    matrix = response.context["page"].matrix
    assert matrix.years == ("2004/05", "2005/06")
    assert len(matrix.rows) == 8
    assert all(cell.open_tranche == "immediate" for row in matrix.rows for cell in row.cells)
    html = response.content.decode()
    assert "<caption" in html and 'scope="row"' in html and 'scope="col"' in html
    add = reverse("contributions:contribution_create", args=[DEMO])
    assert f"{add}?partner=broadland&amp;financial_year=2004/05&amp;tranche=immediate" in html
    assert reverse("contributions:partner_create", args=[DEMO]) in html
    assert reverse("contributions:partner_update", args=[DEMO, "broadland"]) in html


def test_recording_a_contribution_moves_the_partners_position(facilitator):
    response = facilitator.post(NEW_CONTRIBUTION_URL, contribution_data())
    assert response.status_code == 302
    assert response["Location"] == PARTNERS_URL

    page = facilitator.get(PARTNERS_URL)
    message = [str(m) for m in page.context["messages"]]
    assert any(
        "Broadland District Council has now pledged £10,000, received £10,000, outstanding £0"
        in text
        for text in message
    )
    position = position_of(page, "broadland")
    assert (position.pledged, position.received, position.outstanding) == (
        Decimal("10000.00"),
        Decimal("10000.00"),
        Decimal("0.00"),
    )
    assert position_of(page, "breckland").pledged == Decimal("0.00")
    row = next(r for r in page.context["page"].matrix.rows if r.partner.slug == "broadland")
    assert [c.amount for c in row.cells[0].contributions] == [Decimal("10000.00")]
    assert row.cells[0].open_tranche == "review"
    assert page.context["page"].matrix.year_totals[0].received == Decimal("10000.00")
    html = page.content.decode()
    assert 'govuk-tag govuk-tag--green">Received</strong>' in html
    contribution = Contribution.objects.get()
    assert reverse("contributions:contribution_update", args=[DEMO, contribution.pk]) in html
    assert contribution.history.get().history_user.username == "facilitator"

    # A pledge not yet paid is outstanding.
    facilitator.post(
        NEW_CONTRIBUTION_URL,
        contribution_data(
            financial_year="2005/06", tranche="review", amount="20000", status="pledged"
        ),
    )
    position = position_of(facilitator.get(PARTNERS_URL), "broadland")
    assert (position.pledged, position.received, position.outstanding) == (
        Decimal("30000.00"),
        Decimal("10000.00"),
        Decimal("20000.00"),
    )


def test_new_contribution_is_prefilled_from_the_matrix_cell(facilitator):
    response = facilitator.get(
        NEW_CONTRIBUTION_URL + "?partner=broadland&financial_year=2005/06&tranche=review"
    )
    form = response.context["form"]
    assert form.initial == {
        "partner": broadland().pk,
        "financial_year": "2005/06",
        "tranche": "review",
    }
    # Nonsense in the query string is ignored, not an error.
    response = facilitator.get(NEW_CONTRIBUTION_URL + "?partner=nobody&financial_year=1999/00")
    assert response.status_code == 200
    assert response.context["form"].initial == {"partner": None}


def test_editing_a_contribution_and_removing_it(facilitator, demo):
    contribution = ContributionFactory(programme=demo, partner=broadland())
    url = reverse("contributions:contribution_update", args=[DEMO, contribution.pk])
    response = facilitator.post(
        url, contribution_data(status="invoiced", invoiced_on="2004-09-01", version=1)
    )
    assert response.status_code == 302
    contribution.refresh_from_db()
    assert contribution.status == ContributionStatus.INVOICED
    assert contribution.version == 2

    delete_url = reverse("contributions:contribution_delete", args=[DEMO, contribution.pk])
    confirm = facilitator.get(delete_url)
    assert confirm.status_code == 200
    assert b"Remove contribution" in confirm.content
    assert Contribution.objects.exists()
    response = facilitator.post(delete_url, {"version": 2})
    assert response.status_code == 302
    assert not Contribution.objects.exists()
    page = facilitator.get(PARTNERS_URL)
    assert any("pledged £0, received £0" in str(m) for m in page.context["messages"])


def test_page_explains_rather_than_fails_when_weights_are_missing(facilitator, demo):
    Programme.objects.filter(pk=demo.pk).update(apportionment=Apportionment.WEIGHTS)
    response = facilitator.get(PARTNERS_URL)
    assert response.status_code == 200
    assert "shares its costs by agreed weights" in response.content.decode()
    assert response.context["page"].positions == ()


def test_partner_officer_sees_their_council_marked(client, demo):
    login(client, "partner-officer")
    html = client.get(PARTNERS_URL).content.decode()
    table = html[html.index('id="partner-positions"') :]
    table = table[: table.index("</table>")]
    assert table.count("Your council") == 1  # and first in the navigation, as a link
    row = table[table.rindex("<tr", 0, table.index("Your council")) : table.index("Your council")]
    assert "Broadland District Council" in row


# Who may change what


def change_requests(demo) -> list[tuple[str, dict]]:
    contribution = ContributionFactory(programme=demo, partner=broadland())
    slug = "broadland"
    return [
        (reverse("contributions:partner_create", args=[DEMO]), {"name": "X", "slug": "x"}),
        (
            reverse("contributions:partner_update", args=[DEMO, slug]),
            {"name": "Renamed", "contributes": "on", "version": 1},
        ),
        (reverse("contributions:partner_delete", args=[DEMO, "south-norfolk"]), {"version": 1}),
        (NEW_CONTRIBUTION_URL, contribution_data(tranche="review")),
        (
            reverse("contributions:contribution_update", args=[DEMO, contribution.pk]),
            contribution_data(amount="1", version=1),
        ),
        (
            reverse("contributions:contribution_delete", args=[DEMO, contribution.pk]),
            {"version": 1},
        ),
    ]


@pytest.mark.parametrize("username", ["chief-executive", "partner-officer"])
def test_readers_can_read_but_not_change(client, demo, username):
    requests = change_requests(demo)
    before = snapshot()
    login(client, username)
    page = client.get(PARTNERS_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "£9,375" in html
    for url, _ in requests:
        assert url not in html
    assert "/edit/" not in html and "/contributions/new/" not in html
    assert "Add a partner" not in html and "Add a contribution" not in html
    for url, data in requests:
        assert client.get(url).status_code == 403, url
        assert client.post(url, data).status_code == 403, url
    assert snapshot() == before


def test_another_partnerships_rows_are_not_found(facilitator, demo):
    other = ContributionFactory()  # another partnership's programme
    other_partner = other.partner
    sibling = ContributionFactory(
        programme=ProgrammeFactory(partnership=demo.partnership), partner=broadland()
    )
    before = snapshot()
    for pk in (other.pk, sibling.pk, 999999):
        for name in ("contribution_update", "contribution_delete"):
            url = reverse(f"contributions:{name}", args=[DEMO, pk])
            assert facilitator.get(url).status_code == 404
            assert facilitator.post(url, {"version": 1, "amount": "1"}).status_code == 404
    for name in ("partner_update", "partner_delete"):
        url = reverse(f"contributions:{name}", args=[DEMO, other_partner.slug])
        assert facilitator.get(url).status_code == 404
        assert facilitator.post(url, {"version": 1, "name": "Mine now"}).status_code == 404
    assert snapshot() == before


def test_another_partnerships_programme_is_not_found(client, demo):
    client.force_login(MembershipFactory(role=Role.FACILITATOR).user)
    assert client.get(PARTNERS_URL).status_code == 404
    assert client.post(NEW_CONTRIBUTION_URL, contribution_data()).status_code == 404
    assert not Contribution.objects.exists()


# Bad input


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "£1,000,000,000,000"}, "amount"),
        ({"amount": "1e5"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": ""}, "amount"),
        ({"amount": "10.005"}, "amount"),
        ({"partner": "999999"}, "partner"),
        ({"partner": "abc"}, "partner"),
        ({"financial_year": "2010/11"}, "financial_year"),
        ({"financial_year": "x" * 5000}, "financial_year"),
        ({"tranche": "later"}, "tranche"),
        ({"status": "stolen"}, "status"),
        ({"received_on": ""}, "received_on"),
        ({"received_on": "2004-02-30"}, "received_on"),
        ({"status": "returned", "received_on": ""}, "returned_on"),
        ({"note": "x" * 5000}, "note"),
    ],
)
def test_bad_contribution_input_is_refused_with_a_field_error(facilitator, changes, field):
    response = facilitator.post(NEW_CONTRIBUTION_URL, contribution_data(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    html = response.content.decode()
    assert "<title>Error: " in html
    assert "govuk-error-summary" in html
    assert not Contribution.objects.exists()


def test_a_missing_date_received_is_said_with_the_other_mistakes(facilitator):
    """The date a status needs is asked for in the same list, not after the rest is put right."""
    response = facilitator.post(NEW_CONTRIBUTION_URL, contribution_data(amount="", received_on=""))
    errors = response.context["form"].errors
    assert errors["amount"] == ["Enter the amount"]
    assert errors["received_on"] == ["Enter the date received, because the status is received"]
    assert not Contribution.objects.exists()


def test_non_contributing_and_foreign_partners_are_refused(facilitator, demo):
    sleeping = PartnerFactory(partnership=demo.partnership, contributes=False)
    foreign = PartnerFactory()
    for partner in (sleeping, foreign):
        response = facilitator.post(NEW_CONTRIBUTION_URL, contribution_data(partner=partner.pk))
        assert response.status_code == 200
        assert "partner" in response.context["form"].errors
    assert not Contribution.objects.exists()


def test_a_second_contribution_for_the_same_year_and_tranche_points_to_the_first(facilitator, demo):
    first = ContributionFactory(programme=demo, partner=broadland(), amount=Decimal("5000.00"))
    response = facilitator.post(NEW_CONTRIBUTION_URL, contribution_data())
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "Broadland District Council already has an immediate contribution for 2004/05: "
        "edit that one instead" in html
    )
    assert reverse("contributions:contribution_update", args=[DEMO, first.pk]) in html
    assert list(Contribution.objects.values_list("amount", flat=True)) == [Decimal("5000.00")]


def test_moving_a_contribution_onto_another_is_refused(facilitator, demo):
    ContributionFactory(programme=demo, partner=broadland(), tranche=Tranche.IMMEDIATE)
    review = ContributionFactory(programme=demo, partner=broadland(), tranche=Tranche.REVIEW)
    url = reverse("contributions:contribution_update", args=[DEMO, review.pk])
    before = snapshot()
    response = facilitator.post(url, contribution_data(version=1))
    assert response.status_code == 200
    assert "already has an immediate contribution" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("version", ["abc", "", "-1", "1.5", "99999999999999999999"])
def test_a_tampered_version_is_refused(facilitator, demo, version):
    contribution = ContributionFactory(programme=demo, partner=broadland())
    before = snapshot()
    url = reverse("contributions:contribution_update", args=[DEMO, contribution.pk])
    response = facilitator.post(url, contribution_data(amount="1", version=version))
    assert response.status_code == 200
    assert "out of date" in response.content.decode()
    delete = reverse("contributions:contribution_delete", args=[DEMO, contribution.pk])
    assert facilitator.post(delete, {"version": version}).status_code == 200
    assert snapshot() == before


def test_a_stale_contribution_save_is_refused_with_what_changed(facilitator, demo):
    contribution = ContributionFactory(programme=demo, partner=broadland())
    url = reverse("contributions:contribution_update", args=[DEMO, contribution.pk])
    assert facilitator.post(url, contribution_data(amount="12000", version=1)).status_code == 302
    before = snapshot()

    response = facilitator.post(url, contribution_data(amount="15000", version=1))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this" in html
    assert "£12,000" in html  # what they changed it to
    assert 'value="15000"' in html  # the person's own entry is kept
    delete = reverse("contributions:contribution_delete", args=[DEMO, contribution.pk])
    assert facilitator.post(delete, {"version": 1}).status_code == 409
    assert snapshot() == before


# Partners


def test_adding_editing_and_removing_a_partner(facilitator, demo):
    create = reverse("contributions:partner_create", args=[DEMO])
    response = facilitator.post(
        create,
        {"name": "Broads Authority", "population": "6,000", "weight": "2.5"},
    )
    assert response.status_code == 302
    partner = Partner.objects.get(slug="broads-authority")  # made from its name
    assert (partner.contributes, partner.population, partner.weight) == (
        False,
        6000,
        Decimal("2.5"),
    )
    assert partner.position == 8
    assert partner.history.get().history_user.username == "facilitator"

    update = reverse("contributions:partner_update", args=[DEMO, "broads-authority"])
    form = facilitator.get(update).context["form"]
    assert form.initial["weight"] == "2.5" and form.initial["version"] == 1
    response = post_confirmed(
        facilitator,
        update,
        {"name": "The Broads Authority", "slug": "hijack", "contributes": "on", "version": 1},
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert (partner.name, partner.slug, partner.contributes, partner.weight) == (
        "The Broads Authority",
        "broads-authority",  # a partner's slug stays as it was made
        True,
        None,
    )
    page = facilitator.get(PARTNERS_URL).context["page"]
    assert len(page.positions) == 9
    assert page.position_totals.share_min == Decimal("75000.00")

    delete = reverse("contributions:partner_delete", args=[DEMO, "broads-authority"])
    assert facilitator.get(delete).status_code == 200
    assert Partner.objects.filter(slug="broads-authority").exists()
    assert post_confirmed(facilitator, delete, {"version": 2}).status_code == 302
    assert not Partner.objects.filter(slug="broads-authority").exists()


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Broadland", "broadland-2"),
        ("New", "new-2"),
        ("St Edmund's Trust & Co", "st-edmunds-trust-co"),
    ],
)
def test_a_new_partner_gets_a_slug_of_its_own_from_its_name(facilitator, demo, name, slug):
    response = facilitator.post(
        reverse("contributions:partner_create", args=[DEMO]), {"name": name, "slug": "typed"}
    )
    assert response.status_code == 302
    assert Partner.objects.get(partnership=demo.partnership, slug=slug).name == name


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"population": "-1"}, "population"),
        ({"population": "abc"}, "population"),
        ({"population": "1.5"}, "population"),
        ({"population": "6,00"}, "population"),
        ({"population": "99999999999"}, "population"),
        ({"weight": "-1"}, "weight"),
        ({"weight": "abc"}, "weight"),
        ({"weight": "1.23456"}, "weight"),
        ({"weight": "NaN"}, "weight"),
        ({"weight": "1e9"}, "weight"),
    ],
)
def test_bad_partner_input_is_refused_with_a_field_error(facilitator, data, field):
    before = snapshot()
    response = facilitator.post(
        reverse("contributions:partner_create", args=[DEMO]),
        {"name": "Broads Authority", "slug": "broads", "contributes": "on", **data},
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "<title>Error: " in response.content.decode()
    assert snapshot() == before


def test_clearing_a_weight_the_programme_shares_by_is_refused(facilitator, demo):
    Partner.objects.update(weight=Decimal("12.5"))
    Programme.objects.filter(pk=demo.pk).update(apportionment=Apportionment.WEIGHTS)
    before = snapshot()
    url = reverse("contributions:partner_update", args=[DEMO, "broadland"])
    response = facilitator.post(url, {"name": "Broadland", "contributes": "on", "version": 1})
    assert response.status_code == 200
    assert response.context["form"].errors["weight"] == [
        "Norfolk Connect medium term workload shares its costs by agreed weights, so a "
        "contributing partner needs an agreed weight."
    ]
    assert snapshot() == before
    # Without the weight it may still stay, as long as it does not contribute.
    response = post_confirmed(facilitator, url, {"name": "Broadland", "version": 1})
    assert response.status_code == 302


def test_a_stale_partner_save_is_refused_with_what_changed(facilitator, demo):
    url = reverse("contributions:partner_update", args=[DEMO, "broadland"])
    data = {"name": "Broadland DC", "contributes": "on", "version": 1}
    assert facilitator.post(url, data).status_code == 302
    Partner.objects.filter(slug="south-norfolk").update(version=3)  # saved twice elsewhere
    before = snapshot()
    response = facilitator.post(url, {**data, "name": "Broadland Council"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this" in html and "Broadland DC" in html
    assert 'value="Broadland Council"' in html
    delete = reverse("contributions:partner_delete", args=[DEMO, "south-norfolk"])
    assert facilitator.post(delete, {"version": 1}).status_code == 409
    assert snapshot() == before


def test_removing_a_partner_in_use_says_what_uses_it(facilitator, demo):
    ContributionFactory(programme=demo, partner=broadland())
    ProjectFactory(programme=demo, name="Portal", lead_partner=broadland())
    before = snapshot()
    url = reverse("contributions:partner_delete", args=[DEMO, "broadland"])
    shown = facilitator.get(url).content.decode()
    assert "Remove partner</button>" not in shown
    response = facilitator.post(url, {"version": 1})
    assert response.status_code == 200
    html = response.content.decode()
    assert "It has 1 contribution (to Norfolk Connect medium term workload)" in html
    assert "It leads Portal (Norfolk Connect medium term workload)" in html
    assert "It is the council of user partner-officer" in html
    assert snapshot() == before


# Query counts: the page reads a fixed number of queries, whatever the programme's size.

MAX_PAGE_QUERIES = 13  # session, user, membership, programme, partners, contributions, figures (7)


def large_programme(*, partners: int, years: int) -> Programme:
    """Load a programme with both tranches contributed in every partner's every year."""
    document = large_document(projects=5, partners=partners)
    financial_years = tuple(f"{2004 + n}/{(5 + n) % 100:02d}" for n in range(years))
    statuses = list(ContributionStatus)
    contributions = tuple(
        ContributionData(
            partner=partner.slug,
            financial_year=year,
            tranche=tranche,
            amount=Decimal("1000.00"),
            status=statuses[(index + n) % len(statuses)],
        )
        for index, partner in enumerate(document.partners)
        for n, year in enumerate(financial_years)
        for tranche in Tranche
    )
    document = replace(
        document,
        programme=replace(document.programme, financial_years=financial_years),
        contributions=contributions,
    )
    return programme_load(document=document)


@pytest.mark.parametrize(("partners", "years"), [(8, 2), (100, 4)])
@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.CHIEF_EXECUTIVE])
def test_partners_page_queries_do_not_grow(
    client, django_assert_max_num_queries, partners, years, role
):
    programme = large_programme(partners=partners, years=years)
    membership = MembershipFactory(partnership=programme.partnership, role=role)
    client.force_login(membership.user)
    url = reverse("contributions:partner_list", args=[programme.slug])
    with django_assert_max_num_queries(MAX_PAGE_QUERIES):
        response = client.get(url)
    page = response.context["page"]
    assert len(page.matrix.rows) == partners
    assert len(page.matrix.years) == years
    assert sum(len(cell.contributions) for row in page.matrix.rows for cell in row.cells) == (
        partners * years * 2
    )
    assert page.matrix.pledged == page.figures.pledged
    assert page.matrix.received == page.figures.received

"""Each partner's statement: who may read it, what it says, and its shares adding up."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from decimal import Decimal
from html import unescape
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from pypdf.generic import BooleanObject

from benchmarks.builders import large_document
from projects.models import Membership, Partner, Programme, Role
from projects.money.document import ContributionData
from projects.money.figures import compute_figures
from projects.money.vocabulary import Apportionment, ContributionStatus, Decision, Tranche
from projects.services import programme_load
from reports.report.statements import partner_statement
from tests.contributions.factories import ContributionFactory, PartnerFactory
from tests.projects.factories import MembershipFactory, ProgrammeFactory, RiskFactory
from tests.reports.seed import seed_document, with_phase_decision

DEMO = "norfolk-connect-2004"
MAX_QUERIES = 13  # session, user, membership, programme, partner, the programme's rows (8)


@pytest.fixture
def demo(db, monkeypatch):
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.select_related("partnership").get(slug=DEMO)


def signed_in(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def statement_url(partner: str, slug: str = DEMO, pdf: bool = False) -> str:
    return reverse("report:statement_pdf" if pdf else "report:statement", args=[slug, partner])


def flat(text: str) -> str:
    return " ".join(unescape(text).split())


# Who may read it


@pytest.mark.parametrize("username", ["partner-officer", "facilitator", "chief-executive", "admin"])
@pytest.mark.parametrize("pdf", [False, True])
def test_its_own_officer_and_the_partnership_may_read_a_statement(client, demo, username, pdf):
    response = signed_in(client, username).get(statement_url("broadland", pdf=pdf))
    assert response.status_code == 200


@pytest.mark.parametrize("pdf", [False, True])
def test_another_partners_officer_may_not(client, demo, pdf):
    # The demo partner officer works for Broadland.
    response = signed_in(client, "partner-officer").get(statement_url("norwich", pdf=pdf))
    assert response.status_code == 403
    assert b"Norwich" not in response.content


def test_another_partnerships_programme_and_partner_answer_404(client, demo):
    other = ProgrammeFactory(slug="elsewhere")
    stranger = PartnerFactory(partnership=other.partnership, slug="stranger")
    signed_in(client, "facilitator")
    assert client.get(statement_url("broadland", slug="elsewhere")).status_code == 404
    assert client.get(statement_url(stranger.slug)).status_code == 404
    assert client.get(statement_url("nowhere")).status_code == 404
    # Nor may a member of the other partnership read ours.
    outsider = MembershipFactory(partnership=other.partnership, role=Role.CHIEF_EXECUTIVE).user
    client.force_login(outsider)
    assert client.get(statement_url("broadland")).status_code == 404


def test_signing_in_is_required(client, demo):
    response = client.get(statement_url("broadland", pdf=True))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_report_page_links_a_partner_officer_to_their_own_statement_only(client, demo):
    html = signed_in(client, "partner-officer").get(reverse("report:report", args=[DEMO]))
    html = html.content.decode()
    assert statement_url("broadland") in html
    assert statement_url("norwich") not in html
    everyone = signed_in(client, "chief-executive").get(reverse("report:report", args=[DEMO]))
    assert statement_url("norwich") in everyone.content.decode()


# What it says


def record_broadlands_money(demo: Programme) -> Partner:
    broadland = Partner.objects.get(partnership=demo.partnership, slug="broadland")
    for year, tranche, amount, status, dates in (
        ("2004/05", Tranche.IMMEDIATE, "10000.00", ContributionStatus.RECEIVED,
         {"received_on": date(2004, 8, 2)}),
        ("2004/05", Tranche.REVIEW, "5000.00", ContributionStatus.INVOICED,
         {"invoiced_on": date(2004, 10, 1)}),
        ("2005/06", Tranche.IMMEDIATE, "8000.00", ContributionStatus.PLEDGED, {}),
        ("2005/06", Tranche.REVIEW, "2000.00", ContributionStatus.RETURNED,
         {"returned_on": date(2005, 11, 30)}),
    ):  # fmt: skip
        ContributionFactory(
            programme=demo,
            partner=broadland,
            financial_year=year,
            tranche=tranche,
            amount=Decimal(amount),
            status=status,
            **dates,
        )
    ContributionFactory(programme=demo, partner=Partner.objects.get(slug="norwich"))
    return broadland


def test_the_statement_sets_out_the_money_by_year_and_what_is_still_owed(client, demo):
    record_broadlands_money(demo)
    response = signed_in(client, "partner-officer").get(statement_url("broadland"))
    statement = response.context["statement"]
    years = {row.financial_year: row for row in statement.years}
    assert (years["2004/05"].pledged, years["2004/05"].invoiced, years["2004/05"].received) == (
        0, 5000, 10000,
    )  # fmt: skip
    assert (years["2005/06"].pledged, years["2005/06"].returned) == (8000, 2000)
    assert statement.totals.promised == Decimal("23000.00")  # returned money is not pledged
    assert statement.totals.outstanding == Decimal("13000.00")
    assert statement.position.share_min == Decimal("9375.00")
    assert statement.position.share_max == Decimal("21875.00")
    assert statement.position.immediate == Decimal("10000.00")
    assert statement.position.cap == Decimal("30000.00")
    assert statement.to_pledge_immediately == 0
    assert statement.to_pledge_up_to_cap == Decimal("7000.00")
    html = flat(response.content.decode())
    assert "Statement for Broadland District Council" in html
    assert 'id="outstanding">£13,000<' in html
    assert "<title>Statement for Broadland District Council" in html
    assert "IEG grant" not in html  # not recorded, so not shown


def test_the_statement_says_which_projects_the_share_pays_for(client, demo):
    response = signed_in(client, "facilitator").get(statement_url("broadland"))
    statement = response.context["statement"]
    rows = {row.name: (row.share_min, row.share_max) for row in statement.projects}
    assert rows["Authentication / Gateway"] == (Decimal("875.00"), Decimal("13375.00"))
    assert rows["Further Info Points"] == (Decimal("2500.00"), Decimal("2500.00"))
    assert "e-Forms" not in rows  # no extra cost, no share
    assert sum(r[0] for r in rows.values()) == statement.position.share_min
    assert sum(r[1] for r in rows.values()) == statement.position.share_max


def test_the_iegs_share_shows_where_the_grant_is_recorded(client, demo):
    record_broadlands_money(demo)
    url = reverse("contributions:partner_update", args=[DEMO, "broadland"])
    form = {"name": "Broadland District Council", "contributes": "on", "version": 1}
    saved = signed_in(client, "facilitator").post(url, {**form, "ieg_grant": "£500,000"})
    assert saved.status_code == 302
    assert Partner.objects.get(slug="broadland").ieg_grant == Decimal("500000.00")
    html = flat(client.get(statement_url("broadland")).content.decode())
    assert 'IEG grant</dt><dd class="govuk-summary-list__value">£500,000' in html
    assert 'id="pledged-share-of-ieg">4.6%<' in html  # £23,000 of £500,000
    assert 'id="cap-share-of-ieg">6.0%<' in html  # £30,000 of £500,000


def test_an_ieg_grant_that_is_not_money_is_refused(client, demo):
    url = reverse("contributions:partner_update", args=[DEMO, "broadland"])
    form = {"name": "Broadland District Council", "contributes": "on", "version": 1}
    response = signed_in(client, "facilitator").post(url, {**form, "ieg_grant": "-5"})
    assert response.status_code == 200
    assert response.context["form"].errors["ieg_grant"]
    assert Partner.objects.get(slug="broadland").ieg_grant is None


def test_a_partner_that_does_not_contribute_gets_a_plain_statement(client, demo):
    Partner.objects.filter(slug="north-norfolk").update(contributes=False)
    response = signed_in(client, "facilitator").get(statement_url("north-norfolk"))
    statement = response.context["statement"]
    assert statement.position is None and statement.projects == ()
    assert 'id="not-contributing"' in response.content.decode()


def test_the_statement_pdf_is_tagged_and_has_the_figures(client, demo):
    record_broadlands_money(demo)
    response = signed_in(client, "partner-officer").get(statement_url("broadland", pdf=True))
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for expected in (
        "Statement for Broadland District Council",
        "Share of the maximum extra cost £21,875",
        "Cap £30,000",
        "2004/05 £0 £5,000 £10,000 £0 £5,000",
        "2005/06 £8,000 £0 £0 £2,000 £8,000",
        "All years £8,000 £5,000 £10,000 £2,000 £13,000",
        "Authentication / Gateway £7,000 £107,000 £875 £13,375",
        f"Page 1 of {len(reader.pages)}",
    ):
        assert expected in text, expected
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"] == BooleanObject(True)
    assert reader.metadata.title.startswith("Statement for Broadland District Council")


# Queries


def test_statement_queries_do_not_grow_with_the_programme(
    client, demo, django_assert_max_num_queries
):
    large = programme_load(document=large_document(projects=200, partners=8))
    RiskFactory(programme=large)  # a risk, as the demo's two: the same kinds of record to read
    user = get_user_model().objects.get(username="chief-executive")
    Membership.objects.create(user=user, partnership=large.partnership, role=Role.CHIEF_EXECUTIVE)
    signed_in(client, "chief-executive")
    counts = []
    for url in (statement_url("broadland"), statement_url("council-000", slug=large.slug)):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= MAX_QUERIES
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(statement_url("council-000", slug=large.slug, pdf=True))


# The shares by project add up, whatever the weights (pure)


@settings(max_examples=40, deadline=None)
@given(
    weights=st.lists(st.integers(min_value=0, max_value=1000), min_size=8, max_size=8).filter(any),
    stop_gateway=st.booleans(),
)
def test_shares_by_project_always_sum_to_the_partners_share(weights, stop_gateway):
    document = seed_document()
    if stop_gateway:
        document = with_phase_decision(
            document, "authentication-gateway", 2, Decision.NOT_PROCEEDING
        )
    document = replace(
        document,
        programme=replace(document.programme, apportionment=Apportionment.WEIGHTS),
        partners=tuple(
            replace(p, weight=Decimal(w)) for p, w in zip(document.partners, weights, strict=True)
        ),
        contributions=(
            ContributionData("broadland", "2004/05", Tranche.IMMEDIATE, Decimal("10000.00")),
        ),
    )
    figures = compute_figures(document)
    for partner in document.partners:
        statement = partner_statement(document, figures, partner=partner.slug, on=date(2004, 7, 1))
        assert sum((r.share_min for r in statement.projects), Decimal(0)) == (
            statement.position.share_min
        )
        assert sum((r.share_max for r in statement.projects), Decimal(0)) == (
            statement.position.share_max
        )

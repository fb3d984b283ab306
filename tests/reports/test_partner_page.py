"""A partner council's own page: a partner officer's first, and "Your council" leading to it."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks.builders import large_document
from projects.models import Contribution, Membership, Partner, Programme, Role
from projects.money.vocabulary import ContributionStatus, Tranche
from projects.services import programme_load
from tests.contributions.factories import PartnerFactory
from tests.projects.factories import MembershipFactory, ProgrammeFactory, RiskFactory

pytestmark = pytest.mark.django_db

SLUG = "norfolk-connect-2004"
MAX_QUERIES = 13  # as the statement: session, user, membership, programme, partner, rows (8)


@pytest.fixture
def demo(monkeypatch) -> Programme:
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.select_related("partnership").get(slug=SLUG)


def as_user(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def page_url(partner: str, slug: str = SLUG) -> str:
    return reverse("reports:partner", args=[slug, partner])


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def element(html: str, element_id: str) -> str:
    match = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"no element with id {element_id}"
    return text_of(match.group(2))


def test_a_partner_officer_reads_what_their_council_is_asked_for_and_has_paid(client, demo):
    Contribution.objects.create(
        programme=demo,
        partner=Partner.objects.get(slug="broadland"),
        financial_year="2004/05",
        tranche=Tranche.IMMEDIATE,
        amount=Decimal("10000.00"),
        status=ContributionStatus.INVOICED,
    )
    response = as_user(client, "partner-officer").get(page_url("broadland"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your council in Norfolk Connect medium term workload" in text_of(html)
    assert element(html, "asked-now") == "£10,000"
    assert element(html, "asked-later") == "£20,000"  # the rest up to the £30,000 cap
    assert element(html, "council-cap") == "£30,000"
    assert element(html, "council-pledged") == "£10,000"
    assert element(html, "council-received") == "£0"
    assert element(html, "council-outstanding") == "£10,000"
    # The statement is a button away, as a page and as a PDF.
    assert element(html, "statement-link") == "Your council's statement"
    assert reverse("report:statement", args=[SLUG, "broadland"]) in html
    assert reverse("report:statement_pdf", args=[SLUG, "broadland"]) in html
    links = re.search(r'id="programme-links">(.*?)</ul>', html, re.S).group(1)
    for name in ("reports:dashboard", "report:report", "reports:scenarios"):
        assert reverse(name, args=[SLUG]) in links
    assert "Record a contribution" not in html


def test_a_partner_officer_may_not_open_another_councils_page(client, demo):
    response = as_user(client, "partner-officer").get(page_url("norwich"))
    assert response.status_code == 403
    html = unescape(response.content.decode())
    assert "You can only see your own council's page." in html
    assert "You do not have access to this page" in html
    assert "Norwich" not in html


@pytest.mark.parametrize("username", ["facilitator", "chief-executive", "admin"])
def test_the_partnership_may_open_any_councils_page(client, demo, username):
    response = as_user(client, username).get(page_url("norwich"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "Norwich City Council" in html
    assert "Your council" not in html
    assert element(html, "statement-link") == "Statement for Norwich City Council"
    assert ("Record a contribution" in html) == (username != "chief-executive")


def test_a_partner_that_does_not_contribute_is_asked_for_nothing(client, demo):
    partner = PartnerFactory(partnership=demo.partnership, slug="observer", contributes=False)
    html = as_user(client, "facilitator").get(page_url(partner.slug)).content.decode()
    assert "is asked for nothing" in element(html, "not-contributing")
    assert 'id="asked-now"' not in html
    assert element(html, "council-pledged") == "£0"


def test_another_partnerships_council_answers_404(client, demo):
    other = ProgrammeFactory(slug="elsewhere")
    stranger = PartnerFactory(partnership=other.partnership, slug="stranger")
    as_user(client, "facilitator")
    assert client.get(page_url("broadland", slug="elsewhere")).status_code == 404
    assert client.get(page_url(stranger.slug)).status_code == 404
    outsider = MembershipFactory(partnership=other.partnership, role=Role.PARTNER_OFFICER,
                                 partner=stranger)  # fmt: skip
    client.force_login(outsider.user)
    assert client.get(page_url("broadland")).status_code == 404


# "Your council" leads to the page, wherever it appears


@pytest.mark.parametrize("name", ["reports:dashboard", "contributions:partner_list"])
def test_your_council_is_a_link_to_the_councils_page(client, demo, name):
    html = as_user(client, "partner-officer").get(reverse(name, args=[SLUG])).content.decode()
    link = f'<a class="govuk-link app-your-council" href="{page_url("broadland")}">Your council</a>'
    assert link in html
    # A partner officer's table links only their own council: the others' pages would refuse.
    assert page_url("norwich") not in html


@pytest.mark.parametrize("name", ["reports:dashboard", "contributions:partner_list"])
def test_the_partnership_reaches_every_councils_page_from_the_positions(client, demo, name):
    response = as_user(client, "chief-executive").get(reverse(name, args=[SLUG]))
    html = unescape(response.content.decode())
    for partner in Partner.objects.filter(partnership=demo.partnership, contributes=True):
        assert f'href="{page_url(partner.slug)}">{partner.name}</a>' in html


def test_a_partner_officers_navigation_starts_with_their_council(client, demo):
    as_user(client, "partner-officer")
    for url in (page_url("broadland"), reverse("report:statement", args=[SLUG, "broadland"])):
        navigation = client.get(url).context["programme_navigation"]
        assert navigation[0] == {"label": "Your council", "url": page_url("broadland"),
                                 "current": True}  # fmt: skip
        assert [item["label"] for item in navigation if item["current"]] == ["Your council"]
    navigation = client.get(reverse("reports:dashboard", args=[SLUG])).context[
        "programme_navigation"
    ]
    assert [item["label"] for item in navigation if item["current"]] == ["Dashboard"]
    as_user(client, "chief-executive")
    navigation = client.get(page_url("broadland")).context["programme_navigation"]
    assert "Your council" not in [item["label"] for item in navigation]
    assert [item["label"] for item in navigation if item["current"]] == ["Partners"]


# Queries


def test_council_page_queries_do_not_grow_with_the_programme(
    client, demo, django_assert_max_num_queries
):
    large = programme_load(document=large_document(projects=1000, partners=100))
    RiskFactory(programme=large)  # a risk, as the demo's two: the same kinds of record to read
    officer = get_user_model().objects.get(username="partner-officer")
    Membership.objects.create(
        user=officer,
        partnership=large.partnership,
        role=Role.PARTNER_OFFICER,
        partner=Partner.objects.get(partnership=large.partnership, slug="council-042"),
    )
    as_user(client, "partner-officer")
    counts = []
    for url in (page_url("broadland"), page_url("council-042", slug=large.slug)):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    print(f"council page queries: {counts[0]} at the demo, {counts[1]} at 1,000 x 100")
    assert counts[0] == counts[1] <= MAX_QUERIES
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(page_url("council-042", slug=large.slug))

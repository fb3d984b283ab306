"""The autumn review: a decision on a gated phase set against each council's agreed cap."""

from __future__ import annotations

import html
import json
from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from benchmarks.builders import large_document
from projects.models import Programme, Project, Role
from projects.money.document import (
    AgreementData,
    CallData,
    InvoiceData,
    MeetingData,
    PartnerAgreementData,
    PaymentData,
)
from projects.money.vocabulary import Decision, Tranche
from projects.programme_file import parse_programme
from projects.services.loading import programme_load
from tests.after_the_meeting import after_the_meeting
from tests.dates import as_typed
from tests.projects.factories import MembershipFactory
from tests.projects.test_phase_decisions import GATEWAY, SLUG, demo, post, url, user  # noqa: F401
from tests.reports.test_dashboard import element, text_of
from tests.tranches import asked_to_confirm

pytestmark = pytest.mark.django_db

# The page's queries: the six it always took, and one to see whether an agreement stands.
BEFORE_AN_AGREEMENT = 7
# Once one stands, the whole programme is read too, whatever its size: of the records after the
# meeting, the kinds it holds (its meetings with their agreements, calls and refunds).
AFTER_AN_AGREEMENT = 21


def gateway(content, decision: str):
    for project in content["projects"]:
        if project["slug"] == GATEWAY:
            project["phases"][1]["decision"] = decision
    return content


def load(content) -> None:
    programme_load(document=parse_programme(json.dumps(content)))


def autumn(demo):  # noqa: F811
    """The demo after the October meeting, with the gateway's business case still awaited."""
    load(gateway(after_the_meeting(), "pending"))


def page(client, project: str = GATEWAY, number: int = 2) -> str:
    client.force_login(user("facilitator"))
    response = client.get(url(project, number))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def message(response, client) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    shown = client.get(response.url).content.decode()
    return shown.split('govuk-notification-banner__heading">')[1].split("</p>")[0]


def test_before_an_agreement_the_page_is_as_it_was(client, demo, django_assert_num_queries):  # noqa: F811
    client.force_login(user("facilitator"))
    with django_assert_num_queries(BEFORE_AN_AGREEMENT):
        response = client.get(url())
    text = response.content.decode()
    assert response.context["cap_review"] is None
    assert "cap-review" not in text and "govuk-warning-text" not in text
    main = text.split('id="main-content"')[1]
    assert main.count('class="govuk-grid-row"') == 1  # the form beside the phase, as before
    response = post(client, decision=Decision.APPROVED)
    assert "agreed cap" not in message(response, client)


def test_each_council_s_agreed_cap_is_set_against_the_cap_it_needs(client, demo):  # noqa: F811
    autumn(demo)
    text = page(client)
    table = element(text, "cap-review-table")
    # £175,000 over eight councils is £21,875 each, past the £20,000 agreed in October; if the
    # gateway does not proceed, £75,000 is £9,375 each.
    assert (
        "Breckland District Council £20,000 £21,875 £1,875 over its agreed cap £21,875 £1,875 "
        "over its agreed cap £9,375 £10,625 within its agreed cap"
    ) in table
    assert table.endswith("All councils £160,000 £175,000 £175,000 £75,000")
    assert table.count("£1,875 over its agreed cap") == 16
    words = text_of(text)
    warning = (
        "Warning If the business case is approved, every council will need £1,875 more than its "
        "agreed cap."
    )
    assert warning in words
    # Said before the form, and the form still follows.
    assert words.index(warning) < words.index("What was decided?")
    assert "against the cap agreed on 15 October 2004" in words


def test_within_the_caps_there_is_no_warning(client, demo):  # noqa: F811
    content = gateway(after_the_meeting(), "pending")
    # Only the June agreement: caps of £30,000.
    content["meetings"], content["agreements"] = content["meetings"][:1], content["agreements"][:1]
    content["calls"], content["refunds"] = content["calls"][:1], []
    load(content)
    text = page(client)
    assert "£8,125 within its agreed cap" in element(text, "cap-review-table")
    assert "govuk-warning-text" not in text


def test_approving_past_the_caps_is_said_again_once_saved(client, demo):  # noqa: F811
    # In October the gateway did not proceed; opening it again needs £21,875 from each council.
    load(after_the_meeting())
    words = text_of(page(client))
    assert (
        "If the business case is approved, every council will need £1,875 more than its agreed cap."
    ) in words
    said = html.unescape(message(post(client, decision=Decision.APPROVED), client))
    assert said.startswith("Phase 2 of Authentication / Gateway: business case approved.")
    assert said.endswith("Every council now needs £1,875 more than its agreed cap.")


def test_a_phase_that_does_not_proceed_offers_each_surplus_back(client, demo):  # noqa: F811
    autumn(demo)
    client.force_login(user("facilitator"))
    fields = {
        "decision": Decision.NOT_PROCEEDING,
        "decided_on": "2004-10-15",
        "note": "",
        "version": Project.objects.get(slug=GATEWAY).version,
    }
    # The tranches move, so it asks first: the caps are still shown beside the question.
    asked = client.post(url(), as_typed(fields))
    assert asked_to_confirm(asked)
    assert "cap-review-table" in asked.content.decode()
    said = message(post(client, decision=Decision.NOT_PROCEEDING), client)
    href = reverse("contributions:refund_list", args=[SLUG]) + "#surpluses"
    assert html.unescape(said).endswith(
        "Five councils have paid more than their shares of the new maximum: Broadland District "
        "Council £625, Great Yarmouth Borough Council £625, Borough Council of King's Lynn and "
        "West Norfolk £625, Norfolk County Council £3,958.32 and South Norfolk Council £625: "
        f'<a class="govuk-notification-banner__link" href="{href}">offer each a refund or '
        "credit</a>."
    )
    assert "agreed cap" not in said
    refunds = text_of(client.get(href).content.decode())
    assert "Norfolk County Council £3,958.32 Give it back" in refunds


def test_one_council_with_a_surplus_is_offered_its_refund(client, demo):  # noqa: F811
    content = gateway(after_the_meeting(), "pending")
    # Everyone but Norfolk County paid at most its £9,375 share of £75,000.
    for item in content["calls"][0]["invoices"]:
        if item["partner"] != "norfolk-county":
            for payment in item["payments"]:
                payment["amount"] = min(D(payment["amount"]), D("4375.00")).to_eng_string()
    load(content)
    said = html.unescape(message(post(client, decision=Decision.NOT_PROCEEDING), client))
    href = reverse("contributions:refund_create", args=[SLUG]) + "?partner=norfolk-county"
    assert said.endswith(
        "Norfolk County Council has paid £3,958.32 more than its share of the new maximum: "
        f'<a class="govuk-notification-banner__link" href="{href}">offer it a refund or '
        "credit</a>."
    )
    form = client.get(href)
    assert form.context["form"].initial["amount"] == D("3958.32")


def test_a_surplus_is_offered_only_when_the_phase_stops(client, demo):  # noqa: F811
    load(after_the_meeting())  # the gateway stopped in October: five councils have a surplus
    said = message(post(client, project="benefits-form", decision=Decision.APPROVED), client)
    assert "surplus" not in said and "refund" not in said


# Queries: a fixed number whatever the programme's size


def agreed(projects: int, partners: int, slug: str):
    """A programme of this size with an agreement, a call paid in part, and a facilitator."""
    document = large_document(projects=projects, partners=partners, slug=slug)
    councils = [partner.slug for partner in document.partners]
    document = replace(
        document,
        meetings=(MeetingData(slug="board", body="Board", date=date(2004, 6, 18)),),
        agreements=(
            AgreementData(
                meeting="board",
                per_partner=tuple(
                    PartnerAgreementData(council, D("1000.00"), D("5000.00"))
                    for council in councils
                ),
            ),
        ),
        calls=(
            CallData(
                slug="immediate",
                tranche=Tranche.IMMEDIATE,
                financial_year="2004/05",
                issued=date(2004, 7, 1),
                due=date(2004, 7, 31),
                invoices=tuple(
                    InvoiceData(
                        f"INV-{n}",
                        council,
                        D("1000.00"),
                        (PaymentData(date(2004, 7, 20), D("600.00")),),
                    )
                    for n, council in enumerate(councils)
                ),
            ),
        ),
    )
    programme_load(document=document)
    programme = Programme.objects.get(slug=slug)
    return MembershipFactory(partnership=programme.partnership, role=Role.FACILITATOR).user


def test_the_page_takes_the_same_queries_whatever_the_programme_s_size(
    client, django_assert_num_queries
):
    for projects, partners, slug in ((4, 3, "few"), (150, 40, "many")):
        client.force_login(agreed(projects, partners, slug))
        address = reverse("projects:phase_decision", args=[slug, "project-1", 2])
        with django_assert_num_queries(AFTER_AN_AGREEMENT):
            response = client.get(address)
        review = response.context["cap_review"]
        assert len(review.rows) == partners
        # Each council's individually borne £1,000 of every project with a cost.
        assert review.maximum_approved - review.maximum_not_proceeding == D("1000.00")

"""A partner officer's own page after the agreement: what it agreed, was asked for, paid, owes."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from projects.models import Invoice
from projects.programme_file import parse_programme
from projects.services.loading import programme_load
from tests.after_the_meeting import after_the_meeting
from tests.reports.test_dashboard import SLUG, as_user, demo, element  # noqa: F401

pytestmark = pytest.mark.django_db


def page(client, partner: str, username: str = "facilitator") -> str:
    response = as_user(client, username).get(reverse("reports:partner", args=[SLUG, partner]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def agreed(demo):  # noqa: F811
    return programme_load(document=parse_programme(json.dumps(after_the_meeting())))


def test_broadland_sees_what_it_agreed_was_asked_for_and_paid(client, agreed):
    html = page(client, "broadland", "partner-officer")
    assert element(html, "agreed-cap") == "up to £20,000"
    assert "agreed by Norfolk Chief Executives on 15 October 2004" in element(
        html, "council-agreed"
    )
    assert element(html, "council-invoiced") == "£10,000"
    assert element(html, "council-paid") == "£10,000"  # in two instalments
    assert element(html, "council-owes") == "Nothing"
    # It consented to the June agreement; the October one stands, and its consent is not in.
    assert element(html, "council-consent") == "Not recorded yet"
    assert "NC-0003 Immediate tranche, 2004/05 31 Jul 2004 £10,000 £10,000 £0" in element(
        html, "council-invoices"
    )
    pdf = reverse("report:invoice_pdf", args=[SLUG, Invoice.objects.get(number="NC-0003").pk])
    assert f'href="{pdf}"' in html
    response = client.get(pdf)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_a_council_that_has_not_paid_sees_what_is_overdue(client, agreed):
    html = page(client, "norwich")
    assert element(html, "council-owes") == "£10,000"
    assert element(html, "council-overdue") == "£10,000 overdue"
    assert element(html, "council-consent") == "Not recorded yet"
    assert "Overdue" in element(html, "council-invoices")


def test_before_the_agreement_the_page_is_as_it_was(client, demo):  # noqa: F811
    html = page(client, "broadland", "partner-officer")
    assert 'id="council-agreed"' not in html
    assert element(html, "asked-now") == "£10,000"


def test_the_councils_page_takes_the_same_queries_whatever_its_invoices(client, demo):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.after_the_meeting import with_a_december_call

    counts = []
    for extra in (0, 1):
        content = after_the_meeting()
        if extra:
            with_a_december_call(content)
        programme_load(document=parse_programme(json.dumps(content)))
        as_user(client, "partner-officer")
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(reverse("reports:partner", args=[SLUG, "broadland"])).status_code == 200
            )
        counts.append(len(queries))
    # The page before the meeting (12), the records after it (13).
    assert counts[0] == counts[1] <= 25


def test_the_partners_page_shows_the_agreement_and_each_councils_money(client, agreed):
    html = (
        as_user(client, "chief-executive")
        .get(reverse("contributions:partner_list", args=[SLUG]))
        .content.decode()
    )
    assert element(html, "agreed-owed") == "£20,832.83"
    assert "Broadland District Council £20,000 £10,000 £10,000 £0" in element(
        html, "agreed-partners"
    )


def test_the_statement_and_its_pdf_say_what_was_agreed_invoiced_and_paid(client, agreed):
    from io import BytesIO

    from pypdf import PdfReader

    html = (
        as_user(client, "facilitator")
        .get(reverse("report:statement", args=[SLUG, "norwich"]))
        .content.decode()
    )
    assert element(html, "statement-owed") == "£10,000, of which £10,000 overdue"
    assert "NC-0007" in element(html, "statement-invoices")
    response = client.get(reverse("report:statement_pdf", args=[SLUG, "norwich"]))
    assert response.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "£10,000, of which £10,000 overdue" in " ".join(text.split())

"""A partner officer's own page after the agreement: what it agreed, was asked for, paid, owes."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

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

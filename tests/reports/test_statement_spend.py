"""A council's statement says what its money has been spent on: its part of each project's spend."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from projects.models import Partner, Role
from projects.money.figures import compute_figures
from projects.programme_file import parse_programme
from projects.services.loading import programme_load
from reports.report.pdf import statement_html, statement_pdf
from reports.report.statements import partner_statement
from tests.after_the_meeting import PARTNERS, after_the_meeting
from tests.projects.factories import MembershipFactory

ON = date(2005, 1, 1)


def statement(content, partner: str):
    document = parse_programme(json.dumps(content))
    return partner_statement(document, compute_figures(document, ON), partner=partner, on=ON)


def flat(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_councils_part_is_in_proportion_to_what_it_put_in():
    north = statement(after_the_meeting(), "north-norfolk")
    # North Norfolk paid £10,000 and had £1,250 back: £8,750 of the £64,583.83 all put in.
    assert (north.put_in, north.put_in_by_all) == (D("8750.00"), D("64583.83"))
    (row,) = north.spend
    assert (row.name, row.spent) == ("Further Info Points", D("1200.00"))
    assert row.part == D("162.58")  # 1,200 x 8,750 / 64,583.83 = 162.58 and a bit


def test_the_councils_parts_add_up_to_each_projects_spend_exactly():
    content = after_the_meeting()
    content["spend"].append({**content["spend"][0], "amount": "333.33", "date": "2005-04-02"})
    statements = [statement(content, slug) for slug in PARTNERS]
    for index in range(len(statements[0].spend)):
        spent = statements[0].spend[index].spent
        assert sum((s.spend[index].part for s in statements if s.spend), D(0)) == spent
    assert statements[0].spend[0].spent == D("1533.33")  # one project, both lines


@given(amounts=st.lists(st.integers(min_value=1, max_value=10**7), min_size=1, max_size=4))
def test_any_spend_is_shared_out_to_the_penny(amounts):
    content = after_the_meeting()
    content["spend"] = [
        {**content["spend"][0], "amount": f"{pennies / 100:.2f}", "reference": str(i)}
        for i, pennies in enumerate(amounts)
    ]
    parts = [statement(content, slug) for slug in PARTNERS]
    total = sum((D(a) / 100 for a in amounts), D("0.00"))
    assert sum((s.part_total for s in parts), D(0)) == total


def test_a_council_that_put_nothing_in_and_a_programme_without_spend_read_as_before():
    assert statement(after_the_meeting(), "norwich").spend == ()  # Norwich has not paid
    content = after_the_meeting()
    content["spend"] = []
    quiet = statement(content, "north-norfolk")
    assert quiet.spend == ()
    html = statement_html(quiet)
    assert "statement-spend" not in html
    assert "spent on" not in html


@pytest.mark.django_db
def test_the_statement_page_and_pdf_show_the_table(client):
    programme = programme_load(document=parse_programme(json.dumps(after_the_meeting())))
    partner = Partner.objects.get(partnership=programme.partnership, slug="north-norfolk")
    membership = MembershipFactory(
        partnership=programme.partnership, role=Role.PARTNER_OFFICER, partner=partner
    )
    client.force_login(membership.user)
    response = client.get(reverse("report:statement", args=[programme.slug, partner.slug]))
    assert response.status_code == 200
    words = flat(response.content.decode())
    assert "What its money has been spent on" in words
    assert "Further Info Points £1,200 £162.58 Total £1,200 £162.58" in words, words
    pdf = statement_pdf(response.context["statement"])
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "What its money has been spent on" in text
    assert "£162.58" in text


@pytest.mark.django_db
def test_the_councils_page_says_how_much_of_its_money_is_spent(client):
    programme = programme_load(document=parse_programme(json.dumps(after_the_meeting())))
    partner = Partner.objects.get(partnership=programme.partnership, slug="north-norfolk")
    membership = MembershipFactory(
        partnership=programme.partnership, role=Role.PARTNER_OFFICER, partner=partner
    )
    client.force_login(membership.user)
    response = client.get(reverse("reports:partner", args=[programme.slug, partner.slug]))
    assert "Spent from its money £162.58 its part of the £1,200 spent so far" in flat(
        response.content.decode()
    )

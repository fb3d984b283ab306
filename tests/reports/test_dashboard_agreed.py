"""Once the board's agreement is recorded, the dashboard leads with it and the money since."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.urls import reverse

from projects.programme_file import parse_programme
from projects.services.loading import programme_load
from reports.selectors import dashboard_from_document
from tests.after_the_meeting import after_the_meeting
from tests.reports.test_dashboard import SLUG, URL, as_user, demo, element, text_of  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreed(demo):  # noqa: F811
    """The demo after the June and October 2004 meetings and the calls that followed."""
    return programme_load(document=parse_programme(json.dumps(after_the_meeting())))


def test_the_agreement_and_the_money_owed_come_first(client, agreed):
    html = as_user(client, "chief-executive").get(URL).content.decode()
    words = text_of(html)
    assert words.index("What was agreed, and what is owed") < words.index(
        "The recommendation worked out now (proposed)"
    )
    assert element(html, "agreement-summary").startswith(
        "Agreed by Norfolk Chief Executives on 15 October 2004: £80,000 immediately and up to "
        "£160,000 in all from the councils."
    )
    assert element(html, "agreed-invoiced") == "£86,666.67"
    assert element(html, "agreed-paid") == "£65,833.83"
    assert element(html, "agreed-owed") == "£20,832.83"
    # Every invoice of 2004 is past due today.
    assert element(html, "agreed-overdue") == "£20,832.84 overdue"
    table = element(html, "agreed-partners")
    # Norwich has paid nothing of its £10,000; Breckland £2,500.50.
    assert "Norwich City Council £20,000 £10,000 £0 £10,000 £10,000 Now: overdue" in table
    assert "Norfolk County Council £20,000 £13,333.33 £13,333.33 £0.01 in credit None" in table
    assert "Breckland District Council £20,000 £10,000 £2,500.50 £7,499.50 £7,499.50" in table
    href = reverse("contributions:agreement", args=[SLUG, "chief-executives-2004-10"])
    assert f'href="{href}"' in html


def test_the_difference_from_the_computed_recommendation_is_said_in_words(client, agreed):
    html = as_user(client, "chief-executive").get(URL).content.decode()
    notes = element(html, "proposed-notes")
    # £75,000 committed against £80,000 agreed now; £75,000 at most against £160,000 of caps.
    assert "The committed minimum now needs £5,000 less than the agreed immediate tranches" in notes
    assert "The maximum now needs £85,000 less than the agreed caps" in notes
    assert "cap-warnings" not in html


def test_a_pending_case_past_the_agreed_caps_is_warned_of_per_council():
    content = after_the_meeting()
    for project in content["projects"]:
        if project["slug"] == "authentication-gateway":
            project["phases"][1]["decision"] = "pending"
    dashboard = dashboard_from_document(
        parse_programme(json.dumps(content)), as_of=date(2004, 12, 1)
    )
    assert dashboard.agreed is not None
    assert len(dashboard.agreed.warnings) == 8
    first = dashboard.agreed.warnings[0]
    assert (first.name, first.case) == (
        "Breckland District Council",
        "Authentication / Gateway, phase 2: " + first.case.split(": ", 1)[1],
    )
    assert (str(first.needed), str(first.cap)) == ("21875.00", "20000.00")


def test_before_an_agreement_the_dashboard_is_as_it_was(client, demo):  # noqa: F811
    html = as_user(client, "chief-executive").get(URL).content.decode()
    assert 'id="agreed"' not in html
    assert "The figures to decide on" in html


def test_the_next_due_date_is_shown_before_it_falls_due():
    dashboard = dashboard_from_document(
        parse_programme(json.dumps(after_the_meeting())), as_of=date(2004, 11, 1)
    )
    rows = {row.slug: row for row in dashboard.agreed.rows}
    assert rows["south-norfolk"].next_due == date(2004, 11, 30)
    assert rows["norwich"].next_due is None  # overdue since 31 July
    assert rows["norwich"].overdue == rows["norwich"].owed


def test_the_dashboard_takes_the_same_queries_whatever_the_calls_and_payments(
    client,
    demo,  # noqa: F811
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.after_the_meeting import with_a_december_call

    counts = []
    for extra in (0, 1):
        content = after_the_meeting()
        if extra:
            with_a_december_call(content)
        programme_load(document=parse_programme(json.dumps(content)))
        as_user(client, "chief-executive")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        counts.append(len(queries))
    # The records after the meeting cost thirteen queries, whatever their number; spend against
    # budget, delivery and the top risks four more (tests/reports/test_dashboard.py MAX_QUERIES).
    assert counts[0] == counts[1] <= 27


def test_the_board_report_says_which_agreement_stands_and_the_money_since(client, agreed):
    html = (
        as_user(client, "chief-executive")
        .get(reverse("report:report", args=[SLUG]))
        .content.decode()
    )
    assert element(html, "report-agreement").startswith(
        "The agreement that stands, made on 15 October 2004: £80,000 immediately and up to "
        "£160,000 from the councils. So far £86,666.67 has been invoiced, £65,833.83 paid and "
        "£20,832.83 is owed."
    )


def test_the_seeds_report_has_no_agreement_note(client, demo):  # noqa: F811
    html = (
        as_user(client, "chief-executive")
        .get(reverse("report:report", args=[SLUG]))
        .content.decode()
    )
    assert 'id="report-agreement"' not in html


def test_the_dashboard_shows_spend_against_budget_and_the_pot(client, agreed):
    as_user(client, "chief-executive")
    response = client.get(URL)
    html = response.content.decode()
    figures = response.context["dashboard"].figures
    spend = response.context["spend"]
    assert spend.balance == figures.pot_balance == figures.paid - figures.refunded - figures.spent
    assert element(html, "dashboard-pot-balance") == "£63,383.83"
    assert "£173,000 under budget on the phases with a budget" in element(
        html, "dashboard-variance"
    )
    assert element(html, "over-budget-phases") == "None"
    spend_url = reverse("projects:programme_spend", args=[SLUG])
    assert f'href="{spend_url}"' in html

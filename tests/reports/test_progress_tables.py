"""A progress report's finance, delivery and risks, from the programme's data on its date."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projects.money.progress_tables import delivery_on, open_risks, spend_against_budget
from projects.money.vocabulary import PaperTemplate
from projects.programme_file import parse_programme
from reports.report.content import board_report_from_document
from tests.after_the_meeting import after_the_meeting
from tests.reports.test_dashboard import element
from tests.reports.test_report_paper_tables import body_html, flat

DECEMBER = date(2004, 12, 1)
PROGRESS = PaperTemplate.PROGRESS


def document(content: dict | None = None):
    return parse_programme(json.dumps(content or after_the_meeting()))


def with_spend(*amounts: str) -> dict:
    content = after_the_meeting()
    content["spend"] = [
        {"project": "further-info-points", "phase": 1, "date": "2004-09-30", "amount": amount}
        for amount in amounts
    ]
    return content


def test_each_projects_spend_against_its_budget_adds_up_to_the_programmes():
    spend = spend_against_budget(document())
    kiosks = next(row for row in spend.rows if row.slug == "further-info-points")
    assert (kiosks.money.spent, kiosks.money.forecast, kiosks.money.outturn) == (
        Decimal("1200.00"),
        Decimal("800.00"),
        Decimal("2000.00"),
    )
    assert spend.totals.spent == sum(row.money.spent for row in spend.rows)
    assert spend.totals.outturn == Decimal("2000.00")
    # The seed has phases of cost to be confirmed: the programme's budget is unknown.
    assert spend.totals.budget is None
    assert spend.totals.variance_words == "Budget to be confirmed"


@given(st.lists(st.decimals("0.01", "99999.99", places=2), min_size=1, max_size=8))
def test_the_totals_are_the_sums_of_the_lines_to_the_penny(amounts):
    spend = spend_against_budget(document(with_spend(*(str(a) for a in amounts))))
    assert spend.totals.spent == sum(amounts)
    assert spend.totals.spent == sum(row.money.spent for row in spend.rows)


def test_a_phase_spent_past_its_budget_is_counted_and_said_in_words():
    doc = document()
    kiosks = next(p for p in doc.projects if p.slug == "further-info-points")
    budget = kiosks.phases[0].extra_cost
    over = document(with_spend(str(budget), "10.00"))
    row = next(r for r in spend_against_budget(over).rows if r.slug == "further-info-points")
    assert row.over_budget_phases == 1 and spend_against_budget(over).over_budget_phases == 1
    html = flat(body_html(over, PROGRESS))
    assert "1 phase is forecast over budget." in html


def test_delivery_gives_each_projects_latest_status_and_the_milestones_to_watch():
    delivery = delivery_on(document(), DECEMBER)
    gateway = next(row for row in delivery.statuses if row.slug == "authentication-gateway")
    assert (gateway.status, gateway.set_on) == ("amber", date(2004, 11, 1))
    assert gateway.reason == "The gateway's supplier is two months late"
    assert dict(delivery.by_status) == {"Red": 0, "Amber": 1, "Green": 0, "Not set": 9}
    # The gateway's milestone is forecast for 28 February 2005, 59 days after its baseline;
    # the kiosks' was reached, so it is not watched.
    (watched,) = delivery.milestones
    assert (watched.name, watched.dates.slippage, watched.dates.state) == (
        "Gateway live for the first council",
        59,
        "Late",
    )
    assert delivery.milestones_in_all == 2


def test_the_open_risks_come_highest_score_first_with_past_reviews_flagged():
    risks = open_risks(document(), DECEMBER)
    assert [(row.reference, row.score, row.band) for row in risks.rows] == [
        ("3.2", 10, "medium"),
        ("3.1", 8, "medium"),
    ]
    assert risks.closed == 1
    assert risks.past_review == 2  # both were due for review on 15 October 2004
    assert sum(map(sum, risks.grid)) == 2
    assert not open_risks(document(), date(2004, 10, 15)).past_review


def test_the_progress_paper_shows_finance_delivery_and_risks_in_order():
    html = body_html(document(), PROGRESS)
    order = [html.index(f'id="{name}"') for name in ("pot", "spend-against-budget",
                                                      "project-status", "milestones-watched",
                                                      "open-risks")]  # fmt: skip
    assert order == sorted(order)
    assert "Further Info Points" in element(html, "spend-against-budget")
    table = flat(element(html, "spend-against-budget"))
    assert "All projects TBC £1,200 £800 £2,000 Budget to be confirmed" in table
    status = flat(element(html, "project-status"))
    assert "Authentication / Gateway Amber 1 November 2004 The gateway" in status
    assert "59 days late" in element(html, "milestones-watched")
    risks = flat(element(html, "open-risks"))
    assert "3.2 (Programme)" in risks and "(review overdue)" in risks
    assert "2 are past their review date" in flat(element(html, "risks-note"))


def test_a_progress_paper_with_no_delivery_records_says_so():
    content = after_the_meeting()
    content["milestones"], content["status_updates"], content["risks"] = [], [], []
    html = body_html(document(content), PROGRESS)
    assert "No milestones are recorded yet." in element(html, "milestones-none")
    assert "No risk is open." in element(html, "risks-none")
    assert "Not set 10" in flat(element(html, "delivery-counts"))


@pytest.mark.parametrize("template", [PaperTemplate.WORKLOAD, PaperTemplate.AUTUMN_REVIEW])
def test_only_a_progress_paper_has_them(template):
    report = board_report_from_document(document(), on=DECEMBER, template=template)
    assert (report.progress_spend, report.progress_delivery, report.progress_risks) == (
        None,
        None,
        None,
    )


def test_the_progress_paper_draws_the_timeline_with_its_data_and_only_the_wide_one_on_paper():
    screen = body_html(document(), PROGRESS)
    paper = body_html(document(), PROGRESS, print_=True)
    for html in (screen, paper):
        table = flat(element(html, "report-timeline-table"))
        assert "Authentication / Gateway Amber Gateway live for the first council" in table
        assert "59 days late" in table
    assert "app-chart-figure__narrow" in screen
    assert "app-chart-figure__narrow" not in paper
    content = after_the_meeting()
    content["milestones"] = []
    assert 'id="report-timeline' not in body_html(document(content), PROGRESS)


def test_the_progress_paper_draws_the_open_risks_heat_map_with_its_counts():
    html = body_html(document(), PROGRESS, print_=True)
    assert 'id="report-heat-map"' in html
    counts = flat(element(html, "report-heat-map-table"))
    assert "All open risks 2" in counts
    content = after_the_meeting()
    content["risks"] = [dict(risk, status="closed") for risk in content["risks"]]
    assert 'id="report-heat-map"' not in body_html(document(content), PROGRESS)

"""The timeline of projects and milestones: laid out from plain data, drawn as SVG and in a PDF."""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.template.loader import render_to_string

from reports.charts import NARROW_WIDTH
from reports.timeline_chart import (
    ROW_LIMIT,
    TimelineMilestone,
    TimelineProject,
    timeline_chart,
)
from tests.reports.test_charts import drawn_text, pdf_text

SVG = "{http://www.w3.org/2000/svg}"
TODAY = date(2005, 1, 10)


def seed() -> list[TimelineProject]:
    return [
        TimelineProject(
            name="Authentication / Gateway",
            status="amber",
            milestones=(
                TimelineMilestone("Design signed off", date(2004, 9, 1), actual=date(2004, 9, 1)),
                TimelineMilestone("Gateway live", date(2004, 12, 1), forecast=date(2005, 2, 1)),
            ),
        ),
        TimelineProject(
            name="e-Forms",
            status="green",
            milestones=(TimelineMilestone("Forms online", date(2005, 1, 31)),),
        ),
        TimelineProject(name="Customer relationship management", status=None),
    ]


def test_each_project_is_a_row_with_its_status_in_words():
    chart = timeline_chart(seed(), as_of=TODAY)
    assert [row.full_label for row in chart.rows] == [
        "Authentication / Gateway",
        "e-Forms",
        "Customer relationship management",
    ]
    assert [row.status for row in chart.rows] == ["Amber", "Green", "Status not set"]
    assert chart.rows[0].status_colour != chart.rows[1].status_colour


def test_a_milestone_is_drawn_at_its_expected_date_with_a_shape_for_where_it_stands():
    chart = timeline_chart(seed(), as_of=TODAY)
    reached, slipped = chart.rows[0].markers
    (due,) = chart.rows[1].markers
    assert (reached.shape, reached.slipped) == ("circle", False)
    assert (slipped.shape, slipped.slipped, slipped.state) == ("triangle", True, "Late")
    assert (due.shape, due.state) == ("square", "Due soon")
    # The late one is drawn at its forecast, right of its baseline tick, the months in order.
    assert slipped.baseline_x < slipped.x
    assert reached.x < slipped.baseline_x < due.x < slipped.x
    assert reached.x == reached.baseline_x
    # Up to 18 months: a month axis, with the year under the first month and each January.
    assert [tick.label for tick in chart.ticks][:2] == ["Sep", "Oct"]
    assert [tick.year_label for tick in chart.ticks if tick.year_label] == ["2004", "2005"]
    assert chart.plot_left <= chart.today_x <= chart.plot_right


def test_a_longer_span_is_drawn_in_financial_years():
    milestones = (
        TimelineMilestone("Start", date(2004, 5, 1)),
        TimelineMilestone("End", date(2007, 2, 1)),
    )
    projects = [TimelineProject("Long", "red", milestones)]
    chart = timeline_chart(projects, as_of=date(2004, 4, 2))
    assert [tick.label for tick in chart.ticks] == ["2004/05", "2005/06", "2006/07"]


def test_the_description_and_table_say_what_the_chart_shows():
    chart = timeline_chart(seed(), as_of=TODAY)
    assert "3 projects" in chart.description
    assert "3 milestones: 1 reached, 1 late and not reached, 1 due in the next 30 days" in (
        chart.description
    )
    assert "The most slipped is Gateway live of Authentication / Gateway, 62 days late." in (
        chart.description
    )
    lines = [(row.label, row.cells[1], row.cells[4], row.cells[5]) for row in chart.table.rows]
    assert lines == [
        ("Authentication / Gateway", "Design signed off", "On time", "Reached"),
        ("Authentication / Gateway", "Gateway live", "62 days late", "Late"),
        ("e-Forms", "Forms online", "On time", "Due soon"),
        ("Customer relationship management", "No milestones", "-", "-"),
    ]
    assert chart.table.rows[1].cells[3] == "1 February 2005"


def test_no_milestone_no_chart():
    assert timeline_chart([TimelineProject("Alone", "green")], as_of=TODAY) is None
    assert timeline_chart([], as_of=TODAY) is None


def test_many_projects_are_capped_with_the_rest_counted_and_all_in_the_table():
    many = [
        TimelineProject(f"Project {n:03}", "green", (TimelineMilestone("M", date(2005, 1, 1)),))
        for n in range(60)
    ]
    chart = timeline_chart(many, as_of=TODAY)
    assert len(chart.rows) == ROW_LIMIT
    assert chart.more == f"And {60 - ROW_LIMIT} more projects: see the table"
    assert len(chart.table.rows) == 60
    assert "The first 25 projects are drawn; the table has all of them." in chart.description
    svg = render_to_string(chart.template, {"chart": chart})
    assert chart.more in svg
    # The height stays bounded whatever the number of projects.
    assert chart.height == timeline_chart(many * 10, as_of=TODAY).height


def rendered(chart) -> tuple[str, ET.Element]:
    markup = render_to_string(chart.template, {"chart": chart})
    return markup, ET.fromstring(markup.strip())


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
def test_the_template_is_accessible_self_contained_svg(narrow):
    chart = timeline_chart(seed(), as_of=TODAY)
    chart = chart.narrow if narrow else chart
    markup, svg = rendered(chart)
    assert svg.get("role") == "img"
    assert svg.get("viewBox") == f"0 0 {chart.width} {chart.height}"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title").get("id") == title_id
    assert svg.find(f"{SVG}desc").get("id") == desc_id
    assert svg.find(f"{SVG}desc").text == chart.description
    assert "style=" not in markup and "<script" not in markup and "href" not in markup
    texts = {"".join(t.itertext()) for t in svg.iter(f"{SVG}text")}
    assert {"Amber", "Green", "Status not set", "Reached", "Late, not reached"} <= texts
    assert "Today, 10 January 2005" in texts
    assert len(svg.findall(f".//{SVG}circle")) == 2  # the reached one and the legend's
    assert len(svg.findall(f".//{SVG}polygon")) == 4  # late and due soon, and the legend's
    # Numbers written for SVG, never localised with a comma.
    assert not re.search(r'(x|y|cx|cy)="\d+,\d', markup)


def test_the_narrow_layout_keeps_its_text_inside_its_width():
    chart = timeline_chart(seed(), as_of=TODAY).narrow
    assert chart.width == NARROW_WIDTH and chart.narrow is None
    for start, end, text in drawn_text(chart):
        assert start >= 0 and end <= NARROW_WIDTH + 1, text


def test_the_chart_renders_in_weasyprint_with_its_words(caplog):
    from weasyprint import HTML

    chart = timeline_chart(seed(), as_of=TODAY)
    svg = render_to_string(chart.template, {"chart": chart})
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        document = HTML(string=f"<!DOCTYPE html><html><body>{svg}</body></html>").render()
        pdf = document.write_pdf(uncompressed_pdf=True)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    assert len(document.pages) == 1
    drawn = pdf_text(pdf)
    for text in ("Authentication/Gateway", "Amber", "Statusnotset", "Reached", "Sep", "2005"):
        assert text in drawn, text


def test_the_chart_and_its_table_render_as_the_board_reports_charts_do(caplog):
    """Drawn with the report's own table template, as its charts section draws each chart."""
    from weasyprint import HTML

    chart = timeline_chart(seed(), as_of=TODAY)
    markup = render_to_string(
        "components/charts/_chart_table.html", {"chart": chart}
    ) + render_to_string(chart.template, {"chart": chart})
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = HTML(string=f"<!DOCTYPE html><html><body>{markup}</body></html>").write_pdf(
            uncompressed_pdf=True
        )
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    drawn = "".join(pdf_text(pdf)).replace(" ", "")
    for text in ("Gatewaylive", "62dayslate", "Nomilestones", "1February2005"):
        assert text in drawn, text

"""The risk heat map: its cells hold the counts, shaded by band with a pattern as well as a
colour, it names itself to a screen reader, carries the same counts as a table, and WeasyPrint
draws it."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET

import pytest
from django.template.loader import render_to_string

from projects.money.delivery import heat_map
from reports.heat_map import BAND_COLOURS, build_heat_map
from tests.reports.test_charts import contrast, pdf_text

SVG = "{http://www.w3.org/2000/svg}"
RISKS = [(5, 5), (5, 5), (4, 2), (1, 1), (3, 4)]  # likelihood, impact


@pytest.fixture
def chart():
    return build_heat_map(heat_map(RISKS))


def rendered(chart) -> str:
    return render_to_string("reports/partials/_heat_map.html", {"chart": chart})


def svg_of(html: str) -> ET.Element:
    start, end = html.index("<svg"), html.index("</svg>") + len("</svg>")
    return ET.fromstring(html[start:end])


def test_each_cell_holds_its_count_with_likelihood_up_and_impact_across(chart):
    by_place = {(cell.likelihood, cell.impact): cell for cell in chart.cells}
    assert len(by_place) == 25
    assert by_place[5, 5].count == 2 and by_place[4, 2].count == 1 and by_place[1, 1].count == 1
    assert by_place[3, 4].count == 1 and by_place[2, 2].count == 0
    assert chart.total == 5
    # Likelihood 5 is the top row, impact 5 the right-hand column.
    assert by_place[5, 1].y < by_place[1, 1].y and by_place[1, 1].x < by_place[1, 5].x
    assert [row.likelihood for row in chart.table] == [5, 4, 3, 2, 1]
    assert [cell.count for cell in chart.table[0].cells] == [0, 0, 0, 0, 2]


def test_cells_are_shaded_by_band_each_with_its_own_pattern(chart):
    by_place = {(cell.likelihood, cell.impact): cell for cell in chart.cells}
    assert by_place[5, 3].style.band == "high"  # 15
    assert by_place[2, 3].style.band == "medium"  # 6
    assert by_place[1, 5].style.band == "medium"  # 5
    assert by_place[2, 2].style.band == "low"  # 4
    patterns = {style.band: style.pattern for style in chart.styles}
    assert len(set(patterns.values())) == 3  # not colour alone
    for colour in BAND_COLOURS.values():
        assert contrast(colour, "#ffffff") >= 3


def test_the_svg_names_itself_and_says_where_the_risks_are(chart):
    html = rendered(chart)
    svg = svg_of(html)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "risk-heat-map-title risk-heat-map-desc"
    assert svg.find(f"{SVG}title").text == "Open risks by likelihood and impact"
    assert svg.find(f"{SVG}desc").text == (
        "5 open risks by likelihood and impact: 2 high, 2 medium, 1 low."
    )
    patterns = svg.findall(f"{SVG}defs/{SVG}pattern")
    assert {p.get("id") for p in patterns} == {
        "risk-heat-map-high",
        "risk-heat-map-medium",
        "risk-heat-map-low",
    }
    # The axes and the legend are drawn as words; only the cells with risks show a count.
    words = [text.text for text in svg.iter(f"{SVG}text")]
    assert "Likelihood" in words and "Impact" in words
    assert "High: score 15 to 25" in words and "Low: score 1 to 4" in words
    bold_counts = [text.text for text in svg.iter(f"{SVG}text") if text.get("font-size") == "20"]
    assert sorted(bold_counts) == ["1", "1", "1", "2"]


def test_the_table_beside_it_has_the_same_counts(chart):
    html = rendered(chart)
    start = html.index("<table")
    table = ET.fromstring(html[start : html.index("</table>") + len("</table>")])
    rows = table.findall("tbody/tr")
    assert len(rows) == 5
    first = [td.text for td in rows[0].findall("td")]
    assert first == ["0", "0", "0", "0", "2"]
    assert "".join(table.find("tfoot/tr/td").itertext()) == "5"


def test_an_empty_map_says_so():
    chart = build_heat_map(heat_map([]))
    assert chart.total == 0
    assert chart.description == "No open risks: every cell of the grid is empty."


def test_a_grid_of_the_wrong_shape_is_refused():
    with pytest.raises(ValueError):
        build_heat_map(((0,) * 5,) * 4)


def test_the_heat_map_renders_in_weasyprint_with_its_counts(chart, caplog):
    from weasyprint import HTML

    svg = render_to_string("reports/partials/_heat_map.html", {"chart": chart})
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        document = HTML(string=f"<!DOCTYPE html><html><body>{svg}</body></html>").render()
        pdf = document.write_pdf(uncompressed_pdf=True)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    boxes, svg_boxes = [page._page_box for page in document.pages], []
    while boxes:
        box = boxes.pop()
        if (getattr(box, "element_tag", None) or "").endswith("svg"):
            svg_boxes.append(box)
        boxes.extend(getattr(box, "children", []))
    (box,) = svg_boxes
    assert box.width > 100
    assert box.height / box.width == pytest.approx(chart.height / chart.width, rel=0.01)
    drawn = pdf_text(pdf)
    for text in ("Likelihood", "Impact", "High:score15to25", "Medium:score5to14", "2"):
        assert text in drawn, text
    assert b"/PatternType" in pdf  # the cross-hatched, striped and dotted fills

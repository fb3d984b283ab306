"""The charts: scales and bars computed from the figures, SVG templates that WeasyPrint draws."""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from decimal import Decimal
from itertools import pairwise

import pytest
from django.template.loader import render_to_string
from hypothesis import given
from hypothesis import strategies as st

from projects.money.document import ContributionData, PartnerData, ProjectData
from projects.money.figures import compute_figures
from projects.money.vocabulary import ContributionStatus, Grade, Tranche
from reports.charts import (
    CHARACTER_WIDTH,
    DARK_BLUE,
    DARK_PINK,
    NARROW_WIDTH,
    PADDING,
    TURQUOISE,
    ChartRow,
    combine_smallest,
    grouped_bar_chart,
    nice_ticks,
    outcome_chart,
    partner_share_chart,
    project_cost_chart,
    series_styles,
    stacked_bar_chart,
)
from tests.reports.seed import seed_document, with_contributions

D = Decimal
SVG = "{http://www.w3.org/2000/svg}"


def rows_of(*values: tuple[str, tuple[int, ...]]) -> list[ChartRow]:
    return [ChartRow(label=label, values=tuple(D(v) for v in vs)) for label, vs in values]


# Ticks


@pytest.mark.parametrize(
    ("maximum", "whole", "ticks"),
    [
        ("107000", False, [0, 25000, 50000, 75000, 100000, 125000]),
        ("21875", False, [0, 5000, 10000, 15000, 20000, 25000]),
        ("11", True, [0, 5, 10, 15]),
        ("10", True, [0, 2, 4, 6, 8, 10]),
        ("3", True, [0, 1, 2, 3]),
        ("0.40", False, [0, "0.1", "0.2", "0.3", "0.4"]),
        ("0", False, [0, 1]),
    ],
)
def test_ticks_are_round_steps_from_zero_to_the_maximum(maximum, whole, ticks):
    assert nice_ticks(D(maximum), whole=whole) == tuple(D(t) for t in ticks)


@given(
    st.decimals(min_value=D("0.01"), max_value=D("1000000000"), places=2),
    st.booleans(),
)
def test_ticks_cover_the_maximum_with_no_spare_step(maximum, whole):
    ticks = nice_ticks(maximum, whole=whole)
    step = ticks[1] - ticks[0]
    assert ticks[0] == 0
    assert all(b - a == step for a, b in pairwise(ticks))
    assert ticks[-2] < maximum <= ticks[-1]
    assert 2 <= len(ticks) <= 7
    if whole:
        assert step == step.to_integral_value() and step >= 1


# Geometry


def test_stacked_segments_follow_on_and_are_proportional_to_their_values():
    chart = stacked_bar_chart(
        id="c",
        title="T",
        description="D",
        series_labels=("A", "B", "C"),
        rows=rows_of(("one", (100, 0, 300)), ("two", (50, 150, 0))),
        row_header="Row",
    )
    one, two = chart.rows
    # The zero value draws no segment, and the parts follow on from the left of the plot.
    assert [s.series.label for s in one.segments] == ["A", "C"]
    assert one.segments[0].x == chart.axis.left
    assert one.segments[1].x == pytest.approx(one.segments[0].x + one.segments[0].width, abs=0.1)
    per_unit = one.segments[0].width / 100
    for row in (one, two):
        for segment in row.segments:
            assert segment.width == pytest.approx(float(segment.value) * per_unit, abs=0.15)
    # The scale reaches 400 (the top tick): the longest bar (400) ends on the plot's right.
    assert chart.axis.ticks[-1].value == 400
    end = one.segments[-1].x + one.segments[-1].width
    assert end == pytest.approx(chart.axis.right, abs=0.2)
    assert one.total_label == "£400" and one.total_x > end
    assert one.breakdown == "A £100 · C £300"
    # Rows go down the chart without overlapping, and the chart is tall enough for them all.
    assert one.breakdown_y < two.label_y < two.segments[0].y
    assert chart.height > chart.axis.label_y > chart.axis.bottom > two.breakdown_y


def test_grouped_bars_start_at_the_axis_and_are_named_by_their_series():
    chart = grouped_bar_chart(
        id="g",
        title="T",
        description="D",
        series_labels=("Share", "Pledged"),
        rows=rows_of(("one", (200, 0)), ("two", (100, 50))),
        row_header="Row",
    )
    one, two = chart.groups
    assert [bar.series.label for bar in one.bars] == ["Share", "Pledged"]
    assert all(bar.x == chart.axis.left for group in chart.groups for bar in group.bars)
    assert one.bars[1].width == 0 and one.bars[1].label == "£0"
    assert two.bars[0].width == pytest.approx(one.bars[0].width / 2, abs=0.1)
    # The series' names end before the bars; the values are written after them.
    assert all(bar.series_x < bar.x < bar.label_x for bar in one.bars + two.bars)
    assert one.bars[0].y < one.bars[1].y < two.label_y < two.bars[0].y


def test_a_chart_refuses_values_it_cannot_draw():
    with pytest.raises(ValueError, match="negative"):
        stacked_bar_chart(
            id="c",
            title="T",
            description="D",
            series_labels=("A",),
            rows=rows_of(("one", (-1,))),
            row_header="Row",
        )
    with pytest.raises(ValueError, match="2 values for 1 series"):
        grouped_bar_chart(
            id="c",
            title="T",
            description="D",
            series_labels=("A",),
            rows=rows_of(("one", (1, 2))),
            row_header="Row",
        )


def test_the_table_has_the_same_numbers_as_the_bars():
    chart = stacked_bar_chart(
        id="c",
        title="Costs",
        description="D",
        series_labels=("A", "B"),
        rows=rows_of(("one", (1500, 250)), ("two", (0, 1000))),
        row_header="Project",
    )
    table = chart.table
    assert table.caption == "Costs"
    assert table.columns == ("A", "B", "Total")
    assert [(r.label, r.cells) for r in table.rows] == [
        ("one", ("£1,500", "£250", "£1,750")),
        ("two", ("£0", "£1,000", "£1,000")),
    ]
    assert table.total.cells == ("£1,500", "£1,250", "£2,750")
    for row, drawn in zip(table.rows, chart.rows, strict=True):
        assert row.cells[-1] == drawn.total_label
        assert {s.label for s in drawn.segments} <= set(row.cells)


def test_past_the_limit_the_smallest_rows_are_added_together():
    rows = rows_of(*((f"p{n}", (n, 1)) for n in range(30)))
    shown = combine_smallest(rows, limit=5, others=lambda n: f"{n} others")
    # The four largest keep their order; the other 26 are summed, so the whole is kept.
    assert [row.label for row in shown] == ["p26", "p27", "p28", "p29", "26 others"]
    assert shown[-1].values == (D(sum(range(26))), D(26))
    assert sum((sum(r.values) for r in shown), D(0)) == sum((sum(r.values) for r in rows), D(0))
    assert combine_smallest(rows[:5], limit=5, others=str) == tuple(rows[:5])


# Colours: WCAG 1.4.11 asks 3:1 for the parts of a chart needed to understand it.


def luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_series_colour_has_3_to_1_contrast_with_white_and_its_neighbour():
    for colour in (DARK_BLUE, TURQUOISE, DARK_PINK):
        assert contrast(colour, "#ffffff") >= 3
    # Existing resource and committed extra cost touch in a stacked bar.
    assert contrast(DARK_BLUE, TURQUOISE) >= 3


def test_each_series_has_its_own_pattern_named_for_its_chart():
    styles = series_styles("chart-a", 3)
    assert [s.name for s in styles] == ["solid", "striped", "hatched"]
    assert [s.fill for s in styles] == [DARK_BLUE, "url(#chart-a-striped)", "url(#chart-a-hatched)"]
    assert series_styles("chart-b", 2)[1].pattern_id == "chart-b-striped"
    with pytest.raises(ValueError):
        series_styles("chart-a", 4)


# The programme's charts


def test_project_cost_chart_stacks_the_seed_and_adds_up_to_its_figures():
    document = seed_document()
    figures = compute_figures(document)
    chart = project_cost_chart(document)
    by_label = {row.label: row.cells for row in chart.table.rows}
    assert list(by_label)[:2] == ["e-Forms", "Portal"]  # the board's order
    assert by_label["e-Forms"] == ("£15,000", "£0", "£0", "£15,000")
    assert by_label["Authentication / Gateway"] == ("£0", "£7,000", "£100,000", "£107,000")
    assert by_label["Benefits Form (and 1 phase of cost to be confirmed)"][1] == "£13,000"
    # The bars add up to the programme's figures: existing, minimum, maximum less minimum.
    assert chart.table.total.cells == (
        "£175,000",
        "£75,000",
        "£100,000",
        "£350,000",  # the dashboard's total cost: existing plus the maximum
    )
    assert figures.existing_total == D("175000") and figures.extra_min == D("75000")
    assert figures.extra_max - figures.extra_min == D("100000")
    assert "Authentication / Gateway, £107,000" in chart.description
    assert project_cost_chart(replace(document, projects=())) is None


def test_project_cost_chart_combines_the_smallest_of_many_projects():
    document = seed_document()
    many = tuple(ProjectData(slug=f"p{n}", name=f"Project {n}", phases=()) for n in range(40))
    chart = project_cost_chart(replace(document, projects=document.projects + many), limit=12)
    assert len(chart.rows) == 12
    assert chart.table.rows[-1].label == "The other 39 projects together"
    assert chart.table.total.cells[-1] == "£350,000"
    assert "11 costliest projects are shown; the other 39" in chart.description


def test_partner_chart_shows_each_share_in_the_partnerships_order():
    document = with_contributions(
        seed_document(),
        ContributionData(
            partner="broadland",
            financial_year="2004/05",
            tranche=Tranche.IMMEDIATE,
            amount=D("10000.00"),
            status=ContributionStatus.RECEIVED,
        ),
    )
    figures = compute_figures(document)
    names = {p.slug: p.name for p in document.partners}
    chart = partner_share_chart(
        figures, names=names, order=[p.slug for p in document.partners], own_partner="broadland"
    )
    assert [g.full_label for g in chart.groups][:3] == [
        "Norfolk County Council",
        "Breckland District Council",
        "Broadland District Council (your council)",
    ]
    broadland = chart.table.rows[2]
    assert broadland.cells == ("£21,875", "£10,000", "£10,000")
    assert chart.table.total.cells == ("£175,000", "£10,000", "£10,000")
    assert "£21,875 each" in chart.description
    no_partners = compute_figures(
        replace(document, partners=(PartnerData("x", "X", contributes=False),), contributions=())
    )
    assert partner_share_chart(no_partners, names={}) is None


def test_outcome_chart_counts_claims_by_grade_and_strategy_support():
    document = seed_document()
    chart = outcome_chart(document, strategy="Norfolk Ambition")
    assert chart.table.columns == (
        "Projects supporting Norfolk Ambition",
        "Other projects",
        "Total",
    )
    assert [(r.label, r.cells) for r in chart.table.rows] == [
        ("Required", ("9", "1", "10")),
        ("Good", ("9", "2", "11")),
        ("Excellent", ("4", "1", "5")),
    ]
    outcomes = compute_figures(document).outcomes
    assert (outcomes.required, outcomes.good, outcomes.excellent) == (10, 11, 5)
    assert [tick.label for tick in chart.axis.ticks] == ["0", "5", "10", "15"]
    no_claims = replace(
        document, projects=tuple(replace(p, outcome_claims=()) for p in document.projects)
    )
    assert outcome_chart(no_claims) is None
    assert Grade.REQUIRED.label in chart.description


# Templates: self-contained SVG, drawn by WeasyPrint as by browsers.


def seed_charts():
    document = with_contributions(
        seed_document(),
        ContributionData(
            partner="norwich",
            financial_year="2004/05",
            tranche=Tranche.IMMEDIATE,
            amount=D("10000.00"),
            status=ContributionStatus.PLEDGED,
        ),
    )
    figures = compute_figures(document)
    names = {p.slug: p.name for p in document.partners}
    return [
        project_cost_chart(document),
        partner_share_chart(figures, names=names, order=list(names)),
        outcome_chart(document, strategy="Norfolk Ambition"),
    ]


CHART_IDS = ["chart-project-costs", "chart-partner-shares", "chart-outcomes"]
EXPECTED_TEXT = {
    "chart-project-costs": ["e-Forms", "£107,000", "Existing resource", "£125,000"],
    "chart-partner-shares": ["Norwich City Council", "£21,875", "Pledged", "£10,000"],
    "chart-outcomes": ["Required", "Excellent", "Other projects", "11"],
}


@pytest.mark.parametrize("index", range(3), ids=CHART_IDS)
def test_chart_template_is_accessible_self_contained_svg(index):
    chart = seed_charts()[index]
    markup = render_to_string(chart.template, {"chart": chart})
    svg = ET.fromstring(markup.strip())
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img"
    assert svg.get("viewBox") == f"0 0 {chart.width} {chart.height}"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title").get("id") == title_id
    assert svg.find(f"{SVG}title").text == chart.title
    assert svg.find(f"{SVG}desc").get("id") == desc_id
    assert svg.find(f"{SVG}desc").text == chart.description
    # Nothing a PDF renderer or a strict page could refuse: no styles, scripts or outside links.
    assert "style=" not in markup and "<script" not in markup and "foreignObject" not in markup
    assert "var(" not in markup and "href" not in markup
    assert re.findall(r"url\(#([^)]+)\)", markup)
    for pattern_id in set(re.findall(r"url\(#([^)]+)\)", markup)):
        assert svg.find(f".//{SVG}pattern[@id='{pattern_id}']") is not None
    texts = {"".join(t.itertext()) for t in svg.iter(f"{SVG}text")}
    assert set(EXPECTED_TEXT[chart.id]) <= texts | {
        part for text in texts for part in text.split(" ")
    }
    assert all(item.series.label in texts for item in chart.legend)


def test_a_chart_carries_a_narrow_layout_with_its_own_ids_and_the_same_numbers():
    for chart in seed_charts():
        narrow = chart.narrow
        assert narrow is not None and narrow.narrow is None
        assert narrow.id == f"{chart.id}-narrow" and narrow.width == NARROW_WIDTH
        patterns = {style.pattern_id for style in narrow.styles} - {""}
        assert patterns and patterns.isdisjoint(style.pattern_id for style in chart.styles)
        assert narrow.table == chart.table and narrow.title == chart.title


def drawn_text(chart) -> list[tuple[float, float, str]]:
    """Return each text of the chart's SVG with where it starts and ends, in viewBox units."""
    svg = ET.fromstring(render_to_string(chart.template, {"chart": chart}).strip())
    found = []
    for parent in svg.iter():
        for text in parent.findall(f"{SVG}text"):
            size = float(text.get("font-size") or parent.get("font-size") or 16)
            width = len("".join(text.itertext())) * size * CHARACTER_WIDTH
            x = float(text.get("x"))
            anchor = text.get("text-anchor") or parent.get("text-anchor") or "start"
            start = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
            found.append((start, start + width, "".join(text.itertext())))
    return found


@pytest.mark.parametrize("index", range(3), ids=CHART_IDS)
def test_the_narrow_layout_keeps_its_text_inside_its_width(index):
    narrow = seed_charts()[index].narrow
    for start, end, text in drawn_text(narrow):
        assert start >= 0 and end <= NARROW_WIDTH + 1, text


def test_on_a_phone_each_bar_is_named_above_it_and_has_the_width_to_itself():
    chart = seed_charts()[1].narrow
    wide = seed_charts()[1]
    assert chart.axis.left == PADDING < wide.axis.left
    assert len(chart.axis.ticks) <= 4
    for group in chart.groups:
        for bar in group.bars:
            assert bar.series_anchor == "start" and bar.series_x == PADDING
            assert group.label_y < bar.series_y < bar.y


def test_on_a_phone_each_part_of_a_bars_breakdown_has_its_own_line():
    chart = seed_charts()[0].narrow
    gateway = next(row for row in chart.rows if row.full_label == "Authentication / Gateway")
    assert [line.text for line in gateway.breakdown_lines] == [
        "Extra cost committed £7,000",
        "Extra cost awaiting a decision £100,000",
    ]
    assert gateway.breakdown_lines[0].y < gateway.breakdown_lines[1].y
    wide = next(row for row in seed_charts()[0].rows if row.full_label == gateway.full_label)
    assert [line.text for line in wide.breakdown_lines] == [wide.breakdown]


def pdf_text(pdf: bytes) -> list[str]:
    """Return each text object of an uncompressed PDF, decoded by its fonts' ToUnicode maps."""
    objects = {int(n): body for n, body in re.findall(rb"(\d+) 0 obj(.*?)endobj", pdf, re.S)}
    fonts: dict[bytes, dict[bytes, str]] = {}
    for ref in set(re.findall(rb"/Font (\d+) 0 R", pdf)):
        for name, font_ref in re.findall(rb"/([^\s/<>\[\]()]+) ?(\d+) 0 R", objects[int(ref)]):
            unicode_ref = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(font_ref)]).group(1)
            mapping = {}
            for block in re.findall(rb"beginbfchar(.*?)endbfchar", objects[int(unicode_ref)], re.S):
                for code, text in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
                    mapping[code.lower()] = bytes.fromhex(text.decode()).decode("utf-16-be")
            fonts[name] = mapping
    texts, font = [], {}
    for block in re.findall(rb"\bBT\b(.*?)\bET\b", pdf, re.S):
        characters = []
        for token in re.finditer(rb"/([^\s/]+) [\d.]+ Tf|<([0-9a-fA-F]+)>", block):
            if token.group(1):
                font = fonts[token.group(1)]
            else:
                code = token.group(2).lower()
                characters += [font.get(code[i : i + 4], "?") for i in range(0, len(code), 4)]
        texts.append("".join(characters))
    return texts


@pytest.mark.parametrize("index", range(3), ids=CHART_IDS)
def test_chart_renders_in_weasyprint_with_its_labels(index, caplog):
    from weasyprint import HTML

    chart = seed_charts()[index]
    svg = render_to_string(chart.template, {"chart": chart})
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        document = HTML(string=f"<!DOCTYPE html><html><body>{svg}</body></html>").render()
        pdf = document.write_pdf(uncompressed_pdf=True)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    assert len(document.pages) == 1
    # The chart fills the page's width at its own proportions.
    boxes = [document.pages[0]._page_box]
    svg_boxes = []
    while boxes:
        box = boxes.pop()
        if (getattr(box, "element_tag", None) or "").endswith("svg"):
            svg_boxes.append(box)
        boxes.extend(getattr(box, "children", []))
    (box,) = svg_boxes
    assert box.width > 500
    assert box.height / box.width == pytest.approx(chart.height / chart.width, rel=0.01)
    # Its words are drawn as text (WeasyPrint places SVG text letter by letter, without spaces).
    drawn = pdf_text(pdf)
    for text in EXPECTED_TEXT[chart.id]:
        assert text.replace(" ", "") in drawn, text
    assert len(drawn) >= len(chart.legend) + len(chart.axis.ticks)
    assert b"/PatternType" in pdf  # the striped and hatched fills


def test_the_pdf_text_check_reads_only_what_is_drawn():
    """Guard against a check that passes whatever is drawn."""
    from weasyprint import HTML

    pdf = HTML(string="<p>Nothing here</p><svg></svg>").write_pdf(uncompressed_pdf=True)
    assert pdf_text(pdf) == ["Nothing here"]

"""The board report's content, built from plain data: the seed's table words and its figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from projects.money.document import (
    REPORT_TEXT_FIELDS,
    REPORT_WORDS,
    PartnerData,
    PhaseData,
    ReportTextData,
)
from projects.money.placeholders import contribution_recommendation
from projects.money.vocabulary import Apportionment, Borne, Decision, Grade
from projects.money.wording import financial_years_span, financial_years_words, number_word
from projects.programme_file import parse_programme
from reports.report.content import (
    board_report_from_document,
    extra_cost_phrase,
    outcomes_phrase,
    supports_phrase,
)
from reports.report.markdown import numbered_blocks
from tests.conftest import SEED_FILE
from tests.reports.seed import seed_document, with_phase_decision

MEETING = date(2004, 6, 24)


@pytest.fixture(scope="module")
def demo():
    return parse_programme(SEED_FILE.read_bytes())


@pytest.fixture(scope="module")
def report(demo):
    return board_report_from_document(demo, on=MEETING, issued=True)


def row(report, slug):
    return next(r for r in report.projects if r.slug == slug)


# The seed's table, line by line


SEED_TABLE = {
    # slug: (outcomes, supports, existing, extra)
    "e-forms": ("One required, one good", "Supports Norfolk Ambition", Decimal(15000), ""),
    "portal": (
        "Three required, one good, one excellent",
        "Supports Norfolk Ambition",
        Decimal(35000),
        "",
    ),
    "further-info-points": ("", "Supports Norfolk Ambition", None, "£20,000"),
    "marketing": ("One good, one excellent", "", Decimal(80000), ""),
    "authentication-gateway": (
        "One required, one good",
        "",
        None,
        "£7,000 plus £100,000 phase 2 (individual connection costs)",
    ),
    "benefits-form": (
        "Two good, one excellent",
        "Supports Norfolk Ambition",
        None,
        "£13,000 (may be covered by a future bid for external funds) plus phase 2, cost TBC",
    ),
    "shared-customer-info-crm": (
        "One required, two good, one excellent",
        "Supports Norfolk Ambition",
        Decimal(25000),
        "",
    ),
    "direct-gov": ("One required", "Supports Norfolk Ambition", None, "£5,000"),
    "member-support": (
        "Three required, three good, one excellent",
        "Supports Norfolk Ambition",
        Decimal(20000),
        "£20,000",
    ),
    "partnership-support": ("", "", None, "£10,000"),
}


@pytest.mark.parametrize("slug", SEED_TABLE)
def test_each_project_line_is_worded_as_the_seed(report, slug):
    outcomes, supports, existing, extra = SEED_TABLE[slug]
    line = row(report, slug)
    assert (line.outcomes, line.supports, line.existing, line.extra) == (
        outcomes,
        supports,
        existing,
        extra,
    )


def test_the_total_row_adds_up_the_lines_not_the_paper(report):
    assert report.existing_total == Decimal("175000.00")  # the paper said £165,000
    assert report.extra_total == Decimal("175000.00")
    assert report.extra_min == Decimal("75000.00")
    assert report.tbc_phases == 1


def test_the_table_note_explains_the_maximum_and_the_tbc_phase(report):
    assert report.table_note == (
        "The extra cost total of £175,000 is the maximum, needed if every business case "
        "awaiting a decision is approved; the minimum, for the phases needing no business case "
        "and those approved, is £75,000. One phase has a cost still to be confirmed (TBC), left "
        "out of the totals."
    )


def test_the_facilitator_is_told_of_the_papers_existing_total(report):
    assert report.mismatches == (
        "The paper's existing resource total was £165,000, but the lines add up to £175,000: "
        "the report shows £175,000.",
    )


def test_the_recommendation_has_the_seeds_words_and_the_datas_figures(demo, report):
    assert report.recommendation == (
        "a contribution of up to £30,000 each over the two financial years 2004-2006 with "
        "£10,000 each to be made available immediately"
    )
    recommendations = next(s for s in report.sections if s.key == "recommendations")
    assert "up to £30,000 each over the two financial years 2004-2006 with £10,000 each" in (
        recommendations.paragraphs[0].html
    )


def test_the_seeds_sections_are_numbered_as_the_seed(report):
    assert [(s.number, s.heading) for s in report.sections] == [
        (1, "Background/Introduction"),
        (2, "Project list"),
        (3, "Risks and Benefits"),
        (4, "Alternative Options"),
        (5, "Recommendations"),
        (6, "Contact Officers"),
    ]
    numbers = [p.number for s in report.sections for p in s.paragraphs]
    assert numbers == ["1.1", "1.2", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "4.1", "5.1", "6.1"]


def test_placeholders_in_the_text_follow_the_data(demo):
    stopped = with_phase_decision(demo, "authentication-gateway", 2, Decision.NOT_PROCEEDING)
    report = board_report_from_document(stopped, on=MEETING)
    html = next(s for s in report.sections if s.key == "recommendations").paragraphs[0].html
    # Without the £100,000 phase the maximum is £75,000: £9,375 each, rounded up to £10,000.
    assert "up to £10,000 each" in html and "£30,000" not in html
    assert row(report, "authentication-gateway").extra == "£7,000; phase 2 not proceeding"


def test_an_empty_section_is_left_out_and_the_rest_numbered_on(demo):
    text = replace(demo.report, risks_and_benefits="", alternative_options="  ")
    report = board_report_from_document(replace(demo, report=text), on=MEETING)
    assert [(s.number, s.heading) for s in report.sections][2:] == [
        (3, "Recommendations"),
        (4, "Contact Officers"),
    ]


def test_a_programme_without_text_gets_useful_default_words():
    report = board_report_from_document(seed_document(), on=MEETING)
    assert report.title == "Norfolk Connect medium term workload"
    assert report.date_text == "Draft of 24 June 2004"
    recommendations = next(s for s in report.sections if s.key == "recommendations")
    assert "up to £30,000 each over the two financial years 2004-2006" in (
        recommendations.paragraphs[0].html
    )


def test_the_demos_paper_has_no_charts_appendix(report):
    assert report.include_charts is False
    assert report.charts == ()
    assert report.cost_chart is None  # not even drawn


def test_a_paper_with_the_appendix_includes_the_dashboards_three_charts(demo):
    text = replace(demo.report, include_charts=True)
    report = board_report_from_document(replace(demo, report=text), on=MEETING)
    assert [chart.id for chart in report.charts] == [
        "chart-project-costs",
        "chart-partner-shares",
        "chart-outcomes",
    ]


def test_issued_and_draft_dates_read_differently(demo):
    assert board_report_from_document(demo, on=MEETING, issued=True).date_text == "24 June 2004"
    assert board_report_from_document(demo, on=MEETING).date_text == "Draft of 24 June 2004"


def test_user_text_in_the_heading_is_kept_as_text(demo):
    text = replace(demo.report, title="<b>Plan</b> for {programme_name}")
    report = board_report_from_document(replace(demo, report=text), on=MEETING)
    assert report.title == "<b>Plan</b> for Norfolk Connect medium term workload"  # escaped later


# Wording


@pytest.mark.parametrize(
    ("grades", "words"),
    [
        ([], ""),
        ([Grade.REQUIRED], "One required"),
        ([Grade.GOOD, Grade.REQUIRED, Grade.GOOD], "One required, two good"),
        ([Grade.EXCELLENT] * 21, "21 excellent"),
    ],
)
def test_outcome_claims_are_counted_in_words(grades, words):
    assert outcomes_phrase(grades) == words


def test_supports_names_the_partnerships_strategy():
    assert supports_phrase(True, "Norfolk Ambition") == "Supports Norfolk Ambition"
    assert supports_phrase(True, "") == "Supports the partnership's strategy"
    assert supports_phrase(False, "Norfolk Ambition") == ""


def phase(number, cost, **kwargs):
    return PhaseData(number=number, name=f"Phase {number}", extra_cost=cost, **kwargs)


@pytest.mark.parametrize(
    ("phases", "words"),
    [
        ([], ""),
        ([phase(1, Decimal(20000))], "£20,000"),
        ([phase(1, None)], "TBC"),
        (
            [phase(2, Decimal(100000), note="individual connection costs", gated=True),
             phase(1, Decimal(7000))],
            "£7,000 plus £100,000 phase 2 (individual connection costs)",
        ),
        ([phase(1, Decimal("1500.50")), phase(2, None)], "£1,500.50 plus phase 2, cost TBC"),
        (
            [phase(1, Decimal(7000), decision=Decision.NOT_PROCEEDING),
             phase(2, Decimal(100000))],
            "£100,000 phase 2; phase 1 not proceeding",
        ),
        ([phase(1, Decimal(5), decision=Decision.NOT_PROCEEDING)], "Phase 1 not proceeding"),
    ],
)  # fmt: skip
def test_extra_cost_is_written_phase_by_phase(phases, words):
    assert extra_cost_phrase(phases) == words


def test_number_words_and_financial_years():
    assert [number_word(n) for n in (0, 1, 8, 20, 21, 1000)] == [
        "no",
        "one",
        "eight",
        "twenty",
        "21",
        "1,000",
    ]
    assert financial_years_span(["2005/06", "2004/05"]) == "2004-2006"
    assert financial_years_words(["2004/05"]) == "the financial year 2004/05"
    assert financial_years_words(["2004/05", "2005/06", "2006/07"]) == (
        "the three financial years 2004-2007"
    )


def test_unequal_shares_recommend_each_partners_figures_from_a_table(demo):
    weights = {"norfolk-county": Decimal(30)}
    partners = tuple(replace(p, weight=weights.get(p.slug, Decimal(10))) for p in demo.partners)
    weighted = replace(
        demo,
        partners=partners,
        programme=replace(demo.programme, apportionment=Apportionment.WEIGHTS),
    )
    report = board_report_from_document(weighted, on=MEETING)
    assert report.recommendation.startswith(
        "a contribution from each partner of up to its cap in the table of contributions"
    )
    county = next(p for p in report.partner_contributions if p.name == "Norfolk County Council")
    # Shared £75,000 x 30/100 = £22,500 (no individual costs in the minimum) -> £30,000 step.
    assert county.immediate == Decimal("30000.00")
    assert len(report.partner_contributions) == 8


def test_a_programme_with_no_contributing_partner_says_so():
    document = seed_document()
    document = replace(
        document, partners=tuple(replace(p, contributes=False) for p in document.partners)
    )
    figures_free = board_report_from_document(document, on=MEETING)
    assert figures_free.recommendation == (
        "a contribution from each partner over the two financial years 2004-2006, once their "
        "shares are known"
    )
    assert contribution_recommendation(document, figures_free.figures) == (
        figures_free.recommendation
    )


def test_missing_population_reports_the_money_without_shares(demo):
    # Every council has a population but the county.
    partners = tuple(
        replace(p, population=None if p.slug == "norfolk-county" else 1000) for p in demo.partners
    )
    document = replace(
        demo,
        partners=partners,
        programme=replace(demo.programme, apportionment=Apportionment.POPULATION),
    )
    report = board_report_from_document(document, on=MEETING)
    assert "Norfolk County Council has no population" in report.figures_problem
    assert report.existing_total == Decimal("175000.00")
    assert report.partner_chart is None


# Numbered paragraphs


def test_paragraphs_lists_and_continuations_are_numbered_as_the_seed():
    text = "Needed to:\n\n· one\n· two\n\n  A key criteria.\n\nSecond paragraph.\r\n\r\nThird."
    assert numbered_blocks(text) == [
        "Needed to:\n\n- one\n- two\n\nA key criteria.",
        "Second paragraph.",
        "Third.",
    ]


def test_a_section_that_starts_with_a_list_numbers_it():
    assert numbered_blocks("- one\n- two\n\nAfter.") == ["- one\n- two", "After."]


def test_individual_costs_are_shown_whoever_bears_them():
    phases = [phase(1, Decimal(7000)), phase(2, Decimal(800), borne=Borne.INDIVIDUAL)]
    assert extra_cost_phrase(phases) == "£7,000 plus £800 phase 2"


def test_a_partner_with_no_contribution_basis_is_left_out_of_the_shares(demo):
    extra = PartnerData(slug="observer", name="Observer", contributes=False)
    report = board_report_from_document(replace(demo, partners=(*demo.partners, extra)), on=MEETING)
    assert report.figures.partners == 8
    assert report.recommendation.startswith("a contribution of up to £30,000 each")


def test_report_text_data_defaults_are_empty_and_without_charts():
    text = ReportTextData()
    assert all(getattr(text, key) == "" for key in REPORT_WORDS)
    assert text.include_charts is False
    assert set(REPORT_WORDS) == set(REPORT_TEXT_FIELDS) - {"include_charts"}

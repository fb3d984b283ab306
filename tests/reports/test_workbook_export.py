"""The programme's workbook: the board report's columns, numbers that add up in Excel, safe text."""

from __future__ import annotations

import io
from dataclasses import replace
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from projects.models import Programme
from projects.money import document as data
from projects.money.bounds import counts_in_maximum, counts_in_minimum
from projects.money.document import PhaseData
from projects.money.figures import compute_figures
from projects.money.vocabulary import ContributionStatus, Decision, Tranche
from projects.programme_file import parse_programme
from projects.selectors import programme_document, programme_figures
from reports.workbook.export import (
    counts,
    shown_value,
    write_programme_workbook,
    write_projects_table_workbook,
)
from reports.workbook.layout import MONEY_FORMAT, PHASES
from tests.conftest import SEED_FILE
from tests.reports.workbooks import (
    BENEFITS_LINKS,
    CONNECTION,
    PARTNERSHIP_SUPPORT,
    column,
    demo_with_money,
    load_seed,
    money_of,
    opened,
    row_of,
    workbook_of,
)

D = Decimal
SHEETS = [
    "Projects",
    "Phases",
    "Funding",
    "Outcome claims",
    "Contributions",
    "Partners",
    "Partner shares",
    # The demo's two risks: the delivery sheets, and none of the money after the meeting.
    "Milestones",
    "Project status",
    "Risks",
    "Figures",
]
PROJECT_HEADINGS = [
    "Slug",
    "Project",
    "Description",
    "Outputs",
    "Required outcomes",
    "Good outcomes",
    "Excellent outcomes",
    "Supports Norfolk Ambition",
    "Existing resource",
    "Extra cost, minimum",
    "Extra cost, maximum",
    "Phases TBC",
    "Status",
    "Lead partner",
    "Lead partner slug",
    "External project",
]
# The seed's table: existing resource, extra minimum, extra maximum, outcomes R/G/E, supports.
SEED_ROWS = {
    "e-forms": (15000, 0, 0, (1, 1, 0), "Yes"),
    "portal": (35000, 0, 0, (3, 1, 1), "Yes"),
    "further-info-points": (0, 20000, 20000, (0, 0, 0), "Yes"),
    "marketing": (80000, 0, 0, (0, 1, 1), "No"),
    "authentication-gateway": (0, 7000, 107000, (1, 1, 0), "No"),
    "benefits-form": (0, 13000, 13000, (0, 2, 1), "Yes"),
    "shared-customer-info-crm": (25000, 0, 0, (1, 2, 1), "Yes"),
    "direct-gov": (0, 5000, 5000, (1, 0, 0), "Yes"),
    "member-support": (20000, 20000, 20000, (3, 3, 1), "Yes"),
    "partnership-support": (0, 10000, 10000, (0, 0, 0), "No"),
}


@pytest.fixture
def seed_document():
    return parse_programme(SEED_FILE.read_bytes())


def workbook(document) -> bytes:
    stream = io.BytesIO()
    write_programme_workbook(document=document, figures=compute_figures(document), stream=stream)
    return stream.getvalue()


def values(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def test_the_workbook_has_the_sheets_in_order(seed_document):
    assert opened(workbook(seed_document)).sheetnames == SHEETS


def test_projects_sheet_has_the_board_reports_columns_and_money(seed_document):
    sheet = opened(workbook(seed_document))["Projects"]
    rows = values(sheet)
    assert list(rows[0]) == PROJECT_HEADINGS
    assert [row[0] for row in rows[1:-1]] == list(SEED_ROWS)
    for row in rows[1:-1]:
        existing, minimum, maximum, outcomes, supports = SEED_ROWS[row[0]]
        assert (row[8], row[9], row[10]) == (existing, minimum, maximum), row[0]
        assert row[4:7] == outcomes, row[0]
        assert row[7] == supports, row[0]
    benefits = rows[list(SEED_ROWS).index("benefits-form") + 1]
    assert benefits[11] == 1  # its phase 2 is to be confirmed
    assert sum(row[8] for row in rows[1:-1]) == 175000  # not the £165,000 the paper says


def test_amounts_are_numbers_in_a_pound_format(seed_document):
    book = opened(workbook(seed_document))
    projects, funding, phases = book["Projects"], book["Funding"], book["Phases"]
    for cell in projects[2][8:11]:
        assert isinstance(cell.value, int | float)
        assert cell.number_format == MONEY_FORMAT
    assert funding.cell(2, column(funding, "Amount")).number_format == MONEY_FORMAT
    assert phases.cell(2, column(phases, "Extra cost")).number_format == MONEY_FORMAT


def test_each_table_ends_in_total_rows_of_formulas_that_say_what_they_add_up(seed_document):
    book = opened(workbook(seed_document))
    projects = book["Projects"]
    total = values(projects)[-1]
    assert total[0] == "Total of all projects listed"
    assert total[8:12] == ("=SUM(I2:I11)", "=SUM(J2:J11)", "=SUM(K2:K11)", "=SUM(L2:L11)")
    assert total[4:7] == ("=SUM(E2:E11)", "=SUM(F2:F11)", "=SUM(G2:G11)")
    assert [row[:4] for row in values(book["Funding"])[-2:]] == [
        ("Total secured: the existing resource", None, None, '=SUMIFS(D2:D6,E2:E6,"Secured")'),
        ("Total of all funding lines listed, secured and prospective", None, None, "=SUM(D2:D6)"),
    ]
    assert [(row[0], row[3]) for row in values(book["Phases"])[-3:]] == [
        ("Total extra cost, minimum: phases certain to go ahead",
         '=SUMIFS(D2:D9,E2:E9,"No",F2:F9,"<>Not proceeding")'
         '+SUMIFS(D2:D9,E2:E9,"Yes",F2:F9,"Approved")'),
        ("Total extra cost, maximum: all phases that may proceed",
         '=SUMIFS(D2:D9,F2:F9,"<>Not proceeding")'),
        ("Total of all phases listed, including any not proceeding", "=SUM(D2:D9)"),
    ]  # fmt: skip
    shares = values(book["Partner shares"])
    assert shares[-1][:2] == ("Total of all contributing partners", "=SUM(B2:B9)")
    # Excel's SUM over the cells gives the figures: the shares add up to the extra cost.
    assert sum(row[1] for row in shares[1:-1]) == 75000
    assert sum(row[2] for row in shares[1:-1]) == 175000


def test_headings_are_frozen_filtered_sized_and_printed_on_every_page(seed_document):
    book = opened(workbook(seed_document))
    for title in SHEETS[:-1]:
        sheet = book[title]
        assert sheet.freeze_panes == "A2", title
        assert sheet.auto_filter.ref.startswith("A1:"), title
        assert sheet.print_title_rows == "$1:$1", title
    for title in SHEETS:
        sheet = book[title]
        # Across one page, so that a total's label prints beside its amount.
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, title
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0), title
        assert sheet.page_setup.orientation == "landscape", title
    projects = book["Projects"]
    assert projects.auto_filter.ref == "A1:P11"  # the data, not the total row
    assert projects.column_dimensions["C"].width == 50
    assert projects["A1"].font.bold


def test_choice_columns_offer_their_labels(seed_document):
    funding = opened(workbook(seed_document))["Funding"]
    lists = {str(validation.sqref): validation.formula1
             for validation in funding.data_validations.dataValidation}  # fmt: skip
    assert lists["E2:E6"] == '"Secured,Prospective"'
    assert lists["C2:C6"] == '"Local,External"'


def test_phases_show_a_cost_to_be_confirmed_as_tbc_and_choices_by_label(seed_document):
    phases = opened(workbook(seed_document))["Phases"]
    number = row_of(phases, "Project", "benefits-form", start=2) + 1
    assert phases.cell(number, column(phases, "Number")).value == 2
    assert phases.cell(number, column(phases, "Extra cost")).value == "TBC"
    assert phases.cell(number, column(phases, "Gated")).value == "Yes"
    assert phases.cell(number, column(phases, "Decision")).value == "Decision pending"
    gateway = row_of(phases, "Name", "Connection")
    assert phases.cell(gateway, column(phases, "Borne")).value == "By each partner individually"


def test_figures_sheet_has_the_headline_figures_and_the_mismatch(seed_document):
    rows = values(opened(workbook(seed_document))["Figures"])
    figures = {row[0]: row[1] for row in rows if row[0]}
    assert figures["Existing resource"] == 175000
    assert figures["Existing resource as stated on the paper"] == 165000
    assert figures["Extra cost, minimum: phases certain to go ahead"] == 75000
    assert figures["Extra cost, maximum: all phases that may proceed"] == 175000
    assert figures["Immediate tranche per partner"] == 10000
    assert figures["Cap per partner"] == 30000
    assert figures["Outcome claims graded Required"] == 10
    assert figures["Projects supporting Norfolk Ambition"] == 7
    mismatch = next(row for row in rows if row[0] == "Existing resource total")
    assert mismatch[1:4] == (165000, 175000, 10000)


def test_partner_shares_are_the_seeds_recommendation_by_partner_name(seed_document):
    rows = values(opened(workbook(seed_document))["Partner shares"])
    assert rows[0][:5] == (
        "Partner", "Share of the minimum", "Share of the maximum", "Immediate tranche", "Cap"
    )  # fmt: skip
    assert len(rows) == 10  # heading, eight partners, total
    assert rows[1][0] == "Breckland District Council"
    assert rows[4][0] == "Borough Council of King's Lynn and West Norfolk"
    for row in rows[1:-1]:
        assert row[1:5] == (9375, 21875, 10000, 30000)


def test_contributions_are_partner_year_and_tranche_rows(seed_document):
    from projects.money.document import ContributionData

    document = replace(
        seed_document,
        contributions=(
            ContributionData(
                "broadland",
                "2004/05",
                Tranche.IMMEDIATE,
                D("10000.00"),
                ContributionStatus.RECEIVED,
            ),
            ContributionData("norwich", "2005/06", Tranche.REVIEW, D("2500.50")),
        ),
    )
    rows = values(opened(workbook(document))["Contributions"])
    assert rows[0][:3] == ("Partner slug", "Partner", "Financial year")
    assert rows[1][:6] == (
        "broadland", "Broadland District Council", "2004/05", "Immediate", 10000, "Received"
    )  # fmt: skip
    assert rows[2][:6] == (
        "norwich", "Norwich City Council", "2005/06", "Subject to review", 2500.5, "Pledged"
    )  # fmt: skip
    assert [(row[0], row[4]) for row in rows[3:]] == [
        ("Total pledged (pledged, invoiced or received)",
         '=SUMIFS(E2:E3,F2:F3,"Invoiced")+SUMIFS(E2:E3,F2:F3,"Pledged")'
         '+SUMIFS(E2:E3,F2:F3,"Received")'),
        ("Total received", '=SUMIFS(E2:E3,F2:F3,"Received")'),
        ("Total of all contributions listed, including any returned", "=SUM(E2:E3)"),
    ]  # fmt: skip


def test_text_that_looks_like_a_formula_is_written_as_text(seed_document):
    project = replace(
        seed_document.projects[0],
        name='=HYPERLINK("http://example.com","Click")',
        description="=1+1",
        outputs="a\x0bb",  # a vertical tab pasted from Word: XML cannot hold it
    )
    document = replace(seed_document, projects=(project, *seed_document.projects[1:]))
    sheet = opened(workbook(document))["Projects"]
    assert sheet["B2"].value == '=HYPERLINK("http://example.com","Click")'
    assert sheet["B2"].data_type == "s"
    assert sheet["C2"].data_type == "s"
    assert sheet["D2"].value == "ab"


def test_the_projects_table_download_has_the_rows_given_with_totals(db):
    load_seed()
    from projects.selectors import projects_for_table

    programme = Programme.objects.get()
    stream = io.BytesIO()
    write_projects_table_workbook(
        projects=projects_for_table(programme=programme).order_by("-extra_max"),
        strategy="Norfolk Ambition",
        filters=[("Sorted by", "Extra cost maximum (descending)")],
        stream=stream,
    )
    book = opened(stream.getvalue())
    rows = values(book["Projects"])
    assert rows[1][:2] == ("authentication-gateway", "Authentication / Gateway")
    assert rows[1][5:8] == (0, 7000, 107000)
    assert rows[-1][0] == "Total of the projects listed"
    assert rows[-1][5] == "=SUM(F2:F11)"
    assert values(book["Filters"])[1] == ("Sorted by", "Extra cost maximum (descending)")


def test_export_command_writes_the_workbook(db, tmp_path):
    load_seed()
    output = tmp_path / "seed.xlsx"
    call_command("export_xlsx", "norfolk-connect-2004", "-o", str(output), stderr=StringIO())
    assert opened(output.read_bytes()).sheetnames == SHEETS


def test_export_command_names_an_unknown_programme(db, tmp_path):
    with pytest.raises(CommandError, match="no programme 'nowhere'"):
        call_command("export_xlsx", "nowhere", "-o", str(tmp_path / "x.xlsx"))


def test_export_command_reports_an_unwritable_file(db, tmp_path):
    load_seed()
    with pytest.raises(CommandError, match="cannot write it"):
        call_command(
            "export_xlsx", "norfolk-connect-2004", "-o", str(tmp_path / "missing" / "x.xlsx")
        )


def test_the_demo_programme_exports_from_the_database_as_from_the_file(db, seed_document):
    programme = load_seed()
    from_database = opened(workbook_of(programme))
    from_file = opened(workbook(seed_document))
    for title in SHEETS:
        assert values(from_database[title]) == values(from_file[title]), title


# The totals against the screen's figures


def totals(sheet) -> dict[str, tuple]:
    """Return a sheet's total rows by their label."""
    return {
        row[0]: row
        for row in sheet.iter_rows(values_only=True)
        if isinstance(row[0], str) and row[0].startswith("Total")
    }


DECISIONS = {
    "as loaded": {},
    "connection stopped": {CONNECTION: Decision.NOT_PROCEEDING},
    "connection approved": {CONNECTION: Decision.APPROVED},
    "partnership support stopped": {PARTNERSHIP_SUPPORT: Decision.NOT_PROCEEDING},
    "connection approved, to be confirmed stopped": {
        CONNECTION: Decision.APPROVED,
        BENEFITS_LINKS: Decision.NOT_PROCEEDING,
    },
}


@pytest.mark.parametrize("decisions", DECISIONS.values(), ids=DECISIONS.keys())
def test_every_total_as_stored_equals_the_figure_the_screen_shows(db, decisions):
    programme = demo_with_money(decisions)
    figures = programme_figures(programme=programme)
    document = programme_document(programme=programme)
    # The values a previewer shows: those stored beside the formulas.
    book = opened(workbook_of(programme), data_only=True)

    projects = totals(book["Projects"])["Total of all projects listed"]
    assert [money_of(value) for value in projects[8:11]] == [
        figures.existing_total, figures.extra_min, figures.extra_max
    ]  # fmt: skip
    assert projects[11] == figures.tbc_phases
    outcomes = figures.outcomes
    assert projects[4:7] == (outcomes.required, outcomes.good, outcomes.excellent)

    phases = {label: money_of(row[3]) for label, row in totals(book["Phases"]).items()}
    assert phases == {
        "Total extra cost, minimum: phases certain to go ahead": figures.extra_min,
        "Total extra cost, maximum: all phases that may proceed": figures.extra_max,
        "Total of all phases listed, including any not proceeding": sum(
            phase.extra_cost or 0 for project in document.projects for phase in project.phases
        ),
    }

    funding = {label: money_of(row[3]) for label, row in totals(book["Funding"]).items()}
    assert funding == {
        "Total secured: the existing resource": figures.existing_total,
        "Total of all funding lines listed, secured and prospective": (
            figures.existing_total + D("4999.99")
        ),
    }

    contributions = {
        label: money_of(row[4]) for label, row in totals(book["Contributions"]).items()
    }
    assert contributions == {
        "Total pledged (pledged, invoiced or received)": figures.pledged,
        "Total received": figures.received,
        "Total of all contributions listed, including any returned": D("31875.75"),
    }
    assert (figures.pledged, figures.received) == (D("29375.50"), D("10000.00"))

    (shares,) = totals(book["Partner shares"]).values()
    assert shares[0] == "Total of all contributing partners"
    assert [money_of(value) for value in shares[1:3]] == [figures.extra_min, figures.extra_max]
    assert money_of(shares[5]) == figures.pledged

    listed = {row[0]: row[1] for row in book["Figures"].iter_rows(values_only=True) if row[0]}
    assert money_of(listed["Extra cost, minimum: phases certain to go ahead"]) == figures.extra_min
    assert money_of(listed["Extra cost, maximum: all phases that may proceed"]) == figures.extra_max


def test_stopping_a_phase_moves_the_phases_totals_with_the_screen(db):
    def phases_totals(programme) -> list[Decimal]:
        sheet = opened(workbook_of(programme), data_only=True)["Phases"]
        return [money_of(row[3]) for row in totals(sheet).values()]

    as_loaded = load_seed()
    assert phases_totals(as_loaded) == [D("75000.00"), D("175000.00"), D("175000.00")]
    figures = programme_figures(programme=as_loaded)
    assert (figures.extra_min, figures.extra_max) == (D("75000.00"), D("175000.00"))

    stopped = demo_with_money({CONNECTION: Decision.NOT_PROCEEDING})
    # The minimum is as it was (the connection was gated and pending), the maximum loses the
    # connection, and the phases listed still include it.
    assert phases_totals(stopped) == [D("75000.00"), D("75000.00"), D("175000.00")]
    figures = programme_figures(programme=stopped)
    assert (figures.extra_min, figures.extra_max) == (D("75000.00"), D("75000.00"))


@pytest.mark.parametrize("gated", [True, False])
@pytest.mark.parametrize("decision", list(Decision))
def test_the_phase_totals_count_a_phase_as_the_money_core_does(gated, decision):
    phase = PhaseData(number=1, name="Delivery", extra_cost=D("1.00"), gated=gated,
                      decision=decision)  # fmt: skip
    values = data.PHASE.values(phase)
    shown = {column.key: shown_value(column, values.get(column.key)) for column in PHASES.columns}
    minimum, maximum, listed = PHASES.totals
    assert counts(minimum, shown) == counts_in_minimum(phase)
    assert counts(maximum, shown) == counts_in_maximum(phase)
    assert counts(listed, shown)


def test_a_lead_partner_reads_by_name_beside_the_slug_the_import_matches(seed_document):
    project = replace(seed_document.projects[1], lead_partner="kings-lynn-west-norfolk")
    document = replace(seed_document, projects=(seed_document.projects[0], project,
                                                *seed_document.projects[2:]))  # fmt: skip
    sheet = opened(workbook(document))["Projects"]
    row = row_of(sheet, "Slug", "portal")
    assert sheet.cell(row, column(sheet, "Lead partner")).value == (
        "Borough Council of King's Lynn and West Norfolk"
    )
    assert sheet.cell(row, column(sheet, "Lead partner slug")).value == "kings-lynn-west-norfolk"


@pytest.mark.parametrize(
    ("strategy", "heading", "label"),
    [
        ("Norfolk Ambition", "Supports Norfolk Ambition", "Projects supporting Norfolk Ambition"),
        ("", "Supports the strategy", "Projects supporting the partnership's strategy"),
    ],
)
def test_the_strategy_is_named_as_the_partnership_names_it(seed_document, strategy, heading,
                                                           label):  # fmt: skip
    partnership = replace(seed_document.partnership, strategy=strategy)
    book = opened(workbook(replace(seed_document, partnership=partnership)))
    assert heading in [cell.value for cell in book["Projects"][1]]
    assert label in [row[0] for row in book["Figures"].iter_rows(values_only=True)]

"""The programme's workbook: the board report's columns, numbers that add up in Excel, safe text."""

from __future__ import annotations

import io
from dataclasses import replace
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from projects.money.figures import compute_figures
from projects.programme_file import parse_programme
from reports.workbook.export import write_programme_workbook, write_projects_table_workbook
from reports.workbook.layout import MONEY_FORMAT
from tests.conftest import SEED_FILE
from tests.reports.workbooks import column, load_seed, opened, row_of, workbook_of

D = Decimal
SHEETS = [
    "Projects",
    "Phases",
    "Funding",
    "Outcome claims",
    "Contributions",
    "Partners",
    "Partner shares",
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


def test_headings_are_frozen_filtered_and_sized(seed_document):
    book = opened(workbook(seed_document))
    for title in SHEETS[:-1]:
        sheet = book[title]
        assert sheet.freeze_panes == "A2", title
        assert sheet.auto_filter.ref.startswith("A1:"), title
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


def test_phases_show_tbc_as_an_empty_cost_and_choices_by_label(seed_document):
    phases = opened(workbook(seed_document))["Phases"]
    number = row_of(phases, "Project", "benefits-form", start=2) + 1
    assert phases.cell(number, column(phases, "Number")).value == 2
    assert phases.cell(number, column(phases, "Extra cost")).value is None
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
    from projects.money.vocabulary import ContributionStatus, Tranche

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
    from projects.models import Programme
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

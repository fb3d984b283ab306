"""Reading an edited workbook back: round trips, every bad file refused clearly, all or nothing."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import warnings
import zipfile
from dataclasses import replace
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from projects.models import FundingLine, Partner, Phase, Programme, Project
from projects.money.document import ContributionData
from projects.money.figures import compute_figures
from projects.money.vocabulary import Tranche
from projects.programme_file import Problem, ProgrammeFileError, dumps_programme
from projects.selectors import programme_document
from projects.services import (
    ImportConflictError,
    programme_as_imported,
    programme_import,
    programme_import_check,
    programme_load,
    programme_state,
)
from reports.workbook.diffing import ADDED, CHANGED, REMOVED, REORDERED, preview_import
from reports.workbook.importing import read_upload
from reports.workbook.safety import OLE_SIGNATURE
from tests.contributions.factories import ContributionFactory
from tests.projects.factories import ProgrammeFactory
from tests.reports.workbooks import (
    CONNECTION,
    DEMO,
    column,
    demo_with_money,
    edited,
    existing_total,
    load_seed,
    money_of,
    opened,
    row_of,
    set_cell,
    snapshot,
    workbook_of,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def demo() -> Programme:
    return load_seed()


def read(content: bytes, programme: Programme, name: str = "programme.xlsx"):
    return read_upload(content, name=name, current=programme_as_imported(programme=programme))


def problems_of(content: bytes, programme: Programme, name: str = "programme.xlsx") -> list[str]:
    with pytest.raises(ProgrammeFileError) as caught:
        read(content, programme, name)
    return [str(problem) for problem in caught.value.problems]


def apply(content: bytes, programme: Programme, user=None) -> Programme:
    current = programme_as_imported(programme=programme)
    document = read_upload(content, name="programme.xlsx", current=current)
    assert programme_import_check(programme=programme, document=document) == []
    return programme_import(
        programme=programme, document=document, expected_state=programme_state(current), user=user
    )


def preview(content: bytes, programme: Programme):
    current = programme_as_imported(programme=programme)
    return preview_import(current, read_upload(content, name="x.xlsx", current=current))


# Round trips


def test_export_then_import_unchanged_says_no_changes(demo):
    result = preview(workbook_of(demo), demo)
    assert not result.has_changes
    assert result.summary() == "no changes"
    assert result.figure_changes == ()


def test_the_workbook_reads_back_as_the_programme_exactly(demo):
    current = programme_as_imported(programme=demo)
    assert read(workbook_of(demo), demo) == replace(current, report=None)


def test_changing_one_amount_moves_the_figures_by_exactly_that_amount(demo):
    before = existing_total(demo)
    content = edited(
        workbook_of(demo),
        lambda book: set_cell(book, "Funding", "Project", "portal", "Amount", 35250.75),
    )
    result = preview(content, demo)
    (row,) = result.sections[4].rows
    assert (row.section, row.action) == ("Funding", CHANGED)
    assert [(c.field, c.old, c.new) for c in row.changes] == [("Amount", "£35,000", "£35,250.75")]
    assert [(c.field, c.old, c.new) for c in result.figure_changes] == [
        ("Existing resource", "£175,000", "£175,250.75")
    ]
    apply(content, demo)
    assert existing_total(demo) - before == D("250.75")
    assert FundingLine.objects.get(project__slug="portal").amount == D("35250.75")


def test_a_changed_phase_cost_moves_the_minimum_and_maximum(demo):
    content = edited(
        workbook_of(demo),
        lambda book: set_cell(book, "Phases", "Name", "Connection", "Extra cost", 90000),
    )
    before = compute_figures(programme_document(programme=demo))
    apply(content, demo)
    after = compute_figures(programme_document(programme=demo))
    assert after.extra_max - before.extra_max == D("-10000")
    assert after.extra_min == before.extra_min  # the connection is gated: maximum only


def test_a_tbc_cost_given_and_one_made_tbc(demo):
    def edit(book):
        phases = book["Phases"]
        benefits = row_of(phases, "Project", "benefits-form")
        phases.cell(benefits + 1, column(phases, "Extra cost")).value = 4000  # was TBC
        set_cell(book, "Phases", "Project", "direct-gov", "Extra cost", "TBC")

    apply(edited(workbook_of(demo), edit), demo)
    figures = compute_figures(programme_document(programme=demo))
    assert figures.tbc_phases == 1
    assert figures.extra_max == D("175000") + 4000 - 5000


def test_rows_added_and_removed_on_every_sheet(demo):
    def edit(book):
        book["Projects"].insert_rows(12)
        book["Projects"]["A12"] = "web-chat"
        book["Projects"]["B12"] = "Web chat"
        book["Phases"].append(["web-chat", 1, "Pilot", 2500, "No", "Approved", "Jointly"])
        book["Funding"].append(["web-chat", "ODPM grant", "External", "£1,000.50", "Secured"])
        book["Outcome claims"].append(["web-chat", "good", "G12"])
        book["Contributions"].append(
            ["broadland", "Broadland District Council", "2004/05", "Immediate", 10000, "Received"]
        )
        claims = book["Outcome claims"]
        claims.delete_rows(row_of(claims, "Project", "portal"))

    result = preview(edited(workbook_of(demo), edit), demo)
    actions = {(row.section, row.action) for section in result.sections for row in section.rows}
    assert actions == {
        ("Projects", ADDED),
        ("Phases", ADDED),
        ("Funding", ADDED),
        ("Outcome claims", ADDED),
        ("Outcome claims", REMOVED),
        ("Contributions", ADDED),
    }
    assert result.summary() == "5 rows added, 1 row removed"
    apply(edited(workbook_of(demo), edit), demo)
    project = Project.objects.get(programme=demo, slug="web-chat")
    assert project.funding_lines.get().amount == D("1000.50")
    assert project.phases.get().decision == "approved"
    assert compute_figures(programme_document(programme=demo)).received == D("10000")


def test_a_project_left_out_is_removed_with_its_rows(demo):
    def edit(book):
        for title in ("Projects", "Phases", "Funding", "Outcome claims"):
            sheet = book[title]
            heading = "Slug" if title == "Projects" else "Project"
            for number in range(sheet.max_row, 1, -1):
                if sheet.cell(number, column(sheet, heading)).value == "partnership-support":
                    sheet.delete_rows(number)

    result = preview(edited(workbook_of(demo), edit), demo)
    assert [(row.section, row.action) for row in result.sections[2].rows] == [("Projects", REMOVED)]
    assert result.sections[3].rows[0].action == REMOVED
    apply(edited(workbook_of(demo), edit), demo)
    assert not Project.objects.filter(slug="partnership-support").exists()


def test_resorting_the_projects_sheet_in_excel_shows_as_a_new_order(demo):
    def edit(book):
        sheet = book["Projects"]
        first = [cell.value for cell in sheet[2]]
        second = [cell.value for cell in sheet[3]]
        for index, value in enumerate(second, 1):
            sheet.cell(2, index).value = value
        for index, value in enumerate(first, 1):
            sheet.cell(3, index).value = value

    result = preview(edited(workbook_of(demo), edit), demo)
    (row,) = result.sections[2].rows
    assert row.action == REORDERED


def test_computed_columns_total_rows_and_extra_columns_are_ignored(demo):
    def edit(book):
        projects = book["Projects"]
        projects["I2"] = 999999  # "Existing resource" is computed from the funding lines
        projects["Q1"] = "My notes"
        projects["Q2"] = "check with finance"
        projects["N2"] = "Somebody Else"  # the lead partner's name; the import reads the slug
        book["Funding"]["D7"] = "=SUM(D2:D6)*2"  # the total row
        book["Partner shares"]["C2"] = 1
        book["Figures"]["B2"] = "anything"

    assert not preview(edited(workbook_of(demo), edit), demo).has_changes


def test_formulas_are_read_as_the_value_a_spreadsheet_calculated(demo):
    content = edited(
        workbook_of(demo),
        lambda book: set_cell(book, "Funding", "Project", "portal", "Amount", "=30000+5000"),
    )
    # openpyxl writes no calculated value, as if nobody opened the file in a spreadsheet since.
    assert problems_of(content, demo) == [
        "Funding!D3 (Amount): cell D3 holds a formula that has not been calculated; open the "
        "file in Excel or LibreOffice, save it and upload it again (or type the value)"
    ]
    calculated = _with_cached_value(content, "xl/worksheets/sheet3.xml", "=30000+5000", "35000")
    assert not preview(calculated, demo).has_changes


def _with_cached_value(content: bytes, member: str, formula: str, value: str) -> bytes:
    """Return the workbook with the formula's calculated value stored, as Excel saves it."""
    source = zipfile.ZipFile(io.BytesIO(content))
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == member:
                # openpyxl leaves the value empty; Excel stores what it calculated.
                empty = f"<f>{formula.removeprefix('=')}</f><v />"
                assert empty in data.decode()
                data = data.decode().replace(empty, empty.replace("<v />", f"<v>{value}</v>"))
                data = data.encode()
            target.writestr(item, data)
    return stream.getvalue()


def test_cells_typed_by_hand_are_read_as_a_person_means_them(demo):
    def edit(book):
        set_cell(book, "Funding", "Project", "portal", "Amount", " £35,000 ")
        set_cell(book, "Funding", "Project", "portal", "Status", "SECURED")
        set_cell(book, "Phases", "Name", "Connection", "Gated", "yes")
        set_cell(book, "Phases", "Name", "Connection", "Borne", "individual")
        set_cell(book, "Phases", "Name", "Connection", "Decision", "decision pending")
        set_cell(book, "Projects", "Slug", "portal", "Supports Norfolk Ambition", True)

    assert not preview(edited(workbook_of(demo), edit), demo).has_changes


def test_float_noise_from_a_formula_is_not_a_fraction_of_a_penny(demo):
    content = edited(
        workbook_of(demo),
        lambda book: set_cell(book, "Funding", "Project", "portal", "Amount", 0.1 + 0.2),
    )
    assert read(content, demo).projects[1].funding[0].amount == D("0.30")


def test_dates_and_years_a_spreadsheet_turned_into_dates(demo):
    from datetime import datetime

    ContributionFactory(
        programme=demo, partner=Partner.objects.get(slug="norwich"), financial_year="2005/06"
    )

    def edit(book):
        sheet = book["Contributions"]
        sheet["C2"] = datetime(2005, 6, 1)  # "2005/06" typed into Excel, taken for June 2005
        sheet["H2"] = "02/08/2004"

    contribution = read(edited(workbook_of(demo), edit), demo).contributions[0]
    assert contribution.financial_year == "2005/06"
    assert contribution.invoiced_on.isoformat() == "2004-08-02"


# Bad workbooks: every problem, where it is, and nothing written


def test_every_problem_is_listed_by_sheet_row_and_column(demo):
    def edit(book):
        set_cell(book, "Funding", "Project", "portal", "Amount", "lots")
        set_cell(book, "Funding", "Project", "marketing", "Amount", -80000)
        set_cell(book, "Funding", "Project", "e-forms", "Status", "Maybe")
        set_cell(book, "Phases", "Name", "Connection", "Number", 1)  # a duplicate
        set_cell(book, "Phases", "Name", "Connection", "Decided on", "last Tuesday")
        set_cell(book, "Projects", "Slug", "portal", "Lead partner slug", "nowhere")
        set_cell(book, "Partners", "Slug", "broadland", "Contributes", "perhaps")
        book["Contributions"].append(["atlantis", "Atlantis", "2004/05", "Immediate", 100])
        book["Contributions"].append(["norwich", None, "2004/05", "Immediate", 100])
        book["Contributions"].append(["norwich", None, "2004/05", "Immediate", 200])
        book["Funding"].append(["ghost", "Somewhere", "Local", 5])
        book["Projects"]["A4"] = "portal"  # the slug of another project
        book["Outcome claims"]["B2"] = None

    # In the sheets' order, then by row and column. The demo has no contributions: the rows
    # added come after the Contributions sheet's total rows, which are skipped wherever they are.
    assert problems_of(edited(workbook_of(demo), edit), demo) == [
        "Projects!O3 (Lead partner slug): unknown partner 'nowhere'",
        "Projects!A4 (Slug): duplicate slug 'portal' (also Projects row 3)",
        # Row 4's project had that slug before: its phase now names a project that is gone.
        "Phases!A2 (Project): there is no project with the slug “further-info-points” on the "
        "Projects sheet",
        "Phases!B4 (Number): duplicate phase number 1 (also Phases row 3)",
        "Phases!I4 (Decided on): must be a date such as 2004-07-01, not “last Tuesday”",
        "Funding!E2 (Status): must be one of Secured, Prospective, not “Maybe”",
        "Funding!D3 (Amount): must be an amount in pounds, such as 15000, not “lots”",
        "Funding!D4 (Amount): must not be negative (it is “-80000”)",
        "Funding!A9 (Project): there is no project with the slug “ghost” on the Projects sheet",
        "Outcome claims!B2 (Grade): must not be empty: choose one of Required, Good, Excellent",
        "Contributions!A5 (Partner slug): unknown partner 'atlantis'",
        "Contributions row 7: duplicate contribution for the same partner, financial year and "
        "tranche (also Contributions row 6)",
        "Partners!C4 (Contributes): must be Yes or No, not “perhaps”",
    ]


def test_a_missing_sheet_is_named(demo):
    content = edited(workbook_of(demo), lambda book: book.remove(book["Phases"]))
    assert problems_of(content, demo) == [
        "Phases: the workbook has no sheet named “Phases” (it has: Projects, Funding, Outcome "
        "claims, Contributions, Partners, Partner shares, Milestones, Project status, Risks, "
        "Figures); keep the sheets of the "
        "programme's download"
    ]


def test_a_missing_or_doubled_column_is_named(demo):
    def edit(book):
        book["Funding"]["D1"] = "Amount (£)"
        book["Phases"]["H1"] = "Name"

    assert problems_of(edited(workbook_of(demo), edit), demo) == [
        "Phases: the heading “Name” is in columns C and H; keep one",
        "Funding: has no column “Amount”: row 1 must hold the headings of the programme's download",
    ]


def test_sheet_names_and_headings_ignore_case_and_spacing(demo):
    def edit(book):
        book["Funding"].title = "funding "
        book["Phases"]["D1"] = "EXTRA  COST"

    assert not preview(edited(workbook_of(demo), edit), demo).has_changes


def test_a_workbook_with_the_slugs_under_their_former_headings_still_imports(demo):
    ContributionFactory(programme=demo, partner=Partner.objects.get(slug="norwich"))
    Project.objects.filter(slug="portal").update(lead_partner=Partner.objects.get(slug="norwich"))

    def edit(book):
        # As downloads were before the partners' names were shown: the slug alone, so headed.
        for title, name, slug in (
            ("Contributions", "Partner", "Partner slug"),
            ("Projects", "Lead partner", "Lead partner slug"),
        ):
            sheet = book[title]
            sheet.delete_cols(column(sheet, name))
            sheet.cell(1, column(sheet, slug)).value = name

    content = edited(workbook_of(demo), edit)
    assert opened(content)["Contributions"]["A2"].value == "norwich"
    assert not preview(content, demo).has_changes


def test_a_withdrawn_project_must_not_proceed(demo):
    content = edited(
        workbook_of(demo),
        lambda book: set_cell(book, "Projects", "Slug", "direct-gov", "Status", "Withdrawn"),
    )
    (problem,) = problems_of(content, demo)
    assert problem.startswith("Phases!F")
    assert problem.endswith("must be “Not proceeding” because the project is withdrawn")


def test_a_refused_workbook_changes_nothing(demo):
    before = snapshot()
    content = edited(
        workbook_of(demo),
        lambda book: set_cell(book, "Funding", "Project", "portal", "Amount", -1),
    )
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import_xlsx", DEMO, _write(content), stdout=StringIO())
    assert snapshot() == before


# Files that are no workbook, or are unsafe to open


def _write(content: bytes, name: str = "programme.xlsx") -> str:
    import tempfile

    path = Path(tempfile.mkdtemp()) / name
    path.write_bytes(content)
    return str(path)


def _zip(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return stream.getvalue()


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"", "empty.xlsx", "The file is empty."),
        (b"Project,Amount\nportal,5\n", "table.csv", "The file is a CSV file."),
        (b"%PDF-1.4 ...", "report.pdf", "The file is a PDF."),
        (b"\x00\x01garbage", "mystery.xlsx", "neither an Excel workbook nor a programme file"),
        (
            OLE_SIGNATURE + b"\x00" * 500 + "EncryptedPackage".encode("utf-16-le"),
            "locked.xlsx",
            "The workbook is protected with a password",
        ),
        (OLE_SIGNATURE + b"\x00" * 500, "old.xls", "old-style Excel 97-2003 workbook (.xls)"),
        (b"PK\x03\x04 truncated", "broken.xlsx", "damaged or incomplete zip archive"),
        (_zip({"word/document.xml": b"<w/>"}), "letter.docx", "a zip archive but not an Excel"),
        (
            _zip(
                {
                    "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                    "content.xml": b"<x/>",
                },
                zipfile.ZIP_STORED,
            ),
            "sheet.ods",
            "OpenDocument spreadsheet (.ods)",
        ),
        (
            _zip({"[Content_Types].xml": b"<nonsense", "xl/workbook.xml": b"<nonsense"}),
            "damaged.xlsx",
            "cannot be opened as an Excel workbook",
        ),
        (b"{not json", "programme.json", "not valid JSON"),
    ],
)
def test_files_that_are_no_workbook_get_a_clear_message(demo, content, name, expected):
    (problem,) = problems_of(content, demo, name)
    assert expected in problem


def test_a_zip_bomb_is_refused_before_anything_unpacks_it(demo):
    bomb = _zip({"[Content_Types].xml": b"<x/>", "xl/worksheets/sheet1.xml": b"\0" * 50_000_000})
    assert len(bomb) < 100_000
    (problem,) = problems_of(bomb, demo)
    assert "compressed more than 200 to 1" in problem


def test_a_workbook_unpacking_to_too_much_is_refused(demo, settings):
    settings.IMPORT_MAX_UNPACKED_BYTES = 1000
    (problem,) = problems_of(workbook_of(demo), demo)
    assert "would unpack to" in problem


def test_a_file_over_the_size_limit_is_refused(demo, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024
    (problem,) = problems_of(workbook_of(demo), demo)
    assert problem.endswith("the largest file accepted is 1 KB.")


def test_xml_entity_expansion_is_refused(demo):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<lolz>&lol2;</lolz>"
    )
    source = zipfile.ZipFile(io.BytesIO(workbook_of(demo)))
    members = {item.filename: source.read(item.filename) for item in source.infolist()}
    members["xl/worksheets/sheet1.xml"] = laughs
    (problem,) = problems_of(_zip(members), demo)
    assert "cannot be read" in problem or "cannot be opened" in problem


# Programme files


def test_a_programme_file_imports_with_the_same_preview(demo):
    document = programme_as_imported(programme=demo)
    changed = replace(
        document,
        contributions=(ContributionData("norwich", "2004/05", Tranche.IMMEDIATE, D("10000.00")),),
    )
    content = dumps_programme(changed).encode()
    result = preview_import(document, read(content, demo, "programme.json"))
    assert result.summary() == "1 row added"
    assert [c.field for c in result.figure_changes] == [
        "Pledged",
        "Funding gap, minimum",
        "Funding gap, maximum",
    ]


def test_a_programme_file_of_another_programme_is_refused(demo):
    data = json.loads(dumps_programme(programme_as_imported(programme=demo)))
    data["programme"]["slug"] = "another-2004"
    data["partnership"]["slug"] = "elsewhere"
    problems = problems_of(json.dumps(data).encode(), demo, "programme.json")
    assert problems == [
        "partnership.slug: the file is of the partnership 'elsewhere', but this programme "
        "belongs to 'norfolk-connect'",
        "programme.slug: the file holds the programme 'another-2004', not "
        "'norfolk-connect-2004' that you are importing into; change the slug in the file to "
        "import it here",
    ]


def test_a_bad_programme_file_lists_its_problems_by_path(demo):
    data = json.loads(dumps_programme(programme_as_imported(programme=demo)))
    data["projects"][0]["funding"][0]["amount"] = "-5.00"
    assert problems_of(json.dumps(data).encode(), demo, "programme.json") == [
        "projects[0].funding[0].amount: must not be negative"
    ]


# Applying: all or nothing, refused if the programme changed, recorded as the facilitator's


def test_the_import_is_refused_if_the_programme_changed_since_the_check(demo):
    current = programme_as_imported(programme=demo)
    content = edited(
        workbook_of(demo),
        lambda book: set_cell(book, "Funding", "Project", "portal", "Amount", 1),
    )
    document = read_upload(content, name="x.xlsx", current=current)
    state = programme_state(current)
    FundingLine.objects.filter(project__slug="marketing").update(amount=D("1.00"))
    before = snapshot()
    with pytest.raises(ImportConflictError):
        programme_import(programme=demo, document=document, expected_state=state, user=None)
    assert snapshot() == before


def test_a_partner_left_out_but_used_elsewhere_is_caught_by_the_check(demo):
    other = ProgrammeFactory(partnership=demo.partnership, slug="norfolk-connect-2006")
    ContributionFactory(programme=other, partner=Partner.objects.get(slug="norwich"))
    content = edited(
        workbook_of(demo),
        lambda book: book["Partners"].delete_rows(row_of(book["Partners"], "Slug", "norwich")),
    )
    document = read(content, demo)
    before = snapshot()
    problems = programme_import_check(programme=demo, document=document)
    assert [str(problem) for problem in problems] == [
        "partners: 'norwich' is left out, but programme 'norfolk-connect-2006' of the "
        "partnership still uses it; include it"
    ]
    assert snapshot() == before


def test_the_import_is_recorded_in_the_history_as_the_facilitators(demo):
    user = get_user_model().objects.create(username="facilitator")

    def edit(book):
        set_cell(book, "Funding", "Project", "portal", "Amount", 36000)
        set_cell(book, "Phases", "Project", "direct-gov", "Note", "Moved on by the board")

    apply(edited(workbook_of(demo), edit), demo, user=user)
    line = FundingLine.objects.get(project__slug="portal")
    assert line.history.latest().history_user == user
    assert Phase.history.filter(history_user=user, note="Moved on by the board").exists()


def test_the_import_moves_every_version_on_so_older_forms_are_refused(demo):
    project = Project.objects.get(slug="portal")
    Project.objects.filter(pk=project.pk).update(version=7)
    partner_version = Partner.objects.get(slug="norwich").version
    programme_version = Programme.objects.get(pk=demo.pk).version
    apply(workbook_of(demo), demo)
    assert set(Project.objects.filter(programme=demo).values_list("version", flat=True)) == {8}
    assert Partner.objects.get(slug="norwich").version == partner_version + 1
    assert Programme.objects.get(pk=demo.pk).version == programme_version + 1


def test_a_programme_file_for_another_programme_is_refused_by_the_service(demo):
    current = programme_as_imported(programme=demo)
    document = replace(current, programme=replace(current.programme, slug="other"))
    problems = programme_import_check(programme=demo, document=document)
    assert problems == [
        Problem(
            "programme.slug", "the file holds the programme 'other', not 'norfolk-connect-2004'"
        )
    ]
    assert not Programme.objects.filter(slug="other").exists()


# The command


def test_command_dry_run_prints_the_changes_and_writes_nothing(demo):
    content = edited(
        workbook_of(demo),
        lambda book: set_cell(book, "Funding", "Project", "portal", "Amount", 36000),
    )
    before = snapshot()
    out = StringIO()
    call_command("import_xlsx", DEMO, _write(content), "--dry-run", stdout=out)
    assert snapshot() == before
    text = out.getvalue()
    assert ": 1 row changed." in text
    assert "      Amount: £35,000 -> £36,000" in text
    assert "  Existing resource: £175,000 -> £176,000" in text
    assert "Nothing was changed. (dry run)" in text


def test_command_applies_the_changes_as_the_user_given(demo):
    user = get_user_model().objects.create(username="facilitator")
    content = edited(
        workbook_of(demo),
        lambda book: set_cell(book, "Funding", "Project", "portal", "Amount", 36000),
    )
    out = StringIO()
    call_command("import_xlsx", DEMO, _write(content), "--user", "facilitator", stdout=out)
    assert "Imported" in out.getvalue()
    line = FundingLine.objects.get(project__slug="portal")
    assert line.amount == D("36000.00")
    assert line.history.latest().history_user == user


def test_command_with_an_unchanged_workbook_says_so(demo):
    out = StringIO()
    call_command("import_xlsx", DEMO, _write(workbook_of(demo)), stdout=out)
    assert "no changes" in out.getvalue()


def test_command_refuses_a_missing_file_and_an_unknown_user(demo, tmp_path):
    with pytest.raises(CommandError, match="cannot read it"):
        call_command("import_xlsx", DEMO, str(tmp_path / "missing.xlsx"))
    with pytest.raises(CommandError, match="no user 'nobody'"):
        call_command("import_xlsx", DEMO, str(tmp_path / "x.xlsx"), "--user", "nobody")


# LibreOffice, as a finance officer's spreadsheet program that re-saves the file its own way

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _through_libreoffice(content: bytes, tmp_path: Path) -> bytes:
    """Return the workbook as LibreOffice Calc saves it after opening it."""
    source = tmp_path / "in" / "programme.xlsx"
    source.parent.mkdir()
    source.write_bytes(content)
    target = tmp_path / "out"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--calc", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(target),
         str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return (target / "programme.xlsx").read_bytes()


@pytest.fixture
def libreoffice():
    if SOFFICE is None:
        message = (
            "LIBREOFFICE IS NOT INSTALLED: the round trip through LibreOffice is NOT tested. "
            "Install Debian's libreoffice-calc-nogui to run it."
        )
        warnings.warn(message, stacklevel=1)
        pytest.skip(message)
    return SOFFICE


def test_a_workbook_resaved_by_libreoffice_imports_with_no_changes(demo, libreoffice, tmp_path):
    resaved = _through_libreoffice(workbook_of(demo), tmp_path)
    assert resaved != workbook_of(demo)
    result = preview(resaved, demo)
    assert not result.has_changes, [row for s in result.sections for row in s.rows]


def test_an_amount_changed_and_calculated_by_libreoffice_moves_the_figures_exactly(
    demo, libreoffice, tmp_path
):
    before = existing_total(demo)
    # A formula openpyxl cannot calculate: LibreOffice calculates and stores it on saving.
    content = edited(
        workbook_of(demo),
        lambda book: set_cell(book, "Funding", "Project", "marketing", "Amount", "=80000+1234.56"),
    )
    resaved = _through_libreoffice(content, tmp_path)
    apply(resaved, demo)
    assert existing_total(demo) - before == D("1234.56")


def test_libreoffice_calculates_every_total_as_the_value_stored_beside_it(
    db, libreoffice, tmp_path, monkeypatch
):
    from projects.money.vocabulary import Decision
    from reports.workbook import export

    programme = demo_with_money({CONNECTION: Decision.NOT_PROCEEDING})
    content = workbook_of(programme)
    formulas, stored = opened(content), opened(content, data_only=True)
    # Without the stored values, so that LibreOffice has to calculate every formula itself.
    monkeypatch.setattr(export, "with_cached_values", lambda content, values: content)
    bare = workbook_of(programme)
    assert opened(bare, data_only=True)["Phases"]["D11"].value is None
    calculated = opened(_through_libreoffice(bare, tmp_path), data_only=True)
    compared = 0
    for sheet in formulas:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    where = (sheet.title, cell.coordinate, cell.value)
                    ours = stored[sheet.title][cell.coordinate].value
                    theirs = calculated[sheet.title][cell.coordinate].value
                    assert money_of(ours) == money_of(theirs), where
                    compared += 1
    # The demo's totals, the Contributions sheet's now it has rows, and the ten columns of the
    # money after the meeting on the Partner shares sheet.
    assert compared == 19 + 3 + 10
    assert money_of(stored["Phases"]["D11"].value) == D("75000.00")  # the maximum


def test_a_large_programme_round_trips(db):
    from benchmarks.builders import large_document

    programme = programme_load(document=large_document(projects=300, partners=8, slug="big"))
    content = workbook_of(programme)
    assert not preview(content, programme).has_changes
    changed = edited(
        content, lambda book: set_cell(book, "Funding", "Project", "project-299", "Amount", 1)
    )
    assert preview(changed, programme).summary() == "1 row changed"


def test_the_bench_reports_times_and_memory_and_leaves_nothing_behind(db):
    from benchmarks.excel import bench_excel

    before = snapshot()
    figures = bench_excel(funding_lines=25)
    assert figures["funding_lines"] == 25
    assert figures["projects"] == 3
    for key in ("export_seconds", "import_check_seconds", "import_apply_seconds"):
        assert figures[key] >= 0
    for key in ("export_peak_mb", "import_check_peak_mb", "import_apply_peak_mb"):
        assert 0 < figures[key] < 200
    assert figures["workbook_bytes"] > 5000
    assert snapshot() == before


def test_workbooks_are_parsed_through_defusedxml():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True

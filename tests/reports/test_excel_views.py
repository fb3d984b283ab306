"""The downloads and the import pages: who may use them, the preview, the all-or-nothing apply."""

from __future__ import annotations

import html
import io
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks.builders import large_document
from projects.models import FundingLine, Partner, Programme, Role
from projects.programme_file import Problem, dumps_programme, parse_programme
from projects.selectors import programme_document
from projects.services import programme_as_imported, programme_load
from reports.workbook.export import CONTENT_TYPE
from reports.workbook.pending import SESSION_KEY
from tests.projects.factories import MembershipFactory, ProgrammeFactory
from tests.reports.workbooks import DEMO, edited, opened, set_cell, snapshot, workbook_of

pytestmark = pytest.mark.django_db
D = Decimal

XLSX_URL = f"/programmes/{DEMO}/programme.xlsx"
PROJECTS_URL = f"/programmes/{DEMO}/projects.xlsx"
JSON_URL = f"/programmes/{DEMO}/programme.json"
IMPORT_URL = f"/programmes/{DEMO}/import/"
CONFIRM_URL = f"/programmes/{DEMO}/import/confirm/"
READERS = ["chief-executive", "partner-officer"]
# Most queries a download may make whatever the programme's size, measured and pinned here.
# (The programme file reads every paper, then their decisions.)
MAX_DOWNLOAD_QUERIES = 13


@pytest.fixture
def demo(monkeypatch) -> Programme:
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.select_related("partnership").get(slug=DEMO)


@pytest.fixture(autouse=True)
def pending_directory(settings, tmp_path):
    settings.IMPORT_PENDING_DIR = tmp_path / "pending"


def login(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def text(response) -> str:
    return html.unescape(response.content.decode())


def upload(content: bytes, name: str = "programme.xlsx") -> dict:
    return {"file": SimpleUploadedFile(name, content)}


def portal_amount() -> Decimal:
    return FundingLine.objects.get(project__slug="portal").amount


def with_portal_amount(programme: Programme, amount) -> bytes:
    return edited(
        workbook_of(programme),
        lambda book: set_cell(book, "Funding", "Project", "portal", "Amount", amount),
    )


# Downloads


@pytest.mark.parametrize("username", ["facilitator", *READERS])
def test_every_member_downloads_the_programmes_workbook(client, demo, username):
    response = login(client, username).get(XLSX_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPE
    assert response["Content-Disposition"] == f'attachment; filename="{DEMO}.xlsx"'
    book = opened(response.content)
    assert book["Projects"]["A2"].value == "e-forms"
    assert book["Figures"]["B5"].value == 175000


def test_the_workbook_downloads_when_the_shares_cannot_be_worked_out(client, demo):
    # Shared by population, which no partner of the demo has: the dashboard still shows every
    # figure that does not depend on the shares, and says why; so does the workbook.
    Programme.objects.filter(pk=demo.pk).update(apportionment="population")
    response = login(client, "facilitator").get(XLSX_URL)
    assert response.status_code == 200
    book = opened(response.content, data_only=True)
    labels = [row[0] for row in book["Figures"].iter_rows(values_only=True)]
    assert any(
        str(label).startswith("The partners' shares cannot be worked out: ") for label in labels
    )
    assert list(book["Partner shares"].iter_rows(values_only=True))[1][0].startswith("Total")
    assert book["Figures"]["B5"].value == 175000


@pytest.mark.parametrize("username", ["facilitator", *READERS])
def test_every_member_downloads_the_programme_file(client, demo, username):
    response = login(client, username).get(JSON_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{DEMO}.json"'
    assert response.content.decode() == dumps_programme(
        programme_document(programme=demo, include_report=True)
    )
    assert parse_programme(response.content).projects[0].slug == "e-forms"


def test_the_programme_file_downloaded_loads_back_unchanged(client, demo):
    content = login(client, "facilitator").get(JSON_URL).content
    before = programme_document(programme=demo, include_report=True)
    programme_load(document=parse_programme(content))
    assert programme_document(programme=demo, include_report=True) == before


def test_the_projects_download_keeps_the_filters_and_sort_on_screen(client, demo):
    query = {"supports_strategy": "yes", "sort": "-existing_resource"}
    response = login(client, "chief-executive").get(PROJECTS_URL, query)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{DEMO}-projects.xlsx"'
    book = opened(response.content)
    rows = list(book["Projects"].iter_rows(values_only=True))
    assert [row[0] for row in rows[1:-1]] == [
        "portal",
        "shared-customer-info-crm",
        "member-support",
        "e-forms",
        "further-info-points",
        "benefits-form",
        "direct-gov",
    ]
    assert rows[1][5] == 35000
    assert rows[-1][:1] == ("Total of the projects listed",)
    assert rows[-1][5] == "=SUM(F2:F8)"
    filters = list(book["Filters"].iter_rows(values_only=True))
    assert ("Supports Norfolk Ambition", "Yes") in filters
    assert ("Sorted by", "Existing resource (descending)") in filters


def test_the_projects_download_with_no_filters_has_every_project(client, demo):
    book = opened(login(client, "facilitator").get(PROJECTS_URL).content)
    assert book["Projects"].max_row == 12  # heading, ten projects, total
    assert list(book["Filters"].iter_rows(values_only=True))[1] == (
        "Filters",
        "None: every project",
    )


def test_the_projects_download_with_a_bad_filter_has_no_project_as_the_page(client, demo):
    response = login(client, "facilitator").get(PROJECTS_URL, {"lead_partner": "999999"})
    assert response.status_code == 200
    assert opened(response.content)["Projects"].max_row == 2  # heading and total


def test_the_projects_page_links_to_its_download_with_its_query(client, demo):
    response = login(client, "facilitator").get(
        f"/programmes/{DEMO}/projects/", {"status": "proposed", "sort": "name"}
    )
    assert f'href="{PROJECTS_URL}?status=proposed&amp;sort=name"' in response.content.decode()
    assert "Download as a spreadsheet (.xlsx)" in text(response)


def test_the_programme_page_links_to_both_downloads(client, demo):
    page = login(client, "chief-executive").get(f"/programmes/{DEMO}/").content.decode()
    assert f'href="{XLSX_URL}"' in page
    assert f'href="{JSON_URL}"' in page


@pytest.mark.parametrize("url", [XLSX_URL, PROJECTS_URL, JSON_URL, IMPORT_URL])
def test_another_partnerships_member_gets_404(client, demo, url):
    stranger = MembershipFactory(role=Role.FACILITATOR).user
    client.force_login(stranger)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "url"),
    [("programme_xlsx", "programme.xlsx"), ("projects_xlsx", "projects.xlsx"),
     ("programme_json", "programme.json")],
)  # fmt: skip
def test_downloads_make_the_same_queries_at_10_and_300_projects(
    client, django_assert_max_num_queries, name, url
):
    counts = []
    for size in (10, 300):
        programme = programme_load(
            document=large_document(projects=size, partners=8, slug=f"size-{size}")
        )
        user = MembershipFactory(partnership=programme.partnership, role=Role.CHIEF_EXECUTIVE).user
        client.force_login(user)
        address = reverse(f"reports:{name}", args=[programme.slug])
        assert address.endswith(url)
        with (
            django_assert_max_num_queries(MAX_DOWNLOAD_QUERIES),
            CaptureQueriesContext(connection) as queries,
        ):
            response = client.get(address)
        assert response.status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


# Who may import


@pytest.mark.parametrize("username", READERS)
def test_readers_may_not_import(client, demo, username):
    login(client, username)
    before = snapshot()
    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, upload(with_portal_amount(demo, 1))).status_code == 403
    assert client.post(CONFIRM_URL, {"token": "x" * 32}).status_code == 403
    assert snapshot() == before


def test_the_import_page_offers_the_downloads_and_a_file_field(client, demo):
    response = login(client, "facilitator").get(IMPORT_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file"' in page
    assert f'href="{XLSX_URL}"' in page


# Preview, then apply


def test_an_edited_workbook_is_previewed_then_applied_on_confirmation(client, demo):
    login(client, "facilitator")
    before = snapshot()
    response = client.post(IMPORT_URL, upload(with_portal_amount(demo, 35500)))
    assert response.status_code == 200
    page = text(response)
    assert "Check the import" in page
    assert "Importing it would make these changes: 1 row changed." in page
    assert "£35,000" in page and "£35,500" in page
    assert "Existing resource" in page and "£175,500" in page
    assert snapshot() == before  # nothing is written by the preview

    token = response.context["token"]
    confirmed = client.post(CONFIRM_URL, {"token": token})
    assert confirmed.status_code == 302
    assert confirmed.url == f"/programmes/{DEMO}/"
    assert portal_amount() == D("35500.00")
    line = FundingLine.objects.get(project__slug="portal")
    assert line.history.latest().history_user.username == "facilitator"
    home = text(client.get(confirmed.url))
    assert "programme.xlsx is imported: 1 row changed." in home
    assert "£175,500" in home
    # The token is spent: confirming again imports nothing more.
    again = client.post(CONFIRM_URL, {"token": token})
    assert again.status_code == 302 and again.url == IMPORT_URL


def test_an_unchanged_workbook_says_no_changes_and_offers_nothing_to_confirm(client, demo):
    response = login(client, "facilitator").post(IMPORT_URL, upload(workbook_of(demo)))
    assert response.status_code == 200
    page = text(response)
    assert "no changes" in page
    assert "Import these changes" not in page
    assert response.context["token"] is None
    assert not client.session.get(SESSION_KEY)


def test_a_bad_workbook_lists_every_problem_and_changes_nothing(client, demo):
    def edit(book):
        set_cell(book, "Funding", "Project", "portal", "Amount", "lots")
        set_cell(book, "Funding", "Project", "marketing", "Amount", -5)

    login(client, "facilitator")
    before = snapshot()
    response = client.post(IMPORT_URL, upload(edited(workbook_of(demo), edit), "edited.xlsx"))
    assert response.status_code == 200
    page = text(response)
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>Error: Import a workbook" in page
    assert "edited.xlsx cannot be imported: 2 problems, listed below." in page
    assert "Funding!D3 (Amount)" in page
    assert "must be an amount in pounds, such as 15000, not “lots”" in page
    assert "Funding!D4 (Amount)" in page
    assert "must not be negative" in page
    assert snapshot() == before
    assert not client.session.get(SESSION_KEY)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"),
         "locked.xlsx", "protected with a password"),
        (b"hello", "notes.txt", "neither an Excel workbook nor a programme file"),
        (b"PK\x03\x04rubbish", "broken.xlsx", "damaged or incomplete zip archive"),
        (b'{"format": "partnership-programme/9"}', "old.json", "must be"),
    ],
)  # fmt: skip
def test_files_that_cannot_be_read_get_a_message_not_an_error(client, demo, content, name, message):
    login(client, "facilitator")
    before = snapshot()
    response = client.post(IMPORT_URL, upload(content, name))
    assert response.status_code == 200
    assert message in text(response)
    assert snapshot() == before


def test_no_file_or_an_empty_file_is_a_form_error(client, demo):
    login(client, "facilitator")
    assert "Select a workbook (.xlsx) or programme file (.json) to import" in text(
        client.post(IMPORT_URL, {})
    )
    assert "The selected file is empty" in text(client.post(IMPORT_URL, upload(b"", "empty.xlsx")))


def test_a_file_over_the_limit_is_refused_before_it_is_read(client, demo, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 2048
    response = login(client, "facilitator").post(IMPORT_URL, upload(workbook_of(demo)))
    assert "the largest file accepted is 2 KB." in text(response)
    assert "Error: " in text(response)


def test_a_programme_file_is_previewed_and_applied_the_same_way(client, demo):
    data = json.loads(dumps_programme(programme_as_imported(programme=demo)))
    data["projects"][1]["funding"][0]["amount"] = "36000.00"
    data["programme"]["rounding_step"] = "5000.00"
    login(client, "facilitator")
    response = client.post(IMPORT_URL, upload(json.dumps(data).encode(), "programme.json"))
    assert response.status_code == 200
    page = text(response)
    assert "Rounding step" in page and "£5,000" in page
    assert "1 row changed" not in page  # the programme's settings change too
    client.post(CONFIRM_URL, {"token": response.context["token"]})
    assert portal_amount() == D("36000.00")
    assert Programme.objects.get(pk=demo.pk).rounding_step == D("5000.00")


def test_a_change_made_between_preview_and_confirm_is_not_overwritten(client, demo):
    login(client, "facilitator")
    response = client.post(IMPORT_URL, upload(with_portal_amount(demo, 35500)))
    token = response.context["token"]
    # Meanwhile someone else changes another line.
    FundingLine.objects.filter(project__slug="marketing").update(amount=D("81000.00"))
    conflict = client.post(CONFIRM_URL, {"token": token})
    assert conflict.status_code == 409
    page = text(conflict)
    assert "<title>Error: Check the import" in page
    assert "The programme changed while you were checking the import" in page
    assert portal_amount() == D("35000.00")  # nothing imported
    # The preview is made again against the programme as it is now: importing the workbook
    # would put the other person's line back, and says so.
    assert "£81,000" in page and "£80,000" in page
    assert FundingLine.objects.get(project__slug="marketing").amount == D("81000.00")
    # Confirming the preview seen now applies it.
    assert client.post(CONFIRM_URL, {"token": token}).status_code == 302
    assert portal_amount() == D("35500.00")
    assert FundingLine.objects.get(project__slug="marketing").amount == D("80000.00")


def test_a_partner_removed_but_used_elsewhere_is_refused_at_the_check(client, demo):
    other = ProgrammeFactory(partnership=demo.partnership, slug="norfolk-connect-2006")
    from tests.contributions.factories import ContributionFactory

    ContributionFactory(programme=other, partner=Partner.objects.get(slug="norwich"))

    def edit(book):
        sheet = book["Partners"]
        for number in range(2, sheet.max_row + 1):
            if sheet.cell(number, 1).value == "norwich":
                sheet.delete_rows(number)
                return

    login(client, "facilitator")
    before = snapshot()
    response = client.post(IMPORT_URL, upload(edited(workbook_of(demo), edit)))
    page = text(response)
    assert "cannot be imported: 1 problem" in page
    assert "'norwich' is left out, but programme 'norfolk-connect-2006'" in page
    assert snapshot() == before


# A message that reads like a path ("partners[3].slug: ...") must not move the problem.
MISLEADING = "see partners[3].slug: it is odd. Also: contributions.0.amount"


@pytest.mark.parametrize(
    ("name", "place"),
    [
        ("programme.xlsx", "Projects"),  # a workbook's problem is shown on its sheet
        ("programme.json", "projects[1].phases[0].note"),  # a file's at its path
    ],
)
def test_a_refusal_by_the_check_is_placed_by_its_path_not_its_message(
    client, demo, monkeypatch, name, place
):
    refused = [Problem("projects[1].phases[0].note", MISLEADING)]
    monkeypatch.setattr(
        "reports.views.excel.programme_import_check", lambda **kwargs: list(refused)
    )
    content = (
        workbook_of(demo)
        if name.endswith(".xlsx")
        else dumps_programme(programme_as_imported(programme=demo)).encode()
    )
    login(client, "facilitator")
    response = client.post(IMPORT_URL, upload(content, name))
    assert response.context["problems"] == [Problem(place, MISLEADING)]
    assert f"{name} cannot be imported: 1 problem" in text(response)
    assert html.escape(MISLEADING, quote=False) in text(response)


def test_confirm_without_a_known_token_imports_nothing(client, demo):
    login(client, "facilitator")
    before = snapshot()
    response = client.post(CONFIRM_URL, {"token": "../../etc/passwd"})
    assert response.status_code == 302 and response.url == IMPORT_URL
    assert "no longer waiting to be confirmed" in text(client.get(IMPORT_URL))
    assert snapshot() == before


def test_a_token_from_another_session_is_not_accepted(client, demo):
    login(client, "facilitator")
    token = client.post(IMPORT_URL, upload(with_portal_amount(demo, 1))).context["token"]
    other = MembershipFactory(partnership=demo.partnership, role=Role.FACILITATOR).user
    client.force_login(other)
    assert client.post(CONFIRM_URL, {"token": token}).status_code == 302
    assert portal_amount() == D("35000.00")


def test_confirm_by_get_goes_back_to_the_import_page(client, demo):
    response = login(client, "facilitator").get(CONFIRM_URL)
    assert response.status_code == 302 and response.url == IMPORT_URL


def test_the_preview_lists_a_few_hundred_rows_and_counts_them_all(client, db):
    programme = programme_load(document=large_document(projects=600, partners=3, slug="wide"))
    user = MembershipFactory(partnership=programme.partnership, role=Role.FACILITATOR).user
    client.force_login(user)

    def edit(book):
        sheet = book["Funding"]
        for number in range(2, sheet.max_row):
            sheet.cell(number, 4).value = 7

    response = client.post(
        reverse("reports:import", args=["wide"]), upload(edited(workbook_of(programme), edit))
    )
    page = text(response)
    assert "1200 rows changed" in page
    assert "There are 700 more funding changes, not listed here but counted above." in page


def test_the_download_opened_in_the_import_reads_back_through_the_page(client, demo):
    content = login(client, "facilitator").get(XLSX_URL).content
    response = client.post(IMPORT_URL, upload(io.BytesIO(content).getvalue()))
    assert "no changes" in text(response)


def test_import_queries_grow_with_batches_not_with_rows(client):
    """Check and apply write in bulk: 30 times the rows cost a few batches, not a query each."""
    counts = []
    for size in (10, 300):
        programme = programme_load(
            document=large_document(projects=size, partners=8, slug=f"rows-{size}")
        )
        user = MembershipFactory(partnership=programme.partnership, role=Role.FACILITATOR).user
        client.force_login(user)
        content = edited(
            workbook_of(programme),
            lambda book: set_cell(book, "Funding", "Project", "project-1", "Amount", 1),
        )
        with CaptureQueriesContext(connection) as check:
            response = client.post(
                reverse("reports:import", args=[programme.slug]), upload(content)
            )
        with CaptureQueriesContext(connection) as apply:
            confirmed = client.post(
                reverse("reports:import_confirm", args=[programme.slug]),
                {"token": response.context["token"]},
            )
        assert confirmed.status_code == 302
        counts.append((len(check.captured_queries), len(apply.captured_queries)))
    (small_check, small_apply), (large_check, large_apply) = counts
    rows = 300 * 6  # the large programme's projects, phases, funding lines and claims
    assert large_check < small_check + 60 < rows / 10
    assert large_apply < small_apply + 80 < rows / 10

"""The ledger import's pages: upload, choose the columns, preview, apply; roles and bad files."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from projects.models import LedgerMapping, Role, Spend
from projects.money.vocabulary import Decision
from tests.contributions.factories import PartnerFactory
from tests.projects.factories import MembershipFactory, PhaseFactory, ProjectFactory

pytestmark = pytest.mark.django_db

# Session, user, membership, programme; the mapping remembered (read, saved, in a transaction);
# the phases; the spend lines recorded; the session saved: the same for 10 lines as for 200.
PREVIEW_QUERIES = 15

HEADER = "Posted,Value,Doc no,Scheme,Stage,Vendor,Narrative\n"
MAPPING = {
    "date": "Posted",
    "amount": "Value",
    "reference": "Doc no",
    "project": "Scheme",
    "phase": "Stage",
    "supplier": "Vendor",
    "description": "Narrative",
}


@pytest.fixture(autouse=True)
def pending(settings, tmp_path):
    settings.IMPORT_PENDING_DIR = tmp_path / "pending"
    return tmp_path / "pending"


@pytest.fixture
def project():
    project = ProjectFactory(name="Authentication / Gateway", slug="gateway")
    PhaseFactory(project=project, number=1, name="Build")
    PhaseFactory(project=project, number=2, name="Roll out", gated=True)
    return project


def sign_in(client, programme, role=Role.FACILITATOR):
    officer = role == Role.PARTNER_OFFICER
    partner = PartnerFactory(partnership=programme.partnership) if officer else None
    membership = MembershipFactory(partnership=programme.partnership, role=role, partner=partner)
    client.force_login(membership.user)
    return membership.user


def url(programme, name="ledger_upload"):
    return reverse(f"reports:{name}", args=[programme.slug])


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def csv_lines(*lines: str) -> bytes:
    return (HEADER + "".join(f"{line}\n" for line in lines)).encode()


def upload(client, programme, content: bytes, name="ledger.csv"):
    return client.post(url(programme), {"file": SimpleUploadedFile(name, content)})


def preview(client, programme, mapping=MAPPING):
    return client.post(url(programme, "ledger_map"), mapping)


GOOD = csv_lines(
    '30/09/2004,"£1,200.50",PO-1,gateway,1,Acme,Servers',
    "2004-10-01,99.5,PO-2,Authentication / Gateway,1,Acme,Cables",
)


def test_upload_map_preview_apply_records_the_lines_with_the_author(client, project):
    programme = project.programme
    user = sign_in(client, programme)
    response = upload(client, programme, GOOD)
    assert response.status_code == 302 and response["Location"] == url(programme, "ledger_map")
    page = client.get(response["Location"])
    assert "ledger.csv has 2 rows below its headings" in text(page)
    assert '<option value="Doc no">Doc no</option>' in page.content.decode()
    page = preview(client, programme)
    assert page.status_code == 200
    shown = text(page)
    assert "To record 2 spend lines, £1,300 in all" in shown
    assert "Phase 1 of Authentication / Gateway" in shown
    assert Spend.objects.count() == 0
    # The mapping is remembered once confirmed.
    assert LedgerMapping.objects.get(programme=programme).columns == MAPPING
    response = client.post(url(programme, "ledger_apply"))
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:project_list", args=[programme.slug])
    assert [(s.reference, s.amount) for s in Spend.objects.order_by("reference")] == [
        ("PO-1", D("1200.50")),
        ("PO-2", D("99.50")),
    ]
    assert {h.history_user for h in Spend.history.all()} == {user}
    shown = text(client.get(response["Location"]))
    assert "2 spend lines of £1,300 in all imported from ledger.csv." in shown
    # Applied once: the same file is not kept for a second go.
    response = client.post(url(programme, "ledger_apply"))
    assert response.status_code == 302 and response["Location"] == url(programme)
    assert Spend.objects.count() == 2


def test_the_remembered_mapping_fills_the_lists(client, project):
    programme = project.programme
    LedgerMapping.objects.create(programme=programme, columns={**MAPPING, "supplier": "Gone"})
    sign_in(client, programme)
    upload(client, programme, GOOD)
    page = client.get(url(programme, "ledger_map")).content.decode()
    assert '<option value="Doc no" selected>Doc no</option>' in page
    assert '<option value="Vendor" selected>' not in page  # "Gone" is not a heading of the file


def test_duplicates_are_listed_and_skipped_not_doubled(client, project):
    programme = project.programme
    phase = project.phases.get(number=1)
    Spend.objects.create(phase=phase, date=date(2004, 5, 1), amount=D("99.50"), reference="PO-2")
    sign_in(client, programme)
    upload(client, programme, GOOD)
    shown = text(preview(client, programme))
    assert "To record 1 spend line, £1,200.50 in all" in shown
    assert "A spend line of £99.50 with reference PO-2 is already recorded" in shown
    client.post(url(programme, "ledger_apply"))
    assert Spend.objects.count() == 2


def test_a_refused_phase_refuses_the_import_and_says_why(client, project):
    programme = project.programme
    sign_in(client, programme)
    upload(
        client,
        programme,
        csv_lines("30/09/2004,10,PO-1,gateway,1,,", "30/09/2004,10,PO-3,gateway,2,,"),
    )
    page = preview(client, programme)
    shown = text(page)
    assert (
        "Row 3: Phase 2 of Authentication / Gateway awaits its business case: spend on it is "
        "refused until the case is approved." in shown
    )
    assert "Nothing can be imported yet" in shown and "Import 1 spend line" not in shown
    response = client.post(url(programme, "ledger_apply"))
    assert response.status_code == 409
    assert Spend.objects.count() == 0


def test_a_change_since_the_preview_is_shown_not_written(client, project):
    programme = project.programme
    sign_in(client, programme)
    upload(client, programme, csv_lines("30/09/2004,10,PO-1,gateway,1,,"))
    preview(client, programme)
    project.phases.filter(number=1).update(decision=Decision.NOT_PROCEEDING)
    response = client.post(url(programme, "ledger_apply"))
    assert response.status_code == 409
    shown = text(response)
    assert "The programme has changed since the preview, so nothing was imported." in shown
    assert "Phase 1 of Authentication / Gateway does not proceed" in shown
    assert Spend.objects.count() == 0
    # Moved back, the new preview is the one confirmed.
    project.phases.filter(number=1).update(decision=Decision.PENDING)
    assert client.post(url(programme, "ledger_apply")).status_code == 409
    preview(client, programme)
    assert client.post(url(programme, "ledger_apply")).status_code == 302
    assert Spend.objects.count() == 1


def test_a_workbook_is_read_with_its_dates_and_numbers(client, project):
    programme = project.programme
    sign_in(client, programme)
    book = Workbook()
    sheet = book.active
    sheet.append(["Posted", "Value", "Doc no", "Scheme", "Stage", "Vendor", "Narrative"])
    sheet.append([date(2004, 9, 30), 1200.5, "PO-1", "gateway", 1, "Acme", None])
    stream = io.BytesIO()
    book.save(stream)
    assert upload(client, programme, stream.getvalue(), "ledger.xlsx").status_code == 302
    assert "To record 1 spend line, £1,200.50 in all" in text(preview(client, programme))
    client.post(url(programme, "ledger_apply"))
    spend = Spend.objects.get()
    assert (spend.date, spend.amount) == (date(2004, 9, 30), D("1200.50"))


def bomb() -> bytes:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "x")
        archive.writestr("xl/workbook.xml", "x")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    return stream.getvalue()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "ledger.csv", "The selected file is empty"),
        (b"   \n", "ledger.csv", "The file is empty."),
        (HEADER.encode(), "ledger.csv", "The file has headings but no rows below them"),
        ("Posted,Value\n30/09/2004,£12\n".encode("cp1252"), "ledger.csv", "The file is not UTF-8"),
        (b"%PDF-1.4\x00\x01", "ledger.pdf", "The file is neither a CSV file nor an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "ledger.xls", "old-style Excel 97-2003"),
        (b"PK\x03\x04broken", "ledger.xlsx", "damaged or incomplete zip archive"),
        (bomb(), "ledger.xlsx", "would unpack to"),
        (b'a,"b\n' + b"x" * 20_000, "ledger.csv", "The file cannot be read as CSV"),
    ],
)
def test_a_bad_file_is_refused_with_the_reason_and_nothing_kept(
    client, project, pending, content, name, message
):
    sign_in(client, project.programme)
    response = upload(client, project.programme, content, name)
    assert response.status_code == 200
    assert message in text(response)
    assert not pending.exists() or list(pending.iterdir()) == []


def test_a_file_too_big_is_refused(client, project, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024
    sign_in(client, project.programme)
    response = upload(client, project.programme, GOOD + b"x" * 2000)
    assert "the largest file accepted is 1 KB" in text(response)


def test_more_rows_than_the_bound_are_refused(client, project, monkeypatch):
    monkeypatch.setattr("reports.workbook.ledger_upload.LEDGER_MAX_ROWS", 3)
    sign_in(client, project.programme)
    response = upload(client, project.programme, csv_lines(*["30/09/2004,1,A,gateway,1,,"] * 4))
    assert "The file has more than 3 rows, the most one import reads." in text(response)
    assert (
        upload(
            client, project.programme, csv_lines(*["30/09/2004,1,A,gateway,1,,"] * 3)
        ).status_code
        == 302
    )


def test_a_mapping_naming_a_missing_column_is_refused(client, project):
    programme = project.programme
    sign_in(client, programme)
    upload(client, programme, GOOD)
    response = preview(client, programme, {**MAPPING, "amount": "Cost"})
    assert "Choose the amount column from the list" in text(response)
    response = preview(client, programme, {**MAPPING, "supplier": "Scheme"})
    assert "The column &#x27;Scheme&#x27; is chosen for both" in response.content.decode()
    response = preview(client, programme, {**MAPPING, "reference": ""})
    assert "Choose the column that holds the reference" in text(response)
    assert Spend.objects.count() == 0


def test_the_steps_without_an_upload_go_back_to_the_upload(client, project):
    programme = project.programme
    sign_in(client, programme)
    for name in ("ledger_map",):
        response = client.get(url(programme, name))
        assert response.status_code == 302 and response["Location"] == url(programme)
    assert client.post(url(programme, "ledger_apply")).status_code == 302
    assert client.get(url(programme, "ledger_apply")).status_code == 302


@pytest.mark.parametrize("role", [Role.CHIEF_EXECUTIVE, Role.PARTNER_OFFICER])
def test_readers_may_not_import(client, project, role):
    programme = project.programme
    sign_in(client, programme, role)
    assert client.get(url(programme)).status_code == 403
    assert upload(client, programme, GOOD).status_code == 403
    assert client.post(url(programme, "ledger_map"), MAPPING).status_code == 403
    assert client.post(url(programme, "ledger_apply")).status_code == 403


def test_another_partnerships_programme_is_not_found(client, project):
    other = ProjectFactory().programme
    sign_in(client, project.programme)
    for name in ("ledger_upload", "ledger_map", "ledger_apply"):
        assert client.get(url(other, name)).status_code == 404
    assert upload(client, other, GOOD).status_code == 404


def test_another_partnerships_project_is_refused_as_unknown(client, project):
    stranger = ProjectFactory(slug="stranger", name="Stranger")
    PhaseFactory(project=stranger, number=1)
    sign_in(client, project.programme)
    upload(client, project.programme, csv_lines("30/09/2004,10,PO-1,stranger,1,,"))
    assert "Row 2: the programme has no project named" in text(preview(client, project.programme))


def test_the_links_lead_to_the_import_for_facilitators_only(client, project):
    programme = project.programme
    sign_in(client, programme)
    link = url(programme)
    assert (
        link in client.get(reverse("projects:project_list", args=[programme.slug])).content.decode()
    )
    spend = reverse("projects:project_spend", args=[programme.slug, project.slug])
    assert link in client.get(spend).content.decode()
    sign_in(client, programme, Role.CHIEF_EXECUTIVE)
    assert link not in client.get(spend).content.decode()


@pytest.mark.parametrize("lines", [10, 200])
def test_the_preview_reads_the_same_queries_however_many_lines(
    client, project, django_assert_num_queries, lines
):
    programme = project.programme
    phase = project.phases.get(number=1)
    for number in range(lines):
        Spend.objects.create(
            phase=phase, date=date(2004, 5, 1), amount=D("1.00"), reference=f"OLD-{number}"
        )
    sign_in(client, programme)
    content = csv_lines(*(f"30/09/2004,{n + 1},NEW-{n},gateway,1,,x" for n in range(lines)))
    upload(client, programme, content)
    preview(client, programme)
    with django_assert_num_queries(PREVIEW_QUERIES):
        response = preview(client, programme)
    assert f"To record {lines} spend lines" in text(response)


def test_a_workbook_past_the_row_bound_is_refused_even_with_gaps(client, project, monkeypatch):
    monkeypatch.setattr("reports.workbook.ledger_upload.LEDGER_MAX_ROWS", 3)
    sign_in(client, project.programme)
    book = Workbook()
    sheet = book.active
    sheet.append(["Posted", "Value", "Doc no", "Scheme", "Stage"])
    sheet.cell(row=9, column=1, value="2004-09-30")  # one row, far down
    stream = io.BytesIO()
    book.save(stream)
    response = upload(client, project.programme, stream.getvalue(), "ledger.xlsx")
    assert "The file has more than 3 rows, the most one import reads." in text(response)


@pytest.mark.parametrize("lines", [10, 200])
def test_applying_reads_the_same_queries_however_many_lines(client, project, lines):
    programme = project.programme
    sign_in(client, programme)
    content = csv_lines(*(f"30/09/2004,{n + 1},NEW-{n},gateway,1,,x" for n in range(lines)))
    upload(client, programme, content)
    preview(client, programme)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url(programme, "ledger_apply"))
    assert response.status_code == 302
    assert Spend.objects.count() == Spend.history.count() == lines
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(queries) - len(inserts) == APPLY_READS
    # The lines and their history are written in batches: one of each for a few lines; SQLite
    # takes at most 999 values a statement, so 200 lines take two inserts and their history three.
    assert len(inserts) == 2 if lines == 10 else 2 <= len(inserts) <= 6


# Session, user, membership, programme; in one transaction (its savepoint and release) the
# phases locked and the spend lines recorded; the session saved (in its own transaction).
APPLY_READS = 11

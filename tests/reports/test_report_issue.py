"""Editing the report's text, issuing the report, the archive, and what changed since."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import date
from decimal import Decimal
from html import unescape
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from projects.history import ConcurrentEditError
from projects.models import Phase, Programme, ReportText
from projects.money.document import REPORT_TEXT_FIELDS
from reports.models import IssuedReport, IssuedReportImmutableError
from reports.report.selectors import board_report, report_fingerprint
from reports.services import ReportChangedError, report_issue, report_text_update
from tests.dates import date_parts
from tests.projects.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

DEMO = "norfolk-connect-2004"
MEETING = date(2004, 6, 24)


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.select_related("partnership").get(slug=DEMO)


def user(username: str):
    return get_user_model().objects.get(username=username)


def signed_in(client, username: str = "facilitator"):
    client.force_login(user(username))
    return client


def text_form(programme: Programme, **changes) -> dict:
    text = ReportText.objects.get(programme=programme)
    data = {field: getattr(text, field) for field in REPORT_TEXT_FIELDS}
    return {**data, "version": text.version, **changes}


def issue(programme: Programme) -> IssuedReport:
    report = board_report(programme=programme)
    return report_issue(
        programme=programme,
        meeting_date=MEETING,
        expected_fingerprint=report_fingerprint(report),
        user=user("facilitator"),
    )


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


# The report's text


def test_the_facilitator_saves_the_text_and_the_report_uses_it(client, demo):
    url = reverse("report:report_text", args=[DEMO])
    data = text_form(demo, title="Medium term workload {financial_years_span}")
    response = signed_in(client).post(url, data)
    assert response.status_code == 302
    text = ReportText.objects.get(programme=demo)
    assert text.title == "Medium term workload {financial_years_span}"
    assert text.version == 2
    assert text.history.first().history_user == user("facilitator")
    page = client.get(reverse("report:report", args=[DEMO])).content.decode()
    assert "Medium term workload 2004-2006" in page


def test_an_unknown_placeholder_is_refused_naming_it_and_nothing_is_saved(client, demo):
    before = ReportText.objects.get(programme=demo).recommendations
    data = text_form(demo, recommendations="Up to {cap_per_partnr} each.")
    response = signed_in(client).post(reverse("report:report_text", args=[DEMO]), data)
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert "{cap_per_partnr} is not a placeholder the report knows" in html
    assert "Did you mean {cap_per_partner}?" in html
    assert 'href="#id_recommendations"' in html  # the error summary links to the field
    assert ReportText.objects.get(programme=demo).recommendations == before


def test_a_lone_brace_is_refused(client, demo):
    data = text_form(demo, title="Budget {2004")
    response = signed_in(client).post(reverse("report:report_text", args=[DEMO]), data)
    assert response.status_code == 200
    assert "There is a lone “{”" in unescape(response.content.decode())


def test_a_save_from_an_old_copy_is_refused_with_the_other_change(client, demo):
    stale = text_form(demo, title="Mine")
    report_text_update(
        programme=demo,
        data={"title": "Theirs"},
        expected_version=stale["version"],
        user=user("admin"),
    )
    response = signed_in(client).post(reverse("report:report_text", args=[DEMO]), stale)
    html = unescape(response.content.decode())
    assert response.status_code == 409
    assert "Theirs" in html and 'value="Mine"' in html
    assert ReportText.objects.get(programme=demo).title == "Theirs"


def test_the_first_save_creates_the_text_of_a_programme_without_one(client, demo):
    programme = ProgrammeFactory(partnership=demo.partnership, slug="next-2006")
    url = reverse("report:report_text", args=[programme.slug])
    page = signed_in(client).get(url)
    assert 'name="version" value="0"' in page.content.decode()
    data = {field: "" for field in REPORT_TEXT_FIELDS} | {"title": "Next", "version": 0}
    assert client.post(url, data).status_code == 302
    assert ReportText.objects.get(programme=programme).title == "Next"
    # A second first save, from the same page, is a stale copy.
    assert client.post(url, data).status_code == 409


def test_the_service_refuses_an_unknown_placeholder(demo):
    text = ReportText.objects.get(programme=demo)
    with pytest.raises(ValidationError) as caught:
        report_text_update(
            programme=demo,
            data={"summary": "{nonsense}"},
            expected_version=text.version,
            user=user("facilitator"),
        )
    assert "{nonsense}" in caught.value.message_dict["summary"][0]
    assert ReportText.objects.get(programme=demo).summary == text.summary


def test_the_service_refuses_a_stale_version(demo):
    with pytest.raises(ConcurrentEditError):
        report_text_update(
            programme=demo, data={"title": "x"}, expected_version=99, user=user("facilitator")
        )


def test_the_editor_lists_every_placeholder_with_todays_value(client, demo):
    html = unescape(
        signed_in(client).get(reverse("report:report_text", args=[DEMO])).content.decode()
    )
    assert "<code>{cap_per_partner}</code>" in html
    assert "£30,000" in html and "2004-2006" in html
    assert "The paper's existing resource total was £165,000" in html


def test_only_editors_may_edit_or_issue(client, demo):
    for username in ("chief-executive", "partner-officer"):
        signed_in(client, username)
        assert client.get(reverse("report:report_text", args=[DEMO])).status_code == 403
        assert client.post(reverse("report:report_issue", args=[DEMO]), {}).status_code == 403
    assert not IssuedReport.objects.exists()


# Issuing


def test_issuing_keeps_the_pdf_and_figures_with_their_hashes(client, demo):
    signed_in(client)
    page = client.get(reverse("report:report_issue", args=[DEMO]))
    fingerprint = page.context["form"].initial["fingerprint"]
    response = client.post(
        reverse("report:report_issue", args=[DEMO]),
        {**date_parts("meeting_date", "2004-06-24"), "fingerprint": fingerprint},
    )
    assert response.status_code == 302
    issued = IssuedReport.objects.get()
    pdf = bytes(issued.pdf)
    assert issued.meeting_date == MEETING
    assert issued.issued_by == user("facilitator")
    assert issued.title == "Norfolk Connect Medium Term Workload"
    assert issued.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert issued.figures_sha256 == hashlib.sha256(issued.figures.encode()).hexdigest()
    figures = json.loads(issued.figures)
    assert figures["figures"]["existing_total"] == "175000.00"
    assert figures["figures"]["cap_per_partner"] == "30000.00"
    assert figures["projects"][4]["extra"] == (
        "£7,000 plus £100,000 phase 2 (individual connection costs)"
    )
    text = pdf_text(pdf)
    assert "Norfolk Connect Medium Term Workload — 24 June 2004 Page 1 of" in text
    assert "Draft" not in text


def test_an_issued_report_keeps_its_bytes_after_the_programme_is_edited(client, demo):
    issued = issue(demo)
    pdf, figures = bytes(issued.pdf), issued.figures
    Phase.objects.filter(project__programme=demo, project__slug="direct-gov").update(
        extra_cost=Decimal("9000.00")
    )
    ReportText.objects.filter(programme=demo).update(title="Changed")
    kept = IssuedReport.objects.get(pk=issued.pk)
    assert bytes(kept.pdf) == pdf and kept.figures == figures
    assert kept.intact
    download = signed_in(client, "chief-executive").get(
        reverse("report:issued_pdf", args=[DEMO, issued.pk])
    )
    assert download.status_code == 200
    assert download.content == pdf
    assert hashlib.sha256(download.content).hexdigest() == issued.pdf_sha256
    assert download["Content-Disposition"].startswith("attachment;")
    assert "£179,000" not in pdf_text(download.content)  # the new maximum is not in it


def test_a_report_that_changed_since_it_was_looked_at_is_not_issued(client, demo):
    signed_in(client)
    fingerprint = (
        client.get(reverse("report:report_issue", args=[DEMO]))
        .context["form"]
        .initial["fingerprint"]
    )
    Phase.objects.filter(project__programme=demo, project__slug="direct-gov").update(
        extra_cost=Decimal("9000.00")
    )
    response = client.post(
        reverse("report:report_issue", args=[DEMO]),
        {**date_parts("meeting_date", "2004-06-24"), "fingerprint": fingerprint},
    )
    assert response.status_code == 409
    assert "changed since you opened this page" in unescape(response.content.decode())
    assert not IssuedReport.objects.exists()
    # The page now carries the new fingerprint: issuing again works.
    again = response.context["form"].data["fingerprint"]
    assert again != fingerprint
    client.post(
        reverse("report:report_issue", args=[DEMO]),
        {**date_parts("meeting_date", "2004-06-24"), "fingerprint": again},
    )
    assert IssuedReport.objects.count() == 1


def test_the_service_refuses_a_stale_fingerprint(demo):
    with pytest.raises(ReportChangedError):
        report_issue(
            programme=demo, meeting_date=MEETING, expected_fingerprint="0" * 64, user=user("admin")
        )
    assert not IssuedReport.objects.exists()


def test_a_meeting_date_is_required(client, demo):
    signed_in(client)
    response = client.post(
        reverse("report:report_issue", args=[DEMO]),
        {**date_parts("meeting_date", ""), "fingerprint": "x"},
    )
    assert response.status_code == 200
    assert "Enter the date of the meeting<" in response.content.decode()
    assert not IssuedReport.objects.exists()


def test_an_issued_report_refuses_to_be_saved_again_or_removed(demo):
    issued = issue(demo)
    issued.title = "Rewritten"
    with pytest.raises(IssuedReportImmutableError):
        issued.save()
    with pytest.raises(IssuedReportImmutableError):
        issued.delete()
    assert IssuedReport.objects.get(pk=issued.pk).title == "Norfolk Connect Medium Term Workload"


def test_a_tampered_pdf_is_not_served(client, demo):
    issued = issue(demo)
    IssuedReport.objects.filter(pk=issued.pk).update(pdf=b"%PDF-forged")
    response = signed_in(client).get(reverse("report:issued_pdf", args=[DEMO, issued.pk]))
    assert response.status_code == 500
    assert b"forged" not in response.content


def test_the_admin_shows_issued_reports_read_only(client, demo):
    issued = issue(demo)
    signed_in(client, "admin")
    change = reverse("admin:reports_issuedreport_change", args=[issued.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert 'name="title"' not in page.content.decode()
    assert client.post(change, {"title": "x"}).status_code == 403
    assert client.get(reverse("admin:reports_issuedreport_add")).status_code == 403
    delete = reverse("admin:reports_issuedreport_delete", args=[issued.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert IssuedReport.objects.get(pk=issued.pk).title == issued.title


# The archive and the changes since


def test_the_archive_lists_issued_reports_newest_first(client, demo):
    first = issue(demo)
    ReportText.objects.filter(programme=demo).update(title="Second report")
    second = issue(demo)
    page = signed_in(client, "partner-officer").get(reverse("report:issued_list", args=[DEMO]))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("Second report") < html.index("Norfolk Connect Medium Term Workload</td>")
    for issued in (first, second):
        assert reverse("report:issued_pdf", args=[DEMO, issued.pk]) in html
        assert issued.pdf_sha256 in html


def test_the_archive_says_when_nothing_was_issued(client, demo):
    page = signed_in(client).get(reverse("report:issued_list", args=[DEMO]))
    assert 'id="no-issued"' in page.content.decode()


def test_changes_since_the_last_issued_report_list_old_and_new(client, demo):
    issue(demo)
    phase = Phase.objects.get(project__programme=demo, project__slug="direct-gov")
    phase.extra_cost = Decimal("9000.00")
    phase.save()
    ReportText.objects.filter(programme=demo).update(summary="A new summary.")
    page = signed_in(client, "chief-executive").get(reverse("report:report_changes", args=[DEMO]))
    html = " ".join(unescape(page.content.decode()).split())
    assert page.status_code == 200
    for label, old, new in (
        ("Extra cost, minimum", "£75,000", "£79,000"),
        ("Extra cost, maximum", "£175,000", "£179,000"),
        ("Largest share of the minimum", "£9,375", "£9,875"),
        ("Norfolk County Council: share of the maximum", "£21,875", "£22,375"),
    ):
        cells = (
            f'<td class="govuk-table__cell" data-label="In the issued report">{old}</td>'
            f'<td class="govuk-table__cell" data-label="Now">{new}</td>'
        )
        assert f"{label}</th>{cells}" in html, label
    assert "Direct.Gov: changed" in html
    assert (
        'Extra cost</th><td class="govuk-table__cell" data-label="In the issued report">£5,000</td>'
        '<td class="govuk-table__cell" data-label="Now">£9,000</td>'
    ) in html
    # The partners come in the partnership's order, the county first.
    assert html.index("Norfolk County Council: share") < html.index("Breckland District Council")
    assert 'id="wording-changed"' in html
    assert "Existing resource total</th>" not in html  # unchanged figures are not listed


def test_no_changes_and_no_issued_report_are_said_plainly(client, demo):
    signed_in(client)
    url = reverse("report:report_changes", args=[DEMO])
    assert 'id="no-issued"' in client.get(url).content.decode()
    issue(demo)
    assert 'id="no-changes"' in client.get(url).content.decode()


def test_an_added_and_a_removed_project_are_listed(client, demo):
    issue(demo)
    demo.projects.filter(slug="marketing").delete()
    demo.projects.create(slug="new-one", name="New one", position=99)
    html = unescape(
        signed_in(client).get(reverse("report:report_changes", args=[DEMO])).content.decode()
    )
    assert "New one: added" in html
    assert "Marketing: removed" in html

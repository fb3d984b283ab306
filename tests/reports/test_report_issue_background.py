"""Issuing a large board report: its PDF is prepared for the meeting by the background worker,
then issued byte for byte, never laid out in the facilitator's request.

Most tests put a ready render in place as the worker leaves it (``report_render_finish``); one
runs the real worker (`db_worker --batch`) from the issue page's "Prepare the PDF" button.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from html import unescape
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from projects.models import Phase, Programme
from reports import services
from reports.models import IssuedReport, RenderState, ReportRender, sha256_hex
from reports.renders import report_render_finish
from reports.report import pdf as report_pdf_module
from reports.report.selectors import board_report, report_fingerprint
from reports.selectors import report_render_fingerprint
from reports.services import (
    PdfNotPreparedError,
    report_issue,
    report_render_request,
)
from tests.dates import date_parts
from tests.reports.test_report_render import run_worker

DEMO = "norfolk-connect-2004"
DEMO_PROJECTS = 10
MEETING = date(2004, 6, 24)
PREPARED = b"%PDF-1.7 the PDF prepared for the meeting on 24 June 2004"


@pytest.fixture
def demo(monkeypatch) -> Programme:
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.get(slug=DEMO)


@pytest.fixture
def large(settings, demo) -> Programme:
    """The demo programme, its ten projects now over the size for background PDFs."""
    settings.REPORT_BACKGROUND_PROJECTS = DEMO_PROJECTS - 1
    return demo


@pytest.fixture
def no_layout(monkeypatch):
    """Make laying out or writing any PDF in this process fail: nothing may render here."""

    def refuse(*args, **kwargs):
        raise AssertionError("the PDF was laid out in the request")

    monkeypatch.setattr(services, "report_pdf", refuse)
    monkeypatch.setattr(report_pdf_module, "layout_pdf", refuse)
    monkeypatch.setattr(report_pdf_module, "write_pdf", refuse)


def signed_in(client, username: str = "facilitator"):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def issue_url() -> str:
    return reverse("report:report_issue", args=[DEMO])


def page_fingerprint(client) -> str:
    return client.get(issue_url()).context["form"].initial["fingerprint"]


def prepare(programme: Programme, meeting: date = MEETING, pdf: bytes = PREPARED) -> ReportRender:
    """Leave a ready render of the report as issued to the meeting, as the worker does."""
    report = board_report(programme=programme, on=meeting, issued=True)
    fingerprint = report_render_fingerprint(report)
    render, queued = report_render_request(
        programme=programme, fingerprint=fingerprint, user=None, meeting_date=meeting
    )
    assert queued
    report_render_finish(render=render, pdf=pdf, fingerprint=fingerprint, report_date=meeting)
    return render


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


# Issued from the prepared PDF, byte for byte.


@pytest.mark.django_db
def test_a_large_report_is_issued_from_its_prepared_pdf_without_rendering(client, large, no_layout):
    render = prepare(large)
    signed_in(client)
    response = client.post(
        issue_url(),
        {**date_parts("meeting_date", "2004-06-24"), "fingerprint": page_fingerprint(client)},
    )
    assert response.status_code == 302
    assert response.url == reverse("report:issued_list", args=[DEMO])
    issued = IssuedReport.objects.get()
    assert bytes(issued.pdf) == PREPARED
    assert issued.pdf_sha256 == render.pdf_sha256 == sha256_hex(PREPARED)
    assert issued.meeting_date == MEETING
    assert issued.issued_by.username == "facilitator"
    assert issued.intact
    # The figures are those of the report now, as for any issue.
    assert issued.figures_sha256 == sha256_hex(issued.figures.encode("utf-8"))
    assert '"existing_total":"175000.00"' in issued.figures


@pytest.mark.django_db
def test_the_service_issues_the_prepared_pdf(large, no_layout):
    prepare(large)
    issued = report_issue(
        programme=large,
        meeting_date=MEETING,
        expected_fingerprint=report_fingerprint(board_report(programme=large)),
        user=get_user_model().objects.get(username="facilitator"),
    )
    assert bytes(issued.pdf) == PREPARED


@pytest.mark.django_db
def test_the_issue_page_says_which_prepared_pdf_will_be_issued(client, large):
    render = prepare(large)
    page = signed_in(client).get(issue_url())
    html = unescape(page.content.decode())
    assert f"The PDF prepared at {timezone.localtime(render.finished):%H:%M}" in html
    assert "for the meeting on 24 June 2004 will be issued" in html
    assert reverse("report:render_pdf", args=[DEMO, render.pk]) in html
    assert page.context["form"].initial["meeting_date"] == MEETING
    assert html.index(">Issue the report<") < html.index(">Prepare the PDF for another date<")


@pytest.mark.django_db
def test_the_issue_page_of_a_large_report_asks_for_the_pdf_first(client, large):
    html = unescape(signed_in(client).get(issue_url()).content.decode())
    assert "This report has 10 projects" in html
    assert "prepare the PDF first" in html
    assert "No PDF of the report as it stands has been prepared" in html
    assert 'name="prepare"' in html
    assert html.index(">Prepare the PDF<") < html.index(">Issue the report<")


@pytest.mark.django_db
def test_the_issue_page_of_a_small_report_is_as_before(client, demo):
    html = signed_in(client).get(issue_url()).content.decode()
    assert "Issue the report" in html
    assert 'name="prepare"' not in html
    assert "issue-in-background" not in html


# Not issued: nothing prepared, or prepared for another report, date or as a draft.


@pytest.mark.django_db
def test_a_large_report_without_a_prepared_pdf_is_refused_and_nothing_written(
    client, large, no_layout
):
    signed_in(client)
    response = client.post(
        issue_url(),
        {**date_parts("meeting_date", "2004-06-24"), "fingerprint": page_fingerprint(client)},
    )
    assert response.status_code == 409
    html = unescape(response.content.decode())
    assert "Prepare the PDF first" in html
    assert "ready for the meeting on 24 June 2004" in html
    assert response.context["form"].data["meeting_date-day"] == "24"
    assert not IssuedReport.objects.exists()
    assert not ReportRender.objects.exists()  # issuing queues nothing either


@pytest.mark.django_db
def test_the_service_refuses_a_large_report_without_a_prepared_pdf(large, no_layout):
    with pytest.raises(PdfNotPreparedError, match="Prepare the PDF first"):
        report_issue(
            programme=large,
            meeting_date=MEETING,
            expected_fingerprint=report_fingerprint(board_report(programme=large)),
            user=get_user_model().objects.get(username="facilitator"),
        )
    assert not IssuedReport.objects.exists()


@pytest.mark.django_db
def test_a_pdf_prepared_before_the_report_changed_is_not_used(client, large, no_layout):
    prepare(large)
    Phase.objects.filter(project__programme=large, project__slug="direct-gov").update(
        extra_cost=Decimal("9000.00")
    )
    signed_in(client)
    page = client.get(issue_url())
    assert page.context["prepared"] is None
    assert "will be issued" not in page.content.decode()
    response = client.post(
        issue_url(),
        {**date_parts("meeting_date", "2004-06-24"), "fingerprint": page_fingerprint(client)},
    )
    assert response.status_code == 409
    assert "Prepare the PDF first" in unescape(response.content.decode())
    assert not IssuedReport.objects.exists()


@pytest.mark.django_db
def test_a_pdf_prepared_for_another_meeting_is_not_used(client, large, no_layout):
    prepare(large, meeting=date(2004, 7, 1))
    signed_in(client)
    response = client.post(
        issue_url(),
        {**date_parts("meeting_date", "2004-06-24"), "fingerprint": page_fingerprint(client)},
    )
    assert response.status_code == 409
    assert not IssuedReport.objects.exists()


@pytest.mark.django_db
def test_a_draft_of_the_same_day_is_not_issued(client, large, no_layout):
    # A draft says "Draft of" its date: never what the board is given.
    draft = board_report(programme=large, on=MEETING)
    fingerprint = report_render_fingerprint(draft)
    assert fingerprint != report_render_fingerprint(
        board_report(programme=large, on=MEETING, issued=True)
    )
    render, _ = report_render_request(programme=large, fingerprint=fingerprint, user=None)
    report_render_finish(render=render, pdf=PREPARED, fingerprint=fingerprint, report_date=MEETING)
    signed_in(client)
    assert client.get(issue_url()).context["prepared"] is None
    response = client.post(
        issue_url(),
        {**date_parts("meeting_date", "2004-06-24"), "fingerprint": page_fingerprint(client)},
    )
    assert response.status_code == 409
    assert not IssuedReport.objects.exists()


@pytest.mark.django_db
def test_a_tampered_prepared_pdf_is_not_issued(client, large, no_layout):
    render = prepare(large)
    ReportRender.objects.filter(pk=render.pk).update(pdf=b"%PDF-1.7 altered")
    signed_in(client)
    response = client.post(
        issue_url(),
        {**date_parts("meeting_date", "2004-06-24"), "fingerprint": page_fingerprint(client)},
    )
    assert response.status_code == 409
    assert "no longer matches the fingerprint" in unescape(response.content.decode())
    assert not IssuedReport.objects.exists()
    # Retired, so that preparing again makes a new PDF rather than handing this one back.
    render.refresh_from_db()
    assert render.state == RenderState.FAILED
    again = client.post(
        issue_url(),
        {
            **date_parts("meeting_date", "2004-06-24"),
            "fingerprint": page_fingerprint(client),
            "prepare": "1",
        },
    )
    assert again.status_code == 302
    assert ReportRender.objects.exclude(pk=render.pk).get().state == RenderState.QUEUED


@pytest.mark.django_db
def test_the_report_changed_since_the_page_is_still_refused_first(client, large, no_layout):
    prepare(large)
    signed_in(client)
    fingerprint = page_fingerprint(client)
    Phase.objects.filter(project__programme=large, project__slug="direct-gov").update(
        extra_cost=Decimal("9000.00")
    )
    for extra in ({}, {"prepare": "1"}):
        response = client.post(
            issue_url(),
            {**date_parts("meeting_date", "2004-06-24"), "fingerprint": fingerprint, **extra},
        )
        assert response.status_code == 409
        assert "changed since you opened this page" in unescape(response.content.decode())
    assert not IssuedReport.objects.exists()
    assert ReportRender.objects.count() == 1  # the one prepared before the change


# Small reports: laid out in the request as before.


@pytest.mark.django_db
def test_a_small_report_is_still_rendered_in_the_request(client, demo, monkeypatch):
    calls = []
    real = services.report_pdf

    def counted(report):
        calls.append(report.date)
        return real(report)

    monkeypatch.setattr(services, "report_pdf", counted)
    prepare(demo, pdf=PREPARED)  # even with one prepared, a small report is laid out anew
    signed_in(client)
    response = client.post(
        issue_url(),
        {**date_parts("meeting_date", "2004-06-24"), "fingerprint": page_fingerprint(client)},
    )
    assert response.status_code == 302
    assert calls == [MEETING]
    issued = IssuedReport.objects.get()
    assert bytes(issued.pdf) != PREPARED
    assert "24 June 2004" in pdf_text(bytes(issued.pdf))


# Preparing the PDF for a meeting: facilitators only, with the page's CSRF token.


@pytest.mark.django_db
def test_preparing_queues_the_pdf_of_the_report_as_issued_to_the_meeting(client, large):
    signed_in(client)
    response = client.post(
        issue_url(),
        {
            **date_parts("meeting_date", "2004-06-24"),
            "fingerprint": page_fingerprint(client),
            "prepare": "1",
        },
    )
    render = ReportRender.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("report:render", args=[DEMO, render.pk])
    assert render.state == RenderState.QUEUED
    assert render.report_date == MEETING
    assert render.requested_by.username == "facilitator"
    assert render.fingerprint == report_render_fingerprint(
        board_report(programme=large, on=MEETING, issued=True)
    )
    task = DBTaskResult.objects.get()
    assert task.args_kwargs == {"args": [str(render.pk), "2004-06-24"], "kwargs": {}}
    # Asking again while it is on its way gives the same one; the issue page links to it.
    client.post(
        issue_url(),
        {
            **date_parts("meeting_date", "2004-06-24"),
            "fingerprint": page_fingerprint(client),
            "prepare": "1",
        },
    )
    assert ReportRender.objects.count() == 1
    html = unescape(client.get(issue_url()).content.decode())
    assert "A PDF for the meeting on 24 June 2004 is being prepared" in html
    assert reverse("report:render", args=[DEMO, render.pk]) in html


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["chief-executive", "partner-officer"])
def test_only_facilitators_may_prepare_or_issue(client, large, username):
    prepare(large)
    fingerprint = report_fingerprint(board_report(programme=large))
    signed_in(client, username)
    for extra in ({}, {"prepare": "1"}):
        response = client.post(
            issue_url(),
            {**date_parts("meeting_date", "2004-06-24"), "fingerprint": fingerprint, **extra},
        )
        assert response.status_code == 403
    assert not IssuedReport.objects.exists()
    assert ReportRender.objects.count() == 1


@pytest.mark.django_db
def test_preparing_and_issuing_need_the_pages_csrf_token(large):
    prepare(large)
    client = signed_in(Client(enforce_csrf_checks=True))
    fingerprint = report_fingerprint(board_report(programme=large))
    data = {**date_parts("meeting_date", "2004-07-01"), "fingerprint": fingerprint}
    assert client.post(issue_url(), {**data, "prepare": "1"}).status_code == 403
    assert (
        client.post(issue_url(), {**data, **date_parts("meeting_date", "2004-06-24")}).status_code
        == 403
    )
    assert ReportRender.objects.count() == 1
    assert not IssuedReport.objects.exists()


# The real worker, from the button to the archive.


@pytest.mark.django_db(transaction=True)
def test_the_worker_prepares_the_pdf_dated_the_meeting_and_it_is_issued_as_made(
    client, large, monkeypatch
):
    signed_in(client)
    fingerprint = page_fingerprint(client)
    client.post(
        issue_url(),
        {**date_parts("meeting_date", "2004-06-24"), "fingerprint": fingerprint, "prepare": "1"},
    )
    run_worker()
    render = ReportRender.objects.get()
    assert render.state == RenderState.READY
    assert render.report_date == MEETING
    made = bytes(render.pdf)
    text = pdf_text(made)
    assert "Norfolk Connect Medium Term Workload — 24 June 2004 Page 1 of" in text
    assert "Draft" not in text
    # Issued from those bytes, with nothing laid out in the request.
    monkeypatch.setattr(services, "report_pdf", lambda *a, **k: pytest.fail("laid out"))
    response = client.post(
        issue_url(), {**date_parts("meeting_date", "2004-06-24"), "fingerprint": fingerprint}
    )
    assert response.status_code == 302
    issued = IssuedReport.objects.get()
    assert bytes(issued.pdf) == made
    assert issued.pdf_sha256 == render.pdf_sha256 == sha256_hex(made)


# The render page of a PDF prepared for a meeting leads back to issuing it.


@pytest.mark.django_db
def test_a_pdf_prepared_for_a_meeting_downloads_under_its_meeting_date_not_as_a_draft(
    client, large
):
    render = prepare(large)
    signed_in(client)

    download = client.get(reverse("report:render_pdf", args=[DEMO, render.pk]))
    page = unescape(client.get(reverse("report:render", args=[DEMO, render.pk])).content.decode())

    assert render.for_meeting
    assert download["Content-Disposition"] == (
        'attachment; filename="norfolk-connect-2004-board-report-2004-06-24.pdf"'
    )
    assert "as it will be issued to the meeting on 24 June 2004" in page
    assert page.count(f'href="{issue_url()}"') == 2  # "issue the report" and "Back to issuing"


@pytest.mark.django_db
def test_a_failed_pdf_for_a_meeting_is_prepared_again_from_the_issue_page(client, large):
    report = board_report(programme=large, on=MEETING, issued=True)
    render, _ = report_render_request(
        programme=large,
        fingerprint=report_render_fingerprint(report),
        user=None,
        meeting_date=MEETING,
    )
    ReportRender.objects.filter(pk=render.pk).update(
        state=RenderState.FAILED, error="The worker stopped.", finished=timezone.now()
    )
    signed_in(client)

    page = client.get(reverse("report:render", args=[DEMO, render.pk])).content.decode()

    assert 'id="render-retry"' in page
    assert f'action="{reverse("report:renders", args=[DEMO])}"' not in page


@pytest.mark.django_db
def test_a_draft_pdf_downloads_as_a_draft(client, large):
    report = board_report(programme=large)
    fingerprint = report_render_fingerprint(report)
    render, _ = report_render_request(programme=large, fingerprint=fingerprint, user=None)
    report_render_finish(render=render, pdf=PREPARED, fingerprint=fingerprint, report_date=MEETING)
    signed_in(client)

    download = client.get(reverse("report:render_pdf", args=[DEMO, render.pk]))

    assert not render.for_meeting
    assert download["Content-Disposition"] == (
        'attachment; filename="norfolk-connect-2004-board-report-draft-2004-06-24.pdf"'
    )

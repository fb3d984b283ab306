"""Large board reports are made into PDFs by the background worker; small ones stay immediate.

The worker is the real one: the task is queued in the database (django-tasks' database
backend, as in production) and run by `manage.py db_worker --batch`, which runs what is queued
and stops. Tests that run it use a transactional database, as the worker commits as it goes.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from projects.models import Programme, Project, ReportText
from reports import tasks
from reports.models import RenderState, ReportRender, sha256_hex
from reports.renders import report_render_finish
from reports.report import pdf
from reports.report.selectors import board_report
from reports.selectors import report_render_fingerprint
from reports.services import report_render_request
from tests.projects.factories import MembershipFactory, ProgrammeFactory

DEMO = "norfolk-connect-2004"
DEMO_PROJECTS = 10
PASSWORD = "demo-password-123"
TODAY = date(2004, 6, 24)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo(monkeypatch) -> Programme:
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", PASSWORD)
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.get(slug=DEMO)


@pytest.fixture
def large(settings, demo) -> Programme:
    """The demo programme, its ten projects now over the size for background PDFs."""
    settings.REPORT_BACKGROUND_PROJECTS = DEMO_PROJECTS - 1
    return demo


def signed_in(client, username: str = "chief-executive"):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def run_worker() -> None:
    """Run the database worker over everything queued, then stop, as `db_worker --batch`."""
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command(
            "db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0
        )
    finally:  # the worker takes over the signals to stop gracefully; give them back
        for number, handler in handlers.items():
            signal.signal(number, handler)


def request_render(client, programme: Programme) -> ReportRender:
    response = client.post(reverse("report:renders", args=[programme.slug]))
    assert response.status_code == 302
    render = ReportRender.objects.get(programme=programme, pk=response.url.split("/")[-2])
    assert response.url == reverse("report:render", args=[programme.slug, render.pk])
    return render


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


# The size decides: immediate up to the threshold, in the background above it.


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("threshold", "background"),
    [(60, False), (DEMO_PROJECTS, False), (DEMO_PROJECTS - 1, True), (0, True)],
)
def test_the_number_of_projects_decides_immediate_or_background(
    client, settings, demo, threshold, background
):
    settings.REPORT_BACKGROUND_PROJECTS = threshold
    signed_in(client)
    pdf = client.get(reverse("report:report_pdf", args=[DEMO]))
    page = client.get(reverse("report:report", args=[DEMO])).content.decode()
    if background:
        assert pdf.status_code == 302
        assert pdf.url == reverse("report:renders", args=[DEMO])
        assert 'action="/programmes/norfolk-connect-2004/report/renders/"' in page
        assert "Prepare the report as a PDF" in page
        assert "is prepared in the background, because laying out that many pages" in page
        assert f"more than {threshold} projects" in page
    else:
        assert pdf.status_code == 200
        assert pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
        assert "Download the report as a PDF" in page
        assert "/report/renders/" not in page
    assert not ReportRender.objects.exists()  # asking for the PDF queues nothing by itself


def test_the_threshold_comes_from_the_environment():
    code = "from norfolk_connect.settings import base; print(base.REPORT_BACKGROUND_PROJECTS)"
    for environment, expected in (
        ({}, "60"),
        ({"DJANGO_REPORT_BACKGROUND_PROJECTS": "250"}, "250"),
    ):
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_REPORT_BACKGROUND_PROJECTS"}
        result = subprocess.run(
            [sys.executable, "-c", code],
            env={**env, **environment},
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        assert result.stdout.strip() == expected


@pytest.mark.django_db
def test_asking_for_a_large_report_queues_one_task_on_the_database_queue(client, large):
    page = signed_in(client).get(reverse("report:renders", args=[DEMO]))
    assert page.status_code == 200
    assert "Prepare the report as a PDF" in page.content.decode()
    render = request_render(client, large)
    assert render.state == RenderState.QUEUED
    assert render.percent == 0
    assert render.requested_by.username == "chief-executive"
    report = board_report(programme=large)
    assert render.fingerprint == report_render_fingerprint(report)
    task = DBTaskResult.objects.get()
    assert str(task.id) == render.task_id
    assert task.task_path == "reports.tasks.render_board_report"
    assert task.args_kwargs == {"args": [str(render.pk)], "kwargs": {}}
    assert task.status == "READY"
    page = client.get(reverse("report:render", args=[DEMO, render.pk])).content.decode()
    assert "The PDF is being prepared" in page
    assert "Waiting for the worker to start: 0% done" in page
    assert 'role="status"' in page
    assert 'hx-trigger="every 2s"' in page
    assert f'href="/programmes/{DEMO}/report/renders/{render.pk}/"' in page  # Refresh, no JS
    # Not ready yet: the download sends the member back to the progress.
    download = client.get(reverse("report:render_pdf", args=[DEMO, render.pk]))
    assert download.status_code == 302
    assert download.url == reverse("report:render", args=[DEMO, render.pk])


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["facilitator", "chief-executive", "partner-officer", "admin"])
def test_any_member_may_ask_for_the_pdf(client, large, username):
    render = request_render(signed_in(client, username), large)
    assert render.requested_by.username == username


@pytest.mark.django_db
def test_asking_needs_the_pages_csrf_token(large):
    client = Client(enforce_csrf_checks=True)
    signed_in(client)
    url = reverse("report:renders", args=[DEMO])
    refused = client.post(url)
    assert refused.status_code == 403
    assert not ReportRender.objects.exists()
    assert not DBTaskResult.objects.exists()
    page = client.get(reverse("report:report", args=[DEMO])).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert client.post(url, {"csrfmiddlewaretoken": token}).status_code == 302
    assert ReportRender.objects.count() == 1


# Who may see a render.


@pytest.mark.django_db
def test_the_render_pages_need_a_sign_in(client, large):
    render, _ = report_render_request(programme=large, fingerprint="a" * 64, user=None)
    for url in (
        reverse("report:renders", args=[DEMO]),
        reverse("report:render", args=[DEMO, render.pk]),
        reverse("report:render_pdf", args=[DEMO, render.pk]),
    ):
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("login")), url
    assert ReportRender.objects.count() == 1


@pytest.mark.django_db
def test_another_partnerships_renders_answer_404(client, large):
    ours, _ = report_render_request(programme=large, fingerprint="a" * 64, user=None)
    report_render_finish(render=ours, pdf=b"%PDF-1.7 ours", fingerprint="a" * 64, report_date=TODAY)
    other = ProgrammeFactory()
    theirs, _ = report_render_request(programme=other, fingerprint="b" * 64, user=None)
    report_render_finish(render=theirs, pdf=b"%PDF theirs", fingerprint="b" * 64, report_date=TODAY)
    outsider = MembershipFactory(partnership=other.partnership).user
    # Someone of another partnership cannot reach our renders, whatever the URL.
    client.force_login(outsider)
    for name in ("report:render", "report:render_pdf"):
        assert client.get(reverse(name, args=[DEMO, ours.pk])).status_code == 404
        assert client.get(reverse(name, args=[other.slug, ours.pk])).status_code == 404
        assert client.get(reverse(name, args=[other.slug, theirs.pk])).status_code == 200
    assert client.post(reverse("report:renders", args=[DEMO])).status_code == 404
    # Nor can we reach theirs, even under our own programme's address.
    signed_in(client, "facilitator")
    for name in ("report:render", "report:render_pdf"):
        assert client.get(reverse(name, args=[DEMO, theirs.pk])).status_code == 404
        assert client.get(reverse(name, args=[other.slug, theirs.pk])).status_code == 404
    # A render of another programme of our own partnership is not this programme's either.
    sibling = ProgrammeFactory(partnership=large.partnership)
    theirs_too, _ = report_render_request(programme=sibling, fingerprint="c" * 64, user=None)
    assert client.get(reverse("report:render", args=[DEMO, theirs_too.pk])).status_code == 404
    assert (
        client.get(reverse("report:render", args=[sibling.slug, theirs_too.pk])).status_code == 200
    )


# The worker makes the PDF, by the same code as the immediate one.


@pytest.mark.django_db(transaction=True)
def test_the_worker_makes_the_pdf_and_the_member_downloads_it(client, large):
    # A report with no title of its own is titled with the programme's name.
    Programme.objects.filter(pk=large.pk).update(name="Broadland Digital Works 2026")
    ReportText.objects.filter(programme=large).update(title="")
    signed_in(client)
    render = request_render(client, large)
    run_worker()
    render.refresh_from_db()
    assert render.state == RenderState.READY
    assert (render.stage, render.percent) == ("Ready", 100)
    assert render.started is not None and render.finished >= render.started
    assert render.error == ""
    assert render.report_date == timezone.localdate()
    pdf = bytes(render.pdf)
    assert pdf.startswith(b"%PDF")
    assert render.pdf_sha256 == sha256_hex(pdf)
    text = pdf_text(pdf)
    assert "Broadland Digital Works 2026" in text
    assert "1. Background/Introduction" in text
    assert "Partnership Support" in text  # the last project of the table
    task = DBTaskResult.objects.get(pk=render.task_id)
    assert task.status == "SUCCESSFUL"
    assert task.return_value == render.pdf_sha256
    # The page now offers the download, and stops asking for progress.
    page = client.get(reverse("report:render", args=[DEMO, render.pk])).content.decode()
    assert "The PDF is ready" in page
    assert "hx-trigger" not in page
    download = client.get(reverse("report:render_pdf", args=[DEMO, render.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == (
        f'attachment; filename="{DEMO}-board-report-draft-{timezone.localdate():%Y-%m-%d}.pdf"'
    )
    assert download["Cache-Control"] == "private, no-store"
    assert download.content == pdf


@pytest.mark.django_db(transaction=True)
def test_the_worker_records_each_step(monkeypatch, large):
    render, _ = report_render_request(
        programme=large, fingerprint=report_render_fingerprint(board_report(programme=large)),
        user=None,
    )  # fmt: skip
    seen = []
    real = tasks.report_render_progress

    def progress(*, render, stage, percent):
        real(render=render, stage=stage, percent=percent)
        stored = ReportRender.objects.get(pk=render.pk)  # committed: another request sees it
        seen.append((stored.state, stored.stage, stored.percent))

    monkeypatch.setattr(tasks, "report_render_progress", progress)
    run_worker()
    assert seen == [
        ("running", "Reading the programme's data", 2),
        ("running", "Working out the report's figures", 4),
        ("running", "Laying out the pages", 5),
        ("running", "Writing the PDF", 70),
    ]
    assert ReportRender.objects.get(pk=render.pk).state == RenderState.READY


@pytest.mark.django_db(transaction=True)
def test_a_render_that_fails_is_marked_failed_with_the_reason(client, monkeypatch, large):
    def broken_layout(html, **kwargs):
        raise RuntimeError("no fonts could be loaded")

    # Laid out in a forked child, which inherits the broken layout.
    monkeypatch.setattr(pdf, "layout_pdf", broken_layout)
    signed_in(client)
    render = request_render(client, large)
    run_worker()  # the worker carries on: the error is the task's, not the worker's
    render.refresh_from_db()
    assert render.state == RenderState.FAILED
    assert render.finished is not None
    assert render.stage == "Laying out the pages"
    assert "“Laying out the pages” failed" in render.error
    assert "RuntimeError: no fonts could be loaded" in render.error
    assert render.pdf_sha256 == ""
    task = DBTaskResult.objects.get(pk=render.task_id)
    assert task.status == "FAILED"
    assert task.exception_class_path == "reports.report.pdf.PdfFailedError"
    page = client.get(reverse("report:render", args=[DEMO, render.pk])).content.decode()
    assert "The PDF could not be made" in page
    assert "no fonts could be loaded" in page
    assert "Try again" in page
    assert "hx-trigger" not in page
    assert client.get(reverse("report:render_pdf", args=[DEMO, render.pk])).status_code == 302
    # Trying again queues a new render (a failed one is never handed out again), which works.
    monkeypatch.undo()
    again = request_render(client, large)
    assert again.pk != render.pk
    run_worker()
    again.refresh_from_db()
    assert again.state == RenderState.READY


@pytest.mark.django_db(transaction=True)
def test_a_render_removed_before_the_worker_reaches_it_is_skipped(large):
    render, _ = report_render_request(programme=large, fingerprint="a" * 64, user=None)
    ReportRender.objects.filter(pk=render.pk).delete()
    run_worker()
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


# A PDF of the report as it stands is made once.


@pytest.mark.django_db
def test_an_unchanged_report_reuses_its_ready_pdf(client, large):
    signed_in(client)
    first = request_render(client, large)
    # Asked again while it waits: the same render, not a second task.
    assert request_render(client, large).pk == first.pk
    assert DBTaskResult.objects.count() == 1
    report = board_report(programme=large)
    report_render_finish(
        render=first,
        pdf=b"%PDF-1.7 made",
        fingerprint=report_render_fingerprint(report),
        report_date=report.date,
    )
    # Ready, and the report unchanged: the same PDF, from the button and from report.pdf.
    response = client.post(reverse("report:renders", args=[DEMO]), follow=True)
    assert response.redirect_chain[0][0] == reverse("report:render", args=[DEMO, first.pk])
    assert "The report has not changed since this PDF was made" in response.content.decode()
    pdf = client.get(reverse("report:report_pdf", args=[DEMO]))
    assert pdf.status_code == 302
    assert pdf.url == reverse("report:render_pdf", args=[DEMO, first.pk])
    assert client.get(pdf.url).content == b"%PDF-1.7 made"
    page = client.get(reverse("report:renders", args=[DEMO])).content.decode()
    assert reverse("report:render_pdf", args=[DEMO, first.pk]) in page
    assert ReportRender.objects.count() == 1
    assert DBTaskResult.objects.count() == 1
    # A changed project changes the report: a new PDF is queued.
    Project.objects.filter(programme=large, slug="portal").update(name="Portal (renamed)")
    second = request_render(client, large)
    assert second.pk != first.pk
    assert second.state == RenderState.QUEUED
    assert DBTaskResult.objects.count() == 2
    assert client.get(reverse("report:report_pdf", args=[DEMO])).url == reverse(
        "report:renders", args=[DEMO]
    )


@pytest.mark.django_db
def test_a_render_left_waiting_too_long_is_not_handed_out_again(client, large):
    signed_in(client)
    lost = request_render(client, large)
    ReportRender.objects.filter(pk=lost.pk).update(
        state=RenderState.RUNNING, created=timezone.now() - timedelta(hours=1)
    )
    assert request_render(client, large).pk != lost.pk


@pytest.mark.django_db
def test_a_stored_pdf_that_no_longer_matches_its_hash_is_not_served(client, large):
    render, _ = report_render_request(programme=large, fingerprint="a" * 64, user=None)
    report_render_finish(
        render=render, pdf=b"%PDF-1.7 made", fingerprint="a" * 64, report_date=TODAY
    )
    ReportRender.objects.filter(pk=render.pk).update(pdf=b"%PDF-1.7 altered")
    response = signed_in(client).get(reverse("report:render_pdf", args=[DEMO, render.pk]))
    assert response.status_code == 500
    assert b"%PDF" not in response.content


# The progress as htmx asks for it.


@pytest.mark.django_db
def test_htmx_gets_the_progress_only_when_it_has_moved(client, large):
    signed_in(client)
    render = request_render(client, large)
    url = reverse("report:render", args=[DEMO, render.pk])
    htmx = {"HTTP_HX_REQUEST": "true"}
    fragment = client.get(url, **htmx)
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert "<html" not in body
    assert f'hx-get="{url}?seen=queued-0"' in body
    assert 'hx-trigger="every 2s"' in body
    assert 'hx-swap="outerHTML"' in body
    # Nothing new: an empty answer, so nothing is swapped or read out again.
    assert client.get(url, {"seen": "queued-0"}, **htmx).status_code == 204
    tasks.report_render_progress(render=render, stage="Laying out the pages", percent=30)
    moved = client.get(url, {"seen": "queued-0"}, **htmx).content.decode()
    assert "Laying out the pages: 30% done" in moved
    assert 'value="30"' in moved
    assert "?seen=running-30" in moved
    report_render_finish(render=render, pdf=b"%PDF-1.7", fingerprint="a" * 64, report_date=TODAY)
    done = client.get(url, {"seen": "running-30"}, **htmx)
    assert done.status_code == 200
    assert "The PDF is ready" in done.content.decode()
    assert "hx-get" not in done.content.decode()  # the finished fragment stops asking


@pytest.mark.django_db
def test_draft_pdfs_are_kept_a_week(client, large):
    old, _ = report_render_request(programme=large, fingerprint="a" * 64, user=None)
    report_render_finish(render=old, pdf=b"%PDF old", fingerprint="a" * 64, report_date=TODAY)
    recent, _ = report_render_request(programme=large, fingerprint="b" * 64, user=None)
    report_render_finish(render=recent, pdf=b"%PDF new", fingerprint="b" * 64, report_date=TODAY)
    ReportRender.objects.filter(pk=old.pk).update(finished=timezone.now() - timedelta(days=8))
    ReportRender.objects.filter(pk=recent.pk).update(finished=timezone.now() - timedelta(days=6))
    request_render(signed_in(client), large)
    assert not ReportRender.objects.filter(pk=old.pk).exists()
    assert ReportRender.objects.filter(pk=recent.pk).exists()


@pytest.mark.django_db
def test_the_render_page_is_in_the_board_report_section(client, large):
    render = request_render(signed_in(client), large)

    page = client.get(reverse("report:render", args=[large.slug, render.pk])).content.decode()

    assert (
        'aria-current="page"> <strong class="govuk-service-navigation__active-fallback">'
        "Board report</strong>" in " ".join(page.split())
    )


@pytest.mark.django_db
def test_the_admin_lists_renders_without_letting_them_be_changed(client, large):
    render = request_render(signed_in(client), large)
    admin = get_user_model().objects.create_superuser("root", password=PASSWORD)
    client.force_login(admin)

    listing = client.get(reverse("admin:reports_reportrender_changelist"))
    change = client.post(
        reverse("admin:reports_reportrender_change", args=[render.pk]), {"stage": "tampered"}
    )

    assert listing.status_code == 200
    assert str(render.programme) in listing.content.decode()
    assert change.status_code == 403
    render.refresh_from_db()
    assert render.stage != "tampered"

"""Every PDF is laid out within a time budget, and fails with a message beyond it, never a 500.

The layout runs in a forked child that the parent kills when the budget runs out; a document
nested too deeply for WeasyPrint (a RecursionError) fails the same clean way. In the request
the member gets a page with status 503 offering to try again or to use the worker; in the
worker the render fails with the message and "Try again".
"""

from __future__ import annotations

import os
import signal
import time
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from projects.models import Programme
from reports.models import IssuedReport, RenderState, ReportRender, StatementRender
from reports.report import pdf
from reports.report.pdf import TOO_DEEP, PdfFailedError, render_pdf_within
from reports.report.selectors import board_report, statement_for
from reports.report.statements import statement_fingerprint
from reports.selectors import report_render_fingerprint
from reports.services import report_render_request, statement_render_request
from tests.dates import date_parts

DEMO = "norfolk-connect-2004"
SMALL = '<html lang="en-GB"><title>Small</title><p>A small document.</p></html>'
NESTED = '<html lang="en-GB"><title>Deep</title>' + "<div>" * 1000 + "x" + "</div>" * 1000
TINY = 0.001  # seconds: no PDF is laid out this fast
BACKSTOP = 30  # seconds: a stopped render never waits for the document to finish


@pytest.fixture
def demo(monkeypatch) -> Programme:
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.get(slug=DEMO)


def signed_in(client, username: str = "facilitator"):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def run_worker() -> None:
    """Run the database worker over everything queued, then stop, as `db_worker --batch`."""
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command(
            "db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0
        )
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


_forked: list[int] = []


@pytest.fixture(autouse=True)
def _record_forks(monkeypatch):
    """Note each child the renderer forks, so that only those are checked, not the worker's."""
    _forked.clear()
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            _forked.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)


def no_children_left() -> bool:
    """Return whether every child the renderer forked in this test has been reaped."""
    assert _forked, "the renderer forked no child"
    for pid in _forked:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            continue  # reaped already, as it should be
        return False  # still running, or a zombie nobody waited for
    return True


# The renderer in its child process.


def test_a_pdf_made_in_the_child_comes_back_whole_and_says_when_laid_out():
    steps = []
    content = render_pdf_within(SMALL, seconds=60, on_laid_out=lambda: steps.append("laid out"))
    assert content.startswith(b"%PDF") and content.rstrip().endswith(b"%%EOF")
    assert steps == ["laid out"]
    assert no_children_left()


def test_a_render_over_its_budget_is_stopped_with_a_message():
    started = time.monotonic()
    with pytest.raises(PdfFailedError) as failed:
        render_pdf_within(SMALL, seconds=TINY)
    assert failed.value.kind == "timeout"
    assert str(failed.value).startswith("The PDF took too long to make (more than 0.001 seconds)")
    assert "Try again, or ask for it to be prepared in the background" in str(failed.value)
    assert time.monotonic() - started < BACKSTOP
    assert no_children_left()  # killed and reaped, not left running


def test_a_document_nested_too_deeply_fails_cleanly():
    with pytest.raises(PdfFailedError) as failed:
        render_pdf_within(NESTED, seconds=60)
    assert failed.value.kind == "nesting"
    assert str(failed.value) == TOO_DEEP
    assert no_children_left()


def test_a_child_that_dies_fails_cleanly(monkeypatch):
    monkeypatch.setattr(pdf, "layout_pdf", lambda html, **kwargs: os.kill(os.getpid(), 9))
    with pytest.raises(PdfFailedError) as failed:
        render_pdf_within(SMALL, seconds=60)
    assert failed.value.kind == "stopped"
    assert "stopped unexpectedly (signal 9)" in str(failed.value)


def test_an_error_in_the_child_names_its_class_and_message(monkeypatch):
    def broken(html, **kwargs):
        raise OSError("no fonts could be loaded")

    monkeypatch.setattr(pdf, "layout_pdf", broken)
    with pytest.raises(PdfFailedError) as failed:
        render_pdf_within(SMALL, seconds=60)
    assert (failed.value.kind, failed.value.detail) == ("OSError", "no fonts could be loaded")
    assert "(OSError: no fonts could be loaded)" in str(failed.value)


# In the request: a page with the message, never a 500 or a worker timeout.


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "partner", "background"),
    [
        ("report:report_pdf", None, "/programmes/norfolk-connect-2004/report/renders/"),
        (
            "report:statement_pdf",
            "broadland",
            "/programmes/norfolk-connect-2004/partners/broadland/statement/renders/",
        ),
    ],
)
def test_a_pdf_over_the_request_budget_answers_503_with_the_way_on(
    client, settings, demo, name, partner, background
):
    settings.PDF_REQUEST_SECONDS = TINY
    url = reverse(name, args=[DEMO, partner] if partner else [DEMO])
    started = time.monotonic()
    response = signed_in(client, "partner-officer").get(url)
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "The PDF took too long to make</h1>" in page
    assert "The PDF took too long to make (more than 0.001 seconds), so it was stopped." in page
    assert f'href="{url}">try again</a>' in page
    assert f'action="{background}"' in page
    assert "Prepare the PDF in the background" in page
    assert "%PDF" not in page
    assert time.monotonic() - started < BACKSTOP
    assert no_children_left()
    # The way on works: the worker is asked for it.
    queued = client.post(background)
    assert queued.status_code == 302
    assert ReportRender.objects.count() + StatementRender.objects.count() == 1


@pytest.mark.django_db
def test_a_report_nested_too_deeply_answers_503_in_the_request(client, monkeypatch, demo):
    monkeypatch.setattr(pdf, "report_html", lambda report: NESTED)
    response = signed_in(client).get(reverse("report:report_pdf", args=[DEMO]))
    assert response.status_code == 503
    assert "The PDF could not be made</h1>" in response.content.decode()
    assert "nested too deeply to lay out" in response.content.decode()


@pytest.mark.django_db
def test_issuing_a_report_over_the_budget_is_refused_and_issues_nothing(client, settings, demo):
    signed_in(client)
    page = client.get(reverse("report:report_issue", args=[DEMO])).content.decode()
    fingerprint = page.split('name="fingerprint" value="')[1].split('"')[0]
    settings.PDF_REQUEST_SECONDS = TINY
    response = client.post(
        reverse("report:report_issue", args=[DEMO]),
        {**date_parts("meeting_date", "2004-06-24"), "fingerprint": fingerprint},
    )
    assert response.status_code == 409
    assert "The PDF took too long to make" in response.content.decode()
    assert not IssuedReport.objects.exists()


# In the worker: the render fails with the message, and the member may try again.


@pytest.mark.django_db(transaction=True)
def test_a_report_over_the_worker_budget_fails_with_the_message(client, settings, demo):
    settings.PDF_WORKER_SECONDS = TINY
    render, _ = report_render_request(
        programme=demo,
        fingerprint=report_render_fingerprint(board_report(programme=demo)),
        user=None,
    )
    started = time.monotonic()
    run_worker()
    assert time.monotonic() - started < BACKSTOP
    render.refresh_from_db()
    assert render.state == RenderState.FAILED
    assert render.stage == "Laying out the pages"
    assert render.error.startswith("The PDF took too long to make (more than 0.001 seconds)")
    assert DBTaskResult.objects.get(pk=render.task_id).status == "FAILED"
    page = signed_in(client).get(reverse("report:render", args=[DEMO, render.pk]))
    assert page.status_code == 200
    assert "The PDF took too long to make" in page.content.decode()
    assert "Try again</button>" in page.content.decode()
    assert no_children_left()


@pytest.mark.django_db(transaction=True)
def test_a_statement_over_the_worker_budget_fails_with_the_message(client, settings, demo):
    settings.PDF_WORKER_SECONDS = TINY
    partner = demo.partnership.partners.get(slug="broadland")
    render, _ = statement_render_request(
        programme=demo,
        partner=partner,
        fingerprint=statement_fingerprint(statement_for(programme=demo, partner=partner)),
        user=None,
    )
    run_worker()
    render.refresh_from_db()
    assert render.state == RenderState.FAILED
    assert render.error.startswith("The PDF took too long to make")
    url = reverse("report:statement_render", args=[DEMO, "broadland", render.pk])
    page = signed_in(client, "partner-officer").get(url).content.decode()
    assert "The PDF took too long to make" in page
    assert "Try again</button>" in page
    assert 'action="/programmes/norfolk-connect-2004/partners/broadland/statement/renders/"' in page


@pytest.mark.django_db(transaction=True)
def test_a_report_nested_too_deeply_fails_in_the_worker_with_the_message(monkeypatch, demo):
    monkeypatch.setattr("reports.tasks.report_html", lambda report: NESTED)
    render, _ = report_render_request(programme=demo, fingerprint="a" * 64, user=None)
    run_worker()
    render.refresh_from_db()
    assert render.state == RenderState.FAILED
    assert render.error == TOO_DEEP

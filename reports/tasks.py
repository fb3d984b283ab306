"""Background tasks (django-tasks, queued in the database and run by `manage.py db_worker`).

A large board report is made into a PDF here rather than in the request: by the same code as
the PDF served at once (``board_report`` then ``report_pdf``, split into its steps so that the
member can follow them), its progress recorded on the ``ReportRender`` as it goes. A large
partner's statement likewise, on a ``StatementRender``. Each PDF is laid out within the
worker's time budget (``PDF_WORKER_SECONDS``) and fails with a message saying so beyond it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from projects.selectors import programme_document

from .models import PdfRender
from .renders import report_render_fail, report_render_finish, report_render_progress
from .report.content import board_report_from_document
from .report.pdf import PdfFailedError, render_pdf_within, report_html, statement_html
from .report.selectors import report_text_for, statement_for
from .report.statements import statement_fingerprint
from .selectors import report_render_fingerprint, report_render_to_run, statement_render_to_run

logger = logging.getLogger(__name__)

# The steps of a render, each with how far along it starts (percent), from their share of the
# time at 200 and 600 projects: reading and working out take about 2%, laying out the pages
# about 68%, writing the PDF the last 30%.
READING = ("Reading the programme's data", 2)
BUILDING = ("Working out the report's figures", 4)
LAYING_OUT = ("Laying out the pages", 5)
WRITING = ("Writing the PDF", 70)


@dataclass
class Made:
    """What a render's document came to before its pages are laid out."""

    html: str
    fingerprint: str
    report_date: date


class Steps:
    """The render's progress as a document is made, and the last step reached."""

    def __init__(self, render: PdfRender) -> None:
        self.render = render
        self.stage = READING[0]

    def reach(self, step: tuple[str, int]) -> None:
        self.stage = step[0]
        report_render_progress(render=self.render, stage=step[0], percent=step[1])


def run_render(render: PdfRender, what: str, build: Callable[[Steps], Made]) -> str | None:
    """Make the render's PDF from what ``build`` gives; record its steps, its end or its failure.

    Whatever goes wrong, the render is marked failed with a message saying where, never left
    running; the error is raised again so that the queue records it too.
    """
    steps = Steps(render)
    try:
        steps.reach(READING)
        made = build(steps)
        steps.stage = LAYING_OUT[0]
        pdf = make_pdf(render, made.html)
    except BaseException as error:  # a stopped worker too: the render must not stay running
        stage = render.stage if render.started else steps.stage  # the last step reached
        logger.exception("%s %s failed while %s", what, render.pk, stage.lower())
        report_render_fail(render=render, error=failure_message(stage, error))
        raise
    report_render_finish(
        render=render, pdf=pdf, fingerprint=made.fingerprint, report_date=made.report_date
    )
    return render.pdf_sha256


@task()
def render_board_report(render_id: str, meeting_date: str | None = None) -> str | None:
    """Make the board report of the render's programme into a PDF; return its SHA-256.

    A draft is dated today; with ``meeting_date`` (ISO), it is the report as issued to that
    meeting, dated it, for ``reports.services.report_issue`` to take.
    """
    render = report_render_to_run(pk=render_id)
    if render is None or render.done:
        return None  # removed with its programme, or already run

    def build(steps: Steps) -> Made:
        paper = render.paper or report_text_for(programme=render.programme)
        document = programme_document(programme=render.programme, include_report=True, paper=paper)
        steps.reach(BUILDING)
        issued = meeting_date is not None
        on = date.fromisoformat(meeting_date) if issued else timezone.localdate()
        report = board_report_from_document(document, on=on, issued=issued, template=paper.template)
        return Made(report_html(report), report_render_fingerprint(report), report.date)

    return run_render(render, "The board report's PDF", build)


@task()
def render_partner_statement(render_id: str) -> str | None:
    """Make the statement of the render's partner into a PDF, dated today; return its SHA-256."""
    render = statement_render_to_run(pk=render_id)
    if render is None or render.done:
        return None  # removed with its programme or partner, or already run

    def build(steps: Steps) -> Made:
        statement = statement_for(programme=render.programme, partner=render.partner)
        return Made(statement_html(statement), statement_fingerprint(statement), statement.date)

    return run_render(render, "The statement's PDF", build)


def make_pdf(render: PdfRender, html: str) -> bytes:
    """Return the HTML as a PDF, within the worker's budget, recording its steps on the render."""
    report_render_progress(render=render, stage=LAYING_OUT[0], percent=LAYING_OUT[1])
    return render_pdf_within(
        html,
        seconds=settings.PDF_WORKER_SECONDS,
        on_laid_out=lambda: report_render_progress(
            render=render, stage=WRITING[0], percent=WRITING[1]
        ),
    )


def failure_message(stage: str, error: BaseException) -> str:
    """Return what the member is told when a render fails: the step, and the error's gist."""
    if isinstance(error, PdfFailedError) and error.worded:
        return str(error)
    if isinstance(error, PdfFailedError):  # an error in the child: its class and message
        name, detail = error.kind, error.detail
    else:
        name = type(error).__name__
        detail = str(error).strip().splitlines()[0][:300] if str(error).strip() else ""
    return (
        f"The PDF could not be made: the step “{stage}” failed"
        + (f" ({name}: {detail})." if detail else f" ({name}).")
        + " Try again; if it fails again, tell the administrator."
    )

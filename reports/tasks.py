"""Background tasks (django-tasks, queued in the database and run by `manage.py db_worker`).

A large board report is made into a PDF here rather than in the request: by the same code as
the PDF served at once (``board_report`` then ``report_pdf``, split into its steps so that the
member can follow them), its progress recorded on the ``ReportRender`` as it goes.
"""

from __future__ import annotations

import logging
from datetime import date

from django.utils import timezone
from django_tasks import task

from projects.selectors import programme_document

from .report.content import board_report_from_document
from .report.pdf import layout_pdf, report_html, write_pdf
from .selectors import report_render_fingerprint, report_render_to_run
from .services import report_render_fail, report_render_finish, report_render_progress

logger = logging.getLogger(__name__)

# The steps of a render, each with how far along it starts (percent), from their share of the
# time at 200 and 600 projects: reading and working out take about 2%, laying out the pages
# about 68%, writing the PDF the last 30%.
READING = ("Reading the programme's data", 2)
BUILDING = ("Working out the report's figures", 4)
LAYING_OUT = ("Laying out the pages", 5)
WRITING = ("Writing the PDF", 70)


@task()
def render_board_report(render_id: str, meeting_date: str | None = None) -> str | None:
    """Make the board report of the render's programme into a PDF; return its SHA-256.

    A draft is dated today; with ``meeting_date`` (ISO), it is the report as issued to that
    meeting, dated it, for ``reports.services.report_issue`` to take. Whatever goes wrong, the
    render is marked failed with a message saying where, never left running; the error is
    raised again so that the queue records it too.
    """
    render = report_render_to_run(pk=render_id)
    if render is None or render.done:
        return None  # removed with its programme, or already run
    stage = READING[0]
    try:
        report_render_progress(render=render, stage=stage, percent=READING[1])
        document = programme_document(programme=render.programme, include_report=True)

        stage = BUILDING[0]
        report_render_progress(render=render, stage=stage, percent=BUILDING[1])
        issued = meeting_date is not None
        on = date.fromisoformat(meeting_date) if issued else timezone.localdate()
        report = board_report_from_document(document, on=on, issued=issued)
        html = report_html(report)

        stage = LAYING_OUT[0]
        report_render_progress(render=render, stage=stage, percent=LAYING_OUT[1])
        pages = layout_pdf(html)

        stage = WRITING[0]
        report_render_progress(render=render, stage=stage, percent=WRITING[1])
        pdf = write_pdf(pages)
    except BaseException as error:  # a stopped worker too: the render must not stay running
        logger.exception("The board report's PDF %s failed while %s", render_id, stage.lower())
        report_render_fail(render=render, error=failure_message(stage, error))
        raise
    report_render_finish(
        render=render,
        pdf=pdf,
        fingerprint=report_render_fingerprint(report),
        report_date=report.date,
    )
    return render.pdf_sha256


def failure_message(stage: str, error: BaseException) -> str:
    """Return what the member is told when a render fails: the step, and the error's gist."""
    detail = str(error).strip().splitlines()[0][:300] if str(error).strip() else ""
    return (
        f"The PDF could not be made: the step “{stage}” failed"
        + (f" ({type(error).__name__}: {detail})." if detail else f" ({type(error).__name__}).")
        + " Try again; if it fails again, tell the administrator."
    )

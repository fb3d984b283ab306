"""Writes of the board report: its text, and issuing it to a meeting. Each in one transaction."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from norfolk_connect.model_messages import full_clean_for_people
from projects.history import (
    Author,
    ConcurrentEditError,
    changes_since_version,
    claim_version,
    record_author,
)
from projects.models import Partner, Programme, ReportText
from projects.money.document import REPORT_TEXT_FIELDS, REPORT_WORDS
from projects.report_text import report_text_problems

from .models import IssuedReport, ReportRender, StatementRender, sha256_hex
from .report.changes import canonical_json, fingerprint, report_snapshot
from .report.content import BoardReport
from .report.pdf import report_pdf
from .report.selectors import board_report
from .selectors import (
    issue_render_with_pdf,
    report_render_fingerprint,
    report_renders_in_background,
    reusable_report_render,
    reusable_statement_render,
)
from .tasks import render_board_report, render_partner_statement

REPORT_TEXT = "The report's text"
WAITING = "Waiting for the worker to start"
RENDER_KEPT_FOR = timedelta(days=7)


class PdfNotPreparedError(Exception):
    """A large report's PDF for the meeting was not prepared beforehand; nothing was issued."""

    def __init__(self, meeting_date: date) -> None:
        super().__init__(
            "Prepare the PDF first: this report is too large to lay out while you wait, and "
            f"no PDF of it as it stands is ready for the meeting on {meeting_date.day} "
            f"{meeting_date:%B %Y}. "
            "Prepare the PDF for that meeting, check it when it is ready, then issue the report."
        )


class PreparedPdfDamagedError(Exception):
    """The prepared PDF no longer matches the hash taken when it was made; nothing was issued."""

    def __init__(self, render: ReportRender) -> None:
        self.render = render
        super().__init__(
            "The PDF prepared for this meeting no longer matches the fingerprint taken when it "
            "was made, so the report was not issued: prepare the PDF again, then issue it."
        )


class ReportChangedError(Exception):
    """The report changed after the facilitator looked it over; nothing was issued."""

    def __init__(self) -> None:
        super().__init__(
            "The programme's figures or the report's text changed since you opened this page, "
            "so the report was not issued: check the report again, then issue it."
        )


class ReportTextOutOfBoundsError(Exception):
    """The report's saved text is past the bounds a section may have; nothing was issued."""

    def __init__(self, sections: list[str]) -> None:
        self.sections = sections
        super().__init__(
            f"The report's text cannot be issued: {', '.join(sections)} "
            f"{'is' if len(sections) == 1 else 'are'} too long or too deeply nested to show. "
            "Edit the report's text, then issue it."
        )


def _verbose_name(name: str) -> str:
    field = ReportText._meta.get_field(name)
    assert isinstance(field, models.Field)  # the report's sections are fields of its own
    return str(field.verbose_name)


def _refuse_text_out_of_bounds(programme: Programme) -> None:
    """Refuse to issue a paper whose saved text would show as plain text or a note."""
    text = ReportText.objects.filter(programme=programme).first()
    if text is None:
        return
    sections = [
        _verbose_name(name)
        for name in REPORT_WORDS
        if report_text_problems(getattr(text, name) or "")
    ]
    if sections:
        raise ReportTextOutOfBoundsError(sections)


@transaction.atomic
def report_text_update(
    *, programme: Programme, data: dict, expected_version: int, user: Author
) -> ReportText:
    """Save the report's text, refusing a save made from an older version of it.

    ``expected_version`` is 0 when the programme had no text yet: the first save creates it.
    """
    text = ReportText.objects.filter(programme=programme).first()
    if text is None and expected_version == 0:
        text = ReportText(programme=programme)
    elif text is None:
        raise ConcurrentEditError(what=REPORT_TEXT, changes=[])
    else:
        claim_version(
            text,
            expected_version,
            what=REPORT_TEXT,
            changes=lambda: changes_since_version(text, expected_version, row="Report text"),
        )
    for field in REPORT_TEXT_FIELDS:
        if field in data:
            setattr(text, field, data[field])
    full_clean_for_people(text, exclude=["programme"], validate_unique=False)
    record_author(text, user)
    try:
        with transaction.atomic():
            text.save()
    except IntegrityError as error:  # two first saves at once: the other one won
        raise ConcurrentEditError(what=REPORT_TEXT, changes=[]) from error
    return text


@transaction.atomic
def report_issue(
    *, programme: Programme, meeting_date: date, expected_fingerprint: str, user: Author
) -> IssuedReport:
    """Issue the board report for a meeting: store its PDF and figures, with their SHA-256.

    ``expected_fingerprint`` is the fingerprint of the report the facilitator looked over; if
    the report would now say anything else, nothing is issued. A large report is not laid out
    here: its PDF for the meeting is the one the worker prepared (``report_render_request``
    with the meeting's date), refused if there is none of the report as it stands.
    """
    # Issues of one programme queue up (on PostgreSQL), so each sees the last one's figures.
    Programme.objects.select_for_update().filter(pk=programme.pk).exists()
    _refuse_text_out_of_bounds(programme)
    report = board_report(programme=programme, on=meeting_date, issued=True)
    snapshot = report_snapshot(report)
    if fingerprint(snapshot) != expected_fingerprint:
        raise ReportChangedError()
    pdf = issue_pdf(programme=programme, report=report)
    figures = canonical_json(snapshot)
    issued = IssuedReport(
        programme=programme,
        meeting_date=meeting_date,
        title=report.title,
        issued_by=user,
        pdf=pdf,
        pdf_sha256=sha256_hex(pdf),
        figures=figures,
        figures_sha256=sha256_hex(figures.encode("utf-8")),
    )
    full_clean_for_people(issued, exclude=["programme", "issued_by"])
    issued.save()
    return issued


def report_issue_prepare(
    *, programme: Programme, meeting_date: date, expected_fingerprint: str, user: Author
) -> ReportRender:
    """Queue the PDF of the report as issued to a meeting, or return the one already made.

    For a large report, issued afterwards by ``report_issue``. As there, nothing is queued if
    the report says anything else than the one the facilitator looked over.
    """
    _refuse_text_out_of_bounds(programme)
    report = board_report(programme=programme, on=meeting_date, issued=True)
    if fingerprint(report_snapshot(report)) != expected_fingerprint:
        raise ReportChangedError()
    render, _ = report_render_request(
        programme=programme,
        fingerprint=report_render_fingerprint(report),
        user=user,
        meeting_date=meeting_date,
    )
    return render


def issue_pdf(*, programme: Programme, report: BoardReport) -> bytes:
    """Return the PDF to issue of a report dated its meeting: made now if small, else prepared.

    A large report's PDF is the ready render of exactly this report and date, its bytes checked
    against their SHA-256: what the facilitator could download and check before issuing.
    """
    if not report_renders_in_background(report):
        return report_pdf(report)
    render = issue_render_with_pdf(
        programme=programme, fingerprint=report_render_fingerprint(report)
    )
    if render is None:
        raise PdfNotPreparedError(report.date)
    if not render.intact:
        raise PreparedPdfDamagedError(render)
    return bytes(render.pdf)


# Board report PDFs prepared by the background worker. The request queues a render; the
# worker (reports.tasks.render_board_report) moves it on, and marks it ready or failed
# (reports.renders).


@transaction.atomic
def report_render_request(
    *, programme: Programme, fingerprint: str, user: Author, meeting_date: date | None = None
) -> tuple[ReportRender, bool]:
    """Queue a PDF of the board report for the worker, or return one of the report as it stands.

    ``fingerprint`` is ``report_render_fingerprint`` of the report now: a draft dated today, or
    with ``meeting_date`` the report as issued to that meeting. Returns the render and
    whether it was queued just now. The task is queued in the same transaction as the render
    (the queue is in the database), so neither is ever left without the other.
    """
    # Requests for one programme queue up (on PostgreSQL), so two clicks make one render.
    Programme.objects.select_for_update().filter(pk=programme.pk).exists()
    # Draft PDFs are kept a while to be downloaded again, not for ever (issued reports are).
    ReportRender.objects.filter(
        programme=programme, finished__lt=timezone.now() - RENDER_KEPT_FOR
    ).delete()
    existing = reusable_report_render(programme=programme, fingerprint=fingerprint)
    if existing is not None:
        return existing, False
    render = ReportRender(
        programme=programme,
        requested_by=user,
        fingerprint=fingerprint,
        # Known from the start for the PDF of an issue, so that the issue page finds it.
        report_date=meeting_date,
        for_meeting=meeting_date is not None,
        stage=WAITING,
    )
    full_clean_for_people(render, exclude=["programme", "requested_by"])
    render.save()
    if meeting_date is None:
        result = render_board_report.enqueue(str(render.pk))
    else:
        result = render_board_report.enqueue(str(render.pk), meeting_date.isoformat())
    ReportRender.objects.filter(pk=render.pk).update(task_id=str(result.id))
    render.task_id = str(result.id)
    return render, True


@transaction.atomic
def statement_render_request(
    *, programme: Programme, partner: Partner, fingerprint: str, user: Author
) -> tuple[StatementRender, bool]:
    """Queue a PDF of the partner's statement for the worker, or return one of it as it stands.

    ``fingerprint`` is ``statement_fingerprint`` of the statement now. Returns the render and
    whether it was queued just now; the task is queued in the same transaction as the render.
    """
    # Requests for one programme queue up (on PostgreSQL), so two clicks make one render.
    Programme.objects.select_for_update().filter(pk=programme.pk).exists()
    StatementRender.objects.filter(
        programme=programme, finished__lt=timezone.now() - RENDER_KEPT_FOR
    ).delete()
    existing = reusable_statement_render(
        programme=programme, partner=partner, fingerprint=fingerprint
    )
    if existing is not None:
        return existing, False
    render = StatementRender(
        programme=programme,
        partner=partner,
        requested_by=user,
        fingerprint=fingerprint,
        stage=WAITING,
    )
    full_clean_for_people(render, exclude=["programme", "partner", "requested_by"])
    render.save()
    result = render_partner_statement.enqueue(str(render.pk))
    StatementRender.objects.filter(pk=render.pk).update(task_id=str(result.id))
    render.task_id = str(result.id)
    return render, True

"""Writes of the board report: its text, and issuing it to a meeting. Each in one transaction."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
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
from projects.models import Meeting, PaperTemplate, Partner, Programme, ReportText
from projects.money.document import REPORT_TEXT_FIELDS, REPORT_WORDS
from projects.notifications import paper_issued
from projects.report_text import report_text_problems
from projects.rules import PAPER_RESERVED_SLUGS
from projects.validators import slug_from_name

from .models import IssuedReport, ReportRender, StatementRender, sha256_hex
from .report.changes import canonical_json, fingerprint, report_snapshot
from .report.content import BoardReport, default_paper_text, default_report_text
from .report.pdf import report_pdf
from .report.selectors import board_report, report_text_for
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


def _refuse_text_out_of_bounds(paper: ReportText) -> None:
    """Refuse to issue a paper whose saved text would show as plain text or a note."""
    text = ReportText.objects.filter(pk=paper.pk).first() if paper.pk else None
    if text is None:
        return
    sections = [
        _verbose_name(name)
        for name in REPORT_WORDS
        if report_text_problems(getattr(text, name) or "")
    ]
    if sections:
        raise ReportTextOutOfBoundsError(sections)


def paper_slug(programme: Programme, title: str) -> str:
    """Make a paper's slug from its title, unique in the programme: its pages' address."""
    return slug_from_name(
        title,
        taken=lambda slug: ReportText.objects.filter(programme=programme, slug=slug).exists(),
        reserved=PAPER_RESERVED_SLUGS,
        fallback="board-report",
    )


@transaction.atomic
def report_text_update(
    *,
    programme: Programme,
    data: dict,
    expected_version: int,
    user: Author,
    paper: ReportText | None = None,
) -> ReportText:
    """Save a paper's text, refusing a save made from an older version of it.

    Without ``paper``, the paper being prepared. ``expected_version`` is 0 when the programme
    had no paper yet: the first save creates it.
    """
    if paper is None or not paper.pk:
        text = ReportText.objects.filter(programme=programme).order_by("-pk").first()
    else:
        text = ReportText.objects.filter(programme=programme, pk=paper.pk).first()
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
    if "for_meeting" in data:
        meeting = data["for_meeting"]
        if meeting is not None and meeting.programme_id != programme.pk:
            raise ValidationError({"for_meeting": "Select one of the programme's meetings"})
        text.for_meeting = meeting
    if not text.slug:
        text.slug = paper_slug(programme, text.title)
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
    *,
    programme: Programme,
    meeting_date: date,
    expected_fingerprint: str,
    user: Author,
    paper: ReportText | None = None,
) -> IssuedReport:
    """Issue the board report for a meeting: store its PDF and figures, with their SHA-256.

    ``expected_fingerprint`` is the fingerprint of the report the facilitator looked over; if
    the report would now say anything else, nothing is issued. A large report is not laid out
    here: its PDF for the meeting is the one the worker prepared (``report_render_request``
    with the meeting's date), refused if there is none of the report as it stands.
    """
    # Issues of one programme queue up (on PostgreSQL), so each sees the last one's figures.
    Programme.objects.select_for_update().filter(pk=programme.pk).exists()
    paper = _paper_to_issue(programme, paper, user)
    _refuse_text_out_of_bounds(paper)
    report = board_report(programme=programme, paper=paper, on=meeting_date, issued=True)
    snapshot = report_snapshot(report)
    if fingerprint(snapshot) != expected_fingerprint:
        raise ReportChangedError()
    pdf = issue_pdf(programme=programme, report=report)
    figures = canonical_json(snapshot)
    issued = IssuedReport(
        programme=programme,
        paper=paper,
        meeting_date=meeting_date,
        title=report.title,
        issued_by=user,
        pdf=pdf,
        pdf_sha256=sha256_hex(pdf),
        figures=figures,
        figures_sha256=sha256_hex(figures.encode("utf-8")),
    )
    full_clean_for_people(issued, exclude=["programme", "paper", "issued_by"])
    issued.save()
    # The chief executives are emailed a link to it once this transaction has committed.
    paper_issued(
        programme=programme, issue_pk=issued.pk, title=issued.title, meeting_date=meeting_date
    )
    return issued


def _paper_to_issue(programme: Programme, paper: ReportText | None, user: Author) -> ReportText:
    """Return the paper to issue, as stored; the default words are saved as the first paper.

    An issue is always of a saved paper, so that each paper keeps its own archive.
    """
    if paper is not None and paper.pk:
        stored = ReportText.objects.filter(programme=programme, pk=paper.pk).first()
        if stored is None:
            raise ReportChangedError()  # removed since the page was opened
        return stored
    stored = ReportText.objects.filter(programme=programme).order_by("-pk").first()
    if stored is not None:
        return stored
    defaults = default_report_text(programme.name)
    stored = ReportText(programme=programme, **vars(defaults))
    stored.slug = paper_slug(programme, stored.title)
    record_author(stored, user)
    stored.save()
    return stored


def report_issue_prepare(
    *,
    programme: Programme,
    meeting_date: date,
    expected_fingerprint: str,
    user: Author,
    paper: ReportText | None = None,
) -> ReportRender:
    """Queue the PDF of the report as issued to a meeting, or return the one already made.

    For a large report, issued afterwards by ``report_issue``. As there, nothing is queued if
    the report says anything else than the one the facilitator looked over.
    """
    if paper is None:
        paper = report_text_for(programme=programme)
    _refuse_text_out_of_bounds(paper)
    report = board_report(programme=programme, paper=paper, on=meeting_date, issued=True)
    if fingerprint(report_snapshot(report)) != expected_fingerprint:
        raise ReportChangedError()
    render, _ = report_render_request(
        programme=programme,
        paper=paper,
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
    *,
    programme: Programme,
    fingerprint: str,
    user: Author,
    meeting_date: date | None = None,
    paper: ReportText | None = None,
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
        # An unsaved paper is the default words of the paper being prepared: none to name.
        paper=paper if paper is not None and paper.pk else None,
        requested_by=user,
        fingerprint=fingerprint,
        # Known from the start for the PDF of an issue, so that the issue page finds it.
        report_date=meeting_date,
        for_meeting=meeting_date is not None,
        stage=WAITING,
    )
    full_clean_for_people(render, exclude=["programme", "paper", "requested_by"])
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


# Papers: a programme's board reports, one for each meeting it goes to.


@transaction.atomic
def paper_create(
    *, programme: Programme, template: str, meeting: Meeting | None, user: Author
) -> ReportText:
    """Add a paper from its kind's first words, for a meeting of the programme or none yet.

    The new paper is the newest, so it becomes the one being prepared ("the board report").
    Its heading names the meeting's body, as the paper before it did.
    """
    if meeting is not None and meeting.programme_id != programme.pk:
        raise ValidationError({"meeting": "Choose one of the programme's meetings."})
    words = default_paper_text(programme.name, template)
    paper = ReportText(programme=programme, template=template, for_meeting=meeting, **vars(words))
    if meeting is not None:
        paper.meeting = meeting.body
    else:
        latest = ReportText.objects.filter(programme=programme).order_by("-pk").first()
        paper.meeting = latest.meeting if latest is not None else ""
    paper.slug = paper_slug(programme, _slug_words(paper, meeting))
    full_clean_for_people(paper, exclude=["programme"], validate_unique=False)
    record_author(paper, user)
    paper.save()
    return paper


def _slug_words(paper: ReportText, meeting: Meeting | None) -> str:
    """Return the words of a new paper's slug: its kind, and its meeting's month if it has one."""
    kind = PaperTemplate(paper.template).label
    return f"{kind} {meeting.date:%Y %m}" if meeting is not None else kind


class PaperIssuedError(Exception):
    """A paper that was issued is a record of what the board was given: it stays."""

    def __init__(self, paper: ReportText) -> None:
        super().__init__(
            f"“{paper.title}” cannot be removed: it was issued to a meeting, and an issued "
            "paper is kept as the board was given it."
        )


@transaction.atomic
def paper_delete(*, paper: ReportText, user: Author) -> None:
    """Remove a paper never issued; an issued one is refused (its issues keep it)."""
    if IssuedReport.objects.filter(paper=paper).exists():
        raise PaperIssuedError(paper)
    record_author(paper, user)
    paper.delete()

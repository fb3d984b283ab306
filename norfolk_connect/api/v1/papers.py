"""Papers: the programme's board reports, each with its issues, and its PDF.

A paper is a ``ReportText``: a board report for one meeting, with its own words. Once issued
for a meeting, its PDF is kept as issued (``IssuedReport``): the PDF answered is then that
stored file, the latest issue's, never laid out again. A paper never issued is a draft: its PDF
is made as the browser makes it, in the request while it is small, and, when it is large, only
from the PDF the background worker has already made of it as it stands. Every role reads every
paper, drafts included, as in the browser.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from projects.models import Programme, ReportText
from projects.money.vocabulary import PaperTemplate
from reports.models import RenderState
from reports.report.pdf import PdfFailedError, report_pdf
from reports.report.selectors import (
    board_report,
    issued_report,
    issued_reports,
    paper_for,
    papers_of,
)
from reports.selectors import (
    report_render_fingerprint,
    report_render_with_pdf,
    report_renders_in_background,
    reusable_report_render,
)

from .common import Error, Page, answers, own_programme

logger = logging.getLogger(__name__)
router = Router(tags=["Papers"])

KindValue = Literal[tuple(PaperTemplate.values)]  # type: ignore[valid-type]


class MeetingOut(Schema):
    """The meeting a paper is for."""

    slug: str = Field(description="The meeting's short name, as the programme file gives it.")
    body: str = Field(description="The body that meets, such as Norfolk Chief Executives.")
    date: dt.date = Field(description="The meeting's day, YYYY-MM-DD.")


class PaperOut(Schema):
    """A paper of the programme: a board report for one meeting, issued or a draft."""

    slug: str = Field(description="The paper's short name, used in the API's addresses.")
    title: str = Field(description="The paper's title; empty when none is written yet.")
    kind: KindValue = Field(
        description="What the paper is: `workload` (the medium term workload paper), "
        "`autumn_review` or `progress` (a progress report)."
    )
    kind_label: str = Field(description="The kind in words, as the papers page shows it.")
    meeting: MeetingOut | None = Field(
        description="The meeting it is for; null when none is set yet."
    )
    meeting_date: dt.date | None = Field(
        description="The day of its meeting, YYYY-MM-DD; null when none is set yet."
    )
    issued: bool = Field(
        description="Whether it has been issued for a meeting (its PDF is then kept as issued); "
        "false for a draft."
    )
    issue_count: int = Field(description="How many times it has been issued.")
    last_issued: dt.date | None = Field(
        description="The day it was last issued, YYYY-MM-DD; null for a draft."
    )
    being_prepared: bool = Field(
        description="Whether it is the programme's newest paper, the board report being prepared."
    )
    url: str = Field(description="The address of this paper in the API.")
    pdf_url: str = Field(
        description="The address of its PDF in the API: the latest issue's, or the draft's."
    )


class IssueOut(Schema):
    """One issue of a paper for a meeting."""

    title: str = Field(description="The paper's title as issued.")
    meeting_date: dt.date = Field(description="The day of the meeting it was issued for.")
    issued_on: dt.date = Field(description="The day it was issued, YYYY-MM-DD.")


class PaperDetailOut(PaperOut):
    """A paper of the programme with each of its issues."""

    issues: list[IssueOut] = Field(description="Its issues, newest first; empty for a draft.")


def _paper_row(programme: Programme, paper: ReportText, *, count: int, last: Any, newest: bool):
    meeting = paper.for_meeting
    address = reverse("api:paper", kwargs={"slug": programme.slug, "paper": paper.slug})
    return {
        "slug": paper.slug,
        "title": paper.title,
        "kind": paper.template,
        "kind_label": paper.get_template_display(),
        "meeting": None
        if meeting is None
        else {"slug": meeting.slug, "body": meeting.body, "date": meeting.date},
        "meeting_date": None if meeting is None else meeting.date,
        "issued": count > 0,
        "issue_count": count,
        "last_issued": None if last is None else timezone.localtime(last).date(),
        "being_prepared": newest,
        "url": address,
        "pdf_url": reverse("api:paper_pdf", kwargs={"slug": programme.slug, "paper": paper.slug}),
    }


def _paper(programme: Programme, slug: str) -> ReportText:
    paper = paper_for(programme=programme, slug=slug)
    if paper is None:
        raise Http404("No such paper")
    return paper


@router.get(
    "/programmes/{slug}/papers",
    response=answers(list[PaperOut]),
    url_name="papers",
    summary="List a programme's papers",
    description=(
        "The programme's papers, oldest first, a page at a time: each one's kind, meeting, "
        "whether it has been issued, and where its PDF is. The newest is the one being "
        "prepared. 404 when the token's partnership has no programme with this slug."
    ),
)
@paginate(Page)
def papers(request: HttpRequest, slug: str) -> Any:
    programme = own_programme(request, slug)
    found = papers_of(programme=programme)
    return [
        _paper_row(
            programme,
            paper,
            count=paper.issue_count,  # type: ignore[attr-defined]
            last=paper.last_issued,  # type: ignore[attr-defined]
            newest=index == len(found) - 1,
        )
        for index, paper in enumerate(found)
    ]


@router.get(
    "/programmes/{slug}/papers/{paper}",
    response=answers(PaperDetailOut),
    url_name="paper",
    summary="A paper",
    description=(
        "One paper of the programme: what the list gives for it, and each of its issues. 404 "
        "when the programme has no paper with this slug, or the token's partnership no such "
        "programme."
    ),
)
def paper(request: HttpRequest, slug: str, paper: str) -> Any:
    programme = own_programme(request, slug)
    found = _paper(programme, paper)
    issues = list(issued_reports(programme=programme, paper=found))
    newest = paper_for(programme=programme)
    return {
        **_paper_row(
            programme,
            found,
            count=len(issues),
            last=issues[0].issued_at if issues else None,
            newest=newest is not None and newest.pk == found.pk,
        ),
        "issues": [
            {
                "title": issue.title,
                "meeting_date": issue.meeting_date,
                "issued_on": timezone.localtime(issue.issued_at).date(),
            }
            for issue in issues
        ],
    }


PDF = "application/pdf"
PDF_RESPONSE = {
    "description": (
        "The paper's PDF: for an issued paper the file of its latest issue, exactly as issued; "
        "for a draft the paper as it stands today."
    ),
    "content": {PDF: {"schema": {"type": "string", "format": "binary"}}},
}
DAMAGED = (
    "The stored PDF no longer matches the fingerprint taken when it was made, so it is not "
    "served. Tell the partnership's administrator."
)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=PDF)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get(
    "/programmes/{slug}/papers/{paper}/pdf",
    response=answers(None, e409=Error, e503=Error),
    url_name="paper_pdf",
    summary="A paper's PDF",
    description=(
        "The paper as an A4 PDF (`application/pdf`), the same file the service's pages give. "
        "An issued paper answers the PDF of its latest issue, exactly as issued. A draft is "
        "made now while it is small; a large draft is made by the service's background worker "
        "only: its PDF is answered once the worker has made it of the paper as it stands, and "
        "until then the answer is 409 (ask for it on the paper's page). 503 when the PDF "
        "could not be made now or its stored file is damaged. 404 when the programme has no "
        "paper with this slug, or the token's partnership no such programme."
    ),
    openapi_extra={"responses": {200: PDF_RESPONSE}},
)
def paper_pdf(request: HttpRequest, slug: str, paper: str) -> Any:
    programme = own_programme(request, slug)
    found = _paper(programme, paper)
    latest = issued_reports(programme=programme, paper=found).first()
    if latest is not None:
        issued = issued_report(programme=programme, pk=latest.pk)
        assert issued is not None  # read a moment ago; an issued report is never removed
        if not issued.intact:
            logger.error("Issued report %s no longer matches its SHA-256", issued.pk)
            return Status(503, {"detail": DAMAGED})
        name = f"{programme.slug}-board-report-{issued.meeting_date:%Y-%m-%d}.pdf"
        return _pdf(bytes(issued.pdf), name)
    report = board_report(programme=programme, paper=found)
    if report_renders_in_background(report):
        # As the browser: a large paper is laid out by the worker, never in the request.
        made = reusable_report_render(
            programme=programme, fingerprint=report_render_fingerprint(report)
        )
        render = (
            report_render_with_pdf(programme=programme, pk=made.pk)
            if made is not None and made.state == RenderState.READY
            else None
        )
        if render is None:
            return Status(
                409,
                {
                    "detail": "This paper is large, so its PDF is made by the service's "
                    "background worker: ask for it on the paper's page, then try again once it "
                    "is ready."
                },
            )
        if not render.intact:
            logger.error("Report render %s no longer matches its SHA-256", render.pk)
            return Status(503, {"detail": DAMAGED})
        return _pdf(
            bytes(render.pdf),
            f"{programme.slug}-board-report-draft-{render.report_date:%Y-%m-%d}.pdf",
        )
    try:
        content = report_pdf(report)
    except PdfFailedError as error:
        logger.warning("A PDF failed in the request (%s): %s", error.kind, request.path)
        return Status(503, {"detail": f"The PDF could not be made now: {error}"})
    return _pdf(content, f"{programme.slug}-board-report-draft-{report.date:%Y-%m-%d}.pdf")

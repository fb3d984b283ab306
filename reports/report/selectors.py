"""Reads for the board report, its archive and the partners' statements, in fixed queries."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from projects.models import Invoice, Partner, Programme, ReportText
from projects.money.document import REPORT_TEXT_FIELDS
from projects.money.vocabulary import PaperTemplate
from projects.selectors import programme_document

from ..models import IssuedReport
from .changes import (
    ReportChanges,
    UnknownSnapshotFormat,
    fingerprint,
    read_snapshot,
    report_changes,
    report_snapshot,
)
from .content import (
    BoardReport,
    board_report_from_document,
    default_report_text,
    report_figures,
)
from .statements import PartnerStatement, partner_statement


def board_report(
    *,
    programme: Programme,
    paper: ReportText | None = None,
    on: date | None = None,
    issued: bool = False,
) -> BoardReport:
    """Return a paper as it stands, in a fixed number of queries: by default the one being
    prepared, the programme's newest. Its kind decides the tables after its sections."""
    if paper is None:
        # The one query programme_document would make for the newest paper's words.
        paper = report_text_for(programme=programme)
    document = programme_document(
        programme=programme, include_report=True, paper=paper, spend_summed=True
    )
    return board_report_from_document(
        document, on=on or timezone.localdate(), issued=issued, template=paper.template
    )


def report_fingerprint(report: BoardReport) -> str:
    """Return the fingerprint of what the report says, to spot a change before issuing it."""
    return fingerprint(report_snapshot(report))


def paper_for(*, programme: Programme, slug: str | None = None) -> ReportText | None:
    """Return the programme's paper with this slug, or None; without a slug, the one being
    prepared: the newest, or an unsaved one holding the default words when none is saved."""
    papers = ReportText.objects.filter(programme=programme).select_related("for_meeting")
    if slug is not None:
        return papers.filter(slug=slug).first()
    text = papers.order_by("-pk").first()
    if text is not None:
        return text
    defaults = default_report_text(programme.name)
    text = ReportText(programme=programme, **{k: getattr(defaults, k) for k in REPORT_TEXT_FIELDS})
    text.version = 0  # none saved yet: the first save creates it
    return text


def report_text_for(*, programme: Programme) -> ReportText:
    """Return the paper being prepared, saved or holding the default words."""
    text = paper_for(programme=programme)
    assert text is not None  # without a slug there is always one
    return text


def papers_of(*, programme: Programme) -> list[ReportText]:
    """Return the programme's papers, oldest first, each with its meeting, the number of times
    it was issued and its last issue's date, in one query."""
    return list(
        ReportText.objects.filter(programme=programme)
        .select_related("for_meeting")
        .annotate(issue_count=Count("issues"), last_issued=Max("issues__issued_at"))
        .order_by("pk")
    )


def issued_reports(
    *, programme: Programme, paper: ReportText | None = None
) -> QuerySet[IssuedReport]:
    """Return the issues of a paper (of every paper, without one), newest first, without their
    PDFs' bytes. An unsaved paper has none."""
    issues = IssuedReport.objects.filter(programme=programme)
    if paper is not None:
        issues = issues.filter(paper=paper) if paper.pk else issues.none()
    return (
        issues.select_related("issued_by", "paper")
        .defer("pdf", "figures")
        .order_by("-issued_at", "-pk")
    )


def issued_report(*, programme: Programme, pk: int) -> IssuedReport | None:
    """Return the programme's issued report with this id, PDF and all, or None."""
    return IssuedReport.objects.filter(programme=programme, pk=pk).first()


@dataclass(frozen=True)
class ChangesPage:
    """The latest issued report and what changed since; ``problem`` says why none can be said."""

    last_issued: IssuedReport | None
    changes: ReportChanges | None
    problem: str = ""


def changes_since_issued(*, programme: Programme, paper: ReportText | None = None) -> ChangesPage:
    """Return what changed in a paper since its latest issue; for a paper never issued, since
    the programme's latest issued paper, what the board last saw."""
    if paper is None:
        paper = report_text_for(programme=programme)
    issues = (
        IssuedReport.objects.filter(programme=programme)
        .select_related("issued_by", "paper")
        .defer("pdf")
        .order_by("-issued_at", "-pk")
    )
    last = issues.filter(paper=paper).first() if paper.pk else None
    if last is None:
        last = issues.first()
    if last is None:
        return ChangesPage(last_issued=None, changes=None)
    try:
        issued = read_snapshot(json.loads(last.figures))
    except UnknownSnapshotFormat as error:
        return ChangesPage(last_issued=last, changes=None, problem=str(error))
    # A paper issued before snapshots held their kind is of its paper's kind all the same.
    if last.paper.template != PaperTemplate.WORKLOAD:
        issued.setdefault("paper", last.paper.template)
    now = report_snapshot(board_report(programme=programme, paper=paper))
    return ChangesPage(last_issued=last, changes=report_changes(issued, now))


def statement_for(*, programme: Programme, partner: Partner) -> PartnerStatement:
    """Return the partner's statement for the programme, in a fixed number of queries."""
    document = programme_document(programme=programme, spend_summed=True)
    today = timezone.localdate()
    figures, problem = report_figures(document, today)
    return partner_statement(
        document, figures, partner=partner.slug, on=today, figures_problem=problem
    )


def invoice_ids(*, programme: Programme, partner: Partner) -> dict[str, int]:
    """Return the partner's invoices in the programme by number: the id each PDF is found by."""
    return dict(
        Invoice.objects.filter(call__programme=programme, partner=partner).values_list(
            "number", "pk"
        )
    )

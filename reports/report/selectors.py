"""Reads for the board report, its archive and the partners' statements, in fixed queries."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from projects.models import Invoice, Partner, Programme, ReportText
from projects.money.document import REPORT_TEXT_FIELDS
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
    *, programme: Programme, on: date | None = None, issued: bool = False
) -> BoardReport:
    """Return the programme's board report as it stands, in a fixed number of queries."""
    document = programme_document(programme=programme, include_report=True)
    return board_report_from_document(document, on=on or timezone.localdate(), issued=issued)


def report_fingerprint(report: BoardReport) -> str:
    """Return the fingerprint of what the report says, to spot a change before issuing it."""
    return fingerprint(report_snapshot(report))


def report_text_for(*, programme: Programme) -> ReportText:
    """Return the programme's report text, or an unsaved one holding the default words."""
    text = ReportText.objects.filter(programme=programme).first()
    if text is not None:
        return text
    defaults = default_report_text(programme.name)
    text = ReportText(programme=programme, **{k: getattr(defaults, k) for k in REPORT_TEXT_FIELDS})
    text.version = 0  # none saved yet: the first save creates it
    return text


def issued_reports(*, programme: Programme) -> QuerySet[IssuedReport]:
    """Return the programme's issued reports, newest first, without their PDFs' bytes."""
    return (
        IssuedReport.objects.filter(programme=programme)
        .select_related("issued_by")
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


def changes_since_issued(*, programme: Programme) -> ChangesPage:
    """Return what changed in the report since the programme's latest issued report."""
    last = (
        IssuedReport.objects.filter(programme=programme)
        .select_related("issued_by")
        .defer("pdf")
        .order_by("-issued_at", "-pk")
        .first()
    )
    if last is None:
        return ChangesPage(last_issued=None, changes=None)
    try:
        issued = read_snapshot(json.loads(last.figures))
    except UnknownSnapshotFormat as error:
        return ChangesPage(last_issued=last, changes=None, problem=str(error))
    now = report_snapshot(board_report(programme=programme))
    return ChangesPage(last_issued=last, changes=report_changes(issued, now))


def statement_for(*, programme: Programme, partner: Partner) -> PartnerStatement:
    """Return the partner's statement for the programme, in a fixed number of queries."""
    document = programme_document(programme=programme)
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

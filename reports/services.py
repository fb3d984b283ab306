"""Writes of the board report: its text, and issuing it to a meeting. Each in one transaction."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction

from projects.data import REPORT_TEXT_FIELDS
from projects.history import ConcurrentEditError, changes_since_version, claim_version
from projects.models import Programme

from .models import IssuedReport, ReportText, sha256_hex
from .report.changes import canonical_json, fingerprint, report_snapshot
from .report.pdf import report_pdf
from .report.selectors import board_report

REPORT_TEXT = "The report's text"


class ReportChangedError(Exception):
    """The report changed after the facilitator looked it over; nothing was issued."""

    def __init__(self) -> None:
        super().__init__(
            "The programme's figures or the report's text changed since you opened this page, "
            "so the report was not issued: check the report again, then issue it."
        )


@transaction.atomic
def report_text_update(
    *, programme: Programme, data: dict, expected_version: int, user
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
    text.full_clean(exclude=["programme"], validate_unique=False)
    text._history_user = user
    try:
        with transaction.atomic():
            text.save()
    except IntegrityError as error:  # two first saves at once: the other one won
        raise ConcurrentEditError(what=REPORT_TEXT, changes=[]) from error
    return text


@transaction.atomic
def report_issue(
    *, programme: Programme, meeting_date: date, expected_fingerprint: str, user
) -> IssuedReport:
    """Issue the board report for a meeting: store its PDF and figures, with their SHA-256.

    ``expected_fingerprint`` is the fingerprint of the report the facilitator looked over; if
    the report would now say anything else, nothing is issued.
    """
    # Issues of one programme queue up (on PostgreSQL), so each sees the last one's figures.
    Programme.objects.select_for_update().filter(pk=programme.pk).exists()
    report = board_report(programme=programme, on=meeting_date, issued=True)
    snapshot = report_snapshot(report)
    if fingerprint(snapshot) != expected_fingerprint:
        raise ReportChangedError()
    pdf = report_pdf(report)
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
    issued.full_clean(exclude=["programme", "issued_by"])
    issued.save()
    return issued

"""What a meeting resolved on each recommendation of its paper, and the agreement that follows.

Agreeing the recommendation about the partners' contributions records the meeting's agreement:
as recommended, from the computed recommendation the facilitator sees on the page; with
amendments, on the agreement's own form next. Every write is in the history with its author.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contributions.agreement_selectors import agreement_form_data
from contributions.agreements import AgreedFigures, agreement_record
from norfolk_connect.model_messages import full_clean_for_people
from projects.history import Author, record_author
from projects.models import Agreement, BoardDecision, Programme, ReportText
from projects.money.placeholders import fill, placeholder_values
from projects.money.recommendations import recommendation_items
from projects.money.vocabulary import Resolution
from projects.selectors import programme_document
from projects.services.recorded_writes import remove_recorded

from .report.content import report_figures

NO_MEETING = (
    "Set the meeting this paper went to before recording its decisions: choose it on the "
    "paper's text form."
)


@dataclass(frozen=True)
class DecisionRow:
    """One recommendation, its words filled with today's figures, and what was resolved."""

    number: int
    text: str
    contributions: bool
    decision: BoardDecision | None


@dataclass(frozen=True)
class DecisionsPage:
    paper: ReportText
    rows: tuple[DecisionRow, ...]
    # What the recommendations say now: a save made from other words is refused.
    fingerprint: str
    agreement: Agreement | None  # the paper's meeting's, if recorded


def decisions_page(*, programme: Programme, paper: ReportText) -> DecisionsPage:
    """Return a paper's recommendations with what was resolved on each, in fixed queries."""
    document = programme_document(programme=programme)
    figures, _ = report_figures(document)
    values = placeholder_values(document, figures)
    decided = {d.number: d for d in BoardDecision.objects.filter(paper=paper)} if paper.pk else {}
    rows = tuple(
        DecisionRow(
            number=item.number,
            text=fill(item.source, values),
            contributions=item.contributions,
            decision=decided.get(item.number),
        )
        for item in recommendation_items(paper.recommendations)
    )
    meeting = paper.for_meeting
    agreement = Agreement.objects.filter(meeting=meeting).first() if meeting is not None else None
    return DecisionsPage(
        paper=paper, rows=rows, fingerprint=_fingerprint(rows), agreement=agreement
    )


def _fingerprint(rows: tuple[DecisionRow, ...]) -> str:
    words = "\n".join(f"{row.number}. {row.text}" for row in rows)
    return hashlib.sha256(words.encode()).hexdigest()


class RecommendationsChangedError(Exception):
    """The recommendations read otherwise than when the page was opened; nothing was saved."""

    def __init__(self) -> None:
        super().__init__(
            "The paper's recommendations or their figures changed since you opened this page, "
            "so nothing was saved: check them again, then record the decisions."
        )


@dataclass(frozen=True)
class DecisionsOutcome:
    """What follows the decisions: an agreement recorded, or amended figures to enter."""

    agreement: Agreement | None = None
    amend_agreement: bool = False


@transaction.atomic
def decisions_record(
    *,
    programme: Programme,
    paper: ReportText,
    entries: Mapping[int, tuple[str, str]],
    expected_fingerprint: str,
    user: Author,
) -> DecisionsOutcome:
    """Record the resolution and note on each recommendation of the paper, replacing any before.

    ``entries`` maps each recommendation's number to (resolution, note). Agreeing the
    contributions recommendation as recommended records the meeting's agreement from the
    computed recommendation, unless the meeting has one; agreeing it with amendments asks for
    the figures on the agreement's form.
    """
    meeting = paper.for_meeting
    if meeting is None or not paper.pk:
        raise ValidationError(NO_MEETING)
    ReportText.objects.select_for_update().filter(pk=paper.pk).exists()  # one save at a time
    page = decisions_page(programme=programme, paper=paper)
    if page.fingerprint != expected_fingerprint:
        raise RecommendationsChangedError()
    when = timezone.now()
    existing = {d.number: d for d in BoardDecision.objects.filter(paper=paper)}
    for row in page.rows:
        resolution, note = entries[row.number]
        decision = existing.pop(row.number, None)
        if decision is None:
            decision = BoardDecision(paper=paper, number=row.number)
        elif (decision.text, decision.resolution, decision.note) == (row.text, resolution, note):
            continue
        decision.text, decision.resolution, decision.note = row.text, resolution, note
        full_clean_for_people(decision, exclude=["paper"])
        record_author(decision, user, when)
        decision.save()
    remove_recorded(BoardDecision, list(existing.values()), user=user, when=when)
    contributions = next((row for row in page.rows if row.contributions), None)
    if contributions is None:
        return DecisionsOutcome()
    resolution = entries[contributions.number][0]
    if resolution == Resolution.AMENDED:
        return DecisionsOutcome(amend_agreement=True)
    if resolution != Resolution.AGREED or page.agreement is not None:
        return DecisionsOutcome()
    rows = agreement_form_data(programme=programme, meeting=meeting).rows
    parts = [AgreedFigures(partner=r.partner, immediate=r.immediate, cap=r.cap) for r in rows]
    if not parts or any(part.immediate is None or part.cap is None for part in parts):
        return DecisionsOutcome(amend_agreement=True)  # no computed figures to agree to
    return DecisionsOutcome(agreement=agreement_record(meeting=meeting, parts=parts, user=user))

"""What was agreed and what is owed: the money after the meeting, as the pages show it. Pure.

Once the board's agreement is recorded it stands: each council's agreed immediate tranche and
cap are shown with what it has been invoiced, has paid and owes, what is overdue and when the
next payment falls due. The computed recommendation, which keeps moving with the data, is shown
beside it as "proposed", and the difference is said in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from projects.money.document import ProgrammeDocument
from projects.money.figures import ProgrammeFigures
from projects.money.formatting import money
from projects.money.ledger import AgreementSummary, LedgerTotals, latest_agreement
from projects.money.review import cap_warnings, next_due

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class AgreedRow:
    """One council: what it agreed, what is proposed now, and its money since."""

    slug: str
    name: str
    own: bool  # the council of the partner officer reading the page
    agreed_immediate: Decimal
    agreed_cap: Decimal
    proposed_immediate: Decimal
    proposed_cap: Decimal
    invoiced: Decimal
    paid: Decimal
    credited: Decimal
    owed: Decimal
    overdue: Decimal
    uncalled: Decimal
    next_due: date | None
    consent_date: date | None
    consent_reference: str

    @property
    def in_credit(self) -> Decimal:
        """Return how far the council is in credit (it owes less than nothing), or 0."""
        return max(-self.owed, ZERO)


@dataclass(frozen=True)
class WarningRow:
    """A pending business case that would take a council past its agreed cap if approved."""

    name: str  # the council's
    case: str  # "Authentication / Gateway, phase 2: Gateway connection"
    needed: Decimal
    cap: Decimal


@dataclass(frozen=True)
class AgreedMoney:
    agreement: AgreementSummary
    body: str  # the meeting's body, such as Norfolk Chief Executives
    rows: tuple[AgreedRow, ...]
    totals: LedgerTotals
    notes: tuple[str, ...]  # how the computed recommendation now differs from the agreement
    warnings: tuple[WarningRow, ...]
    as_of: date


def _difference(needed: Decimal, agreed: Decimal, what: str, tranche: str) -> str:
    if needed == agreed:
        return f"The {what} is covered exactly by the agreed {tranche}."
    more = needed > agreed
    return (
        f"The {what} now needs {money(abs(needed - agreed))} "
        f"{'more' if more else 'less'} than the agreed {tranche} ({money(needed)} against "
        f"{money(agreed)})."
    )


def agreed_money(
    document: ProgrammeDocument, figures: ProgrammeFigures, *, own_partner: str | None = None
) -> AgreedMoney | None:
    """Return the agreement and the money since, or None before an agreement is recorded."""
    totals = figures.ledger
    if totals is None or totals.agreement is None:
        return None
    meetings = {meeting.slug: meeting for meeting in document.meetings}
    agreement = latest_agreement(
        document.agreements, {slug: meeting.date for slug, meeting in meetings.items()}
    )
    parts = {part.partner: part for part in agreement.per_partner} if agreement else {}
    names = {partner.slug: partner.name for partner in document.partners}
    as_of = figures.as_of or date.today()
    rows = []
    for position, ledger in zip(figures.per_partner, figures.ledgers, strict=True):
        part = parts.get(position.partner)
        rows.append(
            AgreedRow(
                slug=position.partner,
                name=names.get(position.partner, position.partner),
                own=position.partner == own_partner,
                agreed_immediate=ledger.agreed_immediate or ZERO,
                agreed_cap=ledger.agreed_cap or ZERO,
                proposed_immediate=position.immediate,
                proposed_cap=position.cap,
                invoiced=ledger.invoiced,
                paid=ledger.paid,
                credited=ledger.credited,
                owed=ledger.owed,
                overdue=ledger.overdue,
                uncalled=ledger.uncalled or ZERO,
                next_due=next_due(position.partner, document.calls, as_of),
                consent_date=part.consent_date if part else None,
                consent_reference=part.consent_reference if part else "",
            )
        )
    summary = totals.agreement
    notes = (
        _difference(figures.extra_min, summary.immediate_total, "committed minimum",
                    "immediate tranches"),
        _difference(figures.extra_max, summary.cap_total, "maximum", "caps"),
    )  # fmt: skip
    projects = {project.name for project in document.projects}
    warnings = tuple(
        WarningRow(
            name=names.get(warning.partner, warning.partner),
            case=f"{warning.project}, phase {warning.phase}: {warning.phase_name}",
            needed=warning.needed,
            cap=warning.cap,
        )
        for warning in cap_warnings(document)
        if warning.project in projects
    )
    return AgreedMoney(
        agreement=summary,
        body=meetings[summary.meeting].body if summary.meeting in meetings else "",
        rows=tuple(rows),
        totals=totals,
        notes=notes,
        warnings=warnings,
        as_of=as_of,
    )

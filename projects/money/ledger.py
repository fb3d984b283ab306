"""After the meeting: what each partner agreed, was invoiced, paid, owes and may have back.

Pure functions on ``Decimal`` pounds and pence, no ORM, as every money rule. The records are
plain data in the programme file's words (an agreement per meeting, calls of invoices with
their payments, refunds and credits); the ledger of a partner is worked out from them:

- ``owed`` = invoiced - paid - credited (negative: the partner is in credit);
- ``overdue`` = max(0, the amounts of its invoices due before the day - paid - credited);
- ``uncalled`` = agreed cap - invoiced (``None`` before an agreement);
- ``surplus`` = max(0, paid - refunded - credited - its exact share of the current maximum).

One invoice on a day is paid when nothing is left to pay on it, overdue when its due date has
passed with something unpaid, else owing (``invoice_status``): what the council's page and the
call's page tag it.

The programme's totals are the sums over its partners. The checks say, in the service's words,
why a call, a payment or a refund cannot be recorded; an empty list means it can.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .document import (
    AgreementData,
    CallData,
    InvoiceData,
    PartnerAgreementData,
    PaymentData,
    RefundData,
)
from .formatting import money
from .vocabulary import RefundKind

__all__ = [
    "AgreementData",
    "AgreementSummary",
    "CallData",
    "InvoiceData",
    "LedgerTotals",
    "PartnerAgreementData",
    "PartnerLedger",
    "PaymentData",
    "RefundData",
    "call_problems",
    "invoice_overdue",
    "invoice_status",
    "invoices_of",
    "latest_agreement",
    "ledger_totals",
    "partner_ledger",
    "partner_ledgers",
    "payment_problems",
    "refund_problems",
]

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PartnerLedger:
    """A partner's money after the meeting, as the figures object names each amount."""

    partner: str
    agreed_immediate: Decimal | None
    agreed_cap: Decimal | None
    invoiced: Decimal
    paid: Decimal
    refunded: Decimal
    credited: Decimal
    owed: Decimal
    overdue: Decimal
    uncalled: Decimal | None
    surplus: Decimal


@dataclass(frozen=True)
class AgreementSummary:
    """The latest agreement in all: its meeting, date and totals."""

    meeting: str
    date: date
    immediate_total: Decimal
    cap_total: Decimal


@dataclass(frozen=True)
class LedgerTotals:
    """The programme's money after the meeting: the sums over its partners."""

    agreement: AgreementSummary | None
    invoiced: Decimal
    paid: Decimal
    refunded: Decimal
    credited: Decimal
    owed: Decimal
    overdue: Decimal
    uncalled: Decimal | None
    surplus: Decimal


def latest_agreement(
    agreements: Iterable[AgreementData], meeting_dates: Mapping[str, date]
) -> AgreementData | None:
    """Return the agreement of the latest meeting; of two on one day, the later listed."""
    latest: AgreementData | None = None
    for agreement in agreements:
        if latest is None or meeting_dates[agreement.meeting] >= meeting_dates[latest.meeting]:
            latest = agreement
    return latest


def _sum(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, ZERO)


def invoices_of(partner: str, calls: Iterable[CallData]) -> list[tuple[CallData, InvoiceData]]:
    """Return each of the partner's invoices with the call it belongs to."""
    return [
        (call, invoice) for call in calls for invoice in call.invoices if invoice.partner == partner
    ]


INVOICE_STATUSES = ("paid", "owing", "overdue")


def invoice_overdue(*, amount: Decimal, paid: Decimal, due: date, as_of: date) -> bool:
    """Whether an invoice is overdue on the day: past its due date with something unpaid."""
    return due < as_of and paid < amount


def invoice_status(*, amount: Decimal, paid: Decimal, due: date, as_of: date) -> str:
    """Return "paid" (nothing left to pay), "overdue" (past its due date) or "owing" (not yet)."""
    if paid >= amount:
        return "paid"
    return "overdue" if invoice_overdue(amount=amount, paid=paid, due=due, as_of=as_of) else "owing"


def partner_ledger(
    partner: str,
    *,
    agreement: AgreementData | None,
    calls: Sequence[CallData],
    refunds: Sequence[RefundData],
    share_max: Decimal,
    as_of: date,
) -> PartnerLedger:
    """Return one partner's ledger on the day ``as_of``."""
    agreed = (
        next((p for p in agreement.per_partner if p.partner == partner), None)
        if agreement
        else None
    )
    invoices = invoices_of(partner, calls)
    invoiced = _sum(invoice.amount for _, invoice in invoices)
    paid = _sum(payment.amount for _, invoice in invoices for payment in invoice.payments)
    own = [refund for refund in refunds if refund.partner == partner]
    refunded = _sum(r.amount for r in own if r.kind == RefundKind.REFUND)
    credited = _sum(r.amount for r in own if r.kind == RefundKind.CREDIT)
    falling_due = _sum(invoice.amount for call, invoice in invoices if call.due < as_of)
    cap = agreed.cap if agreed is not None else (ZERO if agreement is not None else None)
    return PartnerLedger(
        partner=partner,
        agreed_immediate=(agreed.immediate if agreed else ZERO) if agreement else None,
        agreed_cap=cap,
        invoiced=invoiced,
        paid=paid,
        refunded=refunded,
        credited=credited,
        owed=invoiced - paid - credited,
        overdue=max(ZERO, falling_due - paid - credited),
        uncalled=None if cap is None else cap - invoiced,
        surplus=max(ZERO, paid - refunded - credited - share_max),
    )


def partner_ledgers(
    partners: Sequence[str],
    *,
    agreements: Sequence[AgreementData],
    meeting_dates: Mapping[str, date],
    calls: Sequence[CallData],
    refunds: Sequence[RefundData],
    shares_max: Mapping[str, Decimal],
    as_of: date,
) -> list[PartnerLedger]:
    """Return each contributing partner's ledger, in the order given, under the latest agreement."""
    agreement = latest_agreement(agreements, meeting_dates)
    return [
        partner_ledger(
            partner,
            agreement=agreement,
            calls=calls,
            refunds=refunds,
            share_max=shares_max.get(partner, ZERO),
            as_of=as_of,
        )
        for partner in partners
    ]


def ledger_totals(
    ledgers: Sequence[PartnerLedger],
    *,
    agreements: Sequence[AgreementData],
    meeting_dates: Mapping[str, date],
) -> LedgerTotals:
    """Return the programme's totals: each the sum of the partners' amounts."""
    agreement = latest_agreement(agreements, meeting_dates)
    summary = None
    if agreement is not None:
        summary = AgreementSummary(
            meeting=agreement.meeting,
            date=meeting_dates[agreement.meeting],
            immediate_total=_sum(p.immediate for p in agreement.per_partner),
            cap_total=_sum(p.cap for p in agreement.per_partner),
        )
    return LedgerTotals(
        agreement=summary,
        invoiced=_sum(ledger.invoiced for ledger in ledgers),
        paid=_sum(ledger.paid for ledger in ledgers),
        refunded=_sum(ledger.refunded for ledger in ledgers),
        credited=_sum(ledger.credited for ledger in ledgers),
        owed=_sum(ledger.owed for ledger in ledgers),
        overdue=_sum(ledger.overdue for ledger in ledgers),
        uncalled=None if agreement is None else _sum(ledger.uncalled or ZERO for ledger in ledgers),
        surplus=_sum(ledger.surplus for ledger in ledgers),
    )


# The checks: why a call, a payment or a refund cannot be recorded


def call_problems(
    call: CallData, *, agreement: AgreementData | None, earlier: Sequence[CallData]
) -> list[str]:
    """Say why the call would break the agreement: no agreement, or a partner past its cap."""
    if agreement is None:
        return ["Record the meeting's agreement before calling for money"]
    caps = {p.partner: p.cap for p in agreement.per_partner}
    problems = []
    for invoice in call.invoices:
        if invoice.amount <= 0:
            problems.append(f"Invoice {invoice.number} must be for more than £0")
            continue
        cap = caps.get(invoice.partner)
        if cap is None:
            problems.append(f"{invoice.partner} has no agreed cap, so it cannot be invoiced")
            continue
        before = _sum(i.amount for _, i in invoices_of(invoice.partner, earlier))
        if before + invoice.amount > cap:
            problems.append(
                f"Invoice {invoice.number} would take {invoice.partner} to "
                f"{money(before + invoice.amount)} invoiced, above its agreed cap of {money(cap)}"
            )
    if call.due < call.issued:
        problems.append("The due date must be the same as or after the date of issue")
    return problems


def payment_problems(payment: PaymentData, *, call: CallData, invoice: InvoiceData) -> list[str]:
    """Say why the payment cannot be recorded against the invoice."""
    problems = []
    owed = invoice.amount - _sum(p.amount for p in invoice.payments)
    if payment.amount <= 0:
        problems.append("The payment must be more than £0")
    elif payment.amount > owed:
        problems.append(
            f"The payment of {money(payment.amount)} is more than the {money(owed)} "
            f"still owed on invoice {invoice.number}"
        )
    if payment.date < call.issued:
        problems.append(
            f"The payment date must be on or after the invoice's date of issue, "
            f"{call.issued.day} {call.issued:%B %Y}"
        )
    return problems


def refund_problems(refund: RefundData, *, ledger: PartnerLedger) -> list[str]:
    """Say why the refund or credit would give back more than the partner has paid."""
    if refund.amount <= 0:
        return ["The amount must be more than £0"]
    given_back = ledger.refunded + ledger.credited
    if given_back + refund.amount > ledger.paid:
        return [
            f"Refunds and credits would come to {money(given_back + refund.amount)}, more than "
            f"the {money(ledger.paid)} the partner has paid"
        ]
    return []

"""What the reminders by email are about: pure rules on the programme's plain data.

- An invoice is overdue as docs/design.md section 9 says: its council owes money on invoices
  past their due date on the day (``PartnerLedger.overdue`` > 0, credits counted), and this
  invoice is one of them, past its due date with something still unpaid on it.
- A milestone falls due when it is not reached, not late, and expected within the next
  ``FALLING_DUE_DAYS`` days (today included): the "due soon" of section 9.8, nearer.
- A risk is past its review as section 9.8 says (``delivery.past_review``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .delivery import milestone_dates
from .document import CallData, InvoiceData, RefundData
from .ledger import partner_ledger

FALLING_DUE_DAYS = 7
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class OverdueInvoice:
    """An invoice past its due date with money owed on it; ``overdue`` is its council's."""

    call: CallData
    invoice: InvoiceData
    owed: Decimal
    overdue: Decimal


def overdue_invoices(
    partner: str, *, calls: Sequence[CallData], refunds: Sequence[RefundData], as_of: date
) -> list[OverdueInvoice]:
    """Return the partner's overdue invoices on the day, or none if it owes nothing overdue."""
    ledger = partner_ledger(
        partner, agreement=None, calls=calls, refunds=refunds, share_max=ZERO, as_of=as_of
    )
    if ledger.overdue <= ZERO:
        return []
    found = []
    for call in calls:
        if not call.due < as_of:
            continue
        for invoice in call.invoices:
            if invoice.partner != partner:
                continue
            owed = invoice.amount - sum((p.amount for p in invoice.payments), ZERO)
            if owed > ZERO:
                found.append(OverdueInvoice(call, invoice, owed, ledger.overdue))
    return found


def falling_due(
    baseline: date,
    forecast: date | None,
    actual: date | None,
    *,
    as_of: date,
    days: int = FALLING_DUE_DAYS,
) -> date | None:
    """Return the day a milestone is expected if it falls due within ``days``, else None."""
    dates = milestone_dates(baseline, forecast, actual, as_of=as_of)
    if dates.reached or dates.late:
        return None
    if as_of <= dates.expected <= as_of + timedelta(days=days):
        return dates.expected
    return None

"""Rows after the board decides, made directly: a meeting's agreement, calls, payments, refunds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from contributions.calls import ConfirmationNeeded, call_raise
from projects.models import (
    Agreement,
    Call,
    Invoice,
    Meeting,
    Partner,
    PartnerAgreement,
    Payment,
    Programme,
    Refund,
)
from tests.contributions.factories import PartnerFactory
from tests.projects.factories import PartnershipFactory, ProgrammeFactory

JUNE = date(2004, 6, 18)
OCTOBER = date(2004, 10, 15)


def agree(
    programme: Programme,
    partners: list[Partner],
    *,
    on: date = JUNE,
    immediate: str = "10000.00",
    cap: str = "30000.00",
    consent: bool = True,
    slug: str | None = None,
) -> Agreement:
    """Record a meeting's agreement: the same immediate tranche and cap for every partner."""
    meeting = Meeting.objects.create(
        programme=programme,
        slug=slug or f"board-{on:%Y-%m-%d}",
        body="Norfolk Chief Executives",
        date=on,
    )
    agreement = Agreement.objects.create(meeting=meeting)
    for partner in partners:
        PartnerAgreement.objects.create(
            agreement=agreement,
            partner=partner,
            immediate=Decimal(immediate),
            cap=Decimal(cap),
            consent_date=date(2004, 7, 5) if consent else None,
        )
    return agreement


def agreed_programme(count: int = 3, **agreement) -> tuple[Programme, list[Partner]]:
    """Return a programme of Norfolk Connect Partnership with ``count`` partners, agreed."""
    partnership = PartnershipFactory(name="Norfolk Connect Partnership")
    programme = ProgrammeFactory(
        partnership=partnership, starts=date(2004, 7, 1), ends=date(2005, 12, 31)
    )
    partners = [
        PartnerFactory(partnership=partnership, name=f"Council {n}", position=n)
        for n in range(count)
    ]
    agree(programme, partners, **agreement)
    return programme, partners


def raise_call(
    programme: Programme,
    *,
    tranche: str = "immediate",
    issued: date = date(2004, 7, 1),
    due: date = date(2004, 7, 31),
    financial_year: str = "2004/05",
    user=None,
) -> Call:
    """Raise a call as a facilitator would, confirming what the check page shows."""
    values = {
        "programme": programme,
        "tranche": tranche,
        "financial_year": financial_year,
        "issued": issued,
        "due": due,
        "user": user,
    }
    try:
        return call_raise(**values, confirmed="")
    except ConfirmationNeeded as needed:
        return call_raise(**values, confirmed=needed.key)


def paid(invoice: Invoice, amount: str, on: date = date(2004, 7, 20)) -> Payment:
    return Payment.objects.create(invoice=invoice, date=on, amount=Decimal(amount))


def money_world(programme: Programme, partner: Partner) -> tuple[Call, Invoice, Refund]:
    """Give a programme an agreement, a call paid by ``partner`` in part, and a refund to it.

    For the pages that need one of each: the permissions matrix and the browser checks.
    """
    partners = list(
        Partner.objects.filter(partnership=programme.partnership, contributes=True).order_by(
            "position", "pk"
        )
    )
    if partner not in partners:
        partners.append(partner)
    if not programme.meetings.exists():
        agree(programme, partners)
    call = raise_call(programme)
    invoice = call.invoices.get(partner=partner)
    paid(invoice, "6000.00")
    refund = Refund.objects.create(
        programme=programme,
        partner=partner,
        date=date(2004, 9, 1),
        amount=Decimal("500.00"),
        reason="A phase did not proceed",
    )
    return call, invoice, refund

"""Records of money and delivery for the API's tests: one of each for a programme, and many.

``an_invoice`` and ``a_milestone`` give the permission matrix (tests/api/test_api.py) a record
of any programme to read: the world's first, or one made for a programme that has none. The
``many_*`` functions fill a new programme with ``count`` rows by bulk_create, for the query
counts.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from projects.models import Call, Invoice, Milestone, Payment, Programme, Risk, Spend
from tests.contributions.factories import PartnerFactory
from tests.projects.factories import PhaseFactory, ProjectFactory

JULY = date(2004, 7, 1)


def a_call(programme: Programme, slug: str = "immediate", due: date = date(2004, 7, 31)) -> Call:
    return Call.objects.create(
        programme=programme,
        slug=slug,
        tranche="immediate",
        financial_year="2004/05",
        issued=min(JULY, due),
        due=due,
    )


def an_invoice(programme: Programme) -> Invoice:
    """The programme's first invoice, or a new one of £10 to a new council."""
    invoice = Invoice.objects.filter(call__programme=programme).order_by("pk").first()
    if invoice is not None:
        return invoice
    return Invoice.objects.create(
        call=a_call(programme),
        partnership=programme.partnership,
        number=f"T-{programme.pk}",
        partner=PartnerFactory(partnership=programme.partnership),
        amount=Decimal("10.00"),
    )


def a_milestone(programme: Programme) -> Milestone:
    """The programme's first milestone, or a new one of a new project."""
    milestone = Milestone.objects.filter(project__programme=programme).order_by("pk").first()
    if milestone is not None:
        return milestone
    project = ProjectFactory(programme=programme)
    return Milestone.objects.create(project=project, name="Live", baseline=date(2005, 3, 31))


def many_invoices(programme: Programme, count: int) -> None:
    """``count`` invoices (a multiple of 10) of 10 councils, each paid in part by one payment."""
    partners = [PartnerFactory(partnership=programme.partnership) for _ in range(10)]
    start = Call.objects.filter(programme=programme).count()
    calls = Call.objects.bulk_create(
        Call(
            programme=programme,
            slug=f"call-{n}",
            tranche="immediate",
            financial_year="2004/05",
            issued=JULY,
            due=JULY + timedelta(days=30),
        )
        for n in range(start, start + count // 10)
    )
    invoices = Invoice.objects.bulk_create(
        Invoice(
            call=call,
            partnership=programme.partnership,
            number=f"M-{call.slug}-{n}",
            partner=partner,
            amount=Decimal("100.00"),
        )
        for call in calls
        for n, partner in enumerate(partners)
    )
    Payment.objects.bulk_create(
        Payment(invoice=invoice, date=JULY, amount=Decimal("40.01"), reference="BACS")
        for invoice in invoices
    )


def many_spend(programme: Programme, count: int) -> None:
    phase = PhaseFactory(project=ProjectFactory(programme=programme))
    Spend.objects.bulk_create(
        Spend(phase=phase, date=JULY, amount=Decimal("12.34"), supplier="Kiosk Ltd")
        for _ in range(count)
    )


def many_milestones(programme: Programme, count: int) -> None:
    project = ProjectFactory(programme=programme)
    phase = PhaseFactory(project=project)
    Milestone.objects.bulk_create(
        Milestone(
            project=project,
            phase=phase if n % 2 else None,
            name=f"Milestone {n}",
            baseline=JULY + timedelta(days=n),
        )
        for n in range(count)
    )


def many_risks(programme: Programme, count: int) -> None:
    project = ProjectFactory(programme=programme)
    start = Risk.objects.filter(programme=programme).count()
    Risk.objects.bulk_create(
        Risk(
            programme=programme,
            project=project if n % 2 else None,
            reference=f"R{n}",
            description=f"Risk {n}",
            likelihood=n % 5 + 1,
            impact=3,
            next_review=JULY,
        )
        for n in range(start, start + count)
    )

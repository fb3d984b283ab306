"""Reads of the money after the board decides: calls, invoices, payments, refunds and credits.

Each page's rows come with their totals computed in the database (a subquery per total, so
that no join multiplies another's sums), in a fixed number of queries whatever their number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from projects.history import who_made
from projects.models import (
    Agreement,
    Call,
    Invoice,
    Partner,
    Payment,
    Programme,
    Refund,
)
from projects.money.contacts import Person
from projects.money.figures import figures_and_missing_basis
from projects.money.ledger import (
    PartnerLedger,
    invoice_overdue,
    latest_agreement,
    partner_ledger,
)
from projects.money.vocabulary import RefundKind, Tranche
from projects.selectors import programme_document
from projects.selectors.after_the_meeting import after_the_meeting
from projects.selectors.contacts import finance_person

ZERO = Decimal("0.00")
MONEY: DecimalField = DecimalField(max_digits=14, decimal_places=2)


def _money_sum(queryset: QuerySet, group: str, amount: str = "amount") -> Subquery:
    """Return a subquery of the sum of ``amount`` over the rows grouped by ``group``."""
    return Subquery(
        queryset.order_by().values(group).annotate(total=Sum(amount)).values("total")[:1],
        output_field=MONEY,
    )


def latest_agreement_of(programme: Programme) -> Agreement | None:
    """Return the agreement of the programme's latest meeting (of two on a day, the later)."""
    return (
        Agreement.objects.filter(meeting__programme=programme)
        .select_related("meeting")
        .order_by("-meeting__date", "-pk")
        .first()
    )


def agreement_of_call(call: Call) -> Agreement | None:
    """Return the agreement a call asked for money under: the latest at its date of issue."""
    agreements = Agreement.objects.filter(meeting__programme_id=call.programme_id).select_related(
        "meeting"
    )
    return (
        agreements.filter(meeting__date__lte=call.issued).order_by("-meeting__date", "-pk").first()
        or agreements.order_by("meeting__date", "pk").first()
    )


# Calls


def calls_with_totals(*, programme: Programme) -> QuerySet[Call]:
    """Return the programme's calls, each with its invoices' number and amounts, paid and owed."""
    invoices = Invoice.objects.filter(call=OuterRef("pk"))
    payments = Payment.objects.filter(invoice__call=OuterRef("pk"))
    return (
        Call.objects.filter(programme=programme)
        .annotate(
            invoice_count=Coalesce(
                Subquery(
                    invoices.order_by().values("call").annotate(n=Count("pk")).values("n")[:1],
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            invoiced=Coalesce(_money_sum(invoices, "call"), Value(ZERO), output_field=MONEY),
            paid=Coalesce(_money_sum(payments, "invoice__call"), Value(ZERO), output_field=MONEY),
        )
        .annotate(owed=F("invoiced") - F("paid"))
        .order_by("issued", "pk")
    )


def programme_call(*, programme: Programme, slug: str) -> Call | None:
    """Return the programme's call with this slug, with its totals, or None."""
    return calls_with_totals(programme=programme).filter(slug=slug).first()


@dataclass(frozen=True)
class InvoiceRow:
    """One invoice of a call, as its page shows it."""

    invoice: Invoice
    paid: Decimal
    owed: Decimal
    overdue: bool

    @property
    def to(self) -> Person | None:
        """The council's finance contact, to whom the invoice is addressed, or None."""
        return finance_person(self.invoice.partner)


def councils_without_finance_email(rows: list[InvoiceRow]) -> list[Partner]:
    """Return the councils invoiced whose finance contact's email is not recorded, once each."""
    lacking: dict[int, Partner] = {}
    for row in rows:
        to = row.to
        if to is None or not to.email:
            lacking.setdefault(row.invoice.partner_id, row.invoice.partner)
    return list(lacking.values())


def paid_on(invoice: Invoice) -> Decimal:
    """Return what has been paid on an invoice read by ``invoices_with_paid``."""
    return invoice.paid  # type: ignore[attr-defined]  # annotated by the query


def invoices_with_paid(queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Return the invoices with their council and call, and what has been paid on each."""
    payments = Payment.objects.filter(invoice=OuterRef("pk"))
    return queryset.select_related("partner", "call").annotate(
        paid=Coalesce(_money_sum(payments, "invoice"), Value(ZERO), output_field=MONEY),
        payment_count=Coalesce(
            Subquery(
                payments.order_by().values("invoice").annotate(n=Count("pk")).values("n")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        ),
    )


def call_invoices(*, call: Call, as_of: date | None = None) -> list[InvoiceRow]:
    """Return the call's invoices, each with what is paid and owed and whether it is overdue."""
    today = as_of or timezone.localdate()
    rows = []
    invoices = invoices_with_paid(Invoice.objects.filter(call=call))
    for invoice in invoices.order_by("partner__position", "partner__name", "pk"):
        paid = paid_on(invoice)
        rows.append(
            InvoiceRow(
                invoice=invoice,
                paid=paid,
                owed=invoice.amount - paid,
                overdue=invoice_overdue(
                    amount=invoice.amount, paid=paid, due=call.due, as_of=today
                ),
            )
        )
    return rows


def programme_invoice(*, programme: Programme, pk: int) -> Invoice | None:
    """Return the programme's invoice with this key, with its council, call and paid; or None."""
    return (
        invoices_with_paid(Invoice.objects.filter(call__programme=programme, pk=pk))
        .select_related("call__programme")
        .first()
    )


def invoice_payments(*, invoice: Invoice) -> list[Payment]:
    """Return the payments received against the invoice, oldest first."""
    return list(invoice.payments.order_by("date", "pk"))


def payments_recorded_by(*, payments: list[Payment]) -> dict[int, str]:
    """Name who recorded each payment, and how when not in the browser ("Jane Smith, through the
    API (token Ledger)"), from its history's first row: one query for them all."""
    first = (
        Payment.history.filter(id__in=[payment.pk for payment in payments], history_type="+")
        .select_related("history_user")
        .order_by("history_id")
    )
    names: dict[int, str] = {}
    for record in first:
        names.setdefault(record.id, who_made(record.history_user, record.history_change_reason))
    return names


def invoice_payment(*, invoice: Invoice, pk: int) -> Payment | None:
    """Return the invoice's payment with this key, or None."""
    return invoice.payments.filter(pk=pk).first()


def invoice_status_filter(status: str, *, as_of: date) -> Q:
    """The invoices of a status on the day (``projects.money.ledger.invoice_status``) as a filter of
    ``invoices_with_paid``: the same rule, asked of the database so that a page can be counted.
    """
    unpaid = Q(paid__lt=F("amount"))
    if status == "paid":
        return ~unpaid
    if status == "overdue":
        return unpaid & Q(call__due__lt=as_of)
    return unpaid & Q(call__due__gte=as_of)


def programme_invoices(
    *,
    programme: Programme,
    partner: str | None = None,
    call: str | None = None,
    status: str | None = None,
    number: str | None = None,
    as_of: date | None = None,
) -> QuerySet[Invoice]:
    """Return the programme's invoices, oldest call first, each with what is paid and its
    payments (oldest first); of a council, a call (by slug), a status on the day or with a
    number if given.

    Two queries for any page of it: the invoices with their paid, and their payments.
    """
    invoices = invoices_with_paid(Invoice.objects.filter(call__programme=programme))
    if partner is not None:
        invoices = invoices.filter(partner__slug=partner)
    if call is not None:
        invoices = invoices.filter(call__slug=call)
    if number is not None:
        invoices = invoices.filter(number=number)
    if status is not None:
        invoices = invoices.filter(
            invoice_status_filter(status, as_of=as_of or timezone.localdate())
        )
    return invoices.prefetch_related(
        Prefetch("payments", queryset=Payment.objects.order_by("date", "pk"))
    ).order_by("call__issued", "call__pk", "partner__position", "partner__name", "pk")


def programme_payments(
    *,
    programme: Programme,
    partner: str | None = None,
    invoice: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Payment]:
    """Return the payments received on the programme's invoices, oldest first, with their
    invoices and councils; of a council (slug), an invoice (number) or between two days."""
    payments = Payment.objects.filter(invoice__call__programme=programme)
    if partner is not None:
        payments = payments.filter(invoice__partner__slug=partner)
    if invoice is not None:
        payments = payments.filter(invoice__number=invoice)
    if date_from is not None:
        payments = payments.filter(date__gte=date_from)
    if date_to is not None:
        payments = payments.filter(date__lte=date_to)
    return payments.select_related("invoice__partner").order_by("date", "pk")


# Refunds and credits


@dataclass(frozen=True)
class SurplusRow:
    """A council that has paid more than its share of the current maximum: its surplus."""

    partner: Partner
    surplus: Decimal


@dataclass(frozen=True)
class RefundsPage:
    refunds: list[Refund]
    refunded: Decimal
    credited: Decimal
    surpluses: list[SurplusRow]
    figures_problem: str


def programme_refunds(*, programme: Programme) -> list[Refund]:
    """Return the programme's refunds and credits, with their councils, oldest first."""
    return list(
        Refund.objects.filter(programme=programme).select_related("partner").order_by("date", "pk")
    )


def surpluses(*, programme: Programme) -> tuple[list[SurplusRow], str]:
    """Return each council's surplus, and why the shares cannot be worked out ("" if they can)."""
    document = programme_document(programme=programme)
    figures, problem = figures_and_missing_basis(document)
    partners = {
        partner.slug: partner
        for partner in Partner.objects.filter(partnership_id=programme.partnership_id)
    }
    rows = [
        SurplusRow(partner=partners[ledger.partner], surplus=ledger.surplus)
        for ledger in figures.ledgers
        if ledger.surplus > 0 and ledger.partner in partners
    ]
    return rows, problem


def refunds_page(*, programme: Programme) -> RefundsPage:
    """Return the refunds page: what was given back, and each council's surplus to offer."""
    refunds = programme_refunds(programme=programme)
    offered, problem = surpluses(programme=programme)
    return RefundsPage(
        refunds=refunds,
        refunded=sum((r.amount for r in refunds if r.kind == RefundKind.REFUND), ZERO),
        credited=sum((r.amount for r in refunds if r.kind == RefundKind.CREDIT), ZERO),
        surpluses=offered,
        figures_problem=problem,
    )


def partner_surplus(*, programme: Programme, partner: Partner) -> Decimal:
    """Return the council's surplus: what it has paid beyond its share of the current maximum."""
    rows, _ = surpluses(programme=programme)
    return next((row.surplus for row in rows if row.partner.pk == partner.pk), ZERO)


def programme_refund(*, programme: Programme, pk: int) -> Refund | None:
    """Return the programme's refund or credit with this key, with its council, or None."""
    return Refund.objects.filter(programme=programme, pk=pk).select_related("partner").first()


def partner_ledger_of(*, programme: Programme, partner: Partner) -> PartnerLedger:
    """Return the council's ledger: invoiced, paid, refunded and credited under the agreement."""
    slug_of = dict(
        Partner.objects.filter(partnership_id=programme.partnership_id).values_list("pk", "slug")
    )
    records = after_the_meeting(programme=programme, slug_of=slug_of)
    meeting_dates = {meeting.slug: meeting.date for meeting in records.meetings}
    return partner_ledger(
        partner.slug,
        agreement=latest_agreement(records.agreements, meeting_dates),
        calls=records.calls,
        refunds=records.refunds,
        share_max=ZERO,  # the surplus plays no part in what may be given back
        as_of=timezone.localdate(),
    )


# The invoice as a document


@dataclass(frozen=True)
class InvoiceDocument:
    """What an invoice says: who it is to and from, what for, how much, and by when.

    It is the invoice as issued: what has been paid on it is the statement's business.
    """

    invoice: Invoice
    call: Call
    partner: Partner
    programme: Programme
    partnership_name: str
    agreement: Agreement | None

    @property
    def to(self) -> Person | None:
        """The council's finance contact, to whom the invoice is addressed, or None."""
        return finance_person(self.partner)

    @property
    def tranche_words(self) -> str:
        """Name the tranche as the agreement did: the immediate tranche, or the review's."""
        if self.call.tranche == Tranche.IMMEDIATE:
            return "the immediate tranche"
        return "the tranche released on review"

    def pounds(self, amount: Decimal) -> str:
        """Write an amount as an invoice does, always with pence: £10,000.00."""
        return f"£{amount:,.2f}"

    @property
    def amount_text(self) -> str:
        return self.pounds(self.invoice.amount)


def invoice_document(*, programme: Programme, pk: int) -> InvoiceDocument | None:
    """Return the programme's invoice with this key as its document says it, or None."""
    invoice = programme_invoice(programme=programme, pk=pk)
    if invoice is None:
        return None
    return InvoiceDocument(
        invoice=invoice,
        call=invoice.call,
        partner=invoice.partner,
        programme=programme,
        partnership_name=programme.partnership.name,
        agreement=agreement_of_call(invoice.call),
    )

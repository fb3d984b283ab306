"""The councils' money: the invoices of the programme's calls, and the payments on them.

An invoice's paid, owed and overdue are the call's page's and the council's page's: what is
paid is summed by the database (``contributions.ledger_selectors.invoices_with_paid``) and
the invoice's status on the day is ``projects.money.ledger.invoice_status``.
"""

# Without ``from __future__ import annotations``: ninja reads the filters' class from the
# paginated endpoint's signature, which a string annotation would leave undefined.

import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from contributions.ledger_selectors import (
    paid_on,
    programme_invoice,
    programme_invoices,
    programme_payments,
)
from projects.models import Invoice, Payment
from projects.money.document import REFERENCE_MAX_LENGTH
from projects.money.ledger import invoice_overdue, invoice_status

from .common import MONEY_FIELD, MONEY_PATTERN, Page, answers, money_text, own_programme
from .filters import ID_MAX, slug_filter, text_filter
from .versions import record_etag

router = Router(tags=["Money"])

STATUS = Literal["paid", "owing", "overdue"]
STATUS_WORDS = (
    "`paid` when nothing is left to pay on it; `overdue` when its due date has passed with "
    "something unpaid (the call's page and the council's page tag it Overdue); `owing` when "
    "something is unpaid and it is not yet due."
)


def _money(description: str) -> Any:
    return Field(description=f"{description} {MONEY_FIELD}", pattern=MONEY_PATTERN)


class InvoicePaymentOut(Schema):
    """A payment received against an invoice."""

    id: int = Field(description="The payment's id.")
    date: datetime.date = Field(description="The day the money was received.")
    amount: str = _money("The amount received.")
    reference: str = Field(
        description="The council's reference for it, such as a BACS reference; may be empty."
    )

    @staticmethod
    def resolve_amount(payment: Payment) -> str | None:
        return money_text(payment.amount)


class InvoiceOut(Schema):
    """An invoice to a council for its part of a call, with what it has paid on it.

    Built from an invoice read by ``contributions.ledger_selectors`` (``programme_invoices`` or
    ``programme_invoice``), which sums what is paid.
    """

    id: int = Field(description="The invoice's id, as in its address.")
    number: str = Field(description="The invoice's number, unique in the partnership.")
    partner: str = Field(description="The slug of the council invoiced.")
    partner_name: str = Field(description="The name of the council invoiced.")
    call: str = Field(description="The slug of the call the invoice is part of.")
    tranche: Literal["immediate", "review"] = Field(
        description="The call's tranche: `immediate`, or `review` (released on review)."
    )
    financial_year: str = Field(description="The financial year of the call, such as 2004/05.")
    issued: datetime.date = Field(description="The call's date of issue.")
    due: datetime.date = Field(description="The call's due date.")
    amount: str = _money("The amount invoiced.")
    paid: str = _money("What has been received against it.")
    owed: str = _money("What is left to pay: amount less paid (negative when overpaid).")
    overdue: bool = Field(
        description="Whether it is past its due date today with something still unpaid."
    )
    status: STATUS = Field(description=f"Where it stands today: {STATUS_WORDS}")
    payments: list[InvoicePaymentOut] = Field(
        description="The payments received against it, oldest first."
    )

    @staticmethod
    def resolve_partner(invoice: Invoice) -> str:
        return invoice.partner.slug

    @staticmethod
    def resolve_partner_name(invoice: Invoice) -> str:
        return invoice.partner.name

    @staticmethod
    def resolve_call(invoice: Invoice) -> str:
        return invoice.call.slug

    @staticmethod
    def resolve_tranche(invoice: Invoice) -> str:
        return invoice.call.tranche

    @staticmethod
    def resolve_financial_year(invoice: Invoice) -> str:
        return invoice.call.financial_year

    @staticmethod
    def resolve_issued(invoice: Invoice) -> datetime.date:
        return invoice.call.issued

    @staticmethod
    def resolve_due(invoice: Invoice) -> datetime.date:
        return invoice.call.due

    @staticmethod
    def resolve_amount(invoice: Invoice) -> str | None:
        return money_text(invoice.amount)

    @staticmethod
    def resolve_paid(invoice: Invoice) -> str | None:
        return money_text(paid_on(invoice))

    @staticmethod
    def resolve_owed(invoice: Invoice) -> str | None:
        return money_text(invoice.amount - paid_on(invoice))

    @staticmethod
    def resolve_overdue(invoice: Invoice) -> bool:
        return invoice_overdue(
            amount=invoice.amount,
            paid=paid_on(invoice),
            due=invoice.call.due,
            as_of=timezone.localdate(),
        )

    @staticmethod
    def resolve_status(invoice: Invoice) -> str:
        return invoice_status(
            amount=invoice.amount,
            paid=paid_on(invoice),
            due=invoice.call.due,
            as_of=timezone.localdate(),
        )

    @staticmethod
    def resolve_payments(invoice: Invoice) -> list[Payment]:
        return list(invoice.payments.all())  # prefetched, oldest first, by the selector


class PaymentOut(Schema):
    """A payment received against one of the programme's invoices."""

    id: int = Field(description="The payment's id.")
    invoice_id: int = Field(description="The id of the invoice it was paid against.")
    invoice: str = Field(description="The number of the invoice it was paid against.")
    partner: str = Field(description="The slug of the council that paid it.")
    partner_name: str = Field(description="The name of the council that paid it.")
    date: datetime.date = Field(description="The day the money was received.")
    amount: str = _money("The amount received.")
    reference: str = Field(
        description="The council's reference for it, such as a BACS reference; may be empty."
    )

    @staticmethod
    def resolve_invoice(payment: Payment) -> str:
        return payment.invoice.number

    @staticmethod
    def resolve_partner(payment: Payment) -> str:
        return payment.invoice.partner.slug

    @staticmethod
    def resolve_partner_name(payment: Payment) -> str:
        return payment.invoice.partner.name

    @staticmethod
    def resolve_amount(payment: Payment) -> str | None:
        return money_text(payment.amount)


class InvoiceFilters(Schema):
    """Which of the programme's invoices to list."""

    partner: str | None = slug_filter("Only the invoices of the council with this slug.")
    call: str | None = slug_filter("Only the invoices of the call with this slug.")
    status: STATUS | None = Field(None, description=f"Only the invoices that are: {STATUS_WORDS}")
    number: str | None = text_filter(
        "Only the invoice with this number, as the council's remittance quotes it: the way to "
        "find an invoice's id, which an import of the programme file may change.",
        max_length=REFERENCE_MAX_LENGTH,
    )


class PaymentFilters(Schema):
    """Which of the payments on the programme's invoices to list."""

    partner: str | None = slug_filter("Only the payments of the council with this slug.")
    invoice: str | None = text_filter(
        "Only the payments against the invoice with this number.",
        max_length=REFERENCE_MAX_LENGTH,
    )
    date_from: datetime.date | None = Field(
        None, description="Only the payments received on or after it."
    )
    date_to: datetime.date | None = Field(
        None, description="Only the payments received on or before it."
    )


@router.get(
    "/programmes/{slug}/invoices",
    response=answers(list[InvoiceOut]),
    url_name="invoices",
    summary="List the programme's invoices",
    description=(
        "The invoices of the programme's calls, oldest call first and in the councils' order "
        "within a call, each with what is paid, owed and whether it is overdue today (as the "
        "call's page and the council's page show them), and its payments. Filtered by council, "
        "call, status and number. 404 when the token's partnership has no programme with this "
        "slug."
    ),
)
@paginate(Page)
def invoice_list(request: HttpRequest, slug: str, filters: Query[InvoiceFilters]) -> Any:
    programme = own_programme(request, slug)
    return programme_invoices(
        programme=programme,
        partner=filters.partner,
        call=filters.call,
        status=filters.status,
        number=filters.number,
    )


@router.get(
    "/programmes/{slug}/invoices/{invoice}",
    response=answers(InvoiceOut),
    url_name="invoice",
    summary="One invoice",
    description=(
        "One invoice of the programme's calls, by its id, with what is paid, owed and whether "
        "it is overdue today, and its payments. Its ETag starts with the invoice's version: "
        "send it as `If-Match` when recording a payment against it. 404 when the token's "
        "partnership has no programme with this slug or the programme no invoice with this id."
    ),
)
def invoice_one(
    request: HttpRequest,
    response: HttpResponse,
    slug: str,
    invoice: int = Path(..., ge=1, le=ID_MAX, description="The invoice's id."),
) -> Any:
    programme = own_programme(request, slug)
    found = programme_invoice(programme=programme, pk=invoice)
    if found is None:
        raise Http404("No such invoice")
    response["ETag"] = record_etag(found)  # its version, for a write's If-Match
    return found


@router.get(
    "/programmes/{slug}/payments",
    response=answers(list[PaymentOut]),
    url_name="payments",
    summary="List the payments on the programme's invoices",
    description=(
        "The payments received against the programme's invoices, oldest first, each with its "
        "invoice and council. Filtered by council, invoice number and the days received "
        "between. 404 when the token's partnership has no programme with this slug."
    ),
)
@paginate(Page)
def payment_list(request: HttpRequest, slug: str, filters: Query[PaymentFilters]) -> Any:
    programme = own_programme(request, slug)
    return programme_payments(
        programme=programme,
        partner=filters.partner,
        invoice=filters.invoice,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )

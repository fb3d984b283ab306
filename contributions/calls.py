"""Writes of the money after the board decides: calls for it, payments, refunds and credits.

Each write is one transaction, checked before anything is saved and recorded in the history
with its author. A refusal is a ``ValidationError`` naming the field at fault (or none), and
nothing is written. A change that is allowed but unusual (a council whose consent to its
share is not recorded, a date outside the programme's period) is not saved until the person
confirms it: the service raises ``ConfirmationNeeded`` with the warnings and a key, and saves
only when given that key back, so that what was confirmed is what is saved.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.db.models.functions import Length
from simple_history.utils import bulk_create_with_history

from norfolk_connect.model_messages import full_clean_for_people
from projects.history import Author, record_author
from projects.models import (
    Agreement,
    Call,
    Invoice,
    Partner,
    PartnerAgreement,
    Partnership,
    Payment,
    Programme,
    Refund,
)
from projects.money.document import REFERENCE_MAX_LENGTH
from projects.money.formatting import money
from projects.money.ledger import (
    AgreementData,
    CallData,
    InvoiceData,
    PartnerAgreementData,
    RefundData,
    call_problems,
    refund_problems,
)
from projects.money.vocabulary import RefundKind, Tranche
from projects.notifications import invoices_issued
from projects.services.confirmation import (
    ConfirmationNeeded,
    confirmation_key,
    period_warnings,
)
from projects.services.confirmation import day as _day
from projects.validators import slug_from_name

from .ledger_selectors import latest_agreement_of, partner_ledger_of

NO_AGREEMENT = "Record the board's agreement before calling for money"
REVIEW_NOT_RELEASED = (
    "The review tranche is called only after a later meeting's decision releases it"
)
DUE_BEFORE_ISSUE = "The due date must be the same as or after the date of issue"
# Words a partnership's name often ends or begins with, which its invoices' prefix leaves out:
# "Norfolk Connect Partnership" numbers its invoices NC-0001, NC-0002 and so on.
PREFIX_SKIPS = frozenset({"the", "of", "and", "for", "partnership", "partners"})


def check_pence(amount: Decimal, *, subject: str = "Amount") -> None:
    """Refuse an amount of nothing, less, or a fraction of a penny."""
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": f"{subject} must be in pounds and pence, like 15,000.50"})
    if amount <= 0:
        raise ValidationError({"amount": f"{subject} must be more than £0"})


# Calls


@dataclass(frozen=True)
class PlannedInvoice:
    """One invoice a call will create: its number, council and amount."""

    partner: Partner
    number: str
    amount: Decimal
    invoiced_before: Decimal
    consent_recorded: bool


@dataclass(frozen=True)
class CallPlan:
    """What raising a call will create, and what the person must confirm first."""

    tranche: str
    financial_year: str
    issued: date
    due: date
    agreement: Agreement
    invoices: tuple[PlannedInvoice, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def total(self) -> Decimal:
        return sum((invoice.amount for invoice in self.invoices), Decimal("0.00"))

    @property
    def key(self) -> str:
        """The digest of the call as shown: a change to any invoice or warning changes it."""
        return confirmation_key(
            self.tranche,
            self.financial_year,
            self.issued,
            self.due,
            self.agreement.pk,
            [(i.partner.pk, i.number, i.amount) for i in self.invoices],
            self.warnings,
        )


def invoice_prefix(partnership: Partnership) -> str:
    """Return the letters a partnership's invoice numbers start with: NC for Norfolk Connect."""
    words = [w for w in re.findall(r"[A-Za-z]+", partnership.name) if w.lower() not in PREFIX_SKIPS]
    return "".join(word[0] for word in words).upper()[:6] or "INV"


def next_invoice_numbers(partnership: Partnership, count: int) -> list[str]:
    """Return the next ``count`` invoice numbers of the partnership, such as NC-0011, NC-0012."""
    prefix = invoice_prefix(partnership)
    pattern = re.compile(rf"^{re.escape(prefix)}-([0-9]+)$")
    # The highest number of this form: the longest, then the greatest of those.
    last = (
        Invoice.objects.filter(partnership=partnership, number__regex=rf"^{prefix}-[0-9]+$")
        .order_by(Length("number").desc(), "-number")
        .values_list("number", flat=True)
        .first()
    )
    match = pattern.match(last or "")
    start = int(match.group(1)) + 1 if match else 1
    return [f"{prefix}-{n:04d}" for n in range(start, start + count)]


def _consent_warning(names: list[str]) -> str:
    if len(names) == 1:
        return f"{names[0]}'s consent to its share is not recorded."
    listed = ", ".join(names[:-1]) + f" and {names[-1]}"
    return f"The consent of {listed} to their shares is not recorded."


def _keys(parts: Sequence[PartnerAgreement]) -> dict[int, str]:
    """Name the partners in the ledger's checks: by name when the names tell them apart."""
    names = [part.partner.name for part in parts]
    unique = len(set(names)) == len(names)
    return {part.partner_id: part.partner.name if unique else part.partner.slug for part in parts}


def call_plan(
    *, programme: Programme, tranche: str, financial_year: str, issued: date, due: date
) -> CallPlan:
    """Work out the invoices a call would create, or refuse it, naming the field at fault."""
    errors: dict[str, str] = {}
    if tranche not in Tranche.values:
        errors["tranche"] = "Select the tranche"
    if financial_year not in programme.financial_years:
        errors["financial_year"] = "Select one of the programme's financial years"
    if due < issued:
        errors["due"] = DUE_BEFORE_ISSUE
    if errors:
        raise ValidationError(errors)
    agreement = latest_agreement_of(programme)
    if agreement is None:
        raise ValidationError(NO_AGREEMENT)
    if tranche == Tranche.REVIEW and (
        Agreement.objects.filter(meeting__programme=programme).count() < 2
        or agreement.meeting.date > issued
    ):
        raise ValidationError({"tranche": REVIEW_NOT_RELEASED})
    if agreement.meeting.date > issued:
        # A call is made under the agreement that stands on its date of issue, as the programme
        # file checks it: one dated earlier would be under no agreement, or an older one.
        meeting = agreement.meeting.date
        raise ValidationError(
            {
                "issued": "Date of issue must be the same as or after "
                f"{meeting.day} {meeting:%B %Y}, the date of the meeting that agreed the "
                "contributions"
            }
        )
    parts = list(agreement.partners.select_related("partner").order_by("partner__position", "pk"))
    invoiced = dict(
        Invoice.objects.filter(call__programme=programme)
        .values_list("partner_id")
        .annotate(total=Sum("amount"))
        .values_list("partner_id", "total")
    )
    planned = []
    for part in parts:
        before = invoiced.get(part.partner_id) or Decimal("0.00")
        target = part.immediate if tranche == Tranche.IMMEDIATE else part.cap
        if target - before > 0:
            planned.append((part, before, target - before))
    if not planned:
        what = "immediate tranche" if tranche == Tranche.IMMEDIATE else "cap"
        raise ValidationError(
            {
                "tranche": "Nothing is left to call: every council has been invoiced its "
                f"agreed {what}"
            }
        )
    numbers = next_invoice_numbers(programme.partnership, len(planned))
    invoices = tuple(
        PlannedInvoice(
            partner=part.partner,
            number=number,
            amount=amount,
            invoiced_before=before,
            consent_recorded=part.consent_date is not None,
        )
        for (part, before, amount), number in zip(planned, numbers, strict=True)
    )
    # The agreement's caps: no invoice may take a partner's invoiced total above its cap.
    key_of = _keys(parts)
    problems = call_problems(
        CallData(
            slug="new",
            tranche=Tranche(tranche),
            financial_year=financial_year,
            issued=issued,
            due=due,
            invoices=tuple(
                InvoiceData(number=i.number, partner=key_of[i.partner.pk], amount=i.amount)
                for i in invoices
            ),
        ),
        agreement=AgreementData(
            meeting=agreement.meeting.slug,
            per_partner=tuple(
                PartnerAgreementData(
                    partner=key_of[part.partner_id], immediate=part.immediate, cap=part.cap
                )
                for part in parts
            ),
        ),
        earlier=[
            CallData(
                slug="earlier",
                tranche=Tranche(tranche),
                financial_year=financial_year,
                issued=issued,
                due=due,
                invoices=tuple(
                    InvoiceData(number="", partner=key_of[part.partner_id], amount=before)
                    for part, before, _ in planned
                    if before
                ),
            )
        ],
    )
    if problems:
        raise ValidationError(problems)
    warnings = []
    unconsented = [i.partner.name for i in invoices if not i.consent_recorded]
    if unconsented:
        warnings.append(_consent_warning(unconsented))
    warnings += period_warnings(programme, [("date of issue", issued), ("due date", due)])
    return CallPlan(
        tranche=tranche,
        financial_year=financial_year,
        issued=issued,
        due=due,
        agreement=agreement,
        invoices=invoices,
        warnings=tuple(warnings),
    )


def _call_slug(programme: Programme, tranche: str, financial_year: str) -> str:
    return slug_from_name(
        f"{tranche} {financial_year.replace('/', ' ')}",
        taken=lambda slug: Call.objects.filter(programme=programme, slug=slug).exists(),
        reserved=frozenset({"new"}),
        fallback="call",
    )


@transaction.atomic
def call_raise(
    *,
    programme: Programme,
    tranche: str,
    financial_year: str,
    issued: date,
    due: date,
    confirmed: str,
    user: Author,
) -> Call:
    """Raise a call: an invoice to each council of the latest agreement with money to call.

    ``confirmed`` is the key of the plan the person checked; until it matches the call as it
    would now be made, ``ConfirmationNeeded`` carries the plan's key and warnings instead.
    """
    # One call at a time in a partnership: its invoice numbers and the caps are read, then
    # written (a row lock on PostgreSQL; SQLite writes one transaction at a time anyway).
    Partnership.objects.select_for_update().filter(pk=programme.partnership_id).first()
    plan = call_plan(
        programme=programme, tranche=tranche, financial_year=financial_year, issued=issued, due=due
    )
    if confirmed != plan.key:
        raise ConfirmationNeeded(plan.warnings, plan.key, plan)
    call = Call(
        programme=programme,
        slug=_call_slug(programme, tranche, financial_year),
        tranche=tranche,
        financial_year=financial_year,
        issued=issued,
        due=due,
    )
    full_clean_for_people(call)
    record_author(call, user)
    call.save()
    invoices = [
        Invoice(
            call=call,
            partnership_id=programme.partnership_id,
            number=planned.number,
            partner=planned.partner,
            amount=planned.amount,
        )
        for planned in plan.invoices
    ]
    for invoice in invoices:
        # The numbers are new and one per council; the database's constraints stand behind
        # that, without a query per invoice.
        full_clean_for_people(invoice, validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            bulk_create_with_history(invoices, Invoice, default_user=user)
    except IntegrityError as error:  # another call took these numbers meanwhile
        raise ValidationError(
            "Another call was raised at the same time, so these invoice numbers are taken: "
            "check the calls, then raise this one again"
        ) from error
    # Each council's finance contact is emailed its invoice once this transaction commits.
    invoices_issued(call=call)
    return call


@transaction.atomic
def call_cancel(*, call: Call, user: Author) -> None:
    """Cancel a call and its invoices, refused once any of them has a payment."""
    paid = Payment.objects.filter(invoice__call=call).count()
    if paid:
        raise ValidationError(
            f"This call cannot be cancelled: {paid} payment{'s' if paid != 1 else ''} "
            f"{'are' if paid != 1 else 'is'} recorded against its invoices. Remove "
            f"{'them' if paid != 1 else 'it'} first."
        )
    for invoice in Invoice.objects.filter(call=call):
        record_author(invoice, user)
        invoice.delete()
    record_author(call, user)
    call.delete()


# Payments


@transaction.atomic
def payment_record(
    *,
    invoice: Invoice,
    date: date,
    amount: Decimal,
    reference: str,
    confirmed: str,
    user: Author,
) -> Payment:
    """Record money received against an invoice; it may be paid in several payments."""
    # The invoice's row is the lock: two payments recorded at once cannot both pay it in full.
    Invoice.objects.select_for_update().filter(pk=invoice.pk).first()
    call = invoice.call
    errors: dict[str, str] = {}
    try:
        check_pence(amount)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if "amount" not in errors:
        paid = invoice.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
        owed = invoice.amount - paid
        if amount > owed:
            errors["amount"] = (
                f"The payment of {money(amount)} is more than the {money(owed)} still owed on "
                f"invoice {invoice.number}"
                if owed > 0
                else f"Invoice {invoice.number} is paid in full: nothing is owed on it"
            )
    if date < call.issued:
        errors["date"] = (
            f"The payment date must be on or after the invoice's date of issue, {_day(call.issued)}"
        )
    if len(reference) > REFERENCE_MAX_LENGTH:
        errors["reference"] = f"Reference must be {REFERENCE_MAX_LENGTH} characters or less"
    if errors:
        raise ValidationError(errors)
    warnings = period_warnings(call.programme, [("payment date", date)])
    key = confirmation_key(invoice.pk, date, amount, warnings)
    if warnings and confirmed != key:
        raise ConfirmationNeeded(warnings, key)
    payment = Payment(invoice=invoice, date=date, amount=amount, reference=reference)
    full_clean_for_people(payment)
    record_author(payment, user)
    payment.save()
    return payment


@transaction.atomic
def payment_delete(*, payment: Payment, user: Author) -> None:
    """Remove a payment recorded in error; its history is kept."""
    record_author(payment, user)
    payment.delete()


# Refunds and credits


@transaction.atomic
def refund_record(
    *,
    programme: Programme,
    partner: Partner,
    kind: str,
    date: date,
    amount: Decimal,
    reason: str,
    confirmed: str,
    user: Author,
) -> Refund:
    """Give money back to a council: paid back, or set against its next invoice.

    Refused when the council's refunds and credits together would exceed what it has paid.
    """
    # The partner's row is the lock: two refunds given at once cannot both pass the check.
    Partner.objects.select_for_update().filter(pk=partner.pk).first()
    errors: dict[str, str] = {}
    if partner.partnership_id != programme.partnership_id:
        errors["partner"] = "Select a council of the partnership"
    if kind not in RefundKind.values:
        errors["kind"] = "Select whether it is a refund or a credit"
    try:
        check_pence(amount)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    ledger = partner_ledger_of(programme=programme, partner=partner)
    problems = refund_problems(
        RefundData(partner=partner.slug, date=date, amount=amount, kind=RefundKind(kind)),
        ledger=ledger,
    )
    if problems:
        raise ValidationError({"amount": problems})
    warnings = period_warnings(programme, [("date", date)])
    key = confirmation_key(partner.pk, kind, date, amount, warnings)
    if warnings and confirmed != key:
        raise ConfirmationNeeded(warnings, key)
    refund = Refund(
        programme=programme, partner=partner, kind=kind, date=date, amount=amount, reason=reason
    )
    full_clean_for_people(refund)
    record_author(refund, user)
    refund.save()
    return refund


@transaction.atomic
def refund_delete(*, refund: Refund, user: Author) -> None:
    """Remove a refund or credit recorded in error; its history is kept."""
    record_author(refund, user)
    refund.delete()

"""The pot: the money the partners paid in, what went back, what was spent, and what is left.

Pure functions on ``Decimal`` pounds and pence, as every money rule:

- the pot's balance = paid - refunded - spent, where refunded counts refunds only: a credit is
  set against a council's invoices and never leaves the pot (``figures.pot_balance``,
  ``paper_tables.pot_lines``);
- each payment, refund and spend line falls in the UK local government financial year of its
  own date (``spend.financial_year_of``): a payment by the day it was received, a refund by the
  day it was made, spend by the day it was spent;
- each year's carried forward = brought forward + paid - refunded - spent, and the next year
  brings forward what the last carried: the last year's carried forward is the balance;
- a council's part of the spend on a project is the spend split between the contributing
  councils in proportion to what each has put in the pot (paid - refunded), by largest
  remainder, so that the parts add up to the spend to the penny.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .document import ProgrammeDocument
from .shares import apportion
from .spend import financial_year_of
from .vocabulary import RefundKind

ZERO = Decimal("0.00")

#: A dated amount: a payment, a refund or a spend line (or the sum of those of one month).
Dated = tuple[date, Decimal]


@dataclass(frozen=True)
class PotYear:
    """One financial year of the pot."""

    financial_year: str  # "2004/05"
    brought_forward: Decimal
    paid: Decimal
    refunded: Decimal
    spent: Decimal

    @property
    def carried_forward(self) -> Decimal:
        return self.brought_forward + self.paid - self.refunded - self.spent


@dataclass(frozen=True)
class Pot:
    """The pot by financial year, oldest first, and in all."""

    years: tuple[PotYear, ...]
    paid: Decimal
    refunded: Decimal
    spent: Decimal

    @property
    def balance(self) -> Decimal:
        """Return the money held in the pot: paid, less refunds and spend."""
        return self.paid - self.refunded - self.spent


def _by_year(lines: Iterable[Dated]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for day, amount in lines:
        totals[financial_year_of(day)] += amount
    return totals


def pot_by_year(
    *,
    paid: Iterable[Dated],
    refunded: Iterable[Dated],
    spent: Iterable[Dated],
    years: Iterable[str] = (),
) -> Pot:
    """Return the pot year by year from its dated payments, refunds and spend.

    ``years`` names financial years to show even when nothing moved in them (the programme's).
    """
    paid_in, given_back, spend = _by_year(paid), _by_year(refunded), _by_year(spent)
    rows = []
    carried = ZERO
    for year in sorted(set(years) | set(paid_in) | set(given_back) | set(spend)):
        row = PotYear(
            financial_year=year,
            brought_forward=carried,
            paid=paid_in.get(year, ZERO),
            refunded=given_back.get(year, ZERO),
            spent=spend.get(year, ZERO),
        )
        rows.append(row)
        carried = row.carried_forward
    return Pot(
        years=tuple(rows),
        paid=sum(paid_in.values(), ZERO),
        refunded=sum(given_back.values(), ZERO),
        spent=sum(spend.values(), ZERO),
    )


def document_pot(document: ProgrammeDocument, *, partners: Sequence[str]) -> Pot:
    """Return the pot of a programme's plain data, counting the named (contributing) partners'
    payments and refunds, as the figures do, so that its balance is ``figures.pot_balance``."""
    counted = set(partners)
    return pot_by_year(
        paid=(
            (payment.date, payment.amount)
            for call in document.calls
            for invoice in call.invoices
            if invoice.partner in counted
            for payment in invoice.payments
        ),
        refunded=(
            (refund.date, refund.amount)
            for refund in document.refunds
            if refund.partner in counted and refund.kind == RefundKind.REFUND
        ),
        spent=((item.date, item.amount) for item in document.spend),
        years=document.programme.financial_years,
    )


def put_in(document: ProgrammeDocument, *, partners: Sequence[str]) -> dict[str, Decimal]:
    """Return what each named partner has put in the pot: paid less refunded, never below 0."""
    net = dict.fromkeys(partners, ZERO)
    for call in document.calls:
        for invoice in call.invoices:
            if invoice.partner in net:
                net[invoice.partner] += sum((p.amount for p in invoice.payments), ZERO)
    for refund in document.refunds:
        if refund.partner in net and refund.kind == RefundKind.REFUND:
            net[refund.partner] -= refund.amount
    return {slug: max(amount, ZERO) for slug, amount in net.items()}


def spend_by_project(document: ProgrammeDocument) -> dict[str, Decimal]:
    """Return the spend on each project that has any, in the programme's order of projects."""
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for item in document.spend:
        totals[item.project] += item.amount
    return {p.slug: totals[p.slug] for p in document.projects if p.slug in totals}


def spend_parts(
    spend: Mapping[str, Decimal], put_in: Mapping[str, Decimal]
) -> dict[str, dict[str, Decimal]]:
    """Split each project's spend between the councils by what each has put in the pot.

    Returns, for each project (in ``spend``'s order), each council's part, by largest remainder
    so that the parts add up to the project's spend exactly. Empty when nobody has put
    anything in: then no council's money has been spent.
    """
    weights = {slug: amount for slug, amount in put_in.items() if amount > 0}
    if not weights:
        return {}
    return {project: apportion(amount, weights) for project, amount in spend.items()}

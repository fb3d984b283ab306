"""A partner council's statement: what it owes the programme and has paid, and for what. Pure.

Built from the programme's plain data and figures: the partner's contributions by financial
year and status, its shares of the minimum and maximum, its immediate tranche and cap, what it
still owes, its share of each project's extra cost, and, where its IEG grant is recorded, its
contribution as a share of that grant.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from contributions.agreed import AgreedRow, agreed_money
from projects.money.bounds import project_extra_bounds
from projects.money.document import ProgrammeDocument
from projects.money.figures import ProgrammeFigures
from projects.money.ledger import invoice_overdue
from projects.money.pot import put_in, spend_by_project, spend_parts
from projects.money.shares import PLEDGED_STATUSES, PartnerPosition, apportion, partner_weights
from projects.money.vocabulary import ContributionStatus, Tranche

ZERO = Decimal("0.00")
PERCENT = Decimal("0.1")


@dataclass(frozen=True)
class YearRow:
    """A partner's contributions for one financial year, by where each stands."""

    financial_year: str
    pledged: Decimal  # promised, not yet invoiced
    invoiced: Decimal  # invoiced, not yet paid
    received: Decimal  # paid
    returned: Decimal  # paid or promised, then given back
    promised: Decimal  # pledged + invoiced + received: what counts as pledged

    @property
    def outstanding(self) -> Decimal:
        """Return what is promised and not yet paid."""
        return self.promised - self.received


@dataclass(frozen=True)
class ContributionLine:
    financial_year: str
    tranche: str
    amount: Decimal
    status: str
    on: date | None  # the date of its latest step
    note: str


@dataclass(frozen=True)
class ProjectShare:
    """The partner's part of one project's extra cost."""

    name: str
    extra_min: Decimal
    extra_max: Decimal
    share_min: Decimal
    share_max: Decimal
    tbc_phases: int


@dataclass(frozen=True)
class SpendPart:
    """The spend on one project, and the council's part of it."""

    name: str
    spent: Decimal
    part: Decimal


@dataclass(frozen=True)
class InvoiceLine:
    """One of the council's invoices: what it was asked for, by when, and what it has paid."""

    number: str
    tranche: str
    financial_year: str
    issued: date
    due: date
    amount: Decimal
    paid: Decimal
    overdue: bool  # past its due date with money still to pay

    @property
    def owed(self) -> Decimal:
        return self.amount - self.paid


@dataclass(frozen=True)
class PartnerStatement:
    partner_slug: str
    partner_name: str
    programme_name: str
    partnership_name: str
    contributes: bool
    position: PartnerPosition | None  # None when it does not contribute or shares are unknown
    figures_problem: str
    years: tuple[YearRow, ...]
    totals: YearRow
    contributions: tuple[ContributionLine, ...]
    projects: tuple[ProjectShare, ...]
    ieg_grant: Decimal | None
    pledged_share_of_ieg: Decimal | None  # per cent, to one decimal place
    cap_share_of_ieg: Decimal | None
    date: date
    # After the meeting: what it agreed, has been invoiced and has paid, once there is an
    # agreement; and its invoices, oldest first.
    agreed: AgreedRow | None = None
    agreed_by: str = ""  # "Norfolk Chief Executives on 15 October 2004"
    invoices: tuple[InvoiceLine, ...] = ()
    # What its money has been spent on: its part of each project's spend, in proportion to what
    # it has put in the pot (paid less refunded) of what all the councils have. Empty when
    # nothing is spent, or it has put nothing in.
    spend: tuple[SpendPart, ...] = ()
    put_in: Decimal = ZERO
    put_in_by_all: Decimal = ZERO

    @property
    def spend_total(self) -> Decimal:
        return sum((row.spent for row in self.spend), ZERO)

    @property
    def part_total(self) -> Decimal:
        return sum((row.part for row in self.spend), ZERO)

    @property
    def to_pledge_immediately(self) -> Decimal:
        """Return what it has still to pledge to reach its immediate tranche."""
        if self.position is None:
            return ZERO
        return max(self.position.immediate - self.totals.promised, ZERO)

    @property
    def to_pledge_up_to_cap(self) -> Decimal:
        """Return what it may still be asked to pledge, up to its cap."""
        if self.position is None:
            return ZERO
        return max(self.position.cap - self.totals.promised, ZERO)


def _year_row(year: str, contributions) -> YearRow:
    def total(*statuses: ContributionStatus) -> Decimal:
        return sum((c.amount for c in contributions if c.status in statuses), ZERO)

    return YearRow(
        financial_year=year,
        pledged=total(ContributionStatus.PLEDGED),
        invoiced=total(ContributionStatus.INVOICED),
        received=total(ContributionStatus.RECEIVED),
        returned=total(ContributionStatus.RETURNED),
        promised=total(*PLEDGED_STATUSES),
    )


def _per_cent(part: Decimal, whole: Decimal | None) -> Decimal | None:
    if whole is None or whole <= 0:
        return None
    return (part * 100 / whole).quantize(PERCENT)


def _decimal(fraction: Fraction) -> Decimal:
    return Decimal(fraction.numerator) / Decimal(fraction.denominator)


def project_shares(
    document: ProgrammeDocument, position: PartnerPosition
) -> tuple[ProjectShare, ...]:
    """Return the partner's share of each project's extra cost, summing exactly to its shares.

    Each project's costs are split as the programme's are (shared ones by the apportionment
    method, individually borne ones equally); the partner's penny-exact shares are then spread
    over the projects by largest remainder, so the lines add up to its share of the minimum and
    of the maximum to the penny.
    """
    weights = partner_weights(document.programme.apportionment, document.partners)
    own = Fraction(weights[position.partner]) / sum(map(Fraction, weights.values()))
    each = Fraction(1, len(weights))
    bounds = {project.slug: project_extra_bounds(project.phases) for project in document.projects}

    def spread(total: Decimal, exact: dict[str, Fraction]) -> dict[str, Decimal]:
        if not total or not any(exact.values()):
            return dict.fromkeys(exact, ZERO)
        return apportion(total, {slug: _decimal(value) for slug, value in exact.items()})

    minimum = spread(
        position.share_min,
        {
            slug: Fraction(b.shared_min) * own + Fraction(b.individual_min) * each
            for slug, b in bounds.items()
        },
    )
    maximum = spread(
        position.share_max,
        {
            slug: Fraction(b.shared_max) * own + Fraction(b.individual_max) * each
            for slug, b in bounds.items()
        },
    )
    return tuple(
        ProjectShare(
            name=project.name,
            extra_min=bounds[project.slug].minimum,
            extra_max=bounds[project.slug].maximum,
            share_min=minimum[project.slug],
            share_max=maximum[project.slug],
            tbc_phases=bounds[project.slug].tbc_phases,
        )
        for project in document.projects
        if maximum[project.slug] or minimum[project.slug] or bounds[project.slug].tbc_phases
    )


def partner_statement(
    document: ProgrammeDocument,
    figures: ProgrammeFigures,
    *,
    partner: str,
    on: date,
    figures_problem: str = "",
) -> PartnerStatement:
    """Return the statement of the partner with this slug, dated ``on``."""
    data = next(p for p in document.partners if p.slug == partner)
    position = next((p for p in figures.per_partner if p.partner == partner), None)
    own = [c for c in document.contributions if c.partner == partner]
    years = sorted(set(document.programme.financial_years) | {c.financial_year for c in own})
    rows = tuple(_year_row(year, [c for c in own if c.financial_year == year]) for year in years)
    totals = _year_row("All years", own)
    tranche_order = {tranche.value: index for index, tranche in enumerate(Tranche)}
    agreed = agreed_money(document, figures, own_partner=partner)
    agreed_row = next((row for row in agreed.rows if row.slug == partner), None) if agreed else None
    agreed_by = (
        f"{agreed.body or 'the board'} on {agreed.agreement.date.day} {agreed.agreement.date:%B %Y}"
        if agreed
        else ""
    )
    return PartnerStatement(
        partner_slug=data.slug,
        partner_name=data.name,
        programme_name=document.programme.name,
        partnership_name=document.partnership.name,
        contributes=data.contributes,
        position=position,
        figures_problem=figures_problem,
        years=rows,
        totals=totals,
        contributions=tuple(
            ContributionLine(
                financial_year=c.financial_year,
                tranche=Tranche(c.tranche).label,
                amount=c.amount,
                status=ContributionStatus(c.status).label,
                on=c.returned_on or c.received_on or c.invoiced_on or c.pledged_on,
                note=c.note,
            )
            for c in sorted(own, key=lambda c: (c.financial_year, tranche_order[c.tranche]))
        ),
        projects=project_shares(document, position) if position is not None else (),
        ieg_grant=data.ieg_grant,
        pledged_share_of_ieg=_per_cent(totals.promised, data.ieg_grant),
        cap_share_of_ieg=_per_cent(position.cap, data.ieg_grant) if position else None,
        date=on,
        agreed=agreed_row,
        agreed_by=agreed_by,
        invoices=invoice_lines(document, partner=partner, on=on),
        **spend_of(document, partner=partner),
    )


def spend_of(document: ProgrammeDocument, *, partner: str) -> dict:
    """Return the council's part of each project's spend, and what it and all put in the pot.

    Nothing when nothing is spent, when it does not contribute or when it has put nothing in:
    its statement then reads as before spend.
    """
    spend = spend_by_project(document)
    councils = [p.slug for p in document.partners if p.contributes]
    if not spend or partner not in councils:
        return {}
    net = put_in(document, partners=councils)
    parts = spend_parts(spend, net)
    if not net[partner] or not parts:
        return {}
    names = {project.slug: project.name for project in document.projects}
    return {
        "spend": tuple(
            SpendPart(name=names[slug], spent=amount, part=parts[slug][partner])
            for slug, amount in spend.items()
        ),
        "put_in": net[partner],
        "put_in_by_all": sum(net.values(), ZERO),
    }


def invoice_lines(
    document: ProgrammeDocument, *, partner: str, on: date
) -> tuple[InvoiceLine, ...]:
    """Return the partner's invoices, oldest first, with what it has paid on each."""
    lines = []
    for call in document.calls:
        for invoice in call.invoices:
            if invoice.partner != partner:
                continue
            paid = sum((payment.amount for payment in invoice.payments), Decimal("0.00"))
            lines.append(
                InvoiceLine(
                    number=invoice.number,
                    tranche=Tranche(call.tranche).label,
                    financial_year=call.financial_year,
                    issued=call.issued,
                    due=call.due,
                    amount=invoice.amount,
                    paid=paid,
                    overdue=invoice_overdue(
                        amount=invoice.amount, paid=paid, due=call.due, as_of=on
                    ),
                )
            )
    return tuple(sorted(lines, key=lambda line: (line.issued, line.number)))


def statement_fingerprint(statement: PartnerStatement) -> str:
    """Return the fingerprint of everything the statement says, its date included."""
    # The statement is frozen dataclasses of Decimals, dates and strings: its repr is exact.
    return hashlib.sha256(repr(statement).encode("utf-8")).hexdigest()

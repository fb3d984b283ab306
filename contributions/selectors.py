"""Reads of partners and contributions: the partners page, its matrix and each partner's money."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from projects.models import Contribution, Membership, Partner, Partnership, Programme
from projects.money.figures import ZERO, ProgrammeFigures, compute_figures
from projects.money.formatting import weight_text
from projects.money.shares import PLEDGED_STATUSES, PartnerPosition, missing_basis
from projects.money.vocabulary import ContributionStatus, Tranche
from projects.selectors import programme_document

from .agreed import AgreedMoney, agreed_money

TRANCHE_ORDER = {tranche.value: index for index, tranche in enumerate(Tranche)}


# Each contributing partner's position: the dashboard and the partners page show the same table
# (templates/contributions/partials/_partner_positions.html) from the same rows.


# Read-only, so that the programme file's frozen PartnerData fits as well as a Partner does.
class NamedPartner(Protocol):
    @property
    def slug(self) -> str: ...
    @property
    def name(self) -> str: ...


@dataclass(frozen=True)
class PositionRow:
    """One contributing partner's position, with its name and whether it is the reader's."""

    slug: str
    name: str
    position: PartnerPosition
    own: bool  # the council of the partner officer reading the page


@dataclass(frozen=True)
class PositionTotals:
    """The partners' positions added up: the shares sum exactly to the minimum and maximum."""

    share_min: Decimal
    share_max: Decimal
    immediate: Decimal
    cap: Decimal
    pledged: Decimal
    received: Decimal
    outstanding: Decimal


def position_rows(
    figures: ProgrammeFigures,
    partners: Sequence[NamedPartner],
    *,
    own_partner: str | None = None,
) -> tuple[PositionRow, ...]:
    """Return the figures' partner positions, named, in the order of the partnership's partners.

    ``own_partner`` is the slug of the reader's council, marked on its row.
    """
    names = {partner.slug: partner.name for partner in partners}
    order = {partner.slug: index for index, partner in enumerate(partners)}
    return tuple(
        PositionRow(
            slug=position.partner,
            name=names[position.partner],
            position=position,
            own=position.partner == own_partner,
        )
        for position in sorted(figures.per_partner, key=lambda p: order[p.partner])
    )


def position_totals(rows: Sequence[PositionRow]) -> PositionTotals | None:
    """Add the rows' positions up; None when there are no rows."""
    if not rows:
        return None

    def total(name: str) -> Decimal:
        return sum((getattr(row.position, name) for row in rows), ZERO)

    return PositionTotals(**{name: total(name) for name in PositionTotals.__dataclass_fields__})


@dataclass(frozen=True)
class PartnerRow:
    """A partner of the partnership as the partners table shows it."""

    partner: Partner
    weight: str  # the agreed weight without trailing zeros, or "" when there is none


@dataclass(frozen=True)
class MatrixCell:
    """One partner's contributions for one financial year, and the tranches still open."""

    financial_year: str
    contributions: tuple[Contribution, ...]
    open_tranche: str | None  # the first tranche with no contribution yet, to offer adding it


@dataclass(frozen=True)
class MatrixRow:
    partner: Partner
    cells: tuple[MatrixCell, ...]
    pledged: Decimal
    received: Decimal


@dataclass(frozen=True)
class YearTotal:
    financial_year: str
    pledged: Decimal
    received: Decimal


@dataclass(frozen=True)
class ContributionMatrix:
    """Contributions by partner (rows) and financial year (columns), with totals both ways."""

    years: tuple[str, ...]
    rows: tuple[MatrixRow, ...]
    year_totals: tuple[YearTotal, ...]
    pledged: Decimal
    received: Decimal


@dataclass(frozen=True)
class PartnersPage:
    """Everything the partners and contributions page shows."""

    partners: tuple[PartnerRow, ...]
    figures: ProgrammeFigures | None
    figures_problem: str  # why the positions cannot be worked out, or ""
    positions: tuple[PositionRow, ...]
    position_totals: PositionTotals | None
    matrix: ContributionMatrix
    agreed: AgreedMoney | None = None  # what the board agreed and the money since, once it has


@dataclass(frozen=True)
class PartnerMoney:
    pledged: Decimal
    received: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.pledged - self.received


def partners_of(*, partnership: Partnership) -> QuerySet[Partner]:
    """Return the partnership's partners in their agreed order."""
    return Partner.objects.filter(partnership=partnership).order_by("position", "name")


def contributing_partners(*, partnership: Partnership) -> QuerySet[Partner]:
    """Return the partners that share the partnership's programmes' costs."""
    return partners_of(partnership=partnership).filter(contributes=True)


def _sum(contributions: Iterable[Contribution], statuses: frozenset[str]) -> Decimal:
    return sum((c.amount for c in contributions if c.status in statuses), ZERO)


RECEIVED = frozenset({ContributionStatus.RECEIVED})


def contribution_matrix(
    *, programme: Programme, partners: Sequence[Partner], contributions: Sequence[Contribution]
) -> ContributionMatrix:
    """Arrange the contributions by partner and financial year and add them up both ways.

    Rows are the contributing partners and any other partner with contributions; columns are the
    programme's financial years (and any other year a contribution was recorded for, so that the
    totals always match the programme's figures).
    """
    years = tuple(
        sorted(set(programme.financial_years) | {c.financial_year for c in contributions})
    )
    by_cell: dict[tuple[int, str], list[Contribution]] = {}
    for contribution in contributions:
        by_cell.setdefault((contribution.partner_id, contribution.financial_year), []).append(
            contribution
        )
    with_money = {contribution.partner_id for contribution in contributions}
    rows = []
    for partner in partners:
        if not (partner.contributes or partner.pk in with_money):
            continue
        cells = []
        for year in years:
            found = sorted(by_cell.get((partner.pk, year), ()), key=_tranche_order)
            taken = {contribution.tranche for contribution in found}
            open_tranche = next((t.value for t in Tranche if t.value not in taken), None)
            cells.append(
                MatrixCell(
                    financial_year=year,
                    contributions=tuple(found),
                    open_tranche=open_tranche
                    if partner.contributes and year in programme.financial_years
                    else None,
                )
            )
        own = [c for cell in cells for c in cell.contributions]
        rows.append(
            MatrixRow(
                partner=partner,
                cells=tuple(cells),
                pledged=_sum(own, PLEDGED_STATUSES),
                received=_sum(own, RECEIVED),
            )
        )
    year_totals = tuple(
        YearTotal(
            financial_year=year,
            pledged=_sum((c for c in contributions if c.financial_year == year), PLEDGED_STATUSES),
            received=_sum((c for c in contributions if c.financial_year == year), RECEIVED),
        )
        for year in years
    )
    return ContributionMatrix(
        years=years,
        rows=tuple(rows),
        year_totals=year_totals,
        pledged=_sum(contributions, PLEDGED_STATUSES),
        received=_sum(contributions, RECEIVED),
    )


def _tranche_order(contribution: Contribution) -> int:
    return TRANCHE_ORDER.get(contribution.tranche, len(TRANCHE_ORDER))


def partners_page(*, programme: Programme, own_partner: str | None = None) -> PartnersPage:
    """Return the partners page's data, in a fixed number of queries whatever its size.

    ``own_partner`` is the slug of the reader's council, marked in the partners' positions.
    """
    partners = list(partners_of(partnership=programme.partnership))
    contributions = list(
        Contribution.objects.filter(programme=programme).order_by("financial_year", "pk")
    )
    problem = missing_basis(programme.apportionment, partners)
    figures = None
    positions: tuple[PositionRow, ...] = ()
    totals = None
    if problem:
        problem = (
            f"The programme shares its costs by {programme.get_apportionment_display().lower()}"
            f", but {problem}: give them one, or change the programme's apportionment method."
        )
    agreed = None
    if not problem:
        document = programme_document(programme=programme)
        figures = compute_figures(document, timezone.localdate())
        positions = position_rows(figures, partners, own_partner=own_partner)
        totals = position_totals(positions)
        agreed = agreed_money(document, figures, own_partner=own_partner)
    return PartnersPage(
        partners=tuple(PartnerRow(partner=p, weight=weight_text(p.weight)) for p in partners),
        figures=figures,
        figures_problem=problem,
        positions=positions,
        position_totals=totals,
        matrix=contribution_matrix(
            programme=programme, partners=partners, contributions=contributions
        ),
        agreed=agreed,
    )


def programme_contribution(*, programme: Programme, pk: int) -> Contribution | None:
    """Return the programme's contribution with this id, or None when it has no such one."""
    contribution = (
        Contribution.objects.select_related("partner").filter(programme=programme, pk=pk).first()
    )
    if contribution is not None:
        contribution.programme = programme  # already fetched: saves a query
    return contribution


def partnership_partner(*, partnership: Partnership, slug: str) -> Partner | None:
    """Return the partnership's partner with this slug, or None when it has no such one."""
    return Partner.objects.filter(partnership=partnership, slug=slug).first()


def partner_money(*, programme: Programme, partner: Partner) -> PartnerMoney:
    """Return what the partner has pledged to and paid into the programme, in one query."""
    money: DecimalField = DecimalField(max_digits=14, decimal_places=2)
    totals = Contribution.objects.filter(programme=programme, partner=partner).aggregate(
        pledged=Coalesce(
            Sum("amount", filter=Q(status__in=PLEDGED_STATUSES)), Value(ZERO), output_field=money
        ),
        received=Coalesce(
            Sum("amount", filter=Q(status=ContributionStatus.RECEIVED)),
            Value(ZERO),
            output_field=money,
        ),
    )
    return PartnerMoney(pledged=totals["pledged"], received=totals["received"])


def partner_uses(partner: Partner) -> list[str]:
    """Say what still uses the partner: contributions, projects it leads, users it employs."""
    reasons = []
    contributions = list(
        partner.contributions.select_related("programme").order_by("programme__name", "pk")
    )
    if contributions:
        programmes = sorted({contribution.programme.name for contribution in contributions})
        count = len(contributions)
        reasons.append(
            f"it has {count} contribution{'s' if count != 1 else ''} "
            f"(to {', '.join(programmes)}): remove {'them' if count != 1 else 'it'} first"
        )
    projects = list(
        partner.led_projects.select_related("programme").order_by("programme__name", "position")
    )
    if projects:
        names = ", ".join(f"{project.name} ({project.programme.name})" for project in projects)
        reasons.append(f"it leads {names}: choose another lead partner first")
    users = list(
        Membership.objects.filter(partner=partner)
        .order_by("user__username")
        .values_list("user__username", flat=True)
    )
    if users:
        reasons.append(
            f"it is the council of user{'s' if len(users) != 1 else ''} {', '.join(users)}: "
            "give them another council or remove their membership first"
        )
    return reasons

"""The money rules between partners: apportioning costs, rounding up to a step, each position.

Pure functions on ``Decimal`` pounds and pence; no ORM. Shares are worked out in whole pennies
with exact fractions, so they never depend on the decimal context and always sum to the total.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from fractions import Fraction
from typing import Protocol, TypeVar

from .document import ContributionData, PartnerData
from .vocabulary import Apportionment, ContributionStatus

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")

# Money a partner has promised and not been given back; "returned" leaves it.
PLEDGED_STATUSES = frozenset(
    {ContributionStatus.PLEDGED, ContributionStatus.INVOICED, ContributionStatus.RECEIVED}
)


@dataclass(frozen=True)
class PartnerPosition:
    """One contributing partner's shares, recommended tranches and money pledged and received."""

    partner: str  # the partner's slug
    share_min: Decimal
    share_max: Decimal
    immediate: Decimal
    cap: Decimal
    pledged: Decimal
    received: Decimal
    outstanding: Decimal

    @property
    def immediate_to_pledge(self) -> Decimal:
        """Return what it has still to pledge to reach its immediate tranche, never below 0."""
        return max(self.immediate - self.pledged, ZERO)

    @property
    def later_at_most(self) -> Decimal:
        """Return what it may be asked for after its immediate tranche: the rest up to its cap."""
        return max(self.cap - self.immediate, ZERO)


def _pennies(amount: Decimal, what: str) -> int:
    """Return a finite amount of money as whole pennies, refusing fractions of a penny."""
    if not amount.is_finite():
        raise ValueError(f"{what} must be a finite amount, not {amount}")
    pennies = Fraction(amount) * 100
    if pennies.denominator != 1:
        raise ValueError(f"{what} must be whole pence (two decimal places), not {amount}")
    return int(pennies)


def _from_pennies(pennies: int) -> Decimal:
    """Return whole pennies as pounds with exactly two decimals, exact at any size."""
    # Built from the digits rather than divided, so no context precision can round it.
    digits = tuple(int(digit) for digit in str(abs(pennies)))
    return Decimal((int(pennies < 0), digits, -2))


def apportion(total: Decimal, weights: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Return the total split by weight, exact to the penny, keyed by slug in sorted order."""
    if not weights:
        raise ValueError("Cannot apportion between no partners")
    total_pennies = _pennies(total, "The total")
    if total_pennies < 0:
        raise ValueError(f"Cannot apportion a negative total: {total}")
    exact_weights: dict[str, Fraction] = {}
    for slug in sorted(weights):
        weight = weights[slug]
        if not Decimal(weight).is_finite() or weight < 0:
            raise ValueError(f"The weight of {slug} must be a non-negative number, not {weight}")
        exact_weights[slug] = Fraction(weight)
    weight_sum = sum(exact_weights.values(), Fraction(0))
    if weight_sum == 0:
        raise ValueError("Cannot apportion when the weights sum to zero")

    exact = {slug: total_pennies * weight / weight_sum for slug, weight in exact_weights.items()}
    pennies = {slug: math.floor(share) for slug, share in exact.items()}
    left_over = total_pennies - sum(pennies.values())
    # Largest remainder first; equal remainders go to the slug that sorts first.
    by_remainder = sorted(exact, key=lambda slug: (pennies[slug] - exact[slug], slug))
    for slug in by_remainder[:left_over]:
        pennies[slug] += 1
    return {slug: _from_pennies(pennies[slug]) for slug in exact}


def round_up_to_step(amount: Decimal, step: Decimal | None) -> Decimal:
    """Return the smallest multiple of step at or above amount, in pounds and pence."""
    if step is None:
        # No step: no rounding, except up to a whole penny should a fraction of one slip in.
        return amount.quantize(PENNY, rounding=ROUND_CEILING)
    if not step.is_finite() or step <= 0:
        raise ValueError(f"The rounding step must be more than zero, not {step}")
    step_pennies = _pennies(step, "The rounding step")
    multiples = math.ceil(Fraction(amount) * 100 / step_pennies)
    return _from_pennies(multiples * step_pennies)


def partner_weights(method: Apportionment, partners: Sequence[PartnerData]) -> dict[str, Decimal]:
    """Return the apportionment weight of each contributing partner under the method."""
    weights: dict[str, Decimal] = {}
    for partner in partners:
        if not partner.contributes:
            continue
        if partner.slug in weights:
            raise ValueError(f"Partner {partner.slug} is listed twice")
        if method == Apportionment.EQUAL:
            weight = Decimal(1)
        elif method == Apportionment.WEIGHTS:
            if partner.weight is None:
                raise ValueError(f"Partner {partner.slug} has no weight to apportion by")
            weight = partner.weight
        elif method == Apportionment.POPULATION:
            if partner.population is None:
                raise ValueError(f"Partner {partner.slug} has no population to apportion by")
            weight = Decimal(partner.population)
        else:
            raise ValueError(f"Unknown apportionment method: {method}")
        if not weight.is_finite() or weight < 0:
            raise ValueError(f"Partner {partner.slug} has an invalid {method} weight: {weight}")
        weights[partner.slug] = weight
    if weights and not any(weights.values()):
        raise ValueError(f"Every contributing partner has a zero {method} weight")
    return weights


def _sum_by_partner(
    contributions: Iterable[ContributionData], statuses: frozenset[ContributionStatus]
) -> dict[str, Decimal]:
    """Return each partner's total of the contributions whose status is one of statuses."""
    totals: dict[str, Decimal] = {}
    for contribution in contributions:
        if contribution.status in statuses:
            totals[contribution.partner] = (
                totals.get(contribution.partner, ZERO) + contribution.amount
            )
    return totals


def partner_positions(
    *,
    partners: Sequence[PartnerData],
    method: Apportionment,
    rounding_step: Decimal | None,
    shared_min: Decimal,
    individual_min: Decimal,
    shared_max: Decimal,
    individual_max: Decimal,
    contributions: Iterable[ContributionData],
) -> list[PartnerPosition]:
    """Return the position of each contributing partner, in slug order."""
    weights = partner_weights(method, partners)
    if not weights:
        return []
    # Each partner pays for its own connection, so individually borne costs split equally.
    equal = dict.fromkeys(weights, Decimal(1))
    share_min = apportion(shared_min, weights)
    share_max = apportion(shared_max, weights)
    individual_share_min = apportion(individual_min, equal)
    individual_share_max = apportion(individual_max, equal)

    contributions = tuple(contributions)
    pledged = _sum_by_partner(contributions, PLEDGED_STATUSES)
    received = _sum_by_partner(contributions, frozenset({ContributionStatus.RECEIVED}))

    positions = []
    for slug in sorted(weights):
        minimum = share_min[slug] + individual_share_min[slug]
        maximum = share_max[slug] + individual_share_max[slug]
        partner_pledged = pledged.get(slug, ZERO)
        partner_received = received.get(slug, ZERO)
        positions.append(
            PartnerPosition(
                partner=slug,
                share_min=minimum,
                share_max=maximum,
                immediate=round_up_to_step(minimum, rounding_step),
                cap=round_up_to_step(maximum, rounding_step),
                pledged=partner_pledged,
                received=partner_received,
                outstanding=partner_pledged - partner_received,
            )
        )
    return positions


def funding_gap(needed: Decimal, pledged: Decimal) -> Decimal:
    """Return the money still to find: needed minus pledged (negative is headroom)."""
    return needed - pledged


def basis_of(method: str) -> tuple[str, str] | None:
    """Return the partner field a method apportions by and its name, or None for equal shares."""
    if method == Apportionment.WEIGHTS:
        return "weight", "agreed weight"
    if method == Apportionment.POPULATION:
        return "population", "population"
    return None


class BasisPartner(Protocol):
    """A partner as the apportionment checks read it: a Partner, or a document's PartnerData."""

    @property
    def name(self) -> str: ...
    @property
    def contributes(self) -> bool: ...


_BasisPartnerT = TypeVar("_BasisPartnerT", bound=BasisPartner)


def lacking_basis(method: str, partners: Iterable[_BasisPartnerT]) -> list[_BasisPartnerT]:
    """Return the contributing partners with no value to apportion by under the method."""
    basis = basis_of(method)
    if basis is None:
        return []
    return [p for p in partners if p.contributes and getattr(p, basis[0]) is None]


def zero_basis(method: str, partners: Iterable[BasisPartner]) -> bool:
    """Return whether partners contribute but every one's value to apportion by is zero."""
    basis = basis_of(method)
    contributing = [p for p in partners if p.contributes]
    if basis is None or not contributing:
        return False
    return not any(getattr(partner, basis[0]) for partner in contributing)


def missing_basis(method: str, partners: Sequence[BasisPartner]) -> str:
    """Say why the contributing partners cannot share costs by the method, or return ""."""
    basis = basis_of(method)
    if basis is None:
        return ""
    lacking = [partner.name for partner in lacking_basis(method, partners)]
    if lacking:
        return f"{', '.join(lacking)} {'has' if len(lacking) == 1 else 'have'} no {basis[1]}"
    if zero_basis(method, partners):
        return f"the {basis[1]} of every contributing partner is zero"
    return ""

"""The money rules between partners: apportionment, rounding up to a step, positions."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projects.money.document import ContributionData, PartnerData
from projects.money.shares import (
    PartnerPosition,
    apportion,
    funding_gap,
    partner_positions,
    partner_weights,
    round_up_to_step,
)
from projects.money.vocabulary import Apportionment, ContributionStatus, Tranche

D = Decimal


def positions(
    partners: list[PartnerData],
    *,
    method: Apportionment = Apportionment.EQUAL,
    rounding_step: Decimal | None = None,
    shared_min: str = "0.00",
    individual_min: str = "0.00",
    shared_max: str = "0.00",
    individual_max: str = "0.00",
    contributions: tuple[ContributionData, ...] = (),
) -> dict[str, PartnerPosition]:
    """Return partner_positions keyed by slug, with amounts given as text."""
    result = partner_positions(
        partners=partners,
        method=method,
        rounding_step=rounding_step,
        shared_min=D(shared_min),
        individual_min=D(individual_min),
        shared_max=D(shared_max),
        individual_max=D(individual_max),
        contributions=contributions,
    )
    return {position.partner: position for position in result}


def partner(
    slug: str,
    *,
    contributes: bool = True,
    population: int | None = None,
    weight: Decimal | None = None,
) -> PartnerData:
    """Return a partner named after its slug."""
    return PartnerData(
        slug=slug,
        name=slug.title(),
        contributes=contributes,
        population=population,
        weight=weight,
    )


# --- apportion: examples ---------------------------------------------------------------------


def test_extra_penny_goes_to_first_slug_among_equal_partners():
    shares = apportion(D("100.00"), {"c": D(1), "a": D(1), "b": D(1)})
    assert shares == {"a": D("33.34"), "b": D("33.33"), "c": D("33.33")}
    assert list(shares) == ["a", "b", "c"]


def test_seed_extra_cost_splits_equally_between_eight():
    slugs = [f"p{i}" for i in range(8)]
    assert apportion(D("75000.00"), dict.fromkeys(slugs, D(1))) == dict.fromkeys(
        slugs, D("9375.00")
    )


def test_weights_apportion_in_proportion():
    shares = apportion(D("1000.00"), {"county": D("50"), "city": D("30"), "district": D("20")})
    assert shares == {"city": D("300.00"), "county": D("500.00"), "district": D("200.00")}


def test_population_weights_give_largest_remainder_the_penny():
    # Exact shares 0.0333..., 0.0666...: floors 0.00 and 0.06, the penny to the 0.666 remainder.
    shares = apportion(D("0.10"), {"small": D(1), "big": D(2)})
    assert shares == {"big": D("0.07"), "small": D("0.03")}


def test_population_apportionment_of_unequal_councils():
    shares = apportion(D("10000.00"), {"norwich": D(121550), "breckland": D(121418)})
    # Exact: 5002.7164... and 4997.2835...; the spare penny goes to the larger remainder even
    # though breckland sorts first.
    assert shares == {"breckland": D("4997.28"), "norwich": D("5002.72")}
    assert sum(shares.values()) == D("10000.00")


def test_tied_remainders_go_to_slugs_sorting_first():
    shares = apportion(D("0.05"), dict.fromkeys(["d", "b", "a", "c"], D(1)))
    assert shares == {"a": D("0.02"), "b": D("0.01"), "c": D("0.01"), "d": D("0.01")}


def test_zero_weight_partner_gets_nothing():
    assert apportion(D("10.00"), {"a": D(0), "b": D(3)}) == {"a": D("0.00"), "b": D("10.00")}


def test_zero_total_gives_zeros():
    assert apportion(D("0"), {"a": D(1), "b": D(2)}) == {"a": D("0.00"), "b": D("0.00")}


def test_shares_have_two_decimals():
    shares = apportion(D("30"), {"a": D(1), "b": D(2)})
    assert [str(share) for share in shares.values()] == ["10.00", "20.00"]


def test_trailing_zeros_beyond_pence_are_accepted():
    assert apportion(D("1.000"), {"a": D(1)}) == {"a": D("1.00")}


@pytest.mark.parametrize(
    ("total", "weights", "message"),
    [
        (D("-0.01"), {"a": D(1)}, "negative total"),
        (D("1.001"), {"a": D(1)}, "whole pence"),
        (D("NaN"), {"a": D(1)}, "finite"),
        (D("1.00"), {}, "no partners"),
        (D("1.00"), {"a": D(1), "b": D(-1)}, "weight of b"),
        (D("1.00"), {"a": D(0), "b": D(0)}, "sum to zero"),
    ],
)
def test_bad_apportionment_is_refused(total, weights, message):
    with pytest.raises(ValueError, match=message):
        apportion(total, weights)


# --- apportion: properties -------------------------------------------------------------------

totals = st.integers(min_value=0, max_value=10**13).map(lambda pennies: D(pennies) / 100)
weight_values = st.one_of(
    st.integers(min_value=0, max_value=10**7).map(D),
    st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False, allow_infinity=False),
)
slugs = st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True)
weight_maps = st.dictionaries(slugs, weight_values, min_size=1, max_size=200).filter(
    lambda weights: sum(weights.values()) > 0
)


@given(total=totals, weights=weight_maps)
def test_shares_sum_exactly_to_the_total(total, weights):
    shares = apportion(total, weights)
    assert sum(shares.values()) == total
    assert list(shares) == sorted(weights)


@given(total=totals, weights=weight_maps)
def test_each_share_is_within_a_penny_of_the_exact_share(total, weights):
    shares = apportion(total, weights)
    weight_sum = sum(Fraction(weight) for weight in weights.values())
    for slug, share in shares.items():
        exact = Fraction(total) * Fraction(weights[slug]) / weight_sum
        assert abs(Fraction(share) - exact) < Fraction(1, 100)
        assert share.as_tuple().exponent == -2


@given(total=totals, weights=weight_maps, order=st.randoms(use_true_random=False))
def test_shares_do_not_depend_on_the_order_partners_are_given(total, weights, order):
    items = list(weights.items())
    order.shuffle(items)
    assert apportion(total, dict(items)) == apportion(total, weights)
    assert list(apportion(total, dict(items))) == sorted(weights)


# --- round_up_to_step ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "step", "expected"),
    [
        ("9375.00", "10000.00", "10000.00"),
        ("21875.00", "10000.00", "30000.00"),
        ("21875.00", "1000.00", "22000.00"),
        ("20000.00", "10000.00", "20000.00"),
        ("0.00", "10000.00", "0.00"),
        ("0.01", "10000.00", "10000.00"),
        ("12.34", "0.05", "12.35"),
        ("21875.00", None, "21875.00"),
        ("21875", None, "21875.00"),
    ],
)
def test_round_up_to_step(amount, step, expected):
    result = round_up_to_step(D(amount), None if step is None else D(step))
    assert result == D(expected)
    assert str(result) == expected


@pytest.mark.parametrize("step", ["0", "-10.00", "0.001", "Infinity"])
def test_bad_rounding_step_is_refused(step):
    with pytest.raises(ValueError, match="rounding step"):
        round_up_to_step(D("10.00"), D(step))


amounts = st.integers(min_value=0, max_value=10**13).map(lambda pennies: D(pennies) / 100)
steps = st.integers(min_value=1, max_value=10**8).map(lambda pennies: D(pennies) / 100)


@given(amount=amounts, step=steps)
def test_rounded_amount_is_the_next_multiple_of_the_step(amount, step):
    result = round_up_to_step(amount, step)
    assert result >= amount
    assert result - amount < step
    assert (Fraction(result) / Fraction(step)).denominator == 1
    assert result.as_tuple().exponent == -2


@given(amount=amounts)
def test_no_step_leaves_the_amount_alone(amount):
    assert round_up_to_step(amount, None) == amount


# --- partner_weights -------------------------------------------------------------------------


def test_equal_weights_ignore_non_contributing_partners():
    partners = [partner("b"), partner("a"), partner("observer", contributes=False)]
    assert partner_weights(Apportionment.EQUAL, partners) == {"b": D(1), "a": D(1)}


def test_agreed_weights_are_used_as_given():
    partners = [partner("a", weight=D("60")), partner("b", weight=D("40"))]
    assert partner_weights(Apportionment.WEIGHTS, partners) == {"a": D(60), "b": D(40)}


def test_population_weights_are_populations():
    partners = [partner("a", population=1000), partner("b", population=3000)]
    assert partner_weights(Apportionment.POPULATION, partners) == {"a": D(1000), "b": D(3000)}


def test_missing_weight_names_the_partner():
    partners = [partner("a", weight=D("60")), partner("broadland")]
    with pytest.raises(ValueError, match="broadland has no weight"):
        partner_weights(Apportionment.WEIGHTS, partners)


def test_missing_population_names_the_partner():
    partners = [partner("norwich"), partner("a", population=10)]
    with pytest.raises(ValueError, match="norwich has no population"):
        partner_weights(Apportionment.POPULATION, partners)


def test_missing_weight_of_non_contributing_partner_does_not_matter():
    partners = [partner("a", weight=D(1)), partner("observer", contributes=False)]
    assert partner_weights(Apportionment.WEIGHTS, partners) == {"a": D(1)}


def test_all_zero_weights_are_refused():
    partners = [partner("a", weight=D(0)), partner("b", weight=D(0))]
    with pytest.raises(ValueError, match="zero"):
        partner_weights(Apportionment.WEIGHTS, partners)


def test_negative_weight_is_refused():
    partners = [partner("a", weight=D(-1)), partner("b", weight=D(2))]
    with pytest.raises(ValueError, match="a has an invalid"):
        partner_weights(Apportionment.WEIGHTS, partners)


def test_partner_listed_twice_is_refused():
    with pytest.raises(ValueError, match="twice"):
        partner_weights(Apportionment.EQUAL, [partner("a"), partner("a")])


def test_no_contributing_partner_gives_no_weights():
    assert partner_weights(Apportionment.EQUAL, [partner("a", contributes=False)]) == {}


# --- partner_positions -----------------------------------------------------------------------


def test_seed_shares_and_tranches():
    eight = [partner(f"p{i}") for i in range(8)]
    result = positions(
        eight,
        rounding_step=D("10000.00"),
        shared_min="75000.00",
        shared_max="75000.00",
        individual_max="100000.00",
    )
    assert list(result) == sorted(result)
    for position in result.values():
        assert position.share_min == D("9375.00")
        assert position.share_max == D("21875.00")
        assert position.immediate == D("10000.00")
        assert position.cap == D("30000.00")


@pytest.mark.parametrize(
    ("method", "partners"),
    [
        (
            Apportionment.WEIGHTS,
            [
                partner("a", weight=D("70")),
                partner("b", weight=D("20")),
                partner("c", weight=D(10)),
            ],
        ),
        (
            Apportionment.POPULATION,
            [
                partner("a", population=700),
                partner("b", population=200),
                partner("c", population=100),
            ],
        ),
    ],
)
def test_individually_borne_costs_split_equally_whatever_the_method(method, partners):
    result = positions(
        partners,
        method=method,
        shared_min="1000.00",
        individual_min="300.00",
        shared_max="2000.00",
        individual_max="600.00",
    )
    assert {slug: p.share_min for slug, p in result.items()} == {
        "a": D("800.00"),
        "b": D("300.00"),
        "c": D("200.00"),
    }
    assert {slug: p.share_max for slug, p in result.items()} == {
        "a": D("1600.00"),
        "b": D("600.00"),
        "c": D("400.00"),
    }


def test_no_rounding_step_keeps_tranches_at_the_shares():
    result = positions(
        [partner("a"), partner("b"), partner("c")], shared_min="100.00", shared_max="200.00"
    )
    assert [(p.immediate, p.cap) for p in result.values()] == [
        (D("33.34"), D("66.67")),
        (D("33.33"), D("66.67")),
        (D("33.33"), D("66.66")),
    ]


def test_non_contributing_partner_has_no_position():
    result = positions([partner("a"), partner("observer", contributes=False)], shared_max="10.00")
    assert list(result) == ["a"]
    assert result["a"].share_max == D("10.00")


def test_no_contributing_partner_gives_no_positions():
    assert positions([partner("observer", contributes=False)], shared_max="10.00") == {}


def contribution(slug: str, amount: str, status: ContributionStatus) -> ContributionData:
    """Return a contribution for 2004/05 with the given status."""
    return ContributionData(
        partner=slug,
        financial_year="2004/05",
        tranche=Tranche.IMMEDIATE,
        amount=D(amount),
        status=status,
    )


def test_pledged_received_and_outstanding_with_every_status():
    contributions = (
        contribution("a", "1000.00", ContributionStatus.PLEDGED),
        contribution("a", "2000.00", ContributionStatus.INVOICED),
        contribution("a", "4000.00", ContributionStatus.RECEIVED),
        contribution("a", "8000.00", ContributionStatus.RETURNED),
        contribution("b", "500.00", ContributionStatus.RECEIVED),
    )
    result = positions([partner("a"), partner("b"), partner("c")], contributions=contributions)
    a, b, c = result["a"], result["b"], result["c"]
    assert (a.pledged, a.received, a.outstanding) == (D("7000.00"), D("4000.00"), D("3000.00"))
    assert (b.pledged, b.received, b.outstanding) == (D("500.00"), D("500.00"), D("0.00"))
    assert (c.pledged, c.received, c.outstanding) == (D("0.00"), D("0.00"), D("0.00"))


def position_of(immediate: str, cap: str, pledged: str) -> PartnerPosition:
    return PartnerPosition(
        partner="a",
        share_min=D(immediate),
        share_max=D(cap),
        immediate=D(immediate),
        cap=D(cap),
        pledged=D(pledged),
        received=D("0.00"),
        outstanding=D(pledged),
    )


@pytest.mark.parametrize(
    ("pledged", "to_pledge"),
    [("0.00", "10000.00"), ("2500.50", "7499.50"), ("10000.00", "0.00"), ("25000.00", "0.00")],
)
def test_immediate_to_pledge_is_the_tranche_less_the_pledges_never_below_zero(pledged, to_pledge):
    assert position_of("10000.00", "30000.00", pledged).immediate_to_pledge == D(to_pledge)


def test_later_at_most_is_the_rest_up_to_the_cap():
    assert position_of("10000.00", "30000.00", "0.00").later_at_most == D("20000.00")
    assert position_of("10000.00", "10000.00", "0.00").later_at_most == D("0.00")


def test_returned_contribution_is_neither_pledged_nor_received():
    contributions = (contribution("a", "8000.00", ContributionStatus.RETURNED),)
    position = positions([partner("a")], contributions=contributions)["a"]
    assert (position.pledged, position.received, position.outstanding) == (
        D("0.00"),
        D("0.00"),
        D("0.00"),
    )


def test_unknown_weight_stops_positions():
    with pytest.raises(ValueError, match="b has no weight"):
        positions([partner("a", weight=D(1)), partner("b")], method=Apportionment.WEIGHTS)


money = st.integers(min_value=0, max_value=10**11).map(lambda pennies: D(pennies) / 100)


@given(
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=50).filter(
        any
    ),
    shared_min=money,
    individual_min=money,
    extra_shared=money,
    extra_individual=money,
)
def test_minimum_and_maximum_each_sum_exactly(
    weights, shared_min, individual_min, extra_shared, extra_individual
):
    partners = [partner(f"p{i:03}", weight=D(w)) for i, w in enumerate(weights)]
    shared_max = shared_min + extra_shared
    individual_max = individual_min + extra_individual
    result = partner_positions(
        partners=partners,
        method=Apportionment.WEIGHTS,
        rounding_step=None,
        shared_min=shared_min,
        individual_min=individual_min,
        shared_max=shared_max,
        individual_max=individual_max,
        contributions=(),
    )
    assert sum(p.share_min for p in result) == shared_min + individual_min
    assert sum(p.share_max for p in result) == shared_max + individual_max


@given(
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=50).filter(
        any
    ),
    individual=money,
)
def test_individual_costs_split_equally_under_any_weights(weights, individual):
    partners = [partner(f"p{i:03}", weight=D(w)) for i, w in enumerate(weights)]
    result = partner_positions(
        partners=partners,
        method=Apportionment.WEIGHTS,
        rounding_step=None,
        shared_min=D("0.00"),
        individual_min=individual,
        shared_max=D("0.00"),
        individual_max=individual,
        contributions=(),
    )
    shares = [p.share_min for p in result]
    assert sum(shares) == individual
    # Equal split: the shares differ by at most the one leftover penny, whatever the weights.
    assert max(shares) - min(shares) <= D("0.01")


# --- funding_gap -----------------------------------------------------------------------------


def test_gap_is_needed_minus_pledged():
    assert funding_gap(D("175000.00"), D("80000.00")) == D("95000.00")


def test_negative_gap_is_headroom():
    assert funding_gap(D("75000.00"), D("80000.00")) == D("-5000.00")

"""The pot: by financial year and in all, and each council's part of the spend."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from projects.money.figures import compute_figures
from projects.money.paper_tables import pot_lines
from projects.money.pot import (
    ZERO,
    document_pot,
    pot_by_year,
    put_in,
    spend_by_project,
    spend_parts,
)
from projects.money.spend import financial_year_of
from projects.programme_file import parse_programme
from tests.after_the_meeting import after_the_meeting, seed

pennies = st.integers(min_value=1, max_value=10**9).map(lambda n: D(n) / 100)
days = st.dates(min_value=date(2003, 1, 1), max_value=date(2009, 12, 31))
lines = st.lists(st.tuples(days, pennies), max_size=30)


def test_a_year_brings_forward_what_the_last_carried():
    pot = pot_by_year(
        paid=[(date(2004, 7, 28), D("10000.00")), (date(2005, 4, 1), D("500.00"))],
        refunded=[(date(2005, 3, 31), D("1250.00"))],
        spent=[(date(2004, 9, 30), D("1200.00")), (date(2005, 5, 1), D("100.00"))],
        years=["2006/07"],
    )
    assert [
        (y.financial_year, y.brought_forward, y.paid, y.refunded, y.spent, y.carried_forward)
        for y in pot.years
    ] == [
        ("2004/05", ZERO, D("10000.00"), D("1250.00"), D("1200.00"), D("7550.00")),
        ("2005/06", D("7550.00"), D("500.00"), ZERO, D("100.00"), D("7950.00")),
        ("2006/07", D("7950.00"), ZERO, ZERO, ZERO, D("7950.00")),
    ]
    assert (pot.paid, pot.refunded, pot.spent, pot.balance) == (
        D("10500.00"),
        D("1250.00"),
        D("1300.00"),
        D("7950.00"),
    )


def test_an_empty_pot_has_no_years_and_nothing_in_it():
    pot = pot_by_year(paid=[], refunded=[], spent=[])
    assert pot.years == ()
    assert pot.balance == ZERO


@given(paid=lines, refunded=lines, spent=lines, extra=st.lists(days, max_size=3))
def test_the_years_add_up_to_the_totals_and_chain(paid, refunded, spent, extra):
    pot = pot_by_year(
        paid=paid,
        refunded=refunded,
        spent=spent,
        years=[financial_year_of(day) for day in extra],
    )
    assert sum((y.paid for y in pot.years), ZERO) == pot.paid == sum((a for _, a in paid), ZERO)
    assert sum((y.refunded for y in pot.years), ZERO) == pot.refunded
    assert sum((y.spent for y in pot.years), ZERO) == pot.spent == sum((a for _, a in spent), ZERO)
    assert pot.refunded == sum((a for _, a in refunded), ZERO)
    carried = ZERO
    for year in pot.years:
        assert year.brought_forward == carried
        assert year.carried_forward == (
            year.brought_forward + year.paid - year.refunded - year.spent
        )
        carried = year.carried_forward
    assert carried == pot.balance == pot.paid - pot.refunded - pot.spent
    assert [y.financial_year for y in pot.years] == sorted({y.financial_year for y in pot.years})


@given(day=days, amount=pennies)
def test_each_line_counts_in_the_year_of_its_own_date(day, amount):
    pot = pot_by_year(paid=[(day, amount)], refunded=[], spent=[(day + timedelta(days=1), amount)])
    assert pot.years[0].financial_year == financial_year_of(day)
    assert pot.years[-1].financial_year == financial_year_of(day + timedelta(days=1))
    assert pot.balance == ZERO


def _document():
    return parse_programme(json.dumps(after_the_meeting()))


def test_the_pot_of_a_programme_is_the_figures_pot_balance_and_credits_stay_in():
    document = _document()
    figures = compute_figures(document, date(2005, 1, 1))
    pot = document_pot(document, partners=[p.partner for p in figures.per_partner])
    assert pot.balance == figures.pot_balance
    assert (pot.paid, pot.refunded, pot.spent) == (figures.paid, figures.refunded, figures.spent)
    # The credit of 1p to Norfolk County is set against its invoices, not paid out.
    assert pot.refunded == D("1250.00")
    assert [line.amount for line in pot_lines(figures) if line.key == "balance"] == [pot.balance]
    (year, *_) = [y for y in pot.years if y.financial_year == "2004/05"]
    assert year.spent == D("1200.00")
    assert pot.years[-1].carried_forward == pot.balance


def test_a_programme_without_money_has_its_years_and_an_empty_pot():
    document = parse_programme(json.dumps(seed()))
    pot = document_pot(document, partners=[p.slug for p in document.partners])
    assert [y.financial_year for y in pot.years] == list(document.programme.financial_years)
    assert pot.balance == ZERO


def test_what_each_council_put_in_is_paid_less_refunded():
    document = _document()
    net = put_in(document, partners=["norfolk-county", "north-norfolk", "norwich", "broadland"])
    assert net == {
        "norfolk-county": D("13333.33"),  # the 1p credit is not money out of the pot
        "north-norfolk": D("8750.00"),
        "norwich": ZERO,
        "broadland": D("10000.00"),
    }


def test_the_parts_of_the_spend_follow_what_each_put_in():
    document = _document()
    spend = spend_by_project(document)
    assert spend == {"further-info-points": D("1200.00")}
    parts = spend_parts(spend, {"a": D("300.00"), "b": D("100.00"), "c": ZERO})
    assert parts == {"further-info-points": {"a": D("900.00"), "b": D("300.00")}}


def test_nobody_has_a_part_when_nothing_was_put_in():
    assert spend_parts({"p": D("10.00")}, {"a": ZERO}) == {}


@given(
    spend=st.dictionaries(st.sampled_from("pqrstu"), pennies, max_size=6),
    put=st.dictionaries(
        st.sampled_from(["a", "b", "c", "d"]),
        st.integers(min_value=0, max_value=10**8).map(lambda n: D(n) / 100),
        min_size=1,
    ),
)
def test_the_parts_add_up_to_each_projects_spend_exactly(spend, put):
    parts = spend_parts(spend, put)
    if not any(amount > 0 for amount in put.values()):
        assert parts == {}
        return
    assert list(parts) == list(spend)
    for project, amount in spend.items():
        assert sum(parts[project].values(), ZERO) == amount
        assert all(
            part >= 0 and part == part.quantize(D("0.01")) for part in parts[project].values()
        )
        assert set(parts[project]) == {slug for slug, value in put.items() if value > 0}

"""Spend and forecasts: the committed-phase rule, the financial year, outturn and variance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projects.money.spend import (
    STOPPED,
    WAITS,
    financial_year_of,
    phase_outturn,
    project_outturn,
    spend_refused_because,
    spend_refused_message,
)
from projects.money.vocabulary import Decision

pennies = st.integers(min_value=1, max_value=10**11).map(lambda n: D(n) / 100)
budgets = st.one_of(st.none(), st.integers(min_value=0, max_value=10**11).map(lambda n: D(n) / 100))


@pytest.mark.parametrize(
    ("gated", "decision", "why"),
    [
        (False, Decision.PENDING, None),
        (False, Decision.APPROVED, None),
        (False, Decision.NOT_PROCEEDING, STOPPED),
        (True, Decision.PENDING, WAITS),
        (True, Decision.APPROVED, None),
        (True, Decision.NOT_PROCEEDING, STOPPED),
    ],
)
def test_spend_only_on_a_committed_phase(gated, decision, why):
    assert spend_refused_because(gated=gated, decision=decision) == why


def test_the_refusal_says_why():
    said = spend_refused_message(
        gated=True, decision=Decision.PENDING, phase="Phase 2 of Authentication / Gateway"
    )
    assert said == (
        "Phase 2 of Authentication / Gateway awaits its business case: spend on it is refused "
        "until the case is approved."
    )
    assert "does not proceed" in spend_refused_message(
        gated=False, decision=Decision.NOT_PROCEEDING, phase="Phase 1 of X"
    )
    assert spend_refused_message(gated=True, decision=Decision.APPROVED, phase="P") is None


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2004, 3, 31), "2003/04"),
        (date(2004, 4, 1), "2004/05"),
        (date(2004, 12, 31), "2004/05"),
        (date(2005, 1, 1), "2004/05"),
        (date(1999, 4, 1), "1999/00"),
    ],
)
def test_the_financial_year_starts_on_1_april(day, year):
    assert financial_year_of(day) == year


def test_variance_in_words():
    over = phase_outturn(D("10000"), [D("6000"), D("200")], [D("5000")])
    assert over.outturn == D("11200")
    assert over.variance == D("-1200")
    assert over.over_budget
    assert over.variance_words == "£1,200 over budget"
    under = phase_outturn(D("10000.50"), [D("0.25")], [])
    assert under.variance_words == "£10,000.25 under budget"
    assert not under.over_budget
    assert phase_outturn(D("5"), [D("5")], []).variance_words == "On budget"
    unknown = phase_outturn(None, [D("5")], [D("1")])
    assert unknown.variance is None and unknown.variance_words == "Budget to be confirmed"


@given(budgets, st.lists(pennies, max_size=8), st.lists(pennies, max_size=8))
def test_outturn_is_spent_plus_forecast(budget, spent, forecasts):
    phase = phase_outturn(budget, spent, forecasts)
    assert phase.outturn == sum(spent, D("0")) + sum(forecasts, D("0"))
    if budget is not None:
        assert phase.variance == budget - phase.outturn
        assert phase.over_budget == (phase.outturn > budget)


@given(st.lists(st.tuples(budgets, st.lists(pennies, max_size=4), st.lists(pennies, max_size=4))))
def test_project_totals_are_the_sums_of_its_phases(rows):
    phases = [phase_outturn(*row) for row in rows]
    total = project_outturn(phases)
    assert total.spent == sum((p.spent for p in phases), D("0"))
    assert total.forecast == sum((p.forecast for p in phases), D("0"))
    assert total.outturn == sum((p.outturn for p in phases), D("0"))
    if all(p.budget is not None for p in phases):
        assert total.variance == sum((p.variance for p in phases), D("0"))
    else:
        assert total.budget is None

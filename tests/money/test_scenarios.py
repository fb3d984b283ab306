"""Scenarios as plain data: their query string, applying them, and the figures they compare."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projects.money.document import ContributionData
from projects.money.figures import compute_figures
from projects.money.scenarios import (
    DECISION_WORDS,
    Gap,
    PhaseKey,
    Scenario,
    ScenarioError,
    apply_scenario,
    compare_scenario,
    gated_phases,
    method_problem,
    money_released,
    money_returned,
    phase_key_problem,
    phase_param,
    read_phase_param,
    recorded_scenario,
    scenario_changes,
    scenario_query,
    step_param,
    without_recorded_decisions,
)
from projects.money.vocabulary import Apportionment, ContributionStatus, Decision, Tranche
from tests.reports.seed import (
    PARTNER_SLUGS,
    seed_document,
    with_contributions,
    with_phase_decision,
)

D = Decimal
GATEWAY_2 = PhaseKey("authentication-gateway", 2)
BENEFITS_2 = PhaseKey("benefits-form", 2)
EQUAL_10K = {"apportionment": Apportionment.EQUAL, "rounding_step": D("10000.00")}


def scenario(step: str | None = "10000.00", **decisions: Decision) -> Scenario:
    """Return an equal-shares scenario; decisions keyed as gateway=..., benefits=..."""
    keys = {"gateway": GATEWAY_2, "benefits": BENEFITS_2}
    return Scenario(
        apportionment=Apportionment.EQUAL,
        rounding_step=None if step is None else D(step),
        decisions={keys[name]: decision for name, decision in decisions.items()},
    )


def received(partner: str, amount: str, status=ContributionStatus.RECEIVED) -> ContributionData:
    return ContributionData(
        partner=partner,
        financial_year="2004/05",
        tranche=Tranche.IMMEDIATE,
        amount=D(amount),
        status=status,
    )


# Naming phases in a query string


def test_a_phase_parameter_is_its_project_slug_and_number():
    assert phase_param(GATEWAY_2) == "authentication-gateway.2"
    assert read_phase_param("authentication-gateway.2") == GATEWAY_2


@pytest.mark.parametrize(
    "name",
    ["method", "step", "authentication-gateway", "authentication-gateway.0",
     "authentication-gateway.x", "Authentication-Gateway.2", ".2", "a.b.2", "a.2.",
     "a.1234567890", f"{'a' * 51}.1", "a.-1"],
)  # fmt: skip
def test_other_parameters_name_no_phase(name):
    assert read_phase_param(name) is None


def test_the_query_string_names_the_decisions_in_order_then_method_and_step():
    chosen = Scenario(
        apportionment=Apportionment.POPULATION,
        rounding_step=D("2500.50"),
        decisions={BENEFITS_2: Decision.APPROVED, GATEWAY_2: Decision.NOT_PROCEEDING},
    )
    assert scenario_query(chosen) == (
        "authentication-gateway.2=not_proceeding&benefits-form.2=approved"
        "&method=population&step=2500.50"
    )


@pytest.mark.parametrize(
    ("step", "written"),
    [(None, ""), (D("10000.00"), "10000"), (D("0.50"), "0.50"), (D("1000.10"), "1000.10")],
)
def test_the_step_is_written_without_needless_pence(step, written):
    assert step_param(step) == written
    assert (
        dict(parse_qsl(scenario_query(replace(scenario(), rounding_step=step)), True))["step"]
        == written
    )


def test_the_recorded_scenario_is_the_programmes_method_and_step_with_no_overrides():
    assert recorded_scenario(seed_document()) == Scenario(**EQUAL_10K)


# Which phases a scenario may set


def test_the_gated_phases_are_listed_in_board_order_with_their_recorded_decisions():
    phases = gated_phases(seed_document())
    assert [(p.key, p.project_name, p.name, p.extra_cost, p.decision) for p in phases] == [
        (GATEWAY_2, "Authentication / Gateway", "Connection", D("100000.00"), Decision.PENDING),
        (BENEFITS_2, "Benefits Form", "Links to e-forms", None, Decision.PENDING),
    ]
    assert phases[0].decision_words == "Awaiting decision"


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        (PhaseKey("nowhere", 2), "there is no project “nowhere” in this programme"),
        (PhaseKey("authentication-gateway", 9), "there is no phase 9 in Authentication / Gateway"),
        (PhaseKey("authentication-gateway", 1), "phase 1 of Authentication / Gateway is not gated"),
    ],
)
def test_a_scenario_cannot_set_a_phase_that_is_missing_or_not_gated(key, problem):
    document = seed_document()
    assert problem in phase_key_problem(document, key)
    with pytest.raises(ScenarioError, match=problem):
        apply_scenario(document, replace(scenario(), decisions={key: Decision.NOT_PROCEEDING}))


def test_gated_phases_can_be_set():
    document = seed_document()
    assert phase_key_problem(document, GATEWAY_2) is None
    assert phase_key_problem(document, BENEFITS_2) is None


def test_methods_without_the_partners_figures_are_refused_with_the_reason():
    document = seed_document()
    assert method_problem(document, Apportionment.EQUAL) is None
    assert "needs every contributing partner to have a population" in method_problem(
        document, Apportionment.POPULATION
    )
    assert "an agreed weight" in method_problem(document, Apportionment.WEIGHTS)
    weighted = replace(
        document,
        partners=tuple(replace(p, weight=D(n + 1)) for n, p in enumerate(document.partners)),
    )
    assert method_problem(weighted, Apportionment.WEIGHTS) is None


# Applying a scenario to the plain data


def test_applying_the_recorded_scenario_changes_nothing():
    document = seed_document()
    assert apply_scenario(document, recorded_scenario(document)) == document


def test_applying_a_scenario_changes_only_its_phases_method_and_step():
    document = seed_document()
    chosen = replace(
        scenario(gateway=Decision.NOT_PROCEEDING),
        apportionment=Apportionment.WEIGHTS,
        rounding_step=None,
    )
    applied = apply_scenario(document, chosen)
    assert applied == replace(
        with_phase_decision(document, "authentication-gateway", 2, Decision.NOT_PROCEEDING),
        programme=replace(
            document.programme, apportionment=Apportionment.WEIGHTS, rounding_step=None
        ),
    )
    # The document given is untouched: a scenario never changes the recorded programme.
    assert document == seed_document()


def test_the_changes_are_the_decisions_that_differ_from_the_recorded_ones():
    document = with_phase_decision(seed_document(), "benefits-form", 2, Decision.APPROVED)
    chosen = scenario(gateway=Decision.NOT_PROCEEDING, benefits=Decision.APPROVED)
    changes = scenario_changes(document, chosen)
    assert [(c.phase.key, c.phase.decision, c.decision) for c in changes] == [
        (GATEWAY_2, Decision.PENDING, Decision.NOT_PROCEEDING)
    ]
    assert changes[0].decision_words == "Does not proceed"
    assert without_recorded_decisions(document, chosen).decisions == {
        GATEWAY_2: Decision.NOT_PROCEEDING
    }


# The figures compared


def test_stopping_gateway_phase_2_brings_the_cap_per_partner_from_30000_to_10000():
    comparison = compare_scenario(seed_document(), scenario(gateway=Decision.NOT_PROCEEDING))
    assert comparison.recorded_figures.cap_per_partner == D("30000.00")
    assert comparison.scenario_figures.cap_per_partner == D("10000.00")
    assert {row.partner for row in comparison.partners} == set(PARTNER_SLUGS)
    for row in comparison.partners:
        assert (row.recorded.cap, row.scenario.cap, row.cap_change) == (
            D("30000.00"), D("10000.00"), D("-20000.00"))  # fmt: skip
        assert (row.recorded.immediate, row.scenario.immediate, row.immediate_change) == (
            D("10000.00"), D("10000.00"), D("0.00"))  # fmt: skip
    rows = {row.label: (row.recorded, row.scenario, row.change) for row in comparison.figures}
    assert rows["Extra cost maximum (possible)"] == (D("175000"), D("75000"), D("-100000"))
    assert rows["Cap per partner"] == (D("30000"), D("10000"), D("-20000"))
    assert comparison.totals.cap == D("80000.00")
    assert comparison.totals.cap_change == D("-160000.00")


def test_a_1000_step_gives_a_cap_of_22000_and_an_immediate_tranche_of_10000():
    comparison = compare_scenario(seed_document(), scenario(step="1000.00"))
    assert comparison.changes == ()
    for row in comparison.partners:
        assert (row.scenario.immediate, row.scenario.cap) == (D("10000.00"), D("22000.00"))


def test_no_step_leaves_the_exact_shares():
    comparison = compare_scenario(seed_document(), scenario(step=None))
    assert {row.scenario.cap for row in comparison.partners} == {D("21875.00")}
    assert {row.scenario.immediate for row in comparison.partners} == {D("9375.00")}


def test_the_gaps_are_the_money_still_to_find_or_the_headroom():
    document = with_contributions(
        seed_document(), *(received(slug, "12500.00") for slug in PARTNER_SLUGS)
    )  # 100,000 pledged against a minimum of 75,000 and a maximum of 175,000
    comparison = compare_scenario(document, scenario(gateway=Decision.NOT_PROCEEDING))
    minimum, maximum = comparison.gaps
    assert (minimum.recorded.is_headroom, minimum.recorded.size) == (True, D("25000.00"))
    assert (maximum.recorded.is_headroom, maximum.recorded.size) == (False, D("75000.00"))
    assert (maximum.scenario.is_headroom, maximum.scenario.size) == (True, D("25000.00"))
    assert maximum.change == D("-100000.00")
    assert Gap(D("0")).is_headroom is False


def test_money_paid_beyond_the_cap_is_returned_and_unpaid_pledges_beyond_it_released():
    document = with_contributions(
        seed_document(),
        received("broadland", "30000.00"),
        received("norwich", "5000.00"),
        received("norwich", "25000.00", ContributionStatus.PLEDGED),
        received("breckland", "15000.00"),
        received("breckland", "15000.00", ContributionStatus.INVOICED),
        received("south-norfolk", "50000.00", ContributionStatus.RETURNED),
    )
    comparison = compare_scenario(document, scenario(gateway=Decision.NOT_PROCEEDING))
    money = {row.partner: (row.returned, row.released) for row in comparison.partners}
    assert money["broadland"] == (D("20000.00"), D("0.00"))  # paid 30,000 against a 10,000 cap
    assert money["norwich"] == (D("0.00"), D("20000.00"))  # paid 5,000, 25,000 more promised
    assert money["breckland"] == (D("5000.00"), D("15000.00"))  # paid 15,000, invoiced 15,000
    assert money["south-norfolk"] == (D("0.00"), D("0.00"))  # returned money is not pledged
    assert (comparison.totals.returned, comparison.totals.released) == (
        D("25000.00"), D("35000.00"))  # fmt: skip
    # As recorded (cap 30,000) nothing is beyond any cap.
    recorded = compare_scenario(document, recorded_scenario(document))
    assert (recorded.totals.returned, recorded.totals.released) == (D("0.00"), D("0.00"))


amounts = st.decimals(min_value=0, max_value=10**9, places=2)


@given(pledged_unpaid=amounts, paid=amounts, cap=amounts)
def test_a_partner_keeps_committed_the_smaller_of_its_pledges_and_its_cap(
    pledged_unpaid, paid, cap
):
    pledged = pledged_unpaid + paid
    returned = money_returned(received=paid, cap=cap)
    released = money_released(pledged=pledged, received=paid, cap=cap)
    assert returned >= 0 and released >= 0
    assert returned <= paid and released <= pledged_unpaid
    assert pledged - returned - released == min(pledged, cap)


@given(
    gateway=st.sampled_from(list(Decision)),
    benefits=st.sampled_from(list(Decision)),
    method=st.sampled_from([Apportionment.EQUAL, Apportionment.POPULATION]),
    step=st.sampled_from([None, D("0.01"), D("1000.00"), D("10000.00"), D("12345.67")]),
)
def test_the_scenarios_figures_are_those_of_the_programme_decided_that_way(
    gateway, benefits, method, step
):
    populations = (90_000, 120_000, 110_000, 90_000, 140_000, 100_000, 120_000, 800_000)
    document = seed_document()
    document = replace(
        document,
        partners=tuple(
            replace(p, population=n) for p, n in zip(document.partners, populations, strict=True)
        ),
        contributions=(received("norwich", "40000.00"),),
    )
    chosen = Scenario(
        apportionment=method,
        rounding_step=step,
        decisions={GATEWAY_2: gateway, BENEFITS_2: benefits},
    )
    comparison = compare_scenario(document, chosen)
    decided = with_phase_decision(document, "authentication-gateway", 2, gateway)
    decided = with_phase_decision(decided, "benefits-form", 2, benefits)
    decided = replace(
        decided,
        programme=replace(decided.programme, apportionment=method, rounding_step=step),
    )
    assert comparison.scenario_figures == compute_figures(decided)
    assert comparison.recorded_figures == compute_figures(document)
    assert comparison.totals.cap == sum(row.scenario.cap for row in comparison.partners)
    assert comparison.totals.immediate == sum(row.scenario.immediate for row in comparison.partners)
    assert comparison.totals.cap_change == comparison.totals.cap - comparison.totals.recorded_cap
    gateway_in_max = gateway != Decision.NOT_PROCEEDING
    assert comparison.scenario_figures.extra_max == D("75000.00") + (
        D("100000.00") if gateway_in_max else 0
    )
    assert len(comparison.changes) == (gateway != Decision.PENDING) + (benefits != Decision.PENDING)


def test_the_decisions_read_as_the_form_offers_them():
    assert DECISION_WORDS == {
        Decision.APPROVED: "Proceeds",
        Decision.PENDING: "Awaiting decision",
        Decision.NOT_PROCEEDING: "Does not proceed",
    }

"""The money rules of projects: existing resource, minimum and maximum extra cost, TBC phases."""

from __future__ import annotations

from decimal import Decimal

import pytest

from projects.money.bounds import (
    ExtraBounds,
    counts_in_maximum,
    counts_in_minimum,
    programme_extra_bounds,
    project_existing_resource,
    project_extra_bounds,
)
from projects.money.document import FundingData, PhaseData, ProjectData
from projects.money.vocabulary import Borne, Decision, FundingKind, FundingStatus

D = Decimal


def phase(
    extra_cost: str | None = "1000.00",
    *,
    gated: bool = False,
    decision: Decision = Decision.PENDING,
    borne: Borne = Borne.SHARED,
    number: int = 1,
) -> PhaseData:
    """Return a phase whose cost is given as text (None: to be confirmed)."""
    return PhaseData(
        number=number,
        name=f"Phase {number}",
        extra_cost=None if extra_cost is None else D(extra_cost),
        gated=gated,
        decision=decision,
        borne=borne,
    )


# --- which phases count ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gated", "decision", "in_minimum", "in_maximum"),
    [
        (False, Decision.PENDING, True, True),
        (False, Decision.APPROVED, True, True),
        (False, Decision.NOT_PROCEEDING, False, False),
        (True, Decision.PENDING, False, True),
        (True, Decision.APPROVED, True, True),
        (True, Decision.NOT_PROCEEDING, False, False),
    ],
)
def test_phase_counts_by_gate_and_decision(gated, decision, in_minimum, in_maximum):
    subject = phase(gated=gated, decision=decision)
    assert counts_in_minimum(subject) is in_minimum
    assert counts_in_maximum(subject) is in_maximum


def test_ungated_phase_is_committed():
    bounds = project_extra_bounds([phase("7000.00")])
    assert (bounds.minimum, bounds.maximum) == (D("7000.00"), D("7000.00"))


def test_gated_pending_phase_counts_only_in_maximum():
    bounds = project_extra_bounds([phase("7000.00"), phase("100000.00", gated=True, number=2)])
    assert (bounds.minimum, bounds.maximum) == (D("7000.00"), D("107000.00"))


def test_approved_business_case_joins_minimum():
    bounds = project_extra_bounds([phase("100000.00", gated=True, decision=Decision.APPROVED)])
    assert (bounds.minimum, bounds.maximum) == (D("100000.00"), D("100000.00"))


def test_stopped_phase_leaves_maximum():
    bounds = project_extra_bounds(
        [phase("7000.00"), phase("100000.00", gated=True, decision=Decision.NOT_PROCEEDING)]
    )
    assert (bounds.minimum, bounds.maximum) == (D("7000.00"), D("7000.00"))


def test_stopped_ungated_phase_leaves_minimum_and_maximum():
    bounds = project_extra_bounds([phase("7000.00", decision=Decision.NOT_PROCEEDING)])
    assert (bounds.minimum, bounds.maximum) == (D("0.00"), D("0.00"))


def test_individually_borne_phase_is_kept_apart_from_shared_cost():
    bounds = project_extra_bounds(
        [
            phase("7000.00"),
            phase("100000.00", gated=True, borne=Borne.INDIVIDUAL, number=2),
            phase("500.00", borne=Borne.INDIVIDUAL, number=3),
        ]
    )
    assert bounds == ExtraBounds(
        shared_min=D("7000.00"),
        individual_min=D("500.00"),
        shared_max=D("7000.00"),
        individual_max=D("100500.00"),
        tbc_phases=0,
    )


# --- costs to be confirmed -------------------------------------------------------------------


def test_tbc_phase_is_left_out_of_sums_and_counted():
    bounds = project_extra_bounds([phase("13000.00"), phase(None, gated=True, number=2)])
    assert (bounds.minimum, bounds.maximum) == (D("13000.00"), D("13000.00"))
    assert bounds.tbc_phases == 1


def test_tbc_phase_in_minimum_is_counted_too():
    assert project_extra_bounds([phase(None)]).tbc_phases == 1


def test_not_proceeding_tbc_phase_is_not_counted():
    bounds = project_extra_bounds([phase(None, gated=True, decision=Decision.NOT_PROCEEDING)])
    assert bounds.tbc_phases == 0


def test_project_without_phases_has_no_extra_cost():
    assert project_extra_bounds([]) == ExtraBounds()


# --- project and programme totals ------------------------------------------------------------


def test_programme_bounds_sum_the_projects():
    projects = [
        ProjectData(slug="a", name="A", phases=(phase("7000.00"), phase(None, number=2))),
        ProjectData(
            slug="b",
            name="B",
            phases=(
                phase("20000.00"),
                phase("100000.00", gated=True, borne=Borne.INDIVIDUAL, number=2),
            ),
        ),
        ProjectData(slug="c", name="C", phases=(phase(None, gated=True),)),
    ]
    assert programme_extra_bounds(projects) == ExtraBounds(
        shared_min=D("27000.00"),
        individual_min=D("0.00"),
        shared_max=D("27000.00"),
        individual_max=D("100000.00"),
        tbc_phases=2,
    )


def test_empty_programme_has_no_extra_cost():
    assert programme_extra_bounds([]) == ExtraBounds()


# --- existing resource -----------------------------------------------------------------------


def test_existing_resource_sums_secured_funding():
    funding = [
        FundingData(source="ODPM", amount=D("15000.00"), kind=FundingKind.EXTERNAL),
        FundingData(source="Broadland", amount=D("2500.50")),
    ]
    assert project_existing_resource(funding) == D("17500.50")


def test_prospective_funding_is_not_existing_resource():
    funding = [
        FundingData(source="e-Voice INTERREG project", amount=D("20000.00")),
        FundingData(
            source="Future bid for external funds",
            amount=D("13000.00"),
            kind=FundingKind.EXTERNAL,
            status=FundingStatus.PROSPECTIVE,
        ),
    ]
    assert project_existing_resource(funding) == D("20000.00")


def test_no_funding_is_zero_existing_resource():
    assert project_existing_resource([]) == D("0.00")

"""The programme figures: the seed reproduced, scenarios, gaps, and the exact JSON object."""

from __future__ import annotations

import json
from dataclasses import astuple, replace
from decimal import Decimal

import pytest

from projects.money.document import (
    ContributionData,
    OutcomeClaimData,
    PartnerData,
    PartnershipData,
    PhaseData,
    ProgrammeData,
    ProgrammeDocument,
    ProjectData,
)
from projects.money.figures import Mismatch, compute_figures, figures_as_json
from projects.money.vocabulary import (
    Apportionment,
    Borne,
    ContributionStatus,
    Decision,
    Grade,
    Tranche,
)
from tests.reports.seed import (
    PARTNER_SLUGS,
    seed_document,
    with_contributions,
    with_phase_decision,
)

D = Decimal

FIGURE_KEYS = {
    "programme",
    "projects",
    "partners",
    "existing_total",
    "existing_stated",
    "extra_min",
    "extra_max",
    "extra_stated",
    "share_min",
    "share_max",
    "immediate_per_partner",
    "cap_per_partner",
    "pledged",
    "received",
    "gap_min",
    "gap_max",
    "outcomes",
    "projects_supporting_strategy",
    "tbc_phases",
    "mismatches",
    "per_partner",
    # After the meeting
    "agreement",
    "invoiced",
    "paid",
    "refunded",
    "credited",
    "owed",
    "overdue",
    "uncalled",
    "surplus",
    "spent",
    "forecast_outturn",
    "pot_balance",
    # Delivery
    "projects_by_status",
    "late_milestones",
    "open_risks_by_score",
}
PER_PARTNER_KEYS = {
    "partner",
    "share_min",
    "share_max",
    "immediate",
    "cap",
    "pledged",
    "received",
    "outstanding",
    # After the meeting
    "agreed_immediate",
    "agreed_cap",
    "invoiced",
    "paid",
    "refunded",
    "credited",
    "owed",
    "overdue",
    "uncalled",
    "surplus",
}


def with_step(document: ProgrammeDocument, step: Decimal | None) -> ProgrammeDocument:
    """Return the document with another rounding step."""
    return replace(document, programme=replace(document.programme, rounding_step=step))


@pytest.fixture
def seed() -> ProgrammeDocument:
    return seed_document()


# --- the seed --------------------------------------------------------------------------------


def test_seed_reproduces_the_board_report(seed):
    figures = figures_as_json(compute_figures(seed))
    assert figures["programme"] == "norfolk-connect-2004"
    assert figures["projects"] == 10
    assert figures["partners"] == 8
    assert figures["existing_total"] == "175000.00"
    assert figures["existing_stated"] == "165000.00"
    assert figures["extra_min"] == "75000.00"
    assert figures["extra_max"] == "175000.00"
    assert figures["extra_stated"] == "175000.00"
    assert figures["share_min"] == "9375.00"
    assert figures["share_max"] == "21875.00"
    assert figures["immediate_per_partner"] == "10000.00"
    assert figures["cap_per_partner"] == "30000.00"
    assert figures["outcomes"] == {"required": 10, "good": 11, "excellent": 5}
    assert figures["projects_supporting_strategy"] == 7
    assert figures["tbc_phases"] == 1


def test_seed_existing_total_mismatch_is_the_only_one(seed):
    figures = compute_figures(seed)
    assert figures.mismatches == (
        Mismatch(field="existing_total", stated=D("165000.00"), computed=D("175000.00")),
    )
    assert figures.mismatches[0].difference == D("10000.00")
    assert figures_as_json(figures)["mismatches"] == [
        {"field": "existing_total", "stated": "165000.00", "computed": "175000.00"}
    ]


def test_seed_has_no_money_pledged_yet(seed):
    figures = figures_as_json(compute_figures(seed))
    assert (figures["pledged"], figures["received"]) == ("0.00", "0.00")
    assert (figures["gap_min"], figures["gap_max"]) == ("75000.00", "175000.00")


def test_seed_per_partner_in_slug_order(seed):
    per_partner = figures_as_json(compute_figures(seed))["per_partner"]
    assert [row["partner"] for row in per_partner] == list(PARTNER_SLUGS)
    assert per_partner[0] == {
        "partner": "breckland",
        "share_min": "9375.00",
        "share_max": "21875.00",
        "immediate": "10000.00",
        "cap": "30000.00",
        "pledged": "0.00",
        "received": "0.00",
        "outstanding": "0.00",
        # Nothing agreed yet, so nothing called, paid or given back.
        "agreed_immediate": None,
        "agreed_cap": None,
        "invoiced": "0.00",
        "paid": "0.00",
        "refunded": "0.00",
        "credited": "0.00",
        "owed": "0.00",
        "overdue": "0.00",
        "uncalled": None,
        "surplus": "0.00",
    }
    assert all(row == {**per_partner[0], "partner": row["partner"]} for row in per_partner)


def test_figures_json_has_exactly_the_designed_keys(seed):
    figures = figures_as_json(compute_figures(seed))
    assert set(figures) == FIGURE_KEYS
    assert set(figures["outcomes"]) == {"required", "good", "excellent"}
    assert set(figures["mismatches"][0]) == {"field", "stated", "computed"}
    assert all(set(row) == PER_PARTNER_KEYS for row in figures["per_partner"])
    assert "difference" not in json.dumps(figures)


def test_figures_json_is_plain_json(seed):
    figures = figures_as_json(compute_figures(seed))
    assert json.loads(json.dumps(figures)) == figures
    assert isinstance(figures["projects"], int)
    assert isinstance(figures["tbc_phases"], int)


# --- scenarios -------------------------------------------------------------------------------


def test_stopping_the_gateway_connection_lowers_the_cap(seed):
    stopped = with_phase_decision(seed, "authentication-gateway", 2, Decision.NOT_PROCEEDING)
    figures = figures_as_json(compute_figures(stopped))
    assert figures["extra_max"] == "75000.00"
    assert figures["share_max"] == "9375.00"
    assert figures["cap_per_partner"] == "10000.00"
    assert figures["immediate_per_partner"] == "10000.00"
    assert {m["field"] for m in figures["mismatches"]} == {"existing_total", "extra_total"}


def test_approving_the_gateway_connection_commits_it(seed):
    approved = with_phase_decision(seed, "authentication-gateway", 2, Decision.APPROVED)
    figures = figures_as_json(compute_figures(approved))
    assert (figures["extra_min"], figures["extra_max"]) == ("175000.00", "175000.00")
    assert figures["immediate_per_partner"] == "30000.00"


def test_thousand_pound_step(seed):
    figures = figures_as_json(compute_figures(with_step(seed, D("1000.00"))))
    assert figures["cap_per_partner"] == "22000.00"
    assert figures["immediate_per_partner"] == "10000.00"


def test_no_step_gives_the_exact_shares(seed):
    figures = figures_as_json(compute_figures(with_step(seed, None)))
    assert figures["cap_per_partner"] == "21875.00"
    assert figures["immediate_per_partner"] == "9375.00"


def test_stopping_the_tbc_phase_clears_the_flag(seed):
    stopped = with_phase_decision(seed, "benefits-form", 2, Decision.NOT_PROCEEDING)
    assert compute_figures(stopped).tbc_phases == 0


def test_absent_stated_figures_are_null_and_not_mismatches(seed):
    programme = replace(seed.programme, stated_existing_total=None, stated_extra_total=None)
    figures = figures_as_json(compute_figures(replace(seed, programme=programme)))
    assert figures["existing_stated"] is None
    assert figures["extra_stated"] is None
    assert figures["mismatches"] == []


# --- contributions and gaps ------------------------------------------------------------------


def contribution(
    slug: str, amount: str, status: ContributionStatus, tranche: Tranche = Tranche.IMMEDIATE
) -> ContributionData:
    """Return a 2004/05 contribution."""
    return ContributionData(
        partner=slug, financial_year="2004/05", tranche=tranche, amount=D(amount), status=status
    )


def test_gaps_with_contributions(seed):
    contributions = [
        contribution(slug, "10000.00", ContributionStatus.PLEDGED) for slug in PARTNER_SLUGS
    ]
    contributions[0] = contribution("breckland", "10000.00", ContributionStatus.RECEIVED)
    contributions[1] = contribution("broadland", "10000.00", ContributionStatus.INVOICED)
    contributions.append(
        contribution("norwich", "20000.00", ContributionStatus.RETURNED, Tranche.REVIEW)
    )
    figures = figures_as_json(compute_figures(with_contributions(seed, *contributions)))
    assert figures["pledged"] == "80000.00"
    assert figures["received"] == "10000.00"
    assert figures["gap_min"] == "-5000.00"
    assert figures["gap_max"] == "95000.00"
    rows = {row["partner"]: row for row in figures["per_partner"]}
    assert (rows["breckland"]["received"], rows["breckland"]["outstanding"]) == (
        "10000.00",
        "0.00",
    )
    assert (rows["broadland"]["pledged"], rows["broadland"]["outstanding"]) == (
        "10000.00",
        "10000.00",
    )
    assert rows["norwich"]["pledged"] == "10000.00"


# --- other apportionment methods -------------------------------------------------------------


def weights_document() -> ProgrammeDocument:
    """Return a small programme whose partners pay by agreed weights, with one observer."""
    return ProgrammeDocument(
        partnership=PartnershipData(slug="trio", name="Trio Partnership"),
        programme=ProgrammeData(
            slug="trio-2005",
            name="Trio programme",
            financial_years=("2005/06",),
            apportionment=Apportionment.WEIGHTS,
            rounding_step=D("500.00"),
        ),
        partners=(
            PartnerData(slug="county", name="County", weight=D("50")),
            PartnerData(slug="city", name="City", weight=D("30")),
            PartnerData(slug="district", name="District", weight=D("20")),
            PartnerData(slug="police", name="Police", contributes=False),
        ),
        projects=(
            ProjectData(
                slug="portal",
                name="Portal",
                supports_strategy=True,
                outcome_claims=(OutcomeClaimData(Grade.GOOD, code="R3"),),
                phases=(
                    PhaseData(number=1, name="Build", extra_cost=D("10000.00")),
                    PhaseData(
                        number=2,
                        name="Connection",
                        extra_cost=D("3000.00"),
                        gated=True,
                        borne=Borne.INDIVIDUAL,
                    ),
                ),
            ),
        ),
        contributions=(contribution("county", "5000.00", ContributionStatus.RECEIVED),),
    )


def test_weights_method_programme():
    figures = compute_figures(weights_document())
    assert figures.partners == 3
    assert [p.partner for p in figures.per_partner] == ["city", "county", "district"]
    # Shares min/max, immediate, cap, pledged, received, outstanding.
    assert {p.partner: tuple(str(v) for v in astuple(p)[1:]) for p in figures.per_partner} == {
        "city": ("3000.00", "4000.00", "3000.00", "4000.00", "0.00", "0.00", "0.00"),
        "county": ("5000.00", "6000.00", "5000.00", "6000.00", "5000.00", "5000.00", "0.00"),
        "district": ("2000.00", "3000.00", "2000.00", "3000.00", "0.00", "0.00", "0.00"),
    }
    assert (figures.share_min, figures.share_max) == (D("5000.00"), D("6000.00"))
    assert (figures.immediate_per_partner, figures.cap_per_partner) == (
        D("5000.00"),
        D("6000.00"),
    )
    assert (figures.gap_min, figures.gap_max) == (D("5000.00"), D("8000.00"))
    json_figures = figures_as_json(figures)
    assert json_figures["outcomes"] == {"required": 0, "good": 1, "excellent": 0}
    assert json_figures["existing_stated"] is None
    assert json_figures["existing_total"] == "0.00"


def test_no_contributing_partner_leaves_per_partner_figures_null():
    document = replace(
        weights_document(), partners=(PartnerData(slug="police", name="Police", contributes=False),)
    )
    figures = figures_as_json(compute_figures(document))
    assert figures["partners"] == 0
    assert figures["per_partner"] == []
    for key in ("share_min", "share_max", "immediate_per_partner", "cap_per_partner"):
        assert figures[key] is None
    assert figures["extra_max"] == "13000.00"


def test_population_method_apportions_shared_cost_by_population():
    partners = (
        PartnerData(slug="big", name="Big", population=300000),
        PartnerData(slug="small", name="Small", population=100000),
    )
    document = replace(
        weights_document(),
        programme=replace(
            weights_document().programme, apportionment=Apportionment.POPULATION, rounding_step=None
        ),
        partners=partners,
        contributions=(),
    )
    rows = {p.partner: p for p in compute_figures(document).per_partner}
    assert (rows["big"].share_min, rows["small"].share_min) == (D("7500.00"), D("2500.00"))
    # The individually borne connection splits equally, not by population.
    assert (rows["big"].share_max, rows["small"].share_max) == (D("9000.00"), D("4000.00"))

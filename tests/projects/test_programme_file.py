"""The programme file: the seed fixture, the round trip, and every kind of bad file."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projects.money.document import (
    ContributionData,
    FundingData,
    OutcomeClaimData,
    PartnerData,
    PartnershipData,
    PhaseData,
    ProgrammeData,
    ProgrammeDocument,
    ProjectData,
)
from projects.money.vocabulary import (
    Apportionment,
    Borne,
    ContributionStatus,
    Decision,
    FundingKind,
    FundingStatus,
    Grade,
    ProjectStatus,
    Tranche,
)
from projects.programme_file import (
    Problem,
    ProgrammeFileError,
    dump_programme,
    dumps_programme,
    parse_programme,
)
from projects.rules import PROJECT_RESERVED_SLUGS
from tests.after_the_meeting import seed_before_the_meeting

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "norfolk-connect-2004.json"


def seed_dict() -> dict[str, Any]:
    """Return a fresh copy of the seed fixture as plain data, for a test to break."""
    return copy.deepcopy(_SEED_DICT)


_SEED_DICT = json.loads(SEED.read_text(encoding="utf-8"))


def problems_of(data: dict[str, Any] | str | bytes) -> list[str]:
    """Return the problems parse_programme reports for a file, as "path: message" lines."""
    raw = data if isinstance(data, str | bytes) else json.dumps(data)
    with pytest.raises(ProgrammeFileError) as caught:
        parse_programme(raw)
    return [str(problem) for problem in caught.value.problems]


# The seed


def test_seed_fixture_round_trips_byte_for_byte() -> None:
    text = SEED.read_text(encoding="utf-8")

    assert dumps_programme(parse_programme(text)) == text


def test_seed_fixture_reads_as_bytes_too() -> None:
    assert parse_programme(SEED.read_bytes()) == parse_programme(SEED.read_text(encoding="utf-8"))


def test_seed_fixture_holds_the_seed_figures() -> None:
    document = parse_programme(SEED.read_bytes())
    projects = document.projects
    phases = [phase for project in projects for phase in project.phases]
    not_gated = [phase.extra_cost for phase in phases if not phase.gated]
    gated = [phase.extra_cost for phase in phases if phase.gated and phase.extra_cost is not None]
    grades = [claim.grade for project in projects for claim in project.outcome_claims]

    assert [project.slug for project in projects] == [
        "e-forms",
        "portal",
        "further-info-points",
        "marketing",
        "authentication-gateway",
        "benefits-form",
        "shared-customer-info-crm",
        "direct-gov",
        "member-support",
        "partnership-support",
    ]
    assert sum(line.amount for project in projects for line in project.funding) == 175_000
    assert document.programme.stated_existing_total == 165_000
    assert sum(not_gated) == 75_000
    assert sum(not_gated) + sum(gated) == 175_000 == document.programme.stated_extra_total
    assert sum(phase.extra_cost is None for phase in phases) == 1
    assert (grades.count("required"), grades.count("good"), grades.count("excellent")) == (
        10,
        11,
        5,
    )
    assert [p.slug for p in projects if not p.supports_strategy] == [
        "marketing",
        "authentication-gateway",
        "partnership-support",
    ]
    assert len(document.partners) == 8
    assert all(partner.contributes for partner in document.partners)
    assert document.programme.rounding_step == Decimal("10000.00")
    assert document.contributions == ()


def test_seed_fixture_fixes_only_the_obvious_typos() -> None:
    text = SEED.read_text(encoding="utf-8")

    assert "Kinsg" not in text and "oppoirtunities" not in text
    assert "Building on work done by Kings Lynn" in text


# The canonical form


def test_dump_writes_every_key_of_the_example_and_amounts_with_pence() -> None:
    document = ProgrammeDocument(
        partnership=PartnershipData("p", "P"),
        programme=ProgrammeData("q", "Q", ("2004/05",), Apportionment.WEIGHTS),
        partners=(PartnerData("a", "A", weight=Decimal("12.5000")),),
        projects=(
            ProjectData(
                "x",
                "X",
                funding=(FundingData("Grant", Decimal("15000")),),
                phases=(PhaseData(1, "One", Decimal("7000.5")),),
            ),
        ),
        contributions=(ContributionData("a", "2004/05", Tranche.IMMEDIATE, Decimal("10000")),),
    )

    dumped = dump_programme(document)

    assert dumped["programme"]["stated"] == {"existing_total": None, "extra_total": None}
    assert dumped["programme"]["starts"] is None and dumped["programme"]["rounding_step"] is None
    assert dumped["partners"][0] == {
        "slug": "a",
        "name": "A",
        "contributes": True,
        "population": None,
        "weight": "12.5",
    }
    assert dumped["projects"][0]["funding"][0]["amount"] == "15000.00"
    assert dumped["projects"][0]["phases"][0]["extra_cost"] == "7000.50"
    assert dumped["contributions"] == [
        {
            "partner": "a",
            "financial_year": "2004/05",
            "tranche": "immediate",
            "amount": "10000.00",
            "status": "pledged",
        }
    ]


def test_dump_writes_contribution_dates_and_note_only_when_set() -> None:
    contribution = ContributionData(
        "a",
        "2004/05",
        Tranche.REVIEW,
        Decimal("5"),
        ContributionStatus.RECEIVED,
        received_on=date(2004, 11, 1),
        note="cheque",
    )
    document = ProgrammeDocument(
        partnership=PartnershipData("p", "P"),
        programme=ProgrammeData("q", "Q", ("2004/05",)),
        partners=(PartnerData("a", "A"),),
        contributions=(contribution,),
    )

    dumped = dump_programme(document)["contributions"][0]

    assert dumped["received_on"] == "2004-11-01" and dumped["note"] == "cheque"
    assert "pledged_on" not in dumped and "returned_on" not in dumped
    assert parse_programme(dumps_programme(document)) == document


def test_whole_weight_is_written_without_an_exponent() -> None:
    document = ProgrammeDocument(
        partnership=PartnershipData("p", "P"),
        programme=ProgrammeData("q", "Q", ("2004/05",)),
        partners=(PartnerData("a", "A", weight=Decimal("100.0000")),),
    )

    assert dump_programme(document)["partners"][0]["weight"] == "100"


def test_optional_keys_take_the_defaults() -> None:
    raw = {
        "format": "partnership-programme/1",
        "partnership": {"slug": "p", "name": "P"},
        "programme": {
            "slug": "q",
            "name": "Q",
            "financial_years": ["2004/05"],
            "apportionment": "equal",
        },
        "partners": [{"slug": "a", "name": "A"}],
        "projects": [
            {
                "slug": "x",
                "name": "X",
                "funding": [{"source": "Grant", "amount": "15000"}],
                "phases": [{"number": 1, "name": "One", "extra_cost": None}],
            }
        ],
    }

    document = parse_programme(json.dumps(raw))

    assert document.partners == (PartnerData("a", "A", contributes=True),)
    assert document.programme.rounding_step is None
    assert document.programme.stated_existing_total is None
    assert document.projects[0].funding == (
        FundingData("Grant", Decimal("15000.00"), FundingKind.LOCAL, FundingStatus.SECURED),
    )
    assert document.projects[0].phases == (
        PhaseData(1, "One", None, False, Decision.PENDING, Borne.SHARED),
    )
    assert document.projects[0].status == ProjectStatus.PROPOSED
    assert document.contributions == ()


def test_an_empty_programme_is_legal() -> None:
    raw = seed_dict()
    raw["partners"] = []
    raw["projects"] = []

    document = parse_programme(json.dumps(raw))

    assert document.partners == () and document.projects == ()


@pytest.mark.parametrize("amount", ["15000.00", "15000", "15000.5", "0"])
def test_amount_forms_accepted(amount: str) -> None:
    raw = seed_dict()
    raw["projects"][0]["funding"][0]["amount"] = amount

    document = parse_programme(json.dumps(raw))

    assert document.projects[0].funding[0].amount == Decimal(amount)


# Round trip on generated programmes

_slugs = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}", fullmatch=True)
# Programmes and projects may not take a word their pages use (new, rows); partners may.
_own_page_slugs = _slugs.filter(lambda slug: slug not in PROJECT_RESERVED_SLUGS)
_characters = st.characters(codec="utf-8", exclude_characters="\x00")  # no NUL: PostgreSQL cannot
_names = st.text(_characters, min_size=1, max_size=30).filter(str.strip)
_texts = st.text(_characters, max_size=40)
_amounts = st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2)
_weights = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("99999.9999"), places=4)
_dates = st.dates()


@st.composite
def _programmes(draw: st.DrawFn) -> ProgrammeDocument:
    apportionment = draw(st.sampled_from(Apportionment))
    years = draw(st.lists(st.integers(1990, 2098), min_size=1, max_size=4, unique=True))
    starts, ends = draw(st.none() | _dates), draw(st.none() | _dates)
    if starts is not None and ends is not None and starts > ends:
        starts, ends = ends, starts
    programme = ProgrammeData(
        slug=draw(_own_page_slugs),
        name=draw(_names),
        financial_years=tuple(f"{year}/{(year + 1) % 100:02d}" for year in years),
        apportionment=apportionment,
        starts=starts,
        ends=ends,
        rounding_step=draw(st.none() | _amounts.filter(bool)),
        stated_existing_total=draw(st.none() | _amounts),
        stated_extra_total=draw(st.none() | _amounts),
    )
    partners = []
    for slug in draw(st.lists(_slugs, max_size=5, unique=True)):
        contributes = draw(st.booleans())
        # A contributing partner needs what the method divides by; positive keeps the total so.
        method = apportionment if contributes else None
        population = draw(st.integers(1, 10**7) if method == "population" else st.none())
        weight = draw(_weights if method == "weights" else st.none())
        partners.append(PartnerData(slug, draw(_names), contributes, population, weight))
    partner_slugs = [partner.slug for partner in partners]
    projects = []
    for slug in draw(st.lists(_own_page_slugs, max_size=4, unique=True)):
        status = draw(st.sampled_from(ProjectStatus))
        decisions = (
            st.just(Decision.NOT_PROCEEDING)
            if status == ProjectStatus.WITHDRAWN
            else st.sampled_from(Decision)
        )
        phases = tuple(
            PhaseData(
                number=number,
                name=draw(_names),
                extra_cost=draw(st.none() | _amounts),
                gated=draw(st.booleans()),
                decision=draw(decisions),
                borne=draw(st.sampled_from(Borne)),
                note=draw(_texts),
            )
            for number in draw(st.lists(st.integers(1, 99), max_size=3, unique=True))
        )
        claim = st.builds(OutcomeClaimData, st.sampled_from(Grade), st.none() | _names)
        funding = st.builds(
            FundingData,
            _names,
            _amounts,
            st.sampled_from(FundingKind),
            st.sampled_from(FundingStatus),
            _texts,
        )
        projects.append(
            ProjectData(
                slug=slug,
                name=draw(_names),
                description=draw(_texts),
                outputs=draw(_texts),
                external_project=draw(_texts),
                supports_strategy=draw(st.booleans()),
                lead_partner=draw(st.none() | st.sampled_from(partner_slugs or [None])),
                status=status,
                outcome_claims=tuple(draw(st.lists(claim, max_size=3))),
                funding=tuple(draw(st.lists(funding, max_size=3))),
                phases=phases,
            )
        )
    contributing = [partner.slug for partner in partners if partner.contributes]
    contributions = []
    if contributing:
        keys = st.tuples(
            st.sampled_from(contributing),
            st.sampled_from(programme.financial_years),
            st.sampled_from(Tranche),
        )
        for partner, year, tranche in draw(st.lists(keys, max_size=4, unique=True)):
            contributions.append(
                ContributionData(
                    partner=partner,
                    financial_year=year,
                    tranche=tranche,
                    amount=draw(_amounts),
                    status=draw(st.sampled_from(ContributionStatus)),
                    pledged_on=draw(st.none() | _dates),
                    invoiced_on=draw(st.none() | _dates),
                    received_on=draw(st.none() | _dates),
                    returned_on=draw(st.none() | _dates),
                    note=draw(_texts),
                )
            )
    return ProgrammeDocument(
        partnership=PartnershipData(draw(_slugs), draw(_names), draw(_names | st.just(""))),
        programme=programme,
        partners=tuple(partners),
        projects=tuple(projects),
        contributions=tuple(contributions),
    )


@settings(max_examples=200, deadline=None)
@given(_programmes())
def test_parse_gives_back_what_dump_wrote(document: ProgrammeDocument) -> None:
    text = dumps_programme(document)

    assert parse_programme(text) == document
    assert dumps_programme(parse_programme(text.encode("utf-8"))) == text


# Bad files: each reports its path and what is wrong


def test_not_json() -> None:
    assert problems_of('{\n  "format": "partnership-programme/1",\n}') == [
        "(file): not valid JSON: Expecting property name enclosed in double quotes "
        "(line 3, column 1)"
    ]


def test_not_utf8() -> None:
    assert problems_of(b'{"format": "\xff"}') == [
        "(file): not valid UTF-8 (the first bad byte is at position 12)"
    ]


def test_top_level_not_an_object() -> None:
    assert problems_of("[]") == ["(file): must be a JSON object, not a list"]


def test_wrong_format_version_is_the_only_problem_reported() -> None:
    raw = seed_dict()
    raw["format"] = "partnership-programme/3"
    raw["projects"] = "ignored: another format may hold anything here"

    assert problems_of(raw) == [
        'format: must be "partnership-programme/1" or "partnership-programme/2", '
        "not 'partnership-programme/3'"
    ]


def test_missing_keys() -> None:
    # Without the demo's risks: a file with no format is not read as format 2.
    raw = seed_before_the_meeting()
    del raw["format"]
    del raw["programme"]["financial_years"]
    del raw["projects"][2]["phases"][0]["extra_cost"]

    assert problems_of(raw) == [
        "format: required",
        "programme.financial_years: required",
        "projects[2].phases[0].extra_cost: required",
    ]


def test_unknown_key_suggests_the_closest_known_key() -> None:
    raw = seed_dict()
    raw["projects"][2]["phases"][0]["extra_cots"] = "5000.00"
    raw["partnership"]["colour"] = "blue"

    assert problems_of(raw) == [
        "partnership: unknown key 'colour'",
        "projects[2].phases[0]: unknown key 'extra_cots' (did you mean 'extra_cost'?)",
    ]


def test_key_given_twice() -> None:
    text = SEED.read_text(encoding="utf-8").replace(
        '"slug": "norfolk-connect",', '"slug": "norfolk-connect", "slug": "nc",', 1
    )

    assert problems_of(text) == ["partnership: key 'slug' appears more than once"]


def test_negative_amount() -> None:
    raw = seed_dict()
    raw["projects"][3]["phases"] = [{"number": 1, "name": "Delivery", "extra_cost": "-5000.00"}]

    assert problems_of(raw) == ["projects[3].phases[0].extra_cost: must not be negative"]


@pytest.mark.parametrize("amount", ["abc", "1e3", "NaN", "", " 15000", "15,000", "+5", "£15000"])
def test_non_numeric_amount(amount: str) -> None:
    raw = seed_dict()
    raw["projects"][0]["funding"][0]["amount"] = amount

    assert problems_of(raw) == [
        'projects[0].funding[0].amount: must be an amount in pounds such as "15000.00"'
    ]


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("15000.001", "must have at most two decimal places"),
        ("1000000000000", "is too large"),
    ],
)
def test_amount_out_of_bounds(amount: str, message: str) -> None:
    raw = seed_dict()
    raw["projects"][0]["funding"][0]["amount"] = amount

    assert problems_of(raw) == [f"projects[0].funding[0].amount: {message}"]


@pytest.mark.parametrize("amount", [15000, 15000.0, True, None])
def test_amount_not_a_string(amount: object) -> None:
    raw = seed_dict()
    raw["projects"][0]["funding"][0]["amount"] = amount

    assert problems_of(raw) == [
        'projects[0].funding[0].amount: must be a string such as "15000.00"'
    ]


def test_zero_rounding_step() -> None:
    raw = seed_dict()
    raw["programme"]["rounding_step"] = "0.00"

    assert problems_of(raw) == [
        "programme.rounding_step: must be more than zero (null means no rounding)"
    ]


def test_wrong_types() -> None:
    raw = seed_dict()
    raw["partners"][0]["contributes"] = "yes"
    raw["projects"][0]["name"] = 7
    raw["projects"][1]["phases"] = {}
    raw["projects"][2]["phases"][0]["number"] = True
    raw["contributions"] = None

    assert problems_of(raw) == [
        "partners[0].contributes: must be true or false, not 'yes'",
        "projects[0].name: must be a string, not 7",
        "projects[1].phases: must be a list, not an object",
        "projects[2].phases[0].number: must be a whole number, not true",
        "contributions: must be a list, not null",
    ]


def test_unknown_partner_in_contribution_and_lead_partner() -> None:
    raw = seed_dict()
    raw["projects"][4]["lead_partner"] = "kings-lynn"
    raw["contributions"] = [
        {
            "partner": "brodland",
            "financial_year": "2004/05",
            "tranche": "immediate",
            "amount": "10000.00",
        }
    ]

    assert problems_of(raw) == [
        "projects[4].lead_partner: unknown partner 'kings-lynn' "
        "(did you mean 'kings-lynn-west-norfolk'?)",
        "contributions[0].partner: unknown partner 'brodland' (did you mean 'broadland'?)",
    ]


def test_contribution_from_a_partner_that_does_not_contribute() -> None:
    raw = seed_dict()
    raw["partners"][2]["contributes"] = False
    raw["contributions"] = [
        {"partner": "broadland", "financial_year": "2004/05", "tranche": "review", "amount": "1"}
    ]

    assert problems_of(raw) == [
        "contributions[0].partner: partner 'broadland' does not contribute "
        "(its contributes is false)"
    ]


def test_contribution_for_a_year_outside_the_programme() -> None:
    raw = seed_dict()
    raw["contributions"] = [
        {"partner": "norwich", "financial_year": "2006/07", "tranche": "review", "amount": "1"}
    ]

    assert problems_of(raw) == [
        "contributions[0].financial_year: must be one of the programme's financial years: "
        "2004/05, 2005/06 (not '2006/07')"
    ]


def test_duplicate_contribution() -> None:
    raw = seed_dict()
    pledge = {"partner": "norwich", "financial_year": "2004/05", "tranche": "immediate"}
    raw["contributions"] = [{**pledge, "amount": "10000.00"}, {**pledge, "amount": "5000.00"}]

    assert problems_of(raw) == [
        "contributions[1]: duplicate contribution for the same partner, financial year and "
        "tranche (also contributions[0])"
    ]


def test_duplicate_project_slugs() -> None:
    raw = seed_dict()
    raw["projects"][7]["slug"] = "portal"

    assert problems_of(raw) == ["projects[7].slug: duplicate slug 'portal' (also projects[1])"]


def test_duplicate_partner_slugs() -> None:
    raw = seed_dict()
    raw["partners"][7]["slug"] = "norwich"

    assert problems_of(raw) == ["partners[7].slug: duplicate slug 'norwich' (also partners[6])"]


def test_duplicate_phase_numbers() -> None:
    raw = seed_dict()
    raw["projects"][4]["phases"][1]["number"] = 1

    assert problems_of(raw) == [
        "projects[4].phases[1].number: duplicate phase number 1 (also projects[4].phases[0])"
    ]


def test_phase_number_below_one() -> None:
    raw = seed_dict()
    raw["projects"][2]["phases"][0]["number"] = 0

    assert problems_of(raw) == ["projects[2].phases[0].number: must be 1 or more"]


def test_withdrawn_project_with_a_pending_phase() -> None:
    raw = seed_dict()
    raw["projects"][4]["status"] = "withdrawn"
    raw["projects"][4]["phases"][0]["decision"] = "not_proceeding"

    assert problems_of(raw) == [
        'projects[4].phases[1].decision: must be "not_proceeding" because the project is withdrawn'
    ]


def test_withdrawn_project_whose_phases_all_stop_is_legal() -> None:
    raw = seed_dict()
    raw["projects"][4]["status"] = "withdrawn"
    for phase in raw["projects"][4]["phases"]:
        phase["decision"] = "not_proceeding"

    assert parse_programme(json.dumps(raw)).projects[4].status == ProjectStatus.WITHDRAWN


@pytest.mark.parametrize("slug", ["Norfolk", "norfolk connect", "-norfolk", "norfolk--connect", ""])
def test_bad_slug(slug: str) -> None:
    raw = seed_dict()
    raw["partnership"]["slug"] = slug

    assert problems_of(raw) == [
        'partnership.slug: must be a slug such as "norfolk-connect": lower-case letters and '
        "digits, words joined by single hyphens"
    ]


def test_slug_too_long() -> None:
    raw = seed_dict()
    raw["projects"][0]["slug"] = "e" * 51

    assert problems_of(raw) == ["projects[0].slug: must be at most 50 characters long (it has 51)"]


def test_empty_and_overlong_names() -> None:
    raw = seed_dict()
    raw["partners"][0]["name"] = "  "
    raw["projects"][0]["name"] = "x" * 201

    assert problems_of(raw) == [
        "partners[0].name: must not be empty",
        "projects[0].name: must be at most 200 characters long (it has 201)",
    ]


@pytest.mark.parametrize("value", ["2004-7-1", "01/07/2004", "2005-02-30", "20040701", 2004])
def test_bad_date(value: object) -> None:
    raw = seed_dict()
    raw["programme"]["starts"] = value

    assert problems_of(raw) == ['programme.starts: must be a date such as "2004-07-01"']


def test_programme_ending_before_it_starts() -> None:
    raw = seed_dict()
    raw["programme"]["ends"] = "2004-06-30"

    assert problems_of(raw) == ["programme.ends: must not be before starts (2004-07-01)"]


def test_bad_financial_years() -> None:
    raw = seed_dict()
    raw["programme"]["financial_years"] = ["2004/05", "2005/07", "2004/05", "2004-05"]

    assert problems_of(raw) == [
        'programme.financial_years[1]: must be a financial year such as "2004/05" '
        "(the second part is the next year)",
        "programme.financial_years[2]: duplicate financial year '2004/05'",
        'programme.financial_years[3]: must be a financial year such as "2004/05" '
        "(the second part is the next year)",
    ]


def test_no_financial_years() -> None:
    raw = seed_dict()
    raw["programme"]["financial_years"] = []

    assert problems_of(raw) == ["programme.financial_years: must list at least one financial year"]


def test_bad_enum() -> None:
    raw = seed_dict()
    raw["programme"]["apportionment"] = "equally"
    raw["projects"][4]["phases"][1]["decision"] = "approve"

    assert problems_of(raw) == [
        "programme.apportionment: must be one of: equal, weights, population (not 'equally')",
        "projects[4].phases[1].decision: must be one of: pending, approved, not_proceeding "
        "(not 'approve')",
    ]


def test_weights_method_missing_a_weight() -> None:
    raw = seed_dict()
    raw["programme"]["apportionment"] = "weights"
    for partner in raw["partners"]:
        partner["weight"] = "12.5"
    raw["partners"][3]["weight"] = None
    raw["partners"][5]["contributes"] = False
    raw["partners"][5]["weight"] = None  # a partner that does not contribute needs no weight

    assert problems_of(raw) == [
        "partners[3].weight: required for a contributing partner when the apportionment is "
        '"weights"'
    ]


def test_weights_adding_up_to_zero() -> None:
    raw = seed_dict()
    raw["programme"]["apportionment"] = "weights"
    for partner in raw["partners"]:
        partner["weight"] = "0"

    assert problems_of(raw) == [
        "partners: the contributing partners' weights must add up to more than zero"
    ]


def test_population_method_missing_a_population() -> None:
    raw = seed_dict()
    raw["programme"]["apportionment"] = "population"
    for number, partner in enumerate(raw["partners"]):
        partner["population"] = 100_000 + number
    raw["partners"][0]["population"] = None
    raw["partners"][1]["population"] = -5

    assert problems_of(raw) == [
        "partners[0].population: required for a contributing partner when the apportionment is "
        '"population"',
        "partners[1].population: must not be negative",
    ]


@pytest.mark.parametrize(
    ("weight", "message"),
    [
        (12.5, 'must be a string such as "12.5"'),
        ("-1", "must not be negative"),
        ("twelve", 'must be a decimal number such as "12.5"'),
        ("1.23456", "must have at most four decimal places"),
    ],
)
def test_bad_weight(weight: object, message: str) -> None:
    raw = seed_dict()
    raw["partners"][0]["weight"] = weight

    assert problems_of(raw) == [f"partners[0].weight: {message}"]


def test_several_problems_reported_together() -> None:
    raw = seed_dict()
    raw["programme"]["starts"] = "July 2004"
    raw["partners"][1]["slug"] = "Breckland"
    raw["projects"][0]["funding"][0]["amount"] = 15000
    raw["projects"][5]["phases"][0]["extra_cost"] = "-13000.00"
    raw["projects"][9]["colour"] = "red"
    raw["contributions"] = [
        {"partner": "norwich", "financial_year": "2004/05", "tranche": "now", "amount": "1"}
    ]

    with pytest.raises(ProgrammeFileError) as caught:
        parse_programme(json.dumps(raw))

    expected = [
        Problem("programme.starts", 'must be a date such as "2004-07-01"'),
        Problem(
            "partners[1].slug",
            'must be a slug such as "norfolk-connect": lower-case letters and digits, '
            "words joined by single hyphens",
        ),
        Problem("projects[0].funding[0].amount", 'must be a string such as "15000.00"'),
        Problem("projects[5].phases[0].extra_cost", "must not be negative"),
        Problem("projects[9]", "unknown key 'colour'"),
        Problem("contributions[0].tranche", "must be one of: immediate, review (not 'now')"),
    ]
    assert caught.value.problems == expected
    assert str(caught.value) == "\n".join(str(problem) for problem in expected)


def test_a_broken_partner_does_not_make_references_to_others_look_unknown() -> None:
    raw = seed_dict()
    raw["partners"][2]["slug"] = "Broadland"
    raw["projects"][0]["lead_partner"] = "broadland"

    assert problems_of(raw) == [
        'partners[2].slug: must be a slug such as "norfolk-connect": lower-case letters and '
        "digits, words joined by single hyphens"
    ]


def test_problem_reads_as_path_and_message() -> None:
    problem = Problem("projects[3].phases[0].extra_cost", "must not be negative")

    assert str(problem) == "projects[3].phases[0].extra_cost: must not be negative"

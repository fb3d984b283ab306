"""The Norfolk Connect 2004 programme (the seed), built by hand as plain data for tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

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
    Decision,
    FundingKind,
    FundingStatus,
    Grade,
)

PARTNERS = (
    ("norfolk-county", "Norfolk County Council"),
    ("breckland", "Breckland District Council"),
    ("broadland", "Broadland District Council"),
    ("great-yarmouth", "Great Yarmouth Borough Council"),
    ("kings-lynn-west-norfolk", "Borough Council of King's Lynn and West Norfolk"),
    ("north-norfolk", "North Norfolk District Council"),
    ("norwich", "Norwich City Council"),
    ("south-norfolk", "South Norfolk Council"),
)
PARTNER_SLUGS = tuple(sorted(slug for slug, _ in PARTNERS))


def _claims(required: int, good: int, excellent: int) -> tuple[OutcomeClaimData, ...]:
    """Return anonymous outcome claims in the given numbers per grade."""
    return (
        (OutcomeClaimData(Grade.REQUIRED),) * required
        + (OutcomeClaimData(Grade.GOOD),) * good
        + (OutcomeClaimData(Grade.EXCELLENT),) * excellent
    )


def _secured(source: str, amount: str, kind: FundingKind) -> tuple[FundingData, ...]:
    """Return one secured existing-resource funding line."""
    return (FundingData(source=source, amount=Decimal(amount), kind=kind),)


def _phase(
    number: int,
    name: str,
    extra_cost: str | None,
    *,
    gated: bool = False,
    borne: Borne = Borne.SHARED,
    note: str = "",
) -> PhaseData:
    """Return a pending phase whose cost is given as text (None: to be confirmed)."""
    cost = None if extra_cost is None else Decimal(extra_cost)
    return PhaseData(number=number, name=name, extra_cost=cost, gated=gated, borne=borne, note=note)


ODPM = "ODPM partnership funding"

PROJECTS = (
    ProjectData(
        slug="e-forms",
        name="e-Forms",
        supports_strategy=True,
        outcome_claims=_claims(1, 1, 0),
        funding=_secured(ODPM, "15000.00", FundingKind.EXTERNAL),
    ),
    ProjectData(
        slug="portal",
        name="Portal",
        supports_strategy=True,
        outcome_claims=_claims(3, 1, 1),
        funding=_secured(ODPM, "35000.00", FundingKind.EXTERNAL),
    ),
    ProjectData(
        slug="further-info-points",
        name="Further Info Points",
        supports_strategy=True,
        phases=(_phase(1, "Negotiations with third parties", "20000.00"),),
    ),
    ProjectData(
        slug="marketing",
        name="Marketing",
        external_project="e-Citizen national project",
        supports_strategy=False,
        outcome_claims=_claims(0, 1, 1),
        funding=_secured("e-Citizen national project", "80000.00", FundingKind.EXTERNAL),
    ),
    ProjectData(
        slug="authentication-gateway",
        name="Authentication / Gateway",
        supports_strategy=False,
        outcome_claims=_claims(1, 1, 0),
        phases=(
            _phase(1, "Investigation and business case", "7000.00"),
            _phase(
                2,
                "Connection",
                "100000.00",
                gated=True,
                borne=Borne.INDIVIDUAL,
                note="individual connection costs",
            ),
        ),
    ),
    ProjectData(
        slug="benefits-form",
        name="Benefits Form",
        supports_strategy=True,
        outcome_claims=_claims(0, 2, 1),
        # The seed hopes a future bid covers phase 1: prospective, so not existing resource.
        funding=(
            FundingData(
                source="Future bid for external funds",
                amount=Decimal("13000.00"),
                kind=FundingKind.EXTERNAL,
                status=FundingStatus.PROSPECTIVE,
            ),
        ),
        phases=(
            _phase(1, "Benefits calculator", "13000.00"),
            _phase(2, "Links to e-forms", None, gated=True),
        ),
    ),
    ProjectData(
        slug="shared-customer-info-crm",
        name="Shared customer info / CRM",
        external_project="LoG-IN INTERREG project",
        supports_strategy=True,
        outcome_claims=_claims(1, 2, 1),
        funding=_secured("LoG-IN INTERREG project", "25000.00", FundingKind.EXTERNAL),
    ),
    ProjectData(
        slug="direct-gov",
        name="Direct.Gov",
        supports_strategy=True,
        outcome_claims=_claims(1, 0, 0),
        phases=(_phase(1, "Links with Directgov", "5000.00"),),
    ),
    ProjectData(
        slug="member-support",
        name="Member support",
        external_project="e-Voice INTERREG project",
        supports_strategy=True,
        outcome_claims=_claims(3, 3, 1),
        funding=_secured("e-Voice INTERREG project", "20000.00", FundingKind.EXTERNAL),
        phases=(_phase(1, "Training and support for members", "20000.00"),),
    ),
    ProjectData(
        slug="partnership-support",
        name="Partnership Support",
        supports_strategy=False,
        phases=(_phase(1, "Programme management", "10000.00"),),
    ),
)


def seed_document() -> ProgrammeDocument:
    """Return the seed programme: ten projects, eight equal partners, no contributions."""
    return ProgrammeDocument(
        partnership=PartnershipData(
            slug="norfolk-connect", name="Norfolk Connect Partnership", strategy="Norfolk Ambition"
        ),
        programme=ProgrammeData(
            slug="norfolk-connect-2004",
            name="Norfolk Connect medium term workload",
            financial_years=("2004/05", "2005/06"),
            apportionment=Apportionment.EQUAL,
            starts=date(2004, 7, 1),
            ends=date(2005, 12, 31),
            rounding_step=Decimal("10000.00"),
            stated_existing_total=Decimal("165000.00"),
            stated_extra_total=Decimal("175000.00"),
        ),
        partners=tuple(PartnerData(slug=slug, name=name) for slug, name in PARTNERS),
        projects=PROJECTS,
    )


def with_phase_decision(
    document: ProgrammeDocument, project: str, number: int, decision: Decision
) -> ProgrammeDocument:
    """Return the document with one phase's business-case decision changed."""
    projects = tuple(
        replace(
            p,
            phases=tuple(
                replace(phase, decision=decision) if phase.number == number else phase
                for phase in p.phases
            ),
        )
        if p.slug == project
        else p
        for p in document.projects
    )
    return replace(document, projects=projects)


def with_contributions(
    document: ProgrammeDocument, *contributions: ContributionData
) -> ProgrammeDocument:
    """Return the document with these contributions recorded."""
    return replace(document, contributions=contributions)

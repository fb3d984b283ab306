"""Programmes of any size, as plain data, for query-count tests and benchmarks."""

from decimal import Decimal

from projects.choices import Borne, ContributionStatus, Decision, Grade, Tranche
from projects.data import (
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


def large_document(*, projects: int, partners: int, slug: str = "large") -> ProgrammeDocument:
    """Return a programme with the given numbers of projects and partners."""
    partner_slugs = [f"council-{n:03d}" for n in range(partners)]
    return ProgrammeDocument(
        partnership=PartnershipData(slug=f"{slug}-partnership", name=f"{slug} partnership"),
        programme=ProgrammeData(
            slug=slug,
            name=f"{slug} programme",
            financial_years=("2004/05", "2005/06"),
            rounding_step=Decimal("1000.00"),
            stated_existing_total=Decimal("1.00"),
        ),
        partners=tuple(PartnerData(slug=s, name=s.title()) for s in partner_slugs),
        projects=tuple(
            ProjectData(
                slug=f"project-{n}",
                name=f"Project {n}",
                supports_strategy=n % 2 == 0,
                lead_partner=partner_slugs[n % partners],
                outcome_claims=(OutcomeClaimData(grade=Grade.REQUIRED),),
                funding=(
                    FundingData(source="Local", amount=Decimal("1000.00")),
                    FundingData(source="Grant", amount=Decimal("250.50")),
                ),
                phases=(
                    PhaseData(number=1, name="Phase 1", extra_cost=Decimal("700.00")),
                    PhaseData(
                        number=2,
                        name="Phase 2",
                        extra_cost=Decimal("1000.00") if n % 3 else None,
                        gated=True,
                        decision=Decision.PENDING,
                        borne=Borne.INDIVIDUAL,
                    ),
                ),
            )
            for n in range(projects)
        ),
        contributions=tuple(
            ContributionData(
                partner=s,
                financial_year="2004/05",
                tranche=Tranche.IMMEDIATE,
                amount=Decimal("1000.00"),
                status=ContributionStatus.RECEIVED,
            )
            for s in partner_slugs
        ),
    )

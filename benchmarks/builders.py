"""Programmes of any size, as plain data, for query-count tests and benchmarks."""

import math
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
    Borne,
    ContributionStatus,
    Decision,
    FundingStatus,
    Grade,
    Tranche,
)

BENCH_SLUG = "bench-excel"
LINES_PER_PROJECT = 10
PARTNERS = 8


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


def bench_document(funding_lines: int, slug: str = BENCH_SLUG) -> ProgrammeDocument:
    """Return a programme with this many funding lines, ten to a project."""
    partners = [f"council-{n}" for n in range(PARTNERS)]
    years = ("2004/05", "2005/06")
    projects = []
    for index in range(math.ceil(funding_lines / LINES_PER_PROJECT)):
        lines = min(LINES_PER_PROJECT, funding_lines - index * LINES_PER_PROJECT)
        projects.append(
            ProjectData(
                slug=f"project-{index}",
                name=f"Project {index}",
                description="Joint development, to avoid duplication of effort. " * 3,
                outputs="A set of forms in place to be used by individual partners.",
                supports_strategy=index % 2 == 0,
                lead_partner=partners[index % PARTNERS],
                outcome_claims=(
                    OutcomeClaimData(Grade.REQUIRED),
                    OutcomeClaimData(Grade.GOOD, code=f"G{index % 20}"),
                ),
                funding=tuple(
                    FundingData(
                        source=f"Source {line}",
                        amount=Decimal(f"{1000 + line * 250 + index}.50"),
                        status=FundingStatus.PROSPECTIVE if line == 9 else FundingStatus.SECURED,
                        note="Grant letter received" if line == 0 else "",
                    )
                    for line in range(lines)
                ),
                phases=(
                    PhaseData(1, "Investigation and business case", Decimal("7000.00")),
                    PhaseData(
                        2,
                        "Implementation",
                        Decimal("100000.00") if index % 3 else None,
                        gated=True,
                        decision=Decision.PENDING,
                        borne=Borne.INDIVIDUAL,
                    ),
                ),
            )
        )
    return ProgrammeDocument(
        partnership=PartnershipData(slug=f"{slug}-partnership", name="Bench partnership"),
        programme=ProgrammeData(
            slug=slug,
            name="Bench programme",
            financial_years=years,
            rounding_step=Decimal("10000.00"),
        ),
        partners=tuple(PartnerData(slug=s, name=s.replace("-", " ").title()) for s in partners),
        projects=tuple(projects),
        contributions=tuple(
            ContributionData(
                partner=partner,
                financial_year=year,
                tranche=tranche,
                amount=Decimal("10000.00"),
                status=ContributionStatus.RECEIVED,
            )
            for partner in partners
            for year in years
            for tranche in Tranche
        ),
    )


def add_spend(programme, lines: int) -> None:
    """Spread ``lines`` spend lines over the committed first phase of the programme's projects,
    across its two financial years, with a forecast on each such phase; written in bulk.

    Every third project's first phase ends up over budget, so the pages have some to flag.
    """
    from datetime import date, timedelta

    from projects.models import Forecast, Phase, Spend

    phases = list(
        Phase.objects.filter(project__programme=programme, number=1).order_by("project__position")
    )
    if not phases:
        return
    start = date(2004, 4, 1)
    Spend.objects.bulk_create(
        Spend(
            phase=phases[index % len(phases)],
            date=start + timedelta(days=index % 730),
            amount=Decimal("10.00") + Decimal(index % 100) / 100,
            supplier=f"Supplier {index % 37}",
            reference=f"PO {index}",
        )
        for index in range(lines)
    )
    Forecast.objects.bulk_create(
        Forecast(
            phase=phase,
            financial_year="2005/06",
            amount=(phase.extra_cost or Decimal(0)) * (2 if index % 3 == 0 else 0)
            + Decimal("100.00"),
        )
        for index, phase in enumerate(phases)
    )

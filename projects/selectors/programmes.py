"""Reads of programmes: what a user may see, and a whole programme as plain data."""

from __future__ import annotations

from django.db.models import QuerySet

from contributions.models import Contribution, Partner

from ..choices import (
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
from ..data import (
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
from ..models import Programme, Project


def programmes_for_user(user) -> QuerySet[Programme]:
    """Return the programmes of the partnerships the user belongs to."""
    return Programme.objects.for_user(user).select_related("partnership")


def programme_document(*, programme: Programme) -> ProgrammeDocument:
    """Read a whole programme into plain data, in a fixed number of queries whatever its size."""
    partnership = programme.partnership
    partners = list(Partner.objects.filter(partnership=partnership))
    slug_of = {partner.pk: partner.slug for partner in partners}
    projects = Project.objects.filter(programme=programme).with_money()
    contributions = Contribution.objects.filter(programme=programme).order_by("pk")
    return ProgrammeDocument(
        partnership=PartnershipData(
            slug=partnership.slug, name=partnership.name, strategy=partnership.strategy
        ),
        programme=ProgrammeData(
            slug=programme.slug,
            name=programme.name,
            financial_years=tuple(programme.financial_years),
            apportionment=Apportionment(programme.apportionment),
            starts=programme.starts,
            ends=programme.ends,
            rounding_step=programme.rounding_step,
            stated_existing_total=programme.stated_existing_total,
            stated_extra_total=programme.stated_extra_total,
        ),
        partners=tuple(
            PartnerData(
                slug=partner.slug,
                name=partner.name,
                contributes=partner.contributes,
                population=partner.population,
                weight=partner.weight,
            )
            for partner in partners
        ),
        projects=tuple(
            ProjectData(
                slug=project.slug,
                name=project.name,
                description=project.description,
                outputs=project.outputs,
                external_project=project.external_project,
                supports_strategy=project.supports_strategy,
                lead_partner=slug_of.get(project.lead_partner_id),
                status=ProjectStatus(project.status),
                outcome_claims=tuple(
                    OutcomeClaimData(grade=Grade(claim.grade), code=claim.code or None)
                    for claim in project.outcome_claims.all()
                ),
                funding=tuple(
                    FundingData(
                        source=line.source,
                        amount=line.amount,
                        kind=FundingKind(line.kind),
                        status=FundingStatus(line.status),
                        note=line.note,
                    )
                    for line in project.funding_lines.all()
                ),
                phases=tuple(
                    PhaseData(
                        number=phase.number,
                        name=phase.name,
                        extra_cost=phase.extra_cost,
                        gated=phase.gated,
                        decision=Decision(phase.decision),
                        borne=Borne(phase.borne),
                        note=phase.note,
                        decided_on=phase.decided_on,
                        decision_note=phase.decision_note,
                    )
                    for phase in project.phases.all()
                ),
            )
            for project in projects
        ),
        contributions=tuple(
            ContributionData(
                partner=slug_of[contribution.partner_id],
                financial_year=contribution.financial_year,
                tranche=Tranche(contribution.tranche),
                amount=contribution.amount,
                status=ContributionStatus(contribution.status),
                pledged_on=contribution.pledged_on,
                invoiced_on=contribution.invoiced_on,
                received_on=contribution.received_on,
                returned_on=contribution.returned_on,
                note=contribution.note,
            )
            for contribution in contributions
        ),
    )

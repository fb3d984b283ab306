"""Reads of programmes: what a user may see, and a whole programme as plain data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from contributions.models import Contribution, Partner
from reports.models import ReportText

from ..models import FundingLine, OutcomeClaim, Phase, Programme, Project
from ..money.document import (
    REPORT_TEXT_FIELDS,
    ContributionData,
    FundingData,
    OutcomeClaimData,
    PartnerData,
    PartnershipData,
    PhaseData,
    ProgrammeData,
    ProgrammeDocument,
    ProjectData,
    ReportTextData,
)
from ..money.figures import ProgrammeFigures, compute_figures
from ..money.vocabulary import (
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

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


def programmes_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Programme]:
    """Return the programmes of the partnerships the user belongs to."""
    return Programme.objects.for_user(user).select_related("partnership")


def _rows(queryset: QuerySet[Any], fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """Return plain rows: building model instances costs more than the figures themselves."""
    return list(queryset.values(*fields))


def _by_project(rows: list[dict]) -> dict[int, list[dict]]:
    grouped: dict[int, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["project_id"], []).append(row)
    return grouped


def report_text_data(*, programme: Programme) -> ReportTextData | None:
    """Return the programme's board report text as plain data, or None when it has none."""
    row = ReportText.objects.filter(programme=programme).values(*REPORT_TEXT_FIELDS).first()
    return None if row is None else ReportTextData(**row)


def programme_document(*, programme: Programme, include_report: bool = False) -> ProgrammeDocument:
    """Read a whole programme into plain data, in a fixed number of queries whatever its size.

    ``include_report`` adds the board report's text (one query more): the programme file and
    the report need it, the figures do not.
    """
    partnership = programme.partnership
    partners = _rows(
        Partner.objects.filter(partnership=partnership),
        ("pk", "slug", "name", "contributes", "population", "weight", "ieg_grant"),
    )
    slug_of = {partner["pk"]: partner["slug"] for partner in partners}
    projects = _rows(
        Project.objects.filter(programme=programme),
        ("pk", "slug", "name", "description", "outputs", "external_project",
         "supports_strategy", "lead_partner_id", "status"),
    )  # fmt: skip
    in_programme = {"project__programme": programme}
    phases = _by_project(
        _rows(
            Phase.objects.filter(**in_programme).order_by("project", "number"),
            (
                "project_id",
                "number",
                "name",
                "extra_cost",
                "gated",
                "decision",
                "borne",
                "note",
                "decided_on",
                "decision_note",
            ),
        )
    )
    funding = _by_project(
        _rows(
            FundingLine.objects.filter(**in_programme).order_by("project", "position", "pk"),
            ("project_id", "source", "amount", "kind", "status", "note"),
        )
    )
    claims = _by_project(
        _rows(
            OutcomeClaim.objects.filter(**in_programme).order_by("project", "position", "pk"),
            ("project_id", "grade", "code"),
        )
    )
    contributions = _rows(
        Contribution.objects.filter(programme=programme).order_by("pk"),
        ("partner_id", "financial_year", "tranche", "amount", "status", "pledged_on",
         "invoiced_on", "received_on", "returned_on", "note"),
    )  # fmt: skip
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
                slug=partner["slug"],
                name=partner["name"],
                contributes=partner["contributes"],
                population=partner["population"],
                weight=partner["weight"],
                ieg_grant=partner["ieg_grant"],
            )
            for partner in partners
        ),
        projects=tuple(
            ProjectData(
                slug=project["slug"],
                name=project["name"],
                description=project["description"],
                outputs=project["outputs"],
                external_project=project["external_project"],
                supports_strategy=project["supports_strategy"],
                lead_partner=slug_of.get(project["lead_partner_id"]),
                status=ProjectStatus(project["status"]),
                outcome_claims=tuple(
                    OutcomeClaimData(grade=Grade(claim["grade"]), code=claim["code"] or None)
                    for claim in claims.get(project["pk"], ())
                ),
                funding=tuple(
                    FundingData(
                        source=line["source"],
                        amount=line["amount"],
                        kind=FundingKind(line["kind"]),
                        status=FundingStatus(line["status"]),
                        note=line["note"],
                    )
                    for line in funding.get(project["pk"], ())
                ),
                phases=tuple(
                    PhaseData(
                        number=phase["number"],
                        name=phase["name"],
                        extra_cost=phase["extra_cost"],
                        gated=phase["gated"],
                        decision=Decision(phase["decision"]),
                        borne=Borne(phase["borne"]),
                        note=phase["note"],
                        decided_on=phase["decided_on"],
                        decision_note=phase["decision_note"],
                    )
                    for phase in phases.get(project["pk"], ())
                ),
            )
            for project in projects
        ),
        contributions=tuple(
            ContributionData(
                partner=slug_of[row["partner_id"]],
                financial_year=row["financial_year"],
                tranche=Tranche(row["tranche"]),
                amount=row["amount"],
                status=ContributionStatus(row["status"]),
                pledged_on=row["pledged_on"],
                invoiced_on=row["invoiced_on"],
                received_on=row["received_on"],
                returned_on=row["returned_on"],
                note=row["note"],
            )
            for row in contributions
        ),
        report=report_text_data(programme=programme) if include_report else None,
    )


def programme_figures(*, programme: Programme) -> ProgrammeFigures:
    """Return the programme's figures, in a fixed number of queries whatever its size."""
    return compute_figures(programme_document(programme=programme))

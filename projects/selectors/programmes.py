"""Reads of programmes: what a user may see, and a whole programme as plain data."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import timezone

from projects.models import Contribution, Partner, ReportText

from ..models import FundingLine, OutcomeClaim, Phase, Programme, Project
from ..money.document import (
    CONTRIBUTION,
    FUNDING,
    OUTCOME_CLAIM,
    PARTNER,
    PARTNERSHIP,
    PHASE,
    PROGRAMME,
    PROJECT,
    REPORT_TEXT,
    ProgrammeDocument,
    ReportTextData,
)
from ..money.figures import ProgrammeFigures, compute_figures
from ..money.schema import Entity
from .after_the_meeting import after_the_meeting

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


def report_text_data(
    *, programme: Programme, paper: ReportText | None = None
) -> ReportTextData | None:
    """Return a paper's words as plain data, or None when it has none saved (the default's).

    Without ``paper``, the paper being prepared: the programme's newest.
    """
    if paper is not None:
        return REPORT_TEXT.read(_instance_row(paper, REPORT_TEXT)) if paper.pk else None
    row = (
        ReportText.objects.filter(programme=programme)
        .order_by("-pk")
        .values(*_stored(REPORT_TEXT))
        .first()
    )
    return None if row is None else REPORT_TEXT.read(row)


def _stored(entity: Entity) -> tuple[str, ...]:
    """Name the model attributes that store an entity's declared fields."""
    return tuple(spec.attribute for spec in entity.fields)


def _instance_row(instance: Any, entity: Entity) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in _stored(entity)}


def programme_document(
    *, programme: Programme, include_report: bool = False, paper: ReportText | None = None
) -> ProgrammeDocument:
    """Read a whole programme into plain data, in a fixed number of queries whatever its size.

    ``include_report`` adds a paper's words (one query more, none if ``paper`` is given): the
    programme file and the report need it, the figures do not. The paper is the one being
    prepared unless ``paper`` names another.
    """
    partnership = programme.partnership
    partners = _rows(Partner.objects.filter(partnership=partnership), ("pk", *_stored(PARTNER)))
    slug_of = {partner["pk"]: partner["slug"] for partner in partners}
    # A foreign key's attribute reads as the primary key of the row it points to.
    projects = _rows(Project.objects.filter(programme=programme), ("pk", *_stored(PROJECT)))
    in_programme = {"project__programme": programme}
    phases = _by_project(
        _rows(
            Phase.objects.filter(**in_programme).order_by("project", "number"),
            ("project_id", *_stored(PHASE)),
        )
    )
    funding = _by_project(
        _rows(
            FundingLine.objects.filter(**in_programme).order_by("project", "position", "pk"),
            ("project_id", *_stored(FUNDING)),
        )
    )
    claims = _by_project(
        _rows(
            OutcomeClaim.objects.filter(**in_programme).order_by("project", "position", "pk"),
            ("project_id", *_stored(OUTCOME_CLAIM)),
        )
    )
    contributions = _rows(
        Contribution.objects.filter(programme=programme).order_by("pk"), _stored(CONTRIBUTION)
    )
    return ProgrammeDocument(
        partnership=PARTNERSHIP.read(_instance_row(partnership, PARTNERSHIP)),
        programme=PROGRAMME.read(_instance_row(programme, PROGRAMME)),
        partners=tuple(PARTNER.read(partner) for partner in partners),
        projects=tuple(
            PROJECT.read(
                project,
                lead_partner=slug_of.get(project["lead_partner"]),
                outcome_claims=tuple(
                    OUTCOME_CLAIM.read(claim) for claim in claims.get(project["pk"], ())
                ),
                funding=tuple(FUNDING.read(line) for line in funding.get(project["pk"], ())),
                phases=tuple(PHASE.read(phase) for phase in phases.get(project["pk"], ())),
            )
            for project in projects
        ),
        contributions=tuple(
            CONTRIBUTION.read(row, partner=slug_of[row["partner"]]) for row in contributions
        ),
        report=report_text_data(programme=programme, paper=paper) if include_report else None,
        **after_the_meeting(programme=programme, slug_of=slug_of).as_keys(),
    )


def programme_figures(*, programme: Programme, as_of: date | None = None) -> ProgrammeFigures:
    """Return the programme's figures, in a fixed number of queries whatever its size.

    ``as_of`` is the day on which what is overdue is worked out: today in the UK by default.
    """
    return compute_figures(programme_document(programme=programme), as_of or timezone.localdate())

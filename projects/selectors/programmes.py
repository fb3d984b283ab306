"""Reads of programmes: what a user may see, and a whole programme as plain data."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import timezone

from projects.models import BoardDecision, Contribution, Partner, ReportText

from ..models import FundingLine, OutcomeClaim, Phase, Programme, Project
from ..money.document import (
    CONTRIBUTION,
    DECISION,
    FUNDING,
    OUTCOME_CLAIM,
    PARTNER,
    PARTNERSHIP,
    PHASE,
    PROGRAMME,
    PROJECT,
    REPORT_TEXT,
    PaperData,
    ProgrammeDocument,
    ReportTextData,
)
from ..money.figures import ProgrammeFigures, compute_figures
from ..money.schema import Entity
from ..money.vocabulary import PaperTemplate
from ..rules import PAPER_RESERVED_SLUGS
from ..validators import slug_from_name
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


def report_paper_slug(title: str) -> str:
    """Return the slug a programme's first paper takes from its title when a programme file
    gives only its words (``report``)."""
    return slug_from_name(
        title, taken=lambda _: False, reserved=PAPER_RESERVED_SLUGS, fallback="board-report"
    )


def said_by_report(papers: tuple[PaperData, ...]) -> bool:
    """Return whether the report's words alone say all there is of the papers, as a programme
    file from before papers had them: at most one paper, of the first kind, for no meeting, with
    no decision, and with the slug a load of its words gives it."""
    if len(papers) != 1:
        return not papers
    (paper,) = papers
    return (
        paper.kind == PaperTemplate.WORKLOAD
        and paper.for_meeting is None
        and not paper.decisions
        and paper.slug == report_paper_slug(paper.text.title)
    )


def papers_in(document: ProgrammeDocument) -> tuple[PaperData, ...]:
    """Return every paper a document stands for: its papers, or else the one paper its report's
    words are (none without them), as a load into a programme without papers makes it."""
    if document.papers or document.report is None:
        return document.papers
    text = document.report
    return (PaperData(report_paper_slug(text.title), PaperTemplate.WORKLOAD, text),)


def paper_data(*, programme: Programme) -> tuple[PaperData, ...]:
    """Return the programme's papers, oldest first, each with its decisions, in two queries."""
    papers = _rows(
        ReportText.objects.filter(programme=programme).order_by("pk"),
        ("pk", "slug", "template", "for_meeting__slug", *_stored(REPORT_TEXT)),
    )
    decisions: dict[int, list[dict[str, Any]]] = {}
    for row in _rows(
        BoardDecision.objects.filter(paper__programme=programme).order_by("paper", "number"),
        ("paper_id", *_stored(DECISION)),
    ):
        decisions.setdefault(row["paper_id"], []).append(row)
    return tuple(
        PaperData(
            slug=row["slug"],
            kind=PaperTemplate(row["template"]),
            for_meeting=row["for_meeting__slug"],
            text=REPORT_TEXT.read(row),
            decisions=tuple(DECISION.read(item) for item in decisions.get(row["pk"], ())),
        )
        for row in papers
    )


def programme_document(
    *,
    programme: Programme,
    include_report: bool = False,
    paper: ReportText | None = None,
    include_papers: bool = False,
    spend_summed: bool = False,
) -> ProgrammeDocument:
    """Read a whole programme into plain data, in a fixed number of queries whatever its size.

    ``include_report`` adds a paper's words (one query more, none if ``paper`` is given): the
    programme file and the report need it, the figures do not. The paper is the one being
    prepared unless ``paper`` names another. ``include_papers`` adds every paper with its
    decisions, as the programme file carries them (two queries, the report's words with them),
    unless the report's words alone say all there is of them (``said_by_report``): a programme
    with only such a paper is written as before papers. ``spend_summed`` reads the spend summed
    by phase and financial year (``after_the_meeting``): for the figures and pages, never for a
    file.
    """
    if include_papers and paper is not None:
        raise ValueError("Ask for every paper or for one paper's words, not both")
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
    papers: tuple[PaperData, ...] = ()
    report = None
    if include_papers:
        papers = paper_data(programme=programme)
        report = papers[-1].text if papers else None
    elif include_report:
        report = report_text_data(programme=programme, paper=paper)
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
        report=report,
        papers=() if said_by_report(papers) else papers,
        **after_the_meeting(
            programme=programme, slug_of=slug_of, spend_summed=spend_summed
        ).as_keys(),
    )


def programme_figures(*, programme: Programme, as_of: date | None = None) -> ProgrammeFigures:
    """Return the programme's figures, in a fixed number of queries whatever its size.

    ``as_of`` is the day on which what is overdue is worked out: today in the UK by default.
    """
    return compute_figures(
        programme_document(programme=programme, spend_summed=True),
        as_of or timezone.localdate(),
    )

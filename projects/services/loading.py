"""Writes of whole programmes: loading one from plain data, in one transaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from contributions.models import Contribution, Partner

from ..data import REPORT_TEXT_FIELDS, ProgrammeDocument
from ..models import FundingLine, Membership, OutcomeClaim, Partnership, Phase, Programme, Project


class ProgrammeLoadError(Exception):
    """The programme cannot be loaded; nothing was written. Each problem names its place."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _check(instance, place: str, exclude: list[str] | None = None) -> None:
    """Validate one instance's fields, naming the place in the document on failure."""
    try:
        # Uniqueness and constraints are enforced by the database inside the transaction;
        # checking them here too would cost a query per row.
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise ProgrammeLoadError(
            [
                f"{place}.{field}: {message}" if field != "__all__" else f"{place}: {message}"
                for field, messages in error.message_dict.items()
                for message in messages
            ]
        ) from error


@transaction.atomic
def programme_load(*, document: ProgrammeDocument, user=None) -> Programme:
    """Create the document's programme, or replace it whole, together with its partners.

    Partners belong to the partnership and are shared by its programmes: the document's partners
    are created or updated; a partner of the partnership that the document leaves out is removed,
    unless another programme or a user still refers to it, which refuses the whole load.
    """
    partnership, _ = Partnership.objects.get_or_create(
        slug=document.partnership.slug,
        defaults={"name": document.partnership.name, "strategy": document.partnership.strategy},
    )
    partnership.name = document.partnership.name
    partnership.strategy = document.partnership.strategy
    _check(partnership, "partnership", exclude=["slug"])
    partnership.save()

    data = document.programme
    programme = Programme.objects.select_for_update().filter(slug=data.slug).first()
    if programme is not None and programme.partnership_id != partnership.pk:
        raise ProgrammeLoadError(
            [
                f"programme.slug: '{data.slug}' already belongs to the partnership "
                f"'{programme.partnership.slug}', not '{partnership.slug}'"
            ]
        )
    if programme is None:
        programme = Programme(partnership=partnership, slug=data.slug)
    else:
        # Replace the programme's contents whole; the rows are rebuilt below.
        programme.contributions.all().delete()
        programme.projects.all().delete()
    programme.name = data.name
    programme.starts = data.starts
    programme.ends = data.ends
    programme.financial_years = list(data.financial_years)
    programme.apportionment = data.apportionment
    programme.rounding_step = data.rounding_step
    programme.stated_existing_total = data.stated_existing_total
    programme.stated_extra_total = data.stated_extra_total
    _check(programme, "programme", exclude=["partnership"])
    programme.save()

    partners = _partners_load(document=document, partnership=partnership, programme=programme)
    _projects_load(document=document, programme=programme, partners=partners, user=user)
    if document.report is not None:
        _report_text_load(document=document, programme=programme, user=user)
    contributions = []
    for index, item in enumerate(document.contributions):
        contribution = Contribution(
            programme=programme,
            partner=partners[item.partner],
            financial_year=item.financial_year,
            tranche=item.tranche,
            amount=item.amount,
            status=item.status,
            pledged_on=item.pledged_on,
            invoiced_on=item.invoiced_on,
            received_on=item.received_on,
            returned_on=item.returned_on,
            note=item.note,
        )
        _check(contribution, f"contributions[{index}]", exclude=["programme", "partner"])
        contributions.append(contribution)
    try:
        with transaction.atomic():
            bulk_create_with_history(contributions, Contribution, default_user=user)
    except IntegrityError as error:
        raise ProgrammeLoadError([f"contributions: {error}"]) from error
    return programme


def _partners_load(
    *, document: ProgrammeDocument, partnership: Partnership, programme: Programme
) -> dict[str, Partner]:
    """Create or update the document's partners and remove the partnership's others."""
    existing = {partner.slug: partner for partner in partnership.partners.all()}
    wanted = {item.slug for item in document.partners}
    leaving = [partner for slug, partner in existing.items() if slug not in wanted]
    if leaving:
        problems = _partners_in_use(leaving, programme)
        if problems:
            raise ProgrammeLoadError(problems)
        Partner.objects.filter(pk__in=[partner.pk for partner in leaving]).delete()
    partners: dict[str, Partner] = {}
    for index, item in enumerate(document.partners):
        partner = existing.get(item.slug) or Partner(partnership=partnership, slug=item.slug)
        partner.name = item.name
        partner.contributes = item.contributes
        partner.population = item.population
        partner.weight = item.weight
        partner.ieg_grant = item.ieg_grant
        partner.position = index
        _check(partner, f"partners[{index}]", exclude=["partnership"])
        partner.save()
        partners[item.slug] = partner
    return partners


def _partners_in_use(leaving: list[Partner], programme: Programme) -> list[str]:
    """Say which of the partners left out of the document are still used elsewhere."""
    problems = []
    others = ~Q(programme=programme)
    for partner in leaving:
        users = Membership.objects.filter(partner=partner).count()
        used_by = sorted(
            set(partner.contributions.filter(others).values_list("programme__slug", flat=True))
            | set(partner.led_projects.filter(others).values_list("programme__slug", flat=True))
        )
        if used_by:
            problems.append(
                f"partners: '{partner.slug}' is left out, but programme "
                f"'{', '.join(used_by)}' of the partnership still uses it; include it"
            )
        if users:
            problems.append(
                f"partners: '{partner.slug}' is left out, but {users} user(s) belong to it; "
                "include it or move them first"
            )
    return problems


def _report_text_load(*, document: ProgrammeDocument, programme: Programme, user) -> None:
    """Store the document's report text; a document without one keeps the text stored."""
    # Imported here: the report belongs to the reports app, which builds on this one.
    from reports.models import ReportText

    text = ReportText.objects.filter(programme=programme).first()
    if text is None:
        text = ReportText(programme=programme)
    else:
        text.version += 1
    for key in REPORT_TEXT_FIELDS:
        setattr(text, key, getattr(document.report, key))
    _check(text, "report", exclude=["programme"])
    text._history_user = user
    text.save()


def _projects_load(
    *, document: ProgrammeDocument, programme: Programme, partners: dict[str, Partner], user
) -> None:
    """Create the document's projects with their phases, funding lines and outcome claims."""
    # One date on the history of a project and its rows: a later conflict lists the rows
    # changed after the project's version, and these were not.
    loaded_at = timezone.now()
    projects = []
    for index, item in enumerate(document.projects):
        project = Project(
            programme=programme,
            slug=item.slug,
            name=item.name,
            description=item.description,
            outputs=item.outputs,
            external_project=item.external_project,
            supports_strategy=item.supports_strategy,
            lead_partner=partners[item.lead_partner] if item.lead_partner else None,
            status=item.status,
            position=index,
        )
        _check(project, f"projects[{index}]", exclude=["programme", "lead_partner"])
        projects.append(project)
    try:
        with transaction.atomic():
            projects = bulk_create_with_history(
                projects, Project, default_user=user, default_date=loaded_at
            )
    except IntegrityError as error:
        raise ProgrammeLoadError([f"projects: {error}"]) from error

    phases, funding_lines, claims = [], [], []
    for index, (project, item) in enumerate(zip(projects, document.projects, strict=True)):
        for number, phase in enumerate(item.phases):
            row = Phase(
                project=project,
                number=phase.number,
                name=phase.name,
                extra_cost=phase.extra_cost,
                gated=phase.gated,
                decision=phase.decision,
                borne=phase.borne,
                note=phase.note,
                decided_on=phase.decided_on,
                decision_note=phase.decision_note,
            )
            _check(row, f"projects[{index}].phases[{number}]", exclude=["project"])
            phases.append(row)
        for number, line in enumerate(item.funding):
            row = FundingLine(
                project=project,
                source=line.source,
                kind=line.kind,
                amount=line.amount,
                status=line.status,
                note=line.note,
                position=number,
            )
            _check(row, f"projects[{index}].funding[{number}]", exclude=["project"])
            funding_lines.append(row)
        for number, claim in enumerate(item.outcome_claims):
            row = OutcomeClaim(
                project=project, grade=claim.grade, code=claim.code or "", position=number
            )
            _check(row, f"projects[{index}].outcome_claims[{number}]", exclude=["project"])
            claims.append(row)
    try:
        with transaction.atomic():
            bulk_create_with_history(phases, Phase, default_user=user, default_date=loaded_at)
            bulk_create_with_history(
                funding_lines, FundingLine, default_user=user, default_date=loaded_at
            )
            bulk_create_with_history(
                claims, OutcomeClaim, default_user=user, default_date=loaded_at
            )
    except IntegrityError as error:
        raise ProgrammeLoadError([f"projects: {error}"]) from error

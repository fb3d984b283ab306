"""Writes of whole programmes: loading one from plain data, or updating one in place to it.

``programme_load`` creates a programme, or replaces it whole. An import instead updates the
programme in place (``programme_import_plan`` then ``programme_import_write``): it writes only
the rows that differ, so that the rows it keeps go on with their history.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import Q
from django.db.models.options import Options
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from contributions.models import Contribution, Partner
from reports.models import ReportText

from ..history import Author, record_author
from ..models import FundingLine, Membership, OutcomeClaim, Partnership, Phase, Programme, Project
from ..money.document import (
    CONTRIBUTION,
    FUNDING,
    OUTCOME_CLAIM,
    PARTNER,
    PARTNERSHIP,
    PHASE,
    PROGRAMME,
    PROJECT,
    REPORT_TEXT_FIELDS,
    FundingData,
    ProgrammeDocument,
    ProjectData,
)
from ..money.schema import Entity
from ..programme_file.problems import Problem


class ProgrammeLoadError(Exception):
    """The programme cannot be loaded; nothing was written. Each problem names its place."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def _check(instance: models.Model, place: str, exclude: list[str] | None = None) -> None:
    """Validate one instance's fields, naming the place in the document on failure."""
    try:
        # Uniqueness and constraints are enforced by the database inside the transaction;
        # checking them here too would cost a query per row.
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise ProgrammeLoadError(
            [
                Problem(f"{place}.{field}" if field != "__all__" else place, message)
                for field, messages in error.message_dict.items()
                for message in messages
            ]
        ) from error


@transaction.atomic
def programme_load(*, document: ProgrammeDocument, user: Author = None) -> Programme:
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
                Problem(
                    "programme.slug",
                    f"'{data.slug}' already belongs to the partnership "
                    f"'{programme.partnership.slug}', not '{partnership.slug}'",
                )
            ]
        )
    if programme is None:
        programme = Programme(partnership=partnership, slug=data.slug)
    else:
        # Replace the programme's contents whole; the rows are rebuilt below.
        programme.contributions.all().delete()
        programme.projects.all().delete()
    for name, value in PROGRAMME.stored(data, leave_out=PROGRAMME.identity).items():
        setattr(programme, name, value)
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
            **CONTRIBUTION.stored(item, leave_out=("partner",)),
        )
        _check(contribution, f"contributions[{index}]", exclude=["programme", "partner"])
        contributions.append(contribution)
    try:
        with transaction.atomic():
            bulk_create_with_history(contributions, Contribution, default_user=user)
    except IntegrityError as error:
        raise ProgrammeLoadError([Problem("contributions", str(error))]) from error
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
        for name, value in PARTNER.stored(item, leave_out=PARTNER.identity).items():
            setattr(partner, name, value)
        partner.position = index
        _check(partner, f"partners[{index}]", exclude=["partnership"])
        partner.save()
        partners[item.slug] = partner
    return partners


def _partners_in_use(leaving: list[Partner], programme: Programme) -> list[Problem]:
    """Say which of the partners left out of the document are still used elsewhere."""
    problems: list[Problem] = []
    others = ~Q(programme=programme)
    for partner in leaving:
        users = Membership.objects.filter(partner=partner).count()
        used_by = sorted(
            set(partner.contributions.filter(others).values_list("programme__slug", flat=True))
            | set(partner.led_projects.filter(others).values_list("programme__slug", flat=True))
        )
        if used_by:
            problems.append(
                Problem(
                    "partners",
                    f"'{partner.slug}' is left out, but programme "
                    f"'{', '.join(used_by)}' of the partnership still uses it; include it",
                )
            )
        if users:
            problems.append(
                Problem(
                    "partners",
                    f"'{partner.slug}' is left out, but {users} user(s) belong to it; "
                    "include it or move them first",
                )
            )
    return problems


def _report_text_load(*, document: ProgrammeDocument, programme: Programme, user: Author) -> None:
    """Store the document's report text; a document without one keeps the text stored."""
    text = ReportText.objects.filter(programme=programme).first()
    if text is None:
        text = ReportText(programme=programme)
    else:
        text.version += 1
    for key in REPORT_TEXT_FIELDS:
        setattr(text, key, getattr(document.report, key))
    _check(text, "report", exclude=["programme"])
    record_author(text, user)
    text.save()


def _projects_load(
    *, document: ProgrammeDocument, programme: Programme, partners: dict[str, Partner], user: Author
) -> None:
    """Create the document's projects with their phases, funding lines and outcome claims."""
    # One date on the history of a project and its rows: a later conflict lists the rows
    # changed after the project's version, and these were not.
    loaded_at = timezone.now()
    projects = []
    for index, item in enumerate(document.projects):
        project = Project(
            programme=programme,
            **PROJECT.stored(item, leave_out=("lead_partner",)),
            lead_partner=partners[item.lead_partner] if item.lead_partner else None,
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
        raise ProgrammeLoadError([Problem("projects", str(error))]) from error

    phases, funding_lines, claims = [], [], []
    for index, (project, item) in enumerate(zip(projects, document.projects, strict=True)):
        for number, phase in enumerate(item.phases):
            row = Phase(project=project, **PHASE.stored(phase))
            _check(row, f"projects[{index}].phases[{number}]", exclude=["project"])
            phases.append(row)
        for number, line in enumerate(item.funding):
            line_row = FundingLine(project=project, **FUNDING.stored(line), position=number)
            _check(line_row, f"projects[{index}].funding[{number}]", exclude=["project"])
            funding_lines.append(line_row)
        for number, claim in enumerate(item.outcome_claims):
            claim_row = OutcomeClaim(
                project=project, **OUTCOME_CLAIM.stored(claim), position=number
            )
            _check(claim_row, f"projects[{index}].outcome_claims[{number}]", exclude=["project"])
            claims.append(claim_row)
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
        raise ProgrammeLoadError([Problem("projects", str(error))]) from error


# Updating a programme in place, row by row, for an import


@dataclass
class _Rows:
    """The rows of one model that an update adds, changes and removes."""

    model: type[models.Model]
    fields: tuple[str, ...]  # the fields an update may change
    added: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    removed: list = field(default_factory=list)

    def plan(
        self,
        row: models.Model | None,
        values: dict[str, Any],
        *,
        new: dict[str, Any],
        place: str,
        exclude: list[str],
    ) -> models.Model:
        """Plan one row the document holds: a new one (with ``new``'s keys) if there is none,
        else the stored one changed where it differs. What is written is checked; returns it."""
        if row is None:
            row = self.model(**new, **values)
            self.added.append(row)
        elif _assign(row, values):
            self.changed.append(row)
        else:
            return row
        _check(row, place, exclude=exclude)
        return row


def _changeable(entity: Entity) -> tuple[str, ...]:
    """Name the model attributes an update may change: all but those that identify the row."""
    return tuple(spec.attribute for spec in entity.shown)


PROJECT_FIELDS = (*_changeable(PROJECT), "position", "version")
PHASE_FIELDS = _changeable(PHASE)
FUNDING_FIELDS = (*_changeable(FUNDING), "position")
CLAIM_FIELDS = (*_changeable(OUTCOME_CLAIM), "position")
CONTRIBUTION_FIELDS = _changeable(CONTRIBUTION)


@dataclass
class ImportPlan:
    """What updating a programme in place to a document would write, worked out and checked.

    Made by ``programme_import_plan`` without writing anything; ``programme_import_write``
    writes it. Rows are matched by their key (a project by its slug, a phase by its number, a
    contribution by its partner, year and tranche; funding lines and outcome claims as the
    import's preview pairs them), so that a row the document keeps is changed where it is and
    its history goes on. Only the rows added or changed are written, and only those need
    validating: a row the document leaves as it is was valid when it was stored.
    """

    partnership: Partnership
    programme: Programme
    settings_changed: bool
    partners: dict[str, Partner]
    partners_saved: list[Partner]
    partners_leaving: list[Partner]
    projects: _Rows
    phases: _Rows
    funding_lines: _Rows
    claims: _Rows
    contributions: _Rows
    report_text: Any = None  # a ReportText to save, when the document has the report's text

    @property
    def row_sets(self) -> tuple[_Rows, ...]:
        return (self.projects, self.phases, self.funding_lines, self.claims, self.contributions)


def _same(old: Any, new: Any) -> bool:
    # A spreadsheet gives back line breaks as "\n" whatever the text had: not a change.
    if isinstance(old, str) and isinstance(new, str):
        return old == new or old.replace("\r\n", "\n") == new.replace("\r\n", "\n")
    return old == new


def _concrete_field(meta: Options[Any], name: str) -> models.Field:
    """Return the field of this name, which is the model's own, never a reverse relation."""
    field = meta.get_field(name)
    assert isinstance(field, models.Field), f"{meta.label}.{name} is not a field of its own"
    return field


def _assign(instance: models.Model, values: dict[str, Any]) -> bool:
    """Set the values that differ from the instance's; say whether any did."""
    changed = False
    for name, value in values.items():
        field = _concrete_field(instance._meta, name)
        if field.is_relation:  # compared by the row it points to; one not saved yet is new
            target = None if value is None else value.pk
            if target == getattr(instance, field.attname) and (value is None or target is not None):
                continue
        elif _same(getattr(instance, name), value):
            continue
        setattr(instance, name, value)
        changed = True
    return changed


def _unique(keys: list[tuple[str, Any]]) -> None:
    """Refuse a document that gives the same key twice (the database would refuse it too)."""
    seen: dict[Any, str] = {}
    for place, key in keys:
        if key in seen:
            raise ProgrammeLoadError([Problem(place, f"duplicate {key!r} (also {seen[key]})")])
        seen[key] = place


def programme_import_plan(
    *, programme: Programme, document: ProgrammeDocument, project_version: int | None = None
) -> ImportPlan:
    """Work out and check what updating the programme in place to the document would write.

    Nothing is written. Raises ProgrammeLoadError naming the first problem: a value a model
    refuses, a key given twice, a reference to no partner, or a partner left out that another
    programme or a user still refers to. Together with the programme file's own checks, these
    are every refusal the database could make, so a plan that passes can be written.
    ``project_version`` is the version given to every project the update adds or changes.
    """
    partnership = programme.partnership
    settings_changed = _assign(
        partnership, PARTNERSHIP.stored(document.partnership, leave_out=PARTNERSHIP.identity)
    )
    _check(partnership, "partnership", exclude=["slug"])
    data = document.programme
    settings_changed |= _assign(programme, PROGRAMME.stored(data, leave_out=PROGRAMME.identity))
    _check(programme, "programme", exclude=["partnership"])
    if data.starts and data.ends and data.starts > data.ends:  # a constraint, not a validator
        raise ProgrammeLoadError([Problem("programme", "The programme must start before it ends.")])

    _unique([(f"partners[{i}].slug", item.slug) for i, item in enumerate(document.partners)])
    existing = {partner.slug: partner for partner in partnership.partners.all()}
    wanted = {item.slug for item in document.partners}
    leaving = [partner for slug, partner in existing.items() if slug not in wanted]
    if leaving:
        problems = _partners_in_use(leaving, programme)
        if problems:
            raise ProgrammeLoadError(problems)
    partners: dict[str, Partner] = {}
    partners_saved = []
    for index, item in enumerate(document.partners):
        partner = existing.get(item.slug) or Partner(partnership=partnership, slug=item.slug)
        values = {**PARTNER.stored(item, leave_out=PARTNER.identity), "position": index}
        if _assign(partner, values) or partner.pk is None:
            _check(partner, f"partners[{index}]", exclude=["partnership"])
            partners_saved.append(partner)
        partners[item.slug] = partner
    by_pk = {partner.pk: slug for slug, partner in existing.items()}

    plan = ImportPlan(
        partnership=partnership,
        programme=programme,
        settings_changed=settings_changed,
        partners=partners,
        partners_saved=partners_saved,
        partners_leaving=leaving,
        projects=_Rows(Project, PROJECT_FIELDS),
        phases=_Rows(Phase, PHASE_FIELDS),
        funding_lines=_Rows(FundingLine, FUNDING_FIELDS),
        claims=_Rows(OutcomeClaim, CLAIM_FIELDS),
        contributions=_Rows(Contribution, CONTRIBUTION_FIELDS),
    )
    _plan_projects(plan, document, project_version)
    _plan_contributions(plan, document, by_pk)
    if document.report is not None:
        plan.report_text = _report_text_plan(document=document, programme=programme)
    return plan


def _partner_of(plan: ImportPlan, slug: str | None, place: str) -> Partner | None:
    if slug is None:
        return None
    partner = plan.partners.get(slug)
    if partner is None:
        raise ProgrammeLoadError([Problem(place, f"unknown partner {slug!r}")])
    return partner


def _plan_projects(plan: ImportPlan, document: ProgrammeDocument, version: int | None) -> None:
    """Match the document's projects and their rows with the programme's; note what differs."""
    programme = plan.programme
    _unique([(f"projects[{i}].slug", item.slug) for i, item in enumerate(document.projects)])
    existing = {project.slug: project for project in Project.objects.filter(programme=programme)}
    rows: dict[int, dict[str, list]] = {project.pk: {} for project in existing.values()}
    for key, model in (
        ("phases", Phase),
        ("funding", FundingLine),
        ("outcome_claims", OutcomeClaim),
    ):
        ordering = ("project_id", "number") if model is Phase else ("project_id", "position", "pk")
        for row in model.objects.filter(project__programme=programme).order_by(*ordering):
            rows[row.project_id].setdefault(key, []).append(row)

    for index, item in enumerate(document.projects):
        place = f"projects[{index}]"
        project = existing.pop(item.slug, None)
        values = {
            **PROJECT.stored(item, leave_out=PROJECT.identity),
            "lead_partner": _partner_of(plan, item.lead_partner, f"{place}.lead_partner"),
            "position": index,
        }
        if project is None:
            project = Project(programme=programme, slug=item.slug, **values)
            if version is not None:
                project.version = version
            _check(project, place, exclude=["programme", "lead_partner"])
            plan.projects.added.append(project)
            old_rows: dict[str, list] = {}
        else:
            if _assign(project, values):
                if version is not None:
                    project.version = version
                _check(project, place, exclude=["programme", "lead_partner"])
                plan.projects.changed.append(project)
            old_rows = rows[project.pk]
        _plan_phases(plan, project, item, old_rows.get("phases", []), place)
        _plan_funding(plan, project, item, old_rows.get("funding", []), place)
        _plan_claims(plan, project, item, old_rows.get("outcome_claims", []), place)

    for project in existing.values():  # left out of the document: removed with its rows
        for key, kept in (
            ("phases", plan.phases),
            ("funding", plan.funding_lines),
            ("outcome_claims", plan.claims),
        ):
            kept.removed.extend(rows[project.pk].get(key, []))
        plan.projects.removed.append(project)


def _plan_phases(
    plan: ImportPlan, project: Project, item: ProjectData, old: list[Phase], place: str
) -> None:
    _unique([(f"{place}.phases[{i}].number", phase.number) for i, phase in enumerate(item.phases)])
    by_number = {phase.number: phase for phase in old}
    for number, data in enumerate(item.phases):
        values = PHASE.stored(data, leave_out=PHASE.identity)
        plan.phases.plan(
            by_number.pop(data.number, None),
            values,
            new={"project": project, "number": data.number},
            place=f"{place}.phases[{number}]",
            exclude=["project"],
        )
    plan.phases.removed.extend(by_number.values())


def _pair(
    old: list,
    new: tuple,
    identical: Callable[[Any, Any], bool],
    similar: Callable[[Any, Any], bool] | None = None,
) -> tuple[dict[int, Any], list]:
    """Pair old rows with new items: identical ones first, then similar ones, then in order.

    Returns the old row for each new item's index that has one, and the old rows left over.
    """
    if len(old) == len(new) and all(map(identical, old, new)):
        return dict(enumerate(old)), []
    unmatched = list(old)
    pairs: dict[int, Any] = {}
    rest = []
    for index, item in enumerate(new):
        twin = next((row for row in unmatched if identical(row, item)), None)
        if twin is None:
            rest.append(index)
        else:
            pairs[index] = twin
            unmatched.remove(twin)
    if similar is not None:
        for index in list(rest):
            twin = next((row for row in unmatched if similar(row, new[index])), None)
            if twin is not None:
                pairs[index] = twin
                unmatched.remove(twin)
                rest.remove(index)
    while unmatched and rest:
        pairs[rest.pop(0)] = unmatched.pop(0)
    return pairs, unmatched


def _funding_values(data: FundingData, position: int) -> dict[str, Any]:
    return {**FUNDING.stored(data), "position": position}


def _same_stored(
    entity: Entity, row: models.Model, data: Any, same: Callable[[Any, Any], bool] = _same
) -> bool:
    """Return whether a stored row holds the plain record's every declared value."""
    stored = entity.stored(data)
    return all(same(getattr(row, name), value) for name, value in stored.items())


def _same_line(row: FundingLine, data: FundingData) -> bool:
    return _same_stored(FUNDING, row, data)


def _plan_funding(
    plan: ImportPlan, project: Project, item: ProjectData, old: list[FundingLine], place: str
) -> None:
    # Paired as the preview pairs them, so that what it said changed is what changes.
    pairs, unmatched = _pair(
        old, item.funding, _same_line, lambda row, data: row.source == data.source
    )
    for number, data in enumerate(item.funding):
        plan.funding_lines.plan(
            pairs.get(number),
            _funding_values(data, number),
            new={"project": project},
            place=f"{place}.funding[{number}]",
            exclude=["project"],
        )
    plan.funding_lines.removed.extend(unmatched)


def _plan_claims(
    plan: ImportPlan, project: Project, item: ProjectData, old: list[OutcomeClaim], place: str
) -> None:
    pairs, unmatched = _pair(
        old,
        item.outcome_claims,
        lambda row, data: _same_stored(OUTCOME_CLAIM, row, data, operator.eq),
    )
    for number, data in enumerate(item.outcome_claims):
        plan.claims.plan(
            pairs.get(number),
            {**OUTCOME_CLAIM.stored(data), "position": number},
            new={"project": project},
            place=f"{place}.outcome_claims[{number}]",
            exclude=["project"],
        )
    plan.claims.removed.extend(unmatched)


def _plan_contributions(
    plan: ImportPlan, document: ProgrammeDocument, by_pk: dict[int, str]
) -> None:
    _unique(
        [
            (f"contributions[{i}]", (item.partner, item.financial_year, item.tranche))
            for i, item in enumerate(document.contributions)
        ]
    )
    existing = {
        (by_pk.get(row.partner_id), row.financial_year, row.tranche): row
        for row in Contribution.objects.filter(programme=plan.programme)
    }
    for index, item in enumerate(document.contributions):
        place = f"contributions[{index}]"
        partner = _partner_of(plan, item.partner, f"{place}.partner")
        values = CONTRIBUTION.stored(item, leave_out=CONTRIBUTION.identity)
        plan.contributions.plan(
            existing.pop((item.partner, item.financial_year, item.tranche), None),
            values,
            new={
                "programme": plan.programme,
                "partner": partner,
                "financial_year": item.financial_year,
                "tranche": item.tranche,
            },
            place=place,
            exclude=["programme", "partner"],
        )
    plan.contributions.removed.extend(existing.values())


def _report_text_plan(*, document: ProgrammeDocument, programme: Programme) -> ReportText | None:
    """Return the programme's report text set to the document's, checked, or None if the same."""
    text = ReportText.objects.filter(programme=programme).first()
    if text is None:
        text = ReportText(programme=programme)
    values = {key: getattr(document.report, key) for key in REPORT_TEXT_FIELDS}
    if not _assign(text, values) and text.pk is not None:
        return None
    _check(text, "report", exclude=["programme"])
    return text


@transaction.atomic
def programme_import_write(*, plan: ImportPlan, user: Author) -> Programme:
    """Write a planned update: only the rows it adds, changes and removes, each in the history.

    Every record of the update has one user and one date. Rows are removed before the rows
    they belong to, and partners the document leaves out last, once nothing refers to them.
    """
    when = timezone.now()
    if plan.settings_changed:
        for instance in (plan.partnership, plan.programme):
            record_author(instance, user, when)
            instance.save()
    for partner in plan.partners_saved:
        record_author(partner, user, when)
        partner.save()
    try:
        with transaction.atomic():
            for rows in (
                plan.claims,
                plan.funding_lines,
                plan.phases,
                plan.projects,
                plan.contributions,
            ):
                _remove_recorded(rows.model, rows.removed, user=user, when=when)
            for rows in plan.row_sets:
                _update_recorded(rows.model, rows.changed, rows.fields, user=user, when=when)
            for rows in plan.row_sets:
                if rows.added:
                    bulk_create_with_history(
                        rows.added, rows.model, default_user=user, default_date=when
                    )
    except IntegrityError as error:
        raise ProgrammeLoadError([Problem("the database refused it", str(error))]) from error
    if plan.report_text is not None:
        text = plan.report_text
        if text.pk is not None:
            text.version += 1
        record_author(text, user, when)
        text.save()
    if plan.partners_leaving:
        Partner.objects.filter(pk__in=[partner.pk for partner in plan.partners_leaving]).delete()
    return plan.programme


def _remove_recorded(
    model: type[models.Model], rows: list, *, user: Author, when: datetime
) -> None:
    """Delete the rows, recording each removal in the history, in bulk."""
    if not rows:
        return
    _record(model, rows, kind="-", user=user, when=when)
    pks = [row.pk for row in rows]
    for start in range(0, len(pks), 500):
        doomed = model._default_manager.filter(pk__in=pks[start : start + 500]).order_by()
        doomed._raw_delete(doomed.db)


def _update_recorded(
    model: type[models.Model], rows: list, fields: tuple[str, ...], *, user: Author, when: datetime
) -> None:
    """Write the rows' fields, one UPDATE run over all of them, recording each in the history.

    Django's bulk_update builds a CASE over every row for every field, which for thousands of
    rows takes seconds; one statement run with each row's values takes a fraction of that.
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    meta = model._meta
    columns = [_concrete_field(meta, name) for name in fields]
    sql = (
        f"UPDATE {quote(meta.db_table)} SET "
        + ", ".join(f"{quote(column.column)} = %s" for column in columns)
        + f" WHERE {quote(meta.pk.column)} = %s"
    )
    params = []
    for row in rows:
        # A foreign key to a row saved since it was set takes that row's new primary key.
        row._prepare_related_fields_for_save(operation_name="update")
        values = [
            column.get_db_prep_save(getattr(row, column.attname), connection) for column in columns
        ]
        params.append([*values, row.pk])
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    _record(model, rows, kind="~", user=user, when=when)


def _record(
    model: type[models.Model], rows: list, *, kind: str, user: Author, when: datetime
) -> None:
    """Add a historical record of each row as it is now, all with the same user and date.

    What simple-history's bulk_history_create writes, as one INSERT run over all the rows:
    building each record as a model and inserting them with bulk_create took longer than the
    change it records.
    """
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    # simple-history adds the history manager to each model it tracks; it ships no types.
    history = model.history.model  # type: ignore[attr-defined]
    connection = connections[router.db_for_write(history)]
    quote = connection.ops.quote_name
    meta = history._meta
    tracked = [(field, meta.get_field(field.name)) for field in history.tracked_fields]
    stamp = {
        "history_date": when,
        "history_change_reason": None,
        "history_type": kind,
        "history_user": None if user is None else user.pk,
    }
    stamped = [(meta.get_field(name), value) for name, value in stamp.items()]
    columns = [column for _, column in tracked] + [column for column, _ in stamped]
    fixed = [column.get_db_prep_save(value, connection) for column, value in stamped]
    sql = (
        f"INSERT INTO {quote(meta.db_table)} "
        f"({', '.join(quote(column.column) for column in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    params = [
        [
            column.get_db_prep_save(getattr(row, field.attname), connection)
            for field, column in tracked
        ]
        + fixed
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)

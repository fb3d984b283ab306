"""Writes of a project together with its phases, funding lines and outcome claims.

A project is edited as a whole: one save changes the project's own fields and any of its rows,
in one transaction, claiming the project's version so that a save made from an older copy is
refused. Every record of one save carries the same history date, so "what changed since
version N" is every record dated after the project's record of version N.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone

from norfolk_connect.model_messages import full_clean_for_people

from .. import rules
from ..history import (
    HIDDEN_FIELDS,
    Author,
    FieldChange,
    changes_since_version,
    claim_version,
    display_value,
    record_author,
)
from ..models import FundingLine, OutcomeClaim, Phase, Programme, Project
from ..money.document import FUNDING, OUTCOME_CLAIM, PHASE, PROJECT
from ..money.vocabulary import Decision, ProjectStatus
from ..validators import slug_from_name

# URL segments under /programmes/<slug>/projects/ that a project's slug must not take.
RESERVED_PROJECT_SLUGS = rules.PROJECT_RESERVED_SLUGS

# The fields a person edits, as declared: a project's own (its slug is given when it is
# added) and those of each kind of its rows (a phase's decision has a page of its own).
PROJECT_FIELDS = tuple(spec.attribute for spec in PROJECT.shown if spec.edited)
ROW_FIELDS: dict[str, tuple[str, ...]] = {
    "phases": PHASE.edited_keys,
    "funding": FUNDING.edited_keys,
    "claims": OUTCOME_CLAIM.edited_keys,
}
# A project's row of one kind or another; ``kind`` ("phases", "funding", "claims") says which.
ProjectRow = Phase | FundingLine | OutcomeClaim
ROW_MODELS: dict[str, type[ProjectRow]] = {
    "phases": Phase,
    "funding": FundingLine,
    "claims": OutcomeClaim,
}
ROW_NOUNS = {"phases": "phase", "funding": "funding line", "claims": "outcome claim"}


@dataclass(frozen=True)
class RowChange:
    """One row of a project's phases, funding lines or outcome claims, as a person submitted it.

    ``pk`` names an existing row of the project (None for a new one); ``delete`` removes it.
    """

    data: dict[str, Any] = field(default_factory=dict)
    pk: int | None = None
    delete: bool = False


# Where a refusal lies: () for the project as a whole, ("slug",) for one of its fields,
# ("phases", 1) for the second submitted phase and ("phases", 1, "extra_cost") for its field.
RefusalPath = tuple[str | int, ...]


@dataclass(frozen=True)
class FieldProblem:
    """One reason a save is refused, at a structured path rather than a composed key."""

    path: RefusalPath
    message: str


class ProjectRefusal(ValidationError):
    """A save refused for the problems listed, each at its path; nothing was written.

    A ValidationError still, so that callers that show any refusal keep doing so; a form
    reads ``problems`` to put each message on the field its path names.
    """

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        self.problems: list[FieldProblem] = list(problems)
        grouped: dict[str, list[str]] = {}
        for problem in self.problems:
            grouped.setdefault(_error_key(problem.path), []).append(problem.message)
        super().__init__(grouped)


def _error_key(path: RefusalPath) -> str:
    """Name a path in the ValidationError's dict, for code that reads ``message_dict``."""
    if not path:
        return NON_FIELD_ERRORS
    if len(path) == 2:  # a row as a whole
        path = (*path, NON_FIELD_ERRORS)
    return ".".join(str(part) for part in path)


@transaction.atomic
def project_create(
    *,
    programme: Programme,
    data: dict[str, Any],
    phases: Sequence[RowChange] = (),
    funding: Sequence[RowChange] = (),
    claims: Sequence[RowChange] = (),
    user: Author,
) -> Project:
    """Add a project, with its rows, at the end of the programme.

    Without a slug in the data, one is made from the project's name, unique in the programme.
    """
    slug = data.get("slug") or slug_from_name(
        data.get("name") or "",
        taken=lambda slug: programme.projects.filter(slug=slug).exists(),
        reserved=RESERVED_PROJECT_SLUGS,
        fallback="project",
    )
    if slug in RESERVED_PROJECT_SLUGS:
        raise ValidationError({"slug": f"“{slug}” is reserved; choose another slug."})
    if programme.projects.filter(slug=slug).exists():
        raise ValidationError({"slug": "A project with this slug is already in the programme."})
    last = programme.projects.aggregate(last=Max("position"))["last"]
    project = Project(
        programme=programme,
        slug=slug,
        position=0 if last is None else last + 1,
        **{name: data[name] for name in PROJECT_FIELDS if name in data},
    )
    _check_lead_partner(project)
    full_clean_for_people(project)
    stamp = _Stamp(user)
    _write(lambda: stamp.save(project))
    _rows_save(project, {"phases": phases, "funding": funding, "claims": claims}, stamp)
    return project


@transaction.atomic
def project_update(
    *,
    project: Project,
    data: dict[str, Any],
    phases: Sequence[RowChange] = (),
    funding: Sequence[RowChange] = (),
    claims: Sequence[RowChange] = (),
    expected_version: int,
    user: Author,
) -> Project:
    """Change a project and its rows, refusing a save made from an older version of it."""
    claim_version(
        project,
        expected_version,
        what=f"The project “{project.name}”",
        changes=lambda: project_changes_since(project, expected_version),
    )
    for name in PROJECT_FIELDS:
        if name in data:
            setattr(project, name, data[name])
    _check_lead_partner(project)
    full_clean_for_people(project, exclude=["programme"])
    stamp = _Stamp(user)
    _rows_save(project, {"phases": phases, "funding": funding, "claims": claims}, stamp)
    # Saved after its rows so that the project's record of this version is the last of the save.
    _write(lambda: stamp.save(project))
    return project


@transaction.atomic
def project_delete(*, project: Project, expected_version: int, user: Author) -> None:
    """Delete a project and all its rows, refusing if it changed since the person looked."""
    claim_version(
        project,
        expected_version,
        what=f"The project “{project.name}”",
        changes=lambda: project_changes_since(project, expected_version),
    )
    stamp = _Stamp(user)

    def delete() -> None:
        # Row by row rather than by cascade, so that each row's history names the user.
        for kind in ROW_MODELS:
            for row in _rows_of(project, kind):
                stamp.delete(row)
        stamp.delete(project)

    _write(delete)


def project_changes_since(project: Project, version: int) -> list[FieldChange]:
    """Return what changed in the project and its rows after the given version was saved."""
    changes = changes_since_version(project, version, row="Project")
    start = project.history.filter(version=version).order_by("history_date", "history_id").last()
    if start is None:
        return changes
    for kind, model in ROW_MODELS.items():
        records = model.history.filter(project_id=project.pk).order_by("history_date", "history_id")
        by_row: dict[int, list] = {}
        for record in records:
            by_row.setdefault(record.id, []).append(record)
        for rows in by_row.values():
            before = [record for record in rows if record.history_date <= start.history_date]
            after = [record for record in rows if record.history_date > start.history_date]
            if not after:
                continue
            old = before[-1] if before and before[-1].history_type != "-" else None
            new = after[-1] if after[-1].history_type != "-" else None
            changes.extend(_row_changes(kind, old, new))
    return changes


def _row_changes(kind: str, old: Any, new: Any) -> list[FieldChange]:
    """Describe how one row went from one historical record to another (either may be None)."""
    if old is None and new is None:
        return []
    if old is None:
        return [FieldChange(row=_row_label(kind, new), field="Row", old="-", new="Added")]
    if new is None:
        return [FieldChange(row=_row_label(kind, old), field="Row", old="Present", new="Removed")]
    model = ROW_MODELS[kind]
    delta = new.diff_against(old, excluded_fields=list(HIDDEN_FIELDS))
    row = _row_label(kind, new)
    changes = []
    for change in delta.changes:
        model_field = model._meta.get_field(change.field)
        assert isinstance(model_field, models.Field)  # the history records only own fields
        changes.append(
            FieldChange(
                row=row,
                field=str(model_field.verbose_name).capitalize(),
                old=display_value(model_field, change.old),
                new=display_value(model_field, change.new),
            )
        )
    return changes


def _row_label(kind: str, record: Any) -> str:
    if kind == "phases":
        return f"Phase {record.number}: {record.name}"
    if kind == "funding":
        return f"Funding line: {record.source}"
    return f"Outcome claim: {record.get_grade_display()} {record.code}".strip()


class _Stamp:
    """Save and delete rows as one change: the same user and history date on every record."""

    def __init__(self, user: Author) -> None:
        self.user = user
        self.when = timezone.now()

    def _mark(self, instance: models.Model) -> None:
        record_author(instance, self.user, self.when)

    def save(self, instance: models.Model) -> None:
        self._mark(instance)
        instance.save()

    def delete(self, instance: models.Model) -> None:
        self._mark(instance)
        instance.delete()


def _write(action: Callable[[], None]) -> None:
    """Run the writes, turning a clash the database refuses into a ValidationError."""
    try:
        with transaction.atomic():
            action()
    except ProtectedError as error:
        # Spend recorded on a phase keeps the phase: the money paid out must stay accounted for.
        raise ValidationError(
            "Money has been spent on a phase this change would remove, so it cannot be removed: "
            "the spend must stay accounted for against it. Mark the phase as not proceeding "
            "instead."
        ) from error
    except IntegrityError as error:
        text = str(error).lower()
        if "slug" in text:
            raise ValidationError(
                {"slug": "A project with this slug is already in the programme."}
            ) from error
        raise ValidationError(
            "The project could not be saved because it clashes with another change saved at "
            "the same moment. Check your entries and save again."
        ) from error


def _check_lead_partner(project: Project) -> None:
    partner = project.lead_partner
    if partner is not None and partner.partnership_id != project.programme.partnership_id:
        raise ValidationError(
            {"lead_partner": "Select a lead partner of the partnership from the list"}
        )


def _rows_of(project: Project, kind: str) -> list[ProjectRow]:
    if project.pk is None:
        return []
    return list(ROW_MODELS[kind].objects.filter(project=project))


@dataclass
class _RowsPlan:
    """What one save does to one kind of row: which to delete, keep, and write."""

    removed: list[ProjectRow] = field(default_factory=list)
    # Every row the project keeps, with its index among the submitted rows (None: untouched).
    kept: list[tuple[int | None, ProjectRow]] = field(default_factory=list)
    changed: list[ProjectRow] = field(default_factory=list)


def _rows_save(project: Project, submitted: dict[str, Sequence[RowChange]], stamp: _Stamp) -> None:
    """Apply the submitted rows of every kind to the project, or refuse them all."""
    errors: list[FieldProblem] = []
    plans = {kind: _rows_plan(project, kind, rows, errors) for kind, rows in submitted.items()}
    if project.status == ProjectStatus.WITHDRAWN:
        going_ahead = [
            phase
            for _, phase in plans["phases"].kept
            if isinstance(phase, Phase) and phase.decision != Decision.NOT_PROCEEDING
        ]
        if going_ahead:
            numbers = ", ".join(str(phase.number) for phase in going_ahead)
            errors.append(
                FieldProblem(
                    ("status",),
                    "A withdrawn project's phases must all be “not proceeding”; "
                    f"change the decision of phase {numbers} or choose another status.",
                )
            )
    if errors:
        raise ProjectRefusal(errors)

    def write() -> None:
        for kind, plan in plans.items():
            for row in plan.removed:
                stamp.delete(row)
            if kind == "phases":
                _phase_numbers_free(
                    project, [row for row in plan.changed if isinstance(row, Phase)]
                )
            for row in plan.changed:
                stamp.save(row)

    _write(write)


def _rows_plan(
    project: Project, kind: str, changes: Sequence[RowChange], errors: list[FieldProblem]
) -> _RowsPlan:
    """Check one kind of row, collecting problems in ``errors`` at the rows they concern."""
    model = ROW_MODELS[kind]
    noun = ROW_NOUNS[kind]
    existing = {row.pk: row for row in _rows_of(project, kind)}
    seen: set[int] = set()
    plan = _RowsPlan()
    touched: list[tuple[int | None, ProjectRow]] = []
    for index, change in enumerate(changes):
        if change.pk is not None:
            row = existing.get(change.pk)
            if row is None or change.pk in seen:
                errors.append(
                    FieldProblem(
                        (kind, index),
                        f"This {noun} is not one of the project's {noun}s (it may have been "
                        "removed): reload the page and make your changes again.",
                    )
                )
                continue
            seen.add(change.pk)
            if change.delete:
                plan.removed.append(row)
                continue
        elif change.delete:
            continue
        else:
            row = model(project=project)
        before = _row_values(row, kind)
        for name in ROW_FIELDS[kind]:
            if name in change.data:
                setattr(row, name, change.data[name])
        # A row saved unchanged would add an empty entry to its history.
        if row.pk is None or _row_values(row, kind) != before:
            plan.changed.append(row)
        try:
            # Uniqueness is checked below over the whole set: the database still holds the
            # numbers of phases being renumbered, which would refuse a swap of 1 and 2.
            full_clean_for_people(
                row, exclude=["project"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                path = (kind, index) if name == NON_FIELD_ERRORS else (kind, index, name)
                errors.extend(FieldProblem(path, message) for message in messages)
        touched.append((index, row))
    plan.kept = touched + [(None, row) for pk, row in existing.items() if pk not in seen]
    if kind == "phases":
        _check_phase_numbers(plan, errors)
    else:
        for position, (_, row) in enumerate(plan.kept):
            assert not isinstance(row, Phase)  # phases are ordered by their numbers instead
            if row.position != position:
                row.position = position
                if row not in plan.changed:
                    plan.changed.append(row)
    return plan


def _check_phase_numbers(plan: _RowsPlan, errors: list[FieldProblem]) -> None:
    """Refuse a phase number that another of the project's phases has."""
    kept = [(index, phase) for index, phase in plan.kept if isinstance(phase, Phase)]
    counts: dict[int, int] = {}
    for _, phase in kept:
        counts[phase.number] = counts.get(phase.number, 0) + 1
    for index, phase in kept:
        if index is not None and phase.number is not None and counts[phase.number] > 1:
            errors.append(
                FieldProblem(
                    ("phases", index, "number"),
                    f"Phase {phase.number} is numbered twice; give each phase its own number.",
                )
            )


def _row_values(row: models.Model, kind: str) -> tuple:
    return tuple(getattr(row, name) for name in ROW_FIELDS[kind])


def _phase_numbers_free(project: Project, changed: list[Phase]) -> None:
    """Move renumbered phases out of the way first, so that swapping two numbers works."""
    current = dict(Phase.objects.filter(project=project).values_list("pk", "number"))
    renumbered = [phase for phase in changed if phase.pk and current[phase.pk] != phase.number]
    if not renumbered:
        return
    used = set(current.values()) | {phase.number for phase in changed}
    spare = (number for number in range(32767, 0, -1) if number not in used)
    for phase in renumbered:
        # A bare UPDATE: the phase's save just after it records the change in its history.
        Phase.objects.filter(pk=phase.pk).update(number=next(spare))

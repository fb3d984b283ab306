"""Writes of a project's delivery: its milestones and its red, amber or green status.

Each is refused whole, with nothing saved, when a value is wrong: a phase of another project, a
milestone reached on a day still to come, a status set on a future day or without its reason.
Every write is in the history with its author (docs/design.md, section 9.8).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from norfolk_connect.model_messages import full_clean_for_people

from ..history import Author, record_author
from ..models import Milestone, Phase, Project, StatusUpdate
from ..money.vocabulary import Rag

ACTUAL_IN_FUTURE = "The actual date must be today or earlier: a milestone is reached once it is"
STATUS_IN_FUTURE = "The date set must be today or earlier"
REASON_NEEDED = "Enter the reason for the status"
PHASE_NOT_OURS = "Select a phase of this project from the list"


@transaction.atomic
def milestone_save(
    *,
    project: Project,
    name: str,
    baseline: date,
    forecast: date | None = None,
    actual: date | None = None,
    phase: Phase | None = None,
    milestone: Milestone | None = None,
    user: Author,
    today: date | None = None,
) -> Milestone:
    """Add a milestone to the project, or change one of its milestones (``milestone``)."""
    today = today or timezone.localdate()
    if milestone is not None and milestone.project_id != project.pk:
        raise ValidationError("This milestone is not one of the project's")
    if phase is not None and not Phase.objects.filter(pk=phase.pk, project=project).exists():
        raise ValidationError({"phase": PHASE_NOT_OURS})
    if actual is not None and actual > today:
        raise ValidationError({"actual": ACTUAL_IN_FUTURE})
    if milestone is None:
        milestone = Milestone(project=project)
    else:
        # The row is the lock: two people changing one milestone save one after the other.
        milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    milestone.phase = phase
    milestone.name = name.strip()
    milestone.baseline = baseline
    milestone.forecast = forecast
    milestone.actual = actual
    full_clean_for_people(milestone)
    record_author(milestone, user)
    milestone.save()
    return milestone


@transaction.atomic
def milestone_delete(*, milestone: Milestone, user: Author) -> None:
    """Remove a milestone recorded in error; its history is kept."""
    record_author(milestone, user)
    milestone.delete()


@transaction.atomic
def status_set(
    *,
    project: Project,
    status: str,
    date: date,
    reason: str,
    user: Author,
    today: date | None = None,
) -> StatusUpdate:
    """Set the project's status as of a day, with the reason; the earlier ones are kept."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if status not in Rag.values:
        errors["status"] = "Select the status: red, amber or green"
    if date > today:
        errors["date"] = STATUS_IN_FUTURE
    if not reason.strip():
        errors["reason"] = REASON_NEEDED
    if errors:
        raise ValidationError(errors)
    update = StatusUpdate(project=project, status=status, date=date, reason=reason.strip())
    full_clean_for_people(update)
    record_author(update, user)
    update.save()
    return update

"""Writes of phase decisions: a business case approved, a phase that does not proceed."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from norfolk_connect.model_messages import full_clean_for_people

from ..history import Author, claim_version, record_author
from ..models import Phase
from ..money.vocabulary import Decision, ProjectStatus
from ..notifications import phase_decided
from .projects import project_changes_since


@transaction.atomic
def phase_decide(
    *,
    phase: Phase,
    decision: str,
    decided_on: date | None,
    note: str,
    expected_version: int,
    user: Author,
) -> Phase:
    """Record the decision on a phase, refusing a save made from an older copy of its project.

    The project's version moves on too: a decision changes the project's money, so an edit of
    the project begun before it must be refused rather than silently undo it.
    """
    project = phase.project
    claim_version(
        project,
        expected_version,
        what=f"The project “{project.name}”",
        changes=lambda: project_changes_since(project, expected_version),
    )
    _check_decision(phase=phase, decision=decision, decided_on=decided_on)
    phase.decision = decision
    # A decision still awaited has no date; its note may say what it waits for.
    phase.decided_on = None if decision == Decision.PENDING else decided_on
    phase.decision_note = note.strip()
    full_clean_for_people(
        phase, exclude=["project"], validate_unique=False, validate_constraints=False
    )
    record_author(phase, user)
    phase.save()
    # Saved, not only claimed, so that the project's history holds this version for later
    # conflicts to compare against.
    record_author(project, user)
    project.save(update_fields=["version"])
    # The facilitators are emailed a business case's decision once this transaction commits.
    phase_decided(phase=phase)
    return phase


def _check_decision(*, phase: Phase, decision: str, decided_on: date | None) -> None:
    """Refuse a decision the money rules cannot take, naming the field at fault."""
    project = phase.project
    if decision not in Decision.values:
        raise ValidationError({"decision": "Select what was decided"})
    if project.status == ProjectStatus.WITHDRAWN and decision != Decision.NOT_PROCEEDING:
        raise ValidationError(
            {
                "decision": f"{project.name} is withdrawn, so its phases cannot proceed: "
                "change the project's status first"
            }
        )
    if decision == Decision.APPROVED and not phase.gated:
        raise ValidationError(
            {
                "decision": f"Phase {phase.number} is not gated by a business case, so there is "
                "no business case to approve. Its cost is already committed; choose "
                "“Does not proceed” to stop it"
            }
        )
    if decision != Decision.PENDING and decided_on is None:
        because = (
            "because the business case was approved"
            if decision == Decision.APPROVED
            else "because the phase does not proceed"
        )
        raise ValidationError({"decided_on": f"Enter the decision date, {because}"})
    starts = project.programme.starts
    if (
        decision != Decision.PENDING
        and starts is not None
        and decided_on is not None  # a decision without a date was refused above
        and decided_on < starts
    ):
        raise ValidationError(
            {
                "decided_on": "Decision date must be the same as or after the programme's "
                f"start date, {starts.day} {starts:%B %Y}"
            }
        )
